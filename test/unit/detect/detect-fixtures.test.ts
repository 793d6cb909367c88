import { columnsWithRole, columnWithRole, detectTable, mergedValueAt } from '../../../import/detect';
import type { DetectedTable } from '../../../import/detect';
import { cellText, columnLetters } from '../../../import/common/model';
import { fixture, gridFromCsv, gridsFromXlsx } from './grid-from-xlsx';

function roleAt(table: DetectedTable, letter: string) {
  return table.columns.find((c) => columnLetters(c.col) === letter);
}

describe('detectTable on the Banque des Territoires file (annex3, by year)', () => {
  const [sheet, listes] = gridsFromXlsx(fixture('annexe3-banque-des-territoires-2023.xlsx'));
  const table = detectTable(sheet, 'annex3')!;

  it('finds the labels on row 4 below the title and group rows, by year', () => {
    expect(table.headerRow).toBe(3);
    expect(table.layout).toBe('by-year');
    expect(table.issues).toEqual([]);
  });

  it('reads every column', () => {
    expect(table.columns.map((c) => [columnLetters(c.col), c.role])).toEqual([
      ['A', 'actionCode'],
      ['B', 'actionTitle'],
      ['C', 'orientation'],
      ['D', 'lead'],
      ['E', 'totalCost'],
      ['F', 'instrument'],
      ['G', 'yearColumn'],
      ['H', 'yearColumn'],
      ['I', 'yearColumn'],
      ['J', 'yearColumn'],
      ['K', 'yearColumn'],
      ['L', 'yearColumn'],
      ['M', 'rowTotal'],
      ['N', 'status'],
    ]);
    expect(columnsWithRole(table, 'yearColumn').map((c) => [columnLetters(c.col), c.year])).toEqual([
      ['G', 2021],
      ['H', 2022],
      ['I', 2023],
      ['J', 2024],
      ['K', 2025],
      ['L', 2026],
    ]);
    expect(roleAt(table, 'N')).toMatchObject({ header: 'Statut ', role: 'status', group: 'Suivi' });
    expect(roleAt(table, 'E')).toMatchObject({ role: 'totalCost', costBase: 'HT', multiplier: 1 });
  });

  it("keeps 'Total' as a total column, not a year", () => {
    expect(table.totalColumns).toEqual([12]);
  });

  it('gives each column its merged group header', () => {
    expect(roleAt(table, 'A')!.group).toBe('Présentation de l’action');
    expect(roleAt(table, 'F')!.group).toBe('Présentation de l’action');
    for (const c of columnsWithRole(table, 'yearColumn')) expect(c).toMatchObject({ group: 'Montants par année (€)', multiplier: 1 });
  });

  it('skips the example row and the subtotal rows, keeps the five actions', () => {
    expect(table.skippedRows).toEqual([
      { row: 4, reason: 'example' },
      { row: 8, reason: 'subtotal' },
      { row: 11, reason: 'subtotal' },
    ]);
    expect(table.totalRows).toEqual([
      { row: 8, kind: 'subtotal', label: 'Sous-total Axe 2', col: 0 },
      { row: 11, kind: 'subtotal', label: 'Sous-total Axe 3', col: 0 },
    ]);
    expect(table.dataRows).toEqual([5, 6, 7, 9, 10]);
    expect(table.dataRows.map((r) => cellText(sheet.rows[r][0]))).toEqual(['DA-01', 'DA-02', 'CCCO-03', 'CCCO-07', 'DA-15']);
  });

  it("finds no table in the 'Listes' sheet of choices", () => {
    expect(listes.name).toBe('Listes');
    expect(detectTable(listes, 'annex3')).toBeNull();
  });
});

describe('detectTable on the Douaisis Agglo file (annex3, by funder)', () => {
  const [sheet] = gridsFromXlsx(fixture('annexe3-douaisis-agglo-2022.xlsx'));
  const table = detectTable(sheet, 'annex3')!;

  it('finds the header on row 1, by funder, with no issue', () => {
    expect(table.headerRow).toBe(0);
    expect(table.layout).toBe('by-funder');
    expect(table.issues).toEqual([]);
    expect(table.dataRows).toEqual([1, 2, 3, 4, 5, 6]);
    expect(table.skippedRows).toEqual([]);
  });

  it('reads headers with line breaks, trailing spaces and typographic apostrophes', () => {
    expect(roleAt(table, 'A')!.role).toBe('actionCode');
    expect(roleAt(table, 'B')!.role).toBe('actionTitle');
    expect(roleAt(table, 'C')!.role).toBe('orientation');
    expect(roleAt(table, 'D')!.role).toBe('lead');
    expect(roleAt(table, 'E')).toMatchObject({ header: "Coût total de l'opération\n(en euros HT)", role: 'totalCost', costBase: 'HT', multiplier: 1 });
    expect(roleAt(table, 'P')).toMatchObject({ header: 'Année', role: 'year' });
    expect(roleAt(table, 'Q')).toMatchObject({ header: 'État d’avancement', role: 'status' });
  });

  it('maps each funder column to its programme or funder', () => {
    expect(columnsWithRole(table, 'funderColumn').map((c) => [columnLetters(c.col), c.funder])).toEqual([
      ['F', { programme: 'DETR' }],
      ['G', { programme: 'DSIL' }],
      ['H', { programme: 'FNADT' }],
      ['I', { programme: 'FONDS_VERT' }],
      ['J', { funder: 'GENERIC_REGION' }],
      ['K', { funder: 'GENERIC_DEPARTMENT' }],
      ['L', { funder: 'GENERIC_EPCI' }],
      ['M', { funder: 'GENERIC_COMMUNE' }],
      ['N', { programme: 'FEDER' }],
      ['O', { other: true }],
    ]);
    expect(roleAt(table, 'J')!.header).toBe('Région ');
    expect(roleAt(table, 'O')!.expects).toBe('text');
  });
});

