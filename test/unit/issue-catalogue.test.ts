import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { OrganisationKind } from '../../src/kernel/organisation-kind.enum';
import { ActionStatus } from '../../src/kernel/action-status.enum';
import { ISSUE_CODES } from '../../import/common/issue-codes';
import { SheetGrid } from '../../import/common/model';
import { runPipeline } from '../../import/pipeline';
import { ContractReference } from '../../import/resolve/contract-reference';
import { grid } from './detect/grid-from-xlsx';

/** A small contract: enough for every rule of parse, resolve and check to fire. */
const reference: ContractReference = {
  contract: { id: 1, code: 'CRTE-TEST', startYear: 2021, endYear: 2026 },
  orientations: [
    { id: 11, code: '1.2' },
    { id: 12, code: '2.2' },
    { id: 13, code: '1.4', closedOn: '2024-09-01', closedBy: '2' },
  ],
  organisations: [
    { id: 1, name: 'CA Douaisis Agglo', shortName: 'Douaisis Agglo', kind: OrganisationKind.EPCI, siren: '200044618', inseeCode: null, parentId: null },
    { id: 2, name: 'Douai', shortName: null, kind: OrganisationKind.COMMUNE, siren: '215901786', inseeCode: '59178', parentId: 1 },
    { id: 3, name: 'Région Hauts-de-France', shortName: null, kind: OrganisationKind.REGION, siren: '200053742', inseeCode: null, parentId: null },
    { id: 4, name: 'État', shortName: null, kind: OrganisationKind.STATE, siren: null, inseeCode: null, parentId: null },
    { id: 5, name: 'Agence A', shortName: 'AGA', kind: OrganisationKind.OTHER, siren: null, inseeCode: null, parentId: null },
    { id: 6, name: 'Agence B', shortName: 'AGA', kind: OrganisationKind.OTHER, siren: null, inseeCode: null, parentId: null },
  ],
  aliases: [{ organisationId: 3, contractId: 1, normalised: 'region' }],
  perimeterEpciIds: [1],
  regionId: 3,
  departmentId: null,
  stateId: 4,
  programmes: [{ id: 21, code: 'DSIL', name: 'DSIL', operatorId: 4 }],
  actions: [{ id: 31, code: 'DA-01', title: 'Gare', normalisedTitle: 'gare', leadId: 1, totalCost: '100.00', status: ActionStatus.UNDERWAY, orientationId: 11, startDate: null, endDate: null }],
  indicators: [],
};

function preview(sheet: SheetGrid | SheetGrid[], kind: ImportKind = ImportKind.ANNEX3, year: number | null = null, authority: 'admin' | 'source' = 'admin') {
  const sheets = Array.isArray(sheet) ? sheet : [sheet];
  return runPipeline({ kind, workbook: { format: 'xlsx', sheets, skippedSheets: [] }, reference, sourceOrganisationId: 1, authority, year }).issues;
}

const BY_YEAR = ['N° action', 'Intitulé', 'Orientation', "Maître d'ouvrage", 2022, 2023, 'Total'];

/** One file per rule: the code it must raise and the cell it must name (null: the whole file or sheet). */
/** An action plan's headers (Territoires en Transitions), for kind `plan`. */
const PLAN = ['Axe (x)', 'Sous-axe (x.x)', 'Titre de la fiche action', 'Financeur 1', 'Montant € HT'];

