import { columnsWithRole, columnWithRole, detectTable } from '../../../import/detect';
import type { DetectedTable } from '../../../import/detect';
import { columnLetters } from '../../../import/common/model';
import { grid } from './grid-from-xlsx';

function byLetter(table: DetectedTable, letter: string) {
  return table.columns.find((c) => columnLetters(c.col) === letter);
}
const codes = (t: DetectedTable) => t.issues.map((i) => `${i.severity} ${i.code} ${i.cell}`);

describe('detectTable on nasty headers', () => {
  it('reads upper case without accents, ’ and \', line breaks and non-breaking spaces', () => {
    const t = detectTable(
      grid('Feuil1', [
        ['N° ACTION', 'INTITULE DE L’ACTION', 'MAITRE\u00a0D\u2019OUVRAGE', 'COUT\u00a0TOTAL\nHT ', 'ETAT D AVANCEMENT', '2021', 'Année 2022', '2023 (€)', 'ORIENTATION\r\nSTRATEGIQUE'],
        ['DA-01', 'Piscine', 'Douaisis Agglo', 1000, 'En cours', 10, 20, 30, '3.4'],
      ]),
      'annex3',
    )!;
    expect(t.columns.map((c) => c.role)).toEqual(['actionCode', 'actionTitle', 'lead', 'totalCost', 'status', 'yearColumn', 'yearColumn', 'yearColumn', 'orientation']);
    expect(columnsWithRole(t, 'yearColumn').map((c) => c.year)).toEqual([2021, 2022, 2023]);
    expect(byLetter(t, 'D')!.costBase).toBe('HT');
    expect(t.layout).toBe('by-year');
    expect(t.issues).toEqual([]);
  });

  it('applies the units stated in headers to their column', () => {
    const t = detectTable(
      grid('Feuil1', [
        ['Réf.', 'Nom du projet', 'Coût total (en k€)', "DSIL en milliers d'euros", 'Région (M€)', 'Département', 'Budget prévisionnel total € HT'],
        ['DA-01', 'Piscine', 1000, 10, 1.5, 20],
      ]),
      'annex3',
    )!;
    expect(t.layout).toBe('by-funder');
    expect(byLetter(t, 'C')).toMatchObject({ role: 'totalCost', multiplier: 1000 });
    expect(byLetter(t, 'D')).toMatchObject({ role: 'funderColumn', funder: { programme: 'DSIL' }, multiplier: 1000 });
    expect(byLetter(t, 'E')).toMatchObject({ role: 'funderColumn', funder: { funder: 'GENERIC_REGION' }, multiplier: 1000000 });
    expect(byLetter(t, 'F')).toMatchObject({ role: 'funderColumn', multiplier: 1 });
    // A second cost column is set aside with a warning (not money that would be lost: a cost).
    expect(byLetter(t, 'G')).toMatchObject({ role: 'ignored', duplicateOf: 2 });
    expect(codes(t)).toEqual(['ERROR COLUMN_DUPLICATED G1']);
  });

  it("applies a group header's units to the columns under it, unless a column states its own", () => {
    const t = detectTable(
      grid(
        'Feuil1',
        [
          ['Action', '', 'Montants (k€)', '', '', ''],
          ['Code action', 'Intitulé', 2021, 2022, '2023 (€)', 'Total'],
          ['DA-01', 'Piscine', 1, 2, 3000, 6],
        ],
        ['A1:B1', 'C1:F1'],
      ),
      'annex3',
    )!;
    expect(t.headerRow).toBe(1);
    expect(columnsWithRole(t, 'yearColumn').map((c) => [c.year, c.multiplier, c.group])).toEqual([
      [2021, 1000, 'Montants (k€)'],
      [2022, 1000, 'Montants (k€)'],
      [2023, 1, 'Montants (k€)'],
    ]);
    expect(byLetter(t, 'F')).toMatchObject({ role: 'rowTotal', multiplier: 1000 });
    expect(byLetter(t, 'A')!.group).toBe('Action');
  });

  it('reads stages from group headers so that two blocks of years are not duplicates', () => {
    const t = detectTable(
      grid(
        'Feuil1',
        [
          ['', '', 'Montants demandés (€)', '', 'Montants attribués (k€)', ''],
          ['N° action', 'Intitulé', 2022, 2023, 2022, 2023],
        ],
        ['C1:D1', 'E1:F1'],
      ),
      'annex3',
    )!;
    expect(columnsWithRole(t, 'yearColumn').map((c) => [c.year, c.stage, c.multiplier])).toEqual([
      [2022, 'REQUESTED', 1],
      [2023, 'REQUESTED', 1],
      [2022, 'GRANTED', 1000],
      [2023, 'GRANTED', 1000],
    ]);
    expect(t.issues).toEqual([]);
  });

  it('finds a header on row 12 below a long title block', () => {
    const rows: Array<Array<string | number | null>> = [
      ['Contrat de relance et de transition écologique du Douaisis'],
      ['Annexe 3 — Programmation financière'],
      [null],
      ['Partenaire : Région Hauts-de-France'],
      ['Date de mise à jour : 12/03/2023'],
      ['Les montants sont indiqués en euros.'],
      [null],
      ['Année 2023 — document de travail'],
      ['Contact : service CRTE'],
      [null],
      [null],
      ['Tableau 1', null, null, 'Financeurs'],
      ['Référence', 'Nom du projet', "Coût total de l'opération", 'DETR', 'DSIL', 'Autres financements', 'Observations'],
      ['DA-01', 'Piscine', 1000000, 100000, null, 'DRAC : 50 000', 'ok'],
    ];
    const t = detectTable(grid('Feuil1', rows, ['A1:G1', 'D12:F12']), 'annex3')!;
    expect(t.headerRow).toBe(12);
    expect(t.layout).toBe('by-funder');
    expect(byLetter(t, 'D')!.group).toBe('Financeurs');
    expect(byLetter(t, 'A')!.group).toBe('Tableau 1');
    expect(byLetter(t, 'F')!.funder).toEqual({ other: true });
    expect(byLetter(t, 'G')!.role).toBe('comment');
    expect(t.dataRows).toEqual([13]);
  });

  it('finds one table on each of two sheets', () => {
    const first = grid('Par année', [
      ['N° action', 'Intitulé', 2023, 2024],
      ['DA-01', 'Piscine', 1, 2],
    ]);
    const second = grid('Par financeur', [
      ['Titre du second tableau'],
      ['N° action', 'Intitulé', 'DETR', 'Fonds vert', 'Commune'],
      ['DA-02', 'École', 1, 2, 3],
    ]);
    const tables = [first, second].map((s) => detectTable(s, 'annex3')!);
    expect(tables.map((t) => [t.sheet, t.headerRow, t.layout, t.dataRows])).toEqual([
      ['Par année', 0, 'by-year', [1]],
      ['Par financeur', 1, 'by-funder', [2]],
    ]);
  });

  it('reads labels merged down into the header row under a group row', () => {
    const t = detectTable(
      grid(
        'Feuil1',
        [
          ['N° action', 'Intitulé', 'Montants par année (€)', '', ''],
          [null, null, 2021, 2022, 2023],
          ['DA-01', 'Piscine', 1, 2, 3],
        ],
        ['A1:A2', 'B1:B2', 'C1:E1'],
      ),
      'annex3',
    )!;
    expect(t.headerRow).toBe(1);
    expect(t.columns.map((c) => [c.header, c.role, c.group])).toEqual([
      ['N° action', 'actionCode', undefined],
      ['Intitulé', 'actionTitle', undefined],
      ['2021', 'yearColumn', 'Montants par année (€)'],
      ['2022', 'yearColumn', 'Montants par année (€)'],
      ['2023', 'yearColumn', 'Montants par année (€)'],
    ]);
    expect(t.dataRows).toEqual([2]);
  });
});