describe('detectTable on the ADEME CSV (annex3, long)', () => {
  const sheet = gridFromCsv(fixture('annexe3-ademe-2021-2023.csv'));
  const table = detectTable(sheet, 'annex3')!;

  it('reads the long layout with its three stage columns and the cost base', () => {
    expect(table.headerRow).toBe(0);
    expect(table.layout).toBe('long');
    expect(table.issues).toEqual([]);
    expect(table.columns.map((c) => c.role)).toEqual([
      'actionCode',
      'actionTitle',
      'orientation',
      'funder',
      'year',
      'amountRequested',
      'amountGranted',
      'amountPaid',
      'costBase',
    ]);
    expect(table.columns[0].header).toBe('numero'); // the byte-order mark is gone
    expect(table.dataRows).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('detectTable on the dotations file', () => {
  const [sheet] = gridsFromXlsx(fixture('dotations-detr-dsil-fnadt-2017-2021.xlsx'));
  const table = detectTable(sheet, 'dotations')!;

  it('finds the territory header on row 2 and the unlabelled year and programme columns', () => {
    expect(table.headerRow).toBe(1);
    expect(table.layout).toBe('dotations');
    expect(table.issues).toEqual([]);
    expect(table.columns).toEqual([
      { col: 0, header: '', role: 'year', multiplier: 1, expects: 'year', inferred: true },
      { col: 1, header: '', role: 'programme', multiplier: 1, expects: 'text', inferred: true },
      { col: 2, header: 'Territoire de DA', role: 'territoryColumn', territory: 'DA', multiplier: 1, expects: 'number' },
      { col: 3, header: 'Territoire de la CCCO', role: 'territoryColumn', territory: 'CCCO', multiplier: 1, expects: 'number' },
    ]);
  });

  it('keeps the 15 programme rows and sets aside each year’s TOTAL and the final total', () => {
    expect(table.dataRows).toHaveLength(15);
    expect(table.totalRows).toEqual([
      { row: 5, kind: 'total', label: 'TOTAL', col: 1 },
      { row: 9, kind: 'total', label: 'TOTAL', col: 1 },
      { row: 13, kind: 'total', label: 'TOTAL', col: 1 },
      { row: 17, kind: 'total', label: 'TOTAL', col: 1 },
      { row: 21, kind: 'total', label: 'TOTAL', col: 1 },
      { row: 22, kind: 'total', label: 'TOTAL 2017 à 2021', col: 0 },
    ]);
  });

  it('reads each row’s year through the merged year cells', () => {
    const year = columnWithRole(table, 'year')!.col;
    expect(table.dataRows.map((r) => mergedValueAt(sheet, r, year)?.value)).toEqual([
      2017, 2017, 2017, 2018, 2018, 2018, 2019, 2019, 2019, 2020, 2020, 2020, 2021, 2021, 2021,
    ]);
    expect(mergedValueAt(sheet, 5, year)?.value).toBe(2017); // the 2017 TOTAL row
  });
});

describe('detectTable on the annex 2 file', () => {
  const [sheet] = gridsFromXlsx(fixture('annexe2-bilan-plan-de-relance-douaisis.xlsx'));
  const table = detectTable(sheet, 'annex2')!;

  it('finds Mesure | Projet | Aide | Investissement on row 3', () => {
    expect(table.headerRow).toBe(2);
    expect(table.layout).toBe('annex2');
    expect(table.issues).toEqual([]);
    expect(table.columns.map((c) => [c.header, c.role])).toEqual([
      ['Mesure', 'measure'],
      ['Projet', 'beneficiaries'],
      ['Aide', 'aid'],
      ['Investissement', 'investment'],
    ]);
  });

  it('reports the seven volets as sections', () => {
    expect(table.sections.map((s) => [s.row + 1, s.label.split('.')[0]])).toEqual([
      [4, 'I'],
      [14, 'II'],
      [17, 'III'],
      [32, 'IV'],
      [46, 'V'],
      [50, 'VI'],
      [60, 'VII'],
    ]);
    expect(table.sections[0].label).toBe('I. Volet Compétitivité');
  });

  it('sets aside the TOTAL row 59 and keeps continuation rows as data', () => {
    expect(table.totalRows).toEqual([{ row: 58, kind: 'total', label: 'TOTAL', col: 0 }]);
    expect(table.dataRows).not.toContain(58);
    expect(table.dataRows).toContain(25); // "matières premières", continuing row 25
    expect(table.dataRows).toContain(32); // "Plan 1 jeune 1 solution", a measure with no figure
    expect(table.dataRows).toContain(51); // B52 "Dossiers 2021" of DSIL Classique
    expect(table.dataRows.filter((r) => r >= 60)).toEqual([60, 61, 62, 63, 64, 65, 66, 67]); // IMT's eight amounts
    expect(table.dataRows).toHaveLength(68 - 3 - 7 - 1);
  });
});
