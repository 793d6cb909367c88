import { detectTable } from '../../../import/detect';
import { grid } from './grid-from-xlsx';

/** Territoires en Transitions action plans: issue 15, point 1 (import/detect/action-plan.ts). */
const HEADERS = [
  'Axe (x)', 'Sous-axe (x.x)', 'Sous-sous axe (x.x.x)', 'Titre de la fiche action', 'Descriptif', 'Structure pilote', 'Partenaires', 'Statut',
  'Niveau de priorité', 'Date de début', 'Date de fin', 'Budget prévisionnel total € HT',
  'Financeur 1', 'Montant € HT', 'Financeur 2', 'Montant € HT', 'Financeur 3', 'Montant € HT',
];
const GROUPS = ["Présentation de l'action", null, null, null, null, 'Acteurs', null, 'Modalités de mise en oeuvre', null, null, null, 'Budget et financements'];
const DESCRIPTION = HEADERS.map((_, i) => (i === 4 ? "Champ texte\nDécrire l'action en quelques lignes" : [7, 8].includes(i) ? 'Liste déroulante' : [11, 13, 15, 17].includes(i) ? 'Champ numérique' : 'Champ texte'));
const FICHE = ['1. Transition', '1.2 Mobilités', null, 'Voie verte', null, 'Douai', null, 'En cours', null, null, null, 1000, 'ADEME', 300, 'Région', 200, null, null];

describe('detect: the Territoires en Transitions action plan', () => {
  it('pairs each unnumbered « Montant € HT » with the funder column before it: no duplicate column, layout action-plan', () => {
    const table = detectTable(grid('Plan', [GROUPS, HEADERS, DESCRIPTION, FICHE], ['A1:E1', 'F1:G1', 'H1:K1', 'L1:R1']), 'annex3')!;
    expect(table.layout).toBe('action-plan');
    expect(table.headerRow).toBe(1);
    expect(table.issues).toEqual([]);
    const amounts = table.columns.filter((column) => column.role === 'planAmount');
    expect(amounts.map((column) => [column.col, column.index, column.costBase])).toEqual([
      [13, 1, 'HT'],
      [15, 2, 'HT'],
      [17, 3, 'HT'],
    ]);
    expect(table.columns.find((column) => column.col === 0)!.role).toBe('axis');
    expect(table.columns.find((column) => column.col === 1)!.role).toBe('orientation');
    expect(table.columns.find((column) => column.col === 2)!.role).toBe('subSubAxis');
    expect(table.columns.find((column) => column.col === 11)).toMatchObject({ role: 'totalCost', costBase: 'HT' });
    // The description row is recognised as such, not data.
    expect(table.skippedRows).toEqual([{ row: 2, reason: 'instruction' }]);
    expect(table.dataRows).toEqual([3]);
  });

  it('skips two description rows and reads « € TTC » from the header, or from the group when the header says no unit', () => {
    const headers = ['Axe (x)', 'Titre de la fiche action', 'Financeur 1', 'Montant\n€ TTC', 'financeur 2', 'Montant'];
    const table = detectTable(
      grid('Plan', [
        [null, null, 'Plan de financement (€ TTC)'],
        headers,
        ['Champ texte', 'Champ texte', 'Champ texte', 'Champ numérique', 'Champ texte', 'Champ numérique'],
        ['Obligatoire', "Obligatoire\nReprendre l'intitulé exact", 'Facultatif', 'Montant en euros TTC', 'Facultatif', 'Montant en euros TTC'],
        ['Axe 1 : Transition', 'Voie verte', 'ADEME', 300, 'Région', 200],
      ], ['C1:F1']),
      'annex3',
    )!;
    expect(table.layout).toBe('action-plan');
    expect(table.skippedRows.map((skipped) => skipped.reason)).toEqual(['instruction', 'instruction']);
    expect(table.dataRows).toEqual([4]);
    expect(table.columns.filter((column) => column.role === 'planAmount').map((column) => [column.index, column.costBase])).toEqual([
      [1, 'TTC'],
      [2, 'TTC'],
    ]);
  });

  it('numbers unnumbered « Financeur » | « Montant » pairs in order when there are two or more', () => {
    const table = detectTable(grid('Plan', [['Titre de la fiche action', 'Financeur', 'Montant € HT', 'Financeur', 'Montant € HT'], ['Voie verte', 'ADEME', 300, 'Région', 200]]), 'annex3')!;
    expect(table.layout).toBe('action-plan');
    expect(table.issues).toEqual([]);
    expect(table.columns.slice(1).map((column) => [column.role, column.index])).toEqual([
      ['pairFunder', 1],
      ['planAmount', 1],
      ['pairFunder', 2],
      ['planAmount', 2],
    ]);
  });

  it('leaves the other layouts as they were: « Montant 1 » pairs, one « Financeur » | « Montant » (long)', () => {
    expect(detectTable(grid('S', [['N° action', 'Intitulé', 'Année', 'Financeur 1', 'Montant 1'], ['DA-01', 'Gare', 2023, 'ADEME', 1]]), 'annex3')!.layout).toBe('pairs');
    expect(detectTable(grid('S', [['N° action', 'Intitulé', 'Année', 'Financeur', 'Montant', 'Étape'], ['DA-01', 'Gare', 2023, 'ADEME', 1, 'Demandé']]), 'annex3')!.layout).toBe('long');
  });

  it('an amount column after no funder column stays an amount (the parser reports its cells, see parse/action-plan.test.ts)', () => {
    const table = detectTable(grid('S', [['Titre de la fiche action', 'Financeur 1', 'Montant € HT', 'Commentaire', 'Montant € HT'], ['Voie verte', 'ADEME', 300, null, 200]]), 'annex3')!;
    expect(table.layout).toBe('action-plan');
    expect(table.columns.map((column) => column.role)).toEqual(['actionTitle', 'pairFunder', 'planAmount', 'comment', 'amount']);
  });
});