describe('detectTable layouts and column issues', () => {
  it('reads pairs and reports a financeur without its montant', () => {
    const t = detectTable(
      grid('Feuil1', [
        ['N° action', 'Intitulé', 'Financeur 1', 'Montant 1', 'Financeur n°2', 'Montant 2', 'Financeur 3'],
        ['DA-01', 'Piscine', 'DETR', 100, 'Région', 200, 'ADEME'],
      ]),
      'annex3',
    )!;
    expect(t.layout).toBe('pairs');
    expect(t.columns.slice(2).map((c) => [c.role, c.index])).toEqual([
      ['pairFunder', 1],
      ['pairAmount', 1],
      ['pairFunder', 2],
      ['pairAmount', 2],
      ['pairFunder', 3],
    ]);
    expect(codes(t)).toEqual(['ERROR COLUMN_MISSING A1']);
    expect(t.issues[0].message).toContain('Montant 3');
  });

  it('reads a long layout with one amount and a stage column', () => {
    const t = detectTable(
      grid('Feuil1', [
        ['Code action', 'Financeur', 'Exercice', 'Étape', 'Montant (k€)'],
        ['DA-01', 'Région', 2023, 'demandé', 100],
      ]),
      'annex3',
    )!;
    expect(t.layout).toBe('long');
    expect(columnWithRole(t, 'amount')!.multiplier).toBe(1000);
  });

  it('says LAYOUT_UNKNOWN when actions have no amounts it can place', () => {
    const t = detectTable(
      grid('Feuil1', [
        ['N° action', 'Intitulé', 'Statut'],
        ['DA-01', 'Piscine', 'En cours'],
      ]),
      'annex3',
    )!;
    expect(t.layout).toBeNull();
    expect(codes(t)).toEqual(['ERROR LAYOUT_UNKNOWN A1']);
  });

  it('warns about unknown headers but not decorative ones, and sets duplicates aside', () => {
    const t = detectTable(
      grid('Feuil1', [
        ['#', 'N° action', 'Intitulé', 'Statut', 'Zorglub', 'Colonne1', '*', 'Avancement', 2023, 2024, 2024],
        [1, 'DA-01', 'Piscine', 'En cours', 'x', null, null, 'ok', 1, 2, 3],
      ]),
      'annex3',
    )!;
    expect(byLetter(t, 'E')!.role).toBe('unknown');
    expect(byLetter(t, 'H')).toMatchObject({ role: 'ignored', duplicateOf: 3 });
    expect(byLetter(t, 'K')).toMatchObject({ role: 'ignored', duplicateOf: 9 });
    expect(codes(t)).toEqual(['WARNING COLUMN_UNKNOWN E1', 'WARNING COLUMN_DUPLICATED H1', 'ERROR COLUMN_DUPLICATED K1']);
    expect(t.issues[0]).toMatchObject({ sheet: 'Feuil1', value: 'Zorglub' });
  });

  it('reads the DGCL lists whatever the year’s column names', () => {
    const y2019 = detectTable(
      grid('DETR 2019', [
        ['ANNEE', 'DEP', 'DOT', 'INSEECOM', 'BENEFICIAIRE', 'OBJET', 'COUT', 'SUBVENTION'],
        [2019, '59', 'DETR', '59178', 'DOUAI', 'Toiture', 100000, 25000.125],
      ]),
      'grants',
    )!;
    expect(y2019.columns.map((c) => c.role)).toEqual(['year', 'department', 'programme', 'territoryCode', 'beneficiary', 'actionTitle', 'totalCost', 'amount']);
    expect(y2019.layout).toBe('grants');
    expect(y2019.issues).toEqual([]);

    const y2021 = detectTable(
      grid('data', [
        ['annee', 'departement', 'dotation', 'id_terr', 'siren_epci', 'nom_terr', 'libelle', 'cout_total', 'montant_sub', 'taux_sub'],
        [2021, '59', 'DSIL', '59178', '200044618', 'DOUAI', 'École', 100000, 25000, 25],
      ]),
      'grants',
    )!;
    expect(y2021.columns.map((c) => c.role)).toEqual(['year', 'department', 'programme', 'territoryCode', 'sirenCode', 'beneficiary', 'actionTitle', 'totalCost', 'amount', 'rate']);
    expect(y2021.issues).toEqual([]);

    // A list of one programme (the Fonds vert's) has no programme column: detection requires none, the
    // grants parser asks for it at the header when neither the upload nor the measures give it.
    const noProgramme = detectTable(grid('x', [['Code INSEE', 'Bénéficiaire', 'Montant subvention']]), 'grants')!;
    expect(codes(noProgramme)).toEqual([]);
    const noAmount = detectTable(grid('x', [['Code INSEE', 'Bénéficiaire', 'Dotation']]), 'grants')!;
    expect(codes(noAmount)).toEqual(['ERROR COLUMN_MISSING A1']);
  });

  it('reads both indicator templates', () => {
    const wide = detectTable(
      grid('Indicateurs', [
        ['Code action', 'Code indicateur', 'Indicateur', 'Unité', 'Valeur de référence', 'Cible', 'Année cible', 2021, 2022],
        ['DA-01', 'IND-1', 'Surface rénovée', 'm²', 0, 1000, 2026, 100, 300],
      ]),
      'indicators',
    )!;
    expect(wide.layout).toBe('indicators');
    expect(wide.columns.map((c) => c.role)).toEqual(['actionCode', 'indicatorCode', 'indicatorName', 'unit', 'baseline', 'target', 'targetYear', 'yearColumn', 'yearColumn']);
    const long = detectTable(
      grid('Indicateurs', [
        ['Code action', 'Indicateur', 'Unité', 'Année', 'Valeur', 'Type (cible/réalisé)'],
        ['DA-01', 'Surface rénovée', 'm²', 2022, 300, 'réalisé'],
      ]),
      'indicators',
    )!;
    expect(long.layout).toBe('indicators-long');
    expect(long.columns.map((c) => c.role)).toEqual(['actionCode', 'indicatorName', 'unit', 'year', 'value', 'valueStage']);
    expect(long.issues).toEqual([]);
  });

  it('names an organisation funder as written, and a territory as written', () => {
    const t = detectTable(grid('x', [['N° action', 'Intitulé', 'Banque des Territoires (CDC)', 'Région Hauts-de-France', "Agence de l’eau"]]), 'annex3')!;
    expect(t.columns.slice(2).map((c) => c.funder)).toEqual([{ funder: 'Banque des Territoires' }, { funder: 'Région Hauts-de-France' }, { funder: "Agence de l'eau" }]);
    const d = detectTable(grid('x', [['Année', 'Dotation', "Territoire de Cœur d’Ostrevent", 'Territoire du Douaisis']]), 'dotations')!;
    expect(d.columns.map((c) => c.territory)).toEqual([undefined, undefined, "Cœur d'Ostrevent", 'Douaisis']);
  });
});

