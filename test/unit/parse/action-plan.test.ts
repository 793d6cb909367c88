import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeSpareWorker, readUploadedFile } from '../../../import/read/read-file';
import { WorkbookGrid } from '../../../import/common/model';
import { amountRangeMessage, fundersInOneCell, isAmountRange, isOwnFunds, planCode, planFunderOf, planLevel, planOrientationCode } from '../../../import/parse/action-plan';
import { parseAnnex3 } from '../../../import/parse/annex3.parser';
import { ParseOutput } from '../../../import/parse/parsed.types';
import { runPipeline } from '../../../import/pipeline';
import { ContractReference } from '../../../import/resolve/contract-reference';
import { formatCents } from '../../../src/kernel/money';
import { ActionStatus } from '../../../src/kernel/action-status.enum';
import { ImportKind } from '../../../src/kernel/import-batch.enum';
import { OrganisationKind } from '../../../src/kernel/organisation-kind.enum';
import { grid } from '../detect/grid-from-xlsx';
import { documentationNameOf } from '../../../import/detect/documentation-sheet';

/**
 * Territoires en Transitions action plans (issue 15, point 1): the fixtures of test/fixtures/action-plans
 * read through the real reader, with the figures of their README.
 */
const DIR = join(__dirname, '..', '..', 'fixtures', 'action-plans');

async function read(name: string): Promise<WorkbookGrid> {
  return readUploadedFile(readFileSync(join(DIR, name)), name);
}

const src = { sheet: 'S', cell: 'A1', raw: '' };
const sum = (output: ParseOutput) => formatCents(output.lines.reduce((total, line) => total + line.cents, 0n));
const lines = (output: ParseOutput) => output.lines.map((line) => [line.source.cell, line.funder.kind === 'named' ? line.funder.text : line.funder.kind, formatCents(line.cents), line.costBase]);

afterAll(() => closeSpareWorker());