const SCENARIOS: Array<[code: string, cell: string | null, build: () => ReturnType<typeof preview>]> = [
  ['AMOUNT_INVALID', 'E2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 'beaucoup']]))],
  ['AMOUNT_AMBIGUOUS', 'E2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', '1,050 000 €']]))],
  ['AMOUNT_NEGATIVE', 'F2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 5, -5]]))],
  ['AMOUNT_ABSURD', 'E2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 1e300]]))],
  ['AMOUNT_APPROXIMATE', 'E2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 'Environ 100 000 €']]))],
  ['AMOUNT_ROUNDED', 'E2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 1234.567]]))],
  ['FORMULA_ERROR', 'E2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', { kind: 'error', value: '#DIV/0!', formula: 'E1/0' }]]))],
  ['YEAR_INVALID', 'E2', () => preview(grid('S', [['N° action', 'Intitulé', 'DSIL', 'Région', 'Année'], ['DA-01', 'Gare', 100, null, 1899]]))],
  ['YEAR_MISSING', 'A2', () => preview(grid('S', [['N° action', 'Intitulé', 'DSIL', 'Région'], ['DA-01', 'Gare', 100]]))],
  ['YEAR_OUTSIDE_CONTRACT', 'E2', () => preview(grid('S', [['N° action', 'Intitulé', 'Orientation', "Maître d'ouvrage", 2019, 2022], ['DA-01', 'Gare', '1.2', 'DA', 100]]))],
  // An unknown nature of credits: a warning at its cell, the amount kept.
  ['CREDIT_NATURE_UNKNOWN', 'C2', () => preview(grid('S', [['N° action', 'Intitulé', 'Nature des crédits', 2022, 2023], ['DA-01', 'Gare', 'crédits magiques', 100]]))],
  ['STATUS_UNKNOWN', 'C2', () => preview(grid('S', [['N° action', 'Intitulé', 'Statut', 2022, 2023], ['DA-01', 'Gare', 'peut-être', 100]]))],
  ['INSTRUMENT_UNKNOWN', 'C2', () => preview(grid('S', [['N° action', 'Intitulé', 'Nature', 2022, 2023], ['DA-01', 'Gare', 'cadeau', 100]]))],
  ['ROW_TOTAL_MISMATCH', 'G2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 100, 100, 300]]))],
  ['SUBTOTAL_MISMATCH', 'E4', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 100], ['DA-02', 'Parc', '1.2', 'DA', 50], ['Sous-total Axe 1', null, null, null, 160]]))],
  ['TOTAL_MISMATCH', 'E4', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 100], ['DA-02', 'Parc', '1.2', 'DA', 50], ['TOTAL', null, null, null, 140]]))],
  ['DUPLICATE_LINE', 'E3', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 100], ['DA-01', 'Gare', '1.2', 'DA', 100]]))],
  // A title MariaDB could not store: reported at its cell, not failed at apply.
  ['TEXT_TOO_LONG', 'B2', () => preview(grid('S', [BY_YEAR, ['DA-99', 'Très long '.repeat(60), '1.2', 'DA', 100]]))],
  ['UNKNOWN_ORIENTATION', 'C2', () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', '9.9', 'DA', 100]]))],
  ['ORIENTATION_CLOSED', 'C2', () => preview(grid('S', [BY_YEAR, ['DA-02', 'Halle', '1.4', 'DA', 100]]))],
  ['ACTION_UNKNOWN', 'A2', () => preview(grid('S', [BY_YEAR, ['DA-99', 'Neuve', '1.2', 'DA', 100]]))],
  ['ACTION_CODE_MISSING', 'B2', () => preview(grid('S', [BY_YEAR, [null, 'Inconnue', '1.2', 'DA', 100]]))],
  ['ACTION_MATCHED_BY_TITLE', 'B2', () => preview(grid('S', [BY_YEAR, [null, 'GARE', '1.2', 'DA', 100]]))],
  // The file's lead of an existing action is not the contract's: at the lead's cell, nothing changed.
  ['ACTION_DIFFERS', 'C2', () => preview(grid('S', [['N° action', 'Intitulé', "Maître d'ouvrage", 2022, 2023], ['DA-01', 'Gare', 'Région', 100]]))],
  // An editor of DA cannot create an action led by the Région: at the lead's cell.
  ['ACTION_LEAD_REFUSED', 'C2', () => preview(grid('S', [['N° action', 'Intitulé', "Maître d'ouvrage", 2022, 2023], ['RG-01', 'Lycée', 'Région', 100]]), ImportKind.ANNEX3, null, 'source')],
  // An editor of DA declaring the Région's money on a new action that is not DA's: at the amount.
  ['FUNDING_NOT_ALLOWED', 'E2', () =>
    preview(grid('S', [['N° action', 'Intitulé', "Maître d'ouvrage", 'DSIL', 'Région', 'Année'], ['RG-01', 'Lycée', 'Région', null, 100, 2022]]), ImportKind.ANNEX3, null, 'source')],
  ['ORGANISATION_UNKNOWN', 'D2', () => preview(grid('S', [BY_YEAR, ['DA-99', 'Neuve', '1.2', 'Fondation X', 100]]))],
  // An unknown funder, at the cell that names it (issue 13), not at its amount's: a « Financeur » cell,
  // a pair's funder cell, a column header.
  ['ORGANISATION_UNKNOWN', 'C2', () => preview(grid('S', [['N° action', 'Intitulé', 'Financeur', 'Année', 'Montant demandé'], ['DA-01', 'Gare', 'Fondation X', 2022, 100]]))],
  ['ORGANISATION_UNKNOWN', 'C2', () => preview(grid('S', [['N° action', 'Intitulé', 'Financeur 1', 'Montant 1', 'Année'], ['DA-01', 'Gare', 'Fondation X', 100, 2022]]))],
  ['FUNDER_MISSING', 'C2', () => preview(grid('S', [['N° action', 'Intitulé', 'Financeur 1', 'Montant 1', 'Année'], ['DA-01', 'Gare', null, 100, 2022]]))],
  ['ORGANISATION_AMBIGUOUS', 'D2', () => preview(grid('S', [BY_YEAR, ['DA-99', 'Neuve', '1.2', 'AGA', 100]]))],
  ['FUNDER_MISSING', 'D2', () => preview(grid('S', [['N° action', 'Intitulé', 'DSIL', 'Autres', 'Année'], ['DA-01', 'Gare', 10, '1 500 000', 2022]]))],
  ['NO_TABLE_FOUND', null, () => preview(grid('S', [['Bonjour'], ['Rien ici']]))],
  ['COLUMN_UNKNOWN', 'F1', () => preview(grid('S', [['N° action', 'Intitulé', 'Orientation', 2022, 2023, 'Zorglub'], ['DA-01', 'Gare', '1.2', 100]]))],
  ['VALUE_INVALID', 'B3', () =>
    preview(grid('S', [['Dotations perçues'], [null, null, 'Territoire de DA', 'Territoire de la CCCO'], [2020, 'XYZ', 100, 5], [null, 'DETR', 50, 5], [null, 'DSIL', 50, 5]], ['A3:A5']), ImportKind.DOTATIONS)],
  ['LAYOUT_UNKNOWN', 'A1', () => preview(grid('S', [['N° action', 'Intitulé', 'DSIL', 'Année'], ['DA-01', 'Gare', 100, 2022]]))],
  ['COLUMN_MISSING', 'A1', () => preview(grid('S', [['Dispositif', null, 'Territoire de DA'], ['DETR', null, 100], ['DSIL', null, 50]]), ImportKind.DOTATIONS)],
  ['COLUMN_DUPLICATED', 'D1', () => preview(grid('S', [['N° action', 'Intitulé', 'Orientation', 'Orientation', 2022, 2023], ['DA-01', 'Gare', '1.2', '1.2', 100]]))],
  // Figures under headers nobody knows (a list of short words would be documentation: SHEET_DOCUMENTATION).
  ['SHEET_WITHOUT_TABLE', null, () =>
    preview([grid('Prog', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 100]]), grid('Calculs', [['Poste', 'Somme'], ['Études', 15000], ['Travaux', 250000]])])],
  // Issue 15: documentation sheets, years from sheet names, files with nothing to read.
  ['SHEET_DOCUMENTATION', null, () =>
    preview([grid('METADONNEES', [['Nom de la colonne', 'Description'], ['SUBVENTION', 'Montant de la subvention']]), grid('Prog', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 100]])])],
  ['SHEET_EXAMPLE_SKIPPED', null, () =>
    preview([grid('Exemple', [BY_YEAR, ['EX-01', 'Médiathèque', '1.2', 'DA', 100]]), grid('Prog', [BY_YEAR, ['DA-01', 'Gare', '1.2', 'DA', 100]])])],
  ['YEAR_FROM_SHEET_NAME', null, () => preview(grid('Exercice 2024', [['N° action', 'Intitulé', 'DSIL', 'Région'], ['DA-01', 'Gare', 100]]))],
  ['YEAR_UPLOAD_DIFFERS', null, () => preview(grid('Exercice 2024', [['N° action', 'Intitulé', 'DSIL', 'Région'], ['DA-01', 'Gare', 100]]), ImportKind.ANNEX3, 2023)],
  ['NO_DATA', 'A1', () => preview(grid('S', [BY_YEAR, [], ['Exemple : DA-00', 'Exemple de projet']]))],
  ['NOTHING_IN_PERIMETER', null, () =>
    preview(grid('2020', [['DOT', 'INSEECOM', 'BENEFICIAIRE', 'OBJET', 'SUBVENTION'], ['DETR', '75056', 'PARIS', 'Toiture', 1000]]), ImportKind.GRANTS)],
  // The indicator's row, at its name.
  ['INDICATOR_OWNER_UNKNOWN', 'C2', () =>
    preview(grid('S', [['Code action', 'Code indicateur', 'Indicateur', 'Unité', 'Cible', 'Année cible'], ['ZZ-99', 'IND-1', 'Logements', 'logements', 100, 2026]]), ImportKind.INDICATORS)],
  // An editor of DA on an orientation's indicator (admins only, as setIndicatorValue): at its name.
  ['INDICATOR_NOT_ALLOWED', 'C2', () =>
    preview(grid('S', [['Orientation', 'Code indicateur', 'Indicateur', 'Unité', 'Cible', 'Année cible'], ['1.2', 'IND-1', 'Logements', 'logements', 100, 2026]]), ImportKind.INDICATORS, null, 'source')],
  // Kind `plan` (an action plan read as the contract's structure): at the level's cell.
  ['PLAN_NOT_ACTION_PLAN', null, () => preview(grid('S', [BY_YEAR, ['DA-01', 'Gare', 100]]), ImportKind.PLAN)],
  ['PLAN_LEVEL_INVALID', 'A2', () => preview(grid('S', [PLAN, ['Transition écologique', '1.2 Mobilités', 'Voie verte', 'ADEME', 100]]), ImportKind.PLAN, 2024)],
  ['PLAN_PARENT_MISSING', 'B2', () => preview(grid('S', [PLAN, [null, '1.2 Mobilités', 'Voie verte', 'ADEME', 100]]), ImportKind.PLAN, 2024)],
  ['PLAN_TITLE_CONFLICT', 'B3', () =>
    preview(grid('S', [PLAN, ['1. Transition', '1.2 Mobilités', 'Voie verte', 'ADEME', 100], ['1. Transition', '1.2 Vélo', 'Gare', 'ADEME', 100]]), ImportKind.PLAN, 2024)],
];

describe('every issue a file can raise names its cell', () => {
  it.each(SCENARIOS)('%s at %s', (code, cell, build) => {
    const issues = build();
    const found = issues.filter((issue) => issue.code === code);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].cell).toBe(cell);
    expect(found[0].severity).toBe(ISSUE_CODES[code as keyof typeof ISSUE_CODES]);
    // Messages are written for a partner: French, and never a stack trace.
    expect(found[0].message).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(found[0].message.length).toBeGreaterThan(15);
  });
});

/** Every code of the catalogue is triggered by some test, here or beside its stage. */
describe('the issue catalogue', () => {
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.test.ts') && name !== 'issue-catalogue.test.ts') sources.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(__dirname, '..'));
  const covered = new Set(SCENARIOS.map(([code]) => code));

  it.each(Object.keys(ISSUE_CODES))('%s has a test that triggers it', (code) => {
    expect(covered.has(code) || sources.some((source) => source.includes(`'${code}'`) || source.includes(`"${code}"`))).toBe(true);
  });
});