describe('detectTable rows', () => {
  it('skips instruction and example rows just below the header, not data that looks a bit like them', () => {
    const t = detectTable(
      grid('Feuil1', [
        ['N° action', 'Intitulé', 'Nature', 'Coût total', 2023, 2024],
        ['texte', 'texte', 'Prêt / Subvention / Ingénierie', 'nombre, sans espace', 'nombre', 'nombre'],
        ['Ex. DA-12', 'Exemple : rénovation de la mairie', 'Subvention', 'ex : 120000', null, null],
        [null],
        ['DA-01', 'Étude / travaux / mise aux normes', 'Prêt', 'à définir', 'à définir', 10],
        ['DA-02', 'École', 'Subvention', 1000, 10, 10],
      ]),
      'annex3',
    )!;
    expect(t.skippedRows).toEqual([
      { row: 1, reason: 'instruction' },
      { row: 2, reason: 'example' },
      { row: 3, reason: 'blank' },
    ]);
    expect(t.dataRows).toEqual([4, 5]);
  });

  it('sets aside sections, subtotals, totals, notes and an unlabelled row of sums', () => {
    const sum = (f: string, v: number) => ({ kind: 'number' as const, value: v, formula: f });
    const t = detectTable(
      grid(
        'Feuil1',
        [
          ['N° action', 'Intitulé', 2023, 2024],
          ['Axe 1 — Transition écologique'],
          ['DA-01', 'Piscine', 1, 2],
          ['Sous total axe 1', null, 1, 2],
          ['AXE 2 : Cohésion'],
          ['DA-02', 'École', 3, 4],
          ['S/Total', null, 3, 4],
          [null, null, sum('SUM(C3:C6)', 4), sum('SUM(D3:D6)', 6)],
          ['Total général', null, 4, 6],
          ['* montants prévisionnels'],
          ['NB : les montants sont arrondis'],
        ],
        [],
      ),
      'annex3',
    )!;
    expect(t.sections).toEqual([
      { row: 1, label: 'Axe 1 — Transition écologique' },
      { row: 4, label: 'AXE 2 : Cohésion' },
    ]);
    expect(t.totalRows).toEqual([
      { row: 3, kind: 'subtotal', label: 'Sous total axe 1', col: 0 },
      { row: 6, kind: 'subtotal', label: 'S/Total', col: 0 },
      { row: 7, kind: 'total', label: '', col: -1 },
      { row: 8, kind: 'total', label: 'Total général', col: 0 },
    ]);
    expect(t.skippedRows.filter((s) => s.reason === 'note').map((s) => s.row)).toEqual([9, 10]);
    expect(t.dataRows).toEqual([2, 5]);
  });

  it('finds a table that starts in column C', () => {
    const t = detectTable(
      grid('Feuil1', [
        [null, null, 'Titre'],
        [null, null, 'N° action', 'Intitulé', 'DETR', 'DSIL'],
        [null, null, 'TOTAL', null, 10, 20],
        [null, null, 'DA-01', 'Piscine', 10, 20],
      ]),
      'annex3',
    )!;
    expect(t.headerRow).toBe(1);
    expect(t.columns[0].col).toBe(2);
    expect(t.totalRows).toEqual([{ row: 2, kind: 'total', label: 'TOTAL', col: 2 }]);
    expect(t.dataRows).toEqual([3]);
  });

  it('returns null for a sheet with no table', () => {
    expect(detectTable(grid('Listes', [['Prêt', 'Subvention', 'Ingénierie', 'Fonds propres']]), 'annex3')).toBeNull();
    expect(detectTable(grid('Vide', []), 'annex3')).toBeNull();
    expect(detectTable(grid('Notes', [['Commentaires'], ['Rien à signaler']]), 'annex3')).toBeNull();
  });

  it('looks for the header in the first 30 rows only', () => {
    const rows: Array<Array<string | null>> = Array.from({ length: 35 }, () => [null]);
    rows.push(['N° action', 'Intitulé', 'DETR', 'DSIL']);
    expect(detectTable(grid('Feuil1', rows), 'annex3')).toBeNull();
  });
});

describe('detectTable cost', () => {
  it('reads a 100 000-row sheet in one cheap pass', () => {
    const rows: Array<Array<string | number | null>> = [['annee', 'dotation', 'id_terr', 'nom_terr', 'libelle', 'cout_total', 'montant_sub']];
    for (let i = 0; i < 100000; i++) rows.push([2021, i % 2 ? 'DETR' : 'DSIL', String(59000 + (i % 999)), `Commune ${i}`, `Projet n°${i} de rénovation`, 100000 + i, 25000.5]);
    const sheet = grid('data', rows);
    detectTable(grid('warm-up', rows.slice(0, 2000)), 'grants');
    const start = process.hrtime.bigint();
    const t = detectTable(sheet, 'grants')!;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(t.dataRows).toHaveLength(100000);
    // ~0.3 s on a quiet machine; the bound only catches a per-row cost that grows with the sheet.
    expect(ms).toBeLessThan(5000);
  });
});