describe('action plan helpers', () => {
  it.each([
    ['1. Transition écologique', '1', 'Transition écologique'],
    ['1.2 Étendre les mobilités', '1.2', 'Étendre les mobilités'],
    ['1.2.1 Vélo', '1.2.1', 'Vélo'],
    ['Axe 1 : Transition écologique', '1', 'Transition écologique'],
    ['AXE 4 : COHESION SOCIALE', '4', 'COHESION SOCIALE'],
    ['Sous-axe 2 – Mobilités', '2', 'Mobilités'],
    ['Sous-axe 1.2 : Mobilités', '1.2', 'Mobilités'],
    ['1,3 Énergie', '1.3', 'Énergie'],
    ['1.1. Biodiversité', '1.1', 'Biodiversité'],
    ['Mobilités sans numéro', null, 'Mobilités sans numéro'],
    ['2024 : année du vélo', null, '2024 : année du vélo'],
  ])('« %s » → code %s, title « %s »', (text, code, title) => {
    expect(planLevel(text, src)).toMatchObject({ code, title });
  });

  it('orientation: the sub-axis code, or the axis and sub-axis numbers joined; none without a sub-axis', () => {
    const level = (code: string | null) => ({ code, title: 't', source: src });
    expect(planOrientationCode({ axis: level('1'), subAxis: level('1.2'), subSubAxis: level('1.2.1') })).toBe('1.2');
    expect(planOrientationCode({ axis: level('1'), subAxis: level('2'), subSubAxis: null })).toBe('1.2');
    expect(planOrientationCode({ axis: level('1'), subAxis: null, subSubAxis: level('1.2.1') })).toBeNull();
    expect(planOrientationCode({ axis: level(null), subAxis: level(null), subSubAxis: null })).toBeNull();
  });

  it.each([
    ['Métropole, Région', ['Métropole', 'Région']],
    ['Région / Département', ['Région', 'Département']],
    ['Région et Département', ['Région', 'Département']],
    ['Etat + Région ; ADEME', ['Etat', 'Région', 'ADEME']],
    ['Caisse des dépôts et consignations', null],
    ['Banque des Territoires (CDC, prêt)', null],
    ["Agence de l'eau Artois-Picardie", null],
    ['Fondation Daniel et Nina Carasso', null],
    ['ADEME', null],
  ])('funders in « %s »: %j', (text, expected) => {
    expect(fundersInOneCell(text)).toEqual(expected);
  });

  it.each([
    ['Etat / DSIL', { kind: 'one', name: 'Etat', programme: 'DSIL' }],
    ['Etat - DETR 2024', { kind: 'one', name: 'Etat', programme: 'DETR' }],
    // Spelt with points (the grants lists' compact spellings, shared through programmeCode).
    ['Etat / D.E.T.R.', { kind: 'one', name: 'Etat', programme: 'DETR' }],
    ['Europe (FEDER)', { kind: 'one', name: 'Europe', programme: 'FEDER' }],
    ['Union européenne - FEDER', { kind: 'one', name: 'Union européenne', programme: 'FEDER' }],
    ['Fonds vert', { kind: 'one', name: null, programme: 'FONDS_VERT' }],
    ['Fonds vert (Etat)', { kind: 'one', name: null, programme: 'FONDS_VERT' }],
    ['Etat - DSIL exceptionnelle', { kind: 'one', name: 'Etat', programme: 'DSIL_RELANCE' }],
    ['Région Hauts-de-France', { kind: 'one', name: 'Région Hauts-de-France', programme: null }],
    // Names of organisations only: one funder or two is decided at resolution, with the aliases.
    ['Banque des Territoires (CDC, prêt)', { kind: 'names', names: ['Banque des Territoires', 'CDC, prêt'], listed: false }],
    ['Banque des Territoires (Caisse des Dépôts)', { kind: 'names', names: ['Banque des Territoires', 'Caisse des Dépôts'], listed: false }],
    ['Caisse des Dépôts / Banque des Territoires', { kind: 'names', names: ['Caisse des Dépôts', 'Banque des Territoires'], listed: true }],
    ['Métropole, Région', { kind: 'names', names: ['Métropole', 'Région'], listed: true }],
    ['Région / Département', { kind: 'names', names: ['Région', 'Département'], listed: true }],
    // A scheme among the names: several funders whatever the organisations are.
    ['DETR / DSIL', { kind: 'several', names: ['DETR', 'DSIL'] }],
    ['Etat (DETR, DSIL)', { kind: 'several', names: ['Etat', 'DETR', 'DSIL'] }],
    ['Région, FEDER', { kind: 'several', names: ['Région', 'FEDER'] }],
  ])('the funder of « %s »: %j', (text, expected) => {
    expect(planFunderOf(text)).toEqual(expected);
  });

  it.each([
    ['Entre 200 et 500', true],
    ['entre 200 000 et 500 000 €', true],
    ['de 200 000 à 300 000 € HT', true],
    ['200 à 500 k€', true],
    ['200 000 - 500 000 €', true],
    ['3,000.00 €', false],
    ['Environ 100 000 €', false],
    ['- 500', false],
    ['150000', false],
  ])('« %s » is a range: %s', (text, range) => {
    expect(isAmountRange(text)).toBe(range);
  });

  it('own funds are the lead\'s, whatever the spelling', () => {
    expect(['Autofinancement', 'AUTOFINANCEMENT ', 'Fonds propres', "Part du maître d'ouvrage"].every(isOwnFunds)).toBe(true);
    expect(['ADEME', 'Autofinancement partiel'].some(isOwnFunds)).toBe(false);
  });

  it('says why a range is not read', () => {
    expect(amountRangeMessage('Entre 200 et 500 ')).toMatch(/^« Entre 200 et 500 » est une fourchette, pas un montant/);
  });

  it('example sheets, and a code per title whatever its accents and case', () => {
    // The template's example sheets are set aside by the rule of every workbook (documentation-sheet.ts).
    expect(['Exemple', 'Fiche exemple', 'EXEMPLES de fiches', 'exemple'].map(documentationNameOf)).toEqual(['example', 'example', 'example', 'example']);
    expect(['Plan d’action', 'Fiches actions', 'Exemplaire'].map(documentationNameOf)).not.toContain('example');
    expect(planCode('Éclairage public LED')).toBe(planCode('ECLAIRAGE  public led'));
    expect(planCode('Éclairage public LED')).toMatch(/^PA-[0-9A-F]{8}$/);
  });
});

describe('parse: the fixtures of test/fixtures/action-plans', () => {
  it('generation 1 (xlsx, € HT): 8 lines, 1 605 000,00 €, 5 fiches with their place in the plan', async () => {
    const output = parseAnnex3(await read('plan-action-tet-v1-ht.xlsx'), { year: 2024 });
    expect(output.layout).toBe('action-plan');
    // The template's « Mode d'emploi » and « Listes déroulantes » are documentation: a note each, nothing else.
    expect(output.issues.map((issue) => [issue.severity, issue.code, issue.sheet])).toEqual([
      ['NOTE', 'SHEET_DOCUMENTATION', "Mode d'emploi"],
      ['NOTE', 'SHEET_DOCUMENTATION', 'Listes déroulantes'],
    ]);
    expect(lines(output)).toEqual([
      ['N6', 'ADEME', '300000.00', 'HT'],
      ['P6', 'Région', '250000.00', 'HT'],
      ['N7', 'État', '240000.00', 'HT'],
      ['P7', 'Département du Nord', '125000.50', 'HT'],
      ['R7', 'Douai', '484999.50', 'HT'],
      ['N8', 'Banque des Territoires', '45000.00', 'HT'],
      ['N9', 'Région Hauts-de-France', '100000.00', 'HT'],
      ['N11', "Agence de l'eau Artois-Picardie", '60000.00', 'HT'],
    ]);
    expect(sum(output)).toBe('1605000.00');
    expect(output.lines.every((line) => line.year === 2024 && line.stage === 'PLANNED' && line.instrument === 'SUBSIDY')).toBe(true);
    expect(output.actions.map((action) => [action.title, action.orientationCode, action.plan?.axis?.title, action.plan?.subSubAxis?.code ?? null, formatCents(action.totalCostCents ?? 0n), action.status])).toEqual([
      ['Voie verte de la Scarpe', '1.2', 'Transition écologique', '1.2.1', '1200000.00', 'UNDERWAY'],
      ['Rénovation thermique des écoles', '1.3', 'Transition écologique', null, '850000.00', 'PLANNED'],
      ['Éclairage public LED', '1.3', 'Transition écologique', '1.3.2', '90000.00', 'DONE'],
      ["Pépinière d'entreprises du réemploi", '2.9', 'Compétitivité', null, '500000.00', 'PAUSED'],
      ['Maison de santé pluriprofessionnelle', null, 'Cohésion territoriale', null, '0.00', null],
    ]);
    // The axis merged over A6:A8 is read at each fiche, from its first cell.
    expect(output.actions[2].plan?.axis?.source.cell).toBe('A6');
    expect(output.actions.every((action) => action.code === null && /^PA-/.test(action.codeIfNew ?? ''))).toBe(true);
  });

  it('generation 2 (ods, two description rows, € TTC): 7 lines, 2 277 000,00 € TTC; the example sheet is not read', async () => {
    const output = parseAnnex3(await read('plan-action-tet-v2-ttc.ods'), { year: 2025 });
    expect(output.layout).toBe('action-plan');
    expect(output.issues.map((issue) => [issue.code, issue.sheet])).toEqual([
      ['SHEET_DOCUMENTATION', "Mode d'emploi"],
      ['SHEET_EXAMPLE_SKIPPED', 'Exemple'],
      ['SHEET_DOCUMENTATION', 'Listes déroulantes'],
    ]);
    expect(lines(output)).toEqual([
      ['M5', "Agence de l'eau", '180000.00', 'TTC'],
      ['O5', 'Département', '72000.00', 'TTC'],
      ['M6', 'Banque des Territoires', '1250000.00', 'TTC'],
      ['O6', 'Région', '400000.00', 'TTC'],
      ['Q6', 'Etat', '350000.00', 'TTC'],
      ['M8', 'ADEME', '15000.75', 'TTC'],
      ['O8', 'lead', '9999.25', 'TTC'],
    ]);
    expect(output.lines[6].instrument).toBe('OWN_FUNDS');
    expect(sum(output)).toBe('2277000.00');
    expect(output.actions.map((action) => [action.title, action.orientationCode, action.costBase])).toEqual([
      ['Renaturation du parc de la Tour', '1.1', 'TTC'],
      ["Pôle d'échanges de la gare", '1.2', 'TTC'],
      ['Centre de santé de Sin-le-Noble', '4.5', 'TTC'],
    ]);
  });

  it('a range: an error at its cell, no amount chosen; cells naming several funders are passed on with their names (resolution decides)', async () => {
    const output = parseAnnex3(await read('plan-action-tet-erreurs.xlsx'), { year: 2024 });
    expect(output.issues.map((issue) => [issue.severity, issue.code, issue.cell])).toEqual([['ERROR', 'AMOUNT_INVALID', 'P4']]);
    expect(lines(output)).toEqual([
      ['N4', 'Métropole, Région', '150000.00', 'HT'],
      ['R4', 'Région et Département', '20000.00', 'HT'],
      ['N5', 'Caisse des dépôts et consignations', '50000.00', 'HT'],
      ['P5', 'ADEME', '3000.00', 'HT'],
      ['N6', 'CAISSE DES DEPOTS / Banque des Territoires', '120000.00', 'HT'],
      ['N7', 'ADEME / Région Hauts-de-France', '10000.00', 'HT'],
      ['P7', 'Banque des Territoires (Région)', '5000.00', 'HT'],
      ['P8', 'Banque des Territoires (Caisse des Dépôts)', '80000.00', 'HT'],
    ]);
    const oneOf = output.lines.map((line) => (line.funder.kind === 'named' ? (line.funder.oneOf ?? null) : null));
    expect(oneOf).toEqual([
      { names: ['Métropole', 'Région'], listed: true },
      { names: ['Région', 'Département'], listed: true },
      null,
      null,
      { names: ['CAISSE DES DEPOTS', 'Banque des Territoires'], listed: true },
      { names: ['ADEME', 'Région Hauts-de-France'], listed: true },
      { names: ['Banque des Territoires', 'Région'], listed: false },
      { names: ['Banque des Territoires', 'Caisse des Dépôts'], listed: false },
    ]);
    // At the funder cell, as the error will be if they are two organisations.
    expect(output.lines[0].funder).toMatchObject({ source: { cell: 'M4' } });
  });

  it('without the year given at upload: one YEAR_MISSING for the sheet, at its first amount, and no line', async () => {
    const output = parseAnnex3(await read('plan-action-tet-v1-ht.xlsx'));
    const notes = output.issues.filter((issue) => issue.severity === 'NOTE');
    expect(notes.map((issue) => issue.code)).toEqual(['SHEET_DOCUMENTATION', 'SHEET_DOCUMENTATION']);
    const others = output.issues.filter((issue) => issue.severity !== 'NOTE');
    expect(others.map((issue) => [issue.code, issue.cell])).toEqual([['YEAR_MISSING', 'N6']]);
    expect(others[0].message).toContain('indiquez-la au dépôt');
    expect(output.lines).toEqual([]);
    expect(output.actions).toHaveLength(5);
  });

  it('one sheet per year (« 2024 », « Année 2025 »): each sheet’s name gives its year, no year needed at upload; with one, the sheet still wins', async () => {
    const workbook = await read('plan-action-tet-par-annee.ods');
    const output = parseAnnex3(workbook);
    expect(output.issues.map((issue) => [issue.severity, issue.code, issue.sheet])).toEqual([
      ['NOTE', 'SHEET_DOCUMENTATION', "Mode d'emploi"],
      ['NOTE', 'YEAR_FROM_SHEET_NAME', '2024'],
      ['NOTE', 'YEAR_FROM_SHEET_NAME', 'Année 2025 '],
      ['NOTE', 'SHEET_DOCUMENTATION', 'Listes déroulantes'],
    ]);
    const funderOf = (line: ParseOutput['lines'][number]) => (line.funder.kind === 'named' ? line.funder.text : line.funder.kind);
    expect(output.lines.map((line) => [line.source.sheet, line.source.cell, funderOf(line), line.programmeCode, line.year, formatCents(line.cents), line.costBase])).toEqual([
      ['2024', 'N4', 'ADEME', null, 2024, '300000.00', 'HT'],
      ['2024', 'P4', 'Région', null, 2024, '3000.00', 'HT'],
      ['2024', 'R4', 'Etat', 'DSIL', 2024, '150000.00', 'HT'],
      ['Année 2025 ', 'N5', 'Etat', 'DETR', 2025, '125000.50', 'TTC'],
      ['Année 2025 ', 'P5', 'Département du Nord', null, 2025, '74999.50', 'TTC'],
      ['Année 2025 ', 'R5', 'programme', 'FONDS_VERT', 2025, '50000.00', 'TTC'],
      ['Année 2025 ', 'N6', 'Europe', 'FEDER', 2025, '400000.00', 'TTC'],
    ]);
    expect(sum(output)).toBe('1103000.00');
    expect(output.actions.map((action) => [action.title, action.orientationCode])).toEqual([
      ['Plan vélo communautaire', '1.2'],
      ['Chaufferie biomasse du centre aquatique', '1.3'],
      ['Réseau de chaleur urbain', '1.3'],
    ]);
    const withUploadYear = parseAnnex3(workbook, { year: 2025 });
    expect(withUploadYear.lines.map((line) => line.year)).toEqual([2024, 2024, 2024, 2025, 2025, 2025, 2025]);
    expect(withUploadYear.issues.filter((issue) => issue.severity === 'WARNING').map((issue) => [issue.code, issue.sheet])).toEqual([['YEAR_UPLOAD_DIFFERS', '2024']]);
  });

  it('the empty template (a description row, « Obligatoire », an example axis without a fiche): NO_DATA, with or without the year', async () => {
    const workbook = await read('modele-plan-action-tet-vide.xlsx');
    for (const year of [undefined, 2024]) {
      const output = parseAnnex3(workbook, { year });
      expect(output.issues.filter((issue) => issue.severity !== 'NOTE').map((issue) => [issue.severity, issue.code, issue.sheet, issue.cell])).toEqual([['ERROR', 'NO_DATA', "Plan d'action", 'A2']]);
      expect(output.lines).toEqual([]);
    }
  });

  it('a sheet named after two years gives none: YEAR_MISSING says why', () => {
    const output = parseAnnex3({ format: 'xlsx', skippedSheets: [], sheets: [grid('Plan 2021-2026', [['Titre de la fiche action', 'Financeur 1', 'Montant € HT'], ['Voie verte', 'ADEME', 300]])] });
    expect(output.issues.map((issue) => [issue.code, issue.cell])).toEqual([['YEAR_MISSING', 'C2']]);
    expect(output.issues[0].message).toContain('« Plan 2021-2026 » en cite plusieurs : 2021, 2026');
  });

  it('an amount column after no funder column: an error at each of its filled cells', () => {
    const output = parseAnnex3({ format: 'xlsx', skippedSheets: [], sheets: [grid('S', [['Titre de la fiche action', 'Financeur 1', 'Montant € HT', 'Commentaire', 'Montant € HT'], ['Voie verte', 'ADEME', 300, null, 200], ['Parc', 'ADEME', 100]])] }, { year: 2024 });
    expect(output.issues.map((issue) => [issue.code, issue.cell])).toEqual([['FUNDER_MISSING', 'E2']]);
    expect(output.lines.map((line) => line.cents)).toEqual([30000n, 10000n]);
  });
});

describe('resolve: an action plan against a contract', () => {
  const reference: ContractReference = {
    contract: { id: 1, code: 'CRTE-TEST', startYear: 2021, endYear: 2026 },
    orientations: [
      { id: 11, code: '1.2' },
      { id: 12, code: '1.3' },
    ],
    organisations: [
      { id: 1, name: 'CA Douaisis Agglo', shortName: 'Douaisis Agglo', kind: OrganisationKind.EPCI, siren: '200044618', inseeCode: null, parentId: null },
      { id: 2, name: 'ADEME', shortName: 'ADEME', kind: OrganisationKind.STATE_OPERATOR, siren: null, inseeCode: null, parentId: null },
    ],
    aliases: [],
    perimeterEpciIds: [1],
    regionId: null,
    departmentId: null,
    stateId: null,
    programmes: [],
    actions: [],
    indicators: [],
  };
  const plan = grid('Plan', [
    ['Axe (x)', 'Sous-axe (x.x)', 'Titre de la fiche action', 'Structure pilote', 'Financeur 1', 'Montant € HT'],
    ['1. Transition', '1.2 Mobilités', 'Voie verte', 'Douaisis Agglo', 'ADEME', 300],
    ['2. Compétitivité', '2.9 Économie circulaire', 'Pépinière', 'Douaisis Agglo', 'ADEME', 100],
    ['3. Cohésion', null, 'Maison de santé', 'Douaisis Agglo', 'ADEME', 50],
  ]);

  it('orientation from the sub-axis when the contract has it; otherwise the new action is to classify (a warning), with a code of its own', () => {
    const result = runPipeline({ kind: ImportKind.ANNEX3, workbook: { format: 'xlsx', sheets: [plan], skippedSheets: [] }, reference, sourceOrganisationId: 1, authority: 'admin', year: 2024 });
    expect(result.issues.filter((issue) => issue.severity === 'ERROR')).toEqual([]);
    expect(result.resolved.actions.map((action) => [action.parsed.title, action.orientationId, action.code.startsWith('PA-')])).toEqual([
      ['Voie verte', 11, true],
      ['Pépinière', null, true],
      ['Maison de santé', null, true],
    ]);
    const toClassify = result.issues.filter((issue) => issue.code === 'ORIENTATION_TO_CLASSIFY');
    expect(toClassify.map((issue) => [issue.severity, issue.cell])).toEqual([
      ['WARNING', 'B3'],
      ['WARNING', 'A4'],
    ]);
    expect(toClassify[0].message).toContain('« 2.9 Économie circulaire »');
    expect(result.issues.filter((issue) => issue.code === 'ACTION_UNKNOWN')).toHaveLength(3);
    expect(result.resolved.lines).toHaveLength(3);
  });

  it('a fiche whose title the contract knows is that action: no new code, its orientation kept', () => {
    const known = { ...reference, actions: [{ id: 31, code: 'DA-07', title: 'Pépinière', normalisedTitle: 'pepiniere', leadId: 1, totalCost: null, status: ActionStatus.PLANNED, orientationId: 12, startDate: null, endDate: null }] };
    const result = runPipeline({ kind: ImportKind.ANNEX3, workbook: { format: 'xlsx', sheets: [plan], skippedSheets: [] }, reference: known, sourceOrganisationId: 1, authority: 'admin', year: 2024 });
    expect(result.resolved.actions[1]).toMatchObject({ code: 'DA-07', existingId: 31, orientationId: null });
    expect(result.issues.filter((issue) => issue.code === 'ORIENTATION_TO_CLASSIFY').map((issue) => issue.cell)).toEqual(['A4']);
  });
});
