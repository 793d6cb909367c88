import { formatCents } from '../../../src/kernel/money';
import type { Cell, SheetGrid, WorkbookGrid } from '../../../import/common/model';
import { GrantsPerimeter, parseGrants } from '../../../import/parse/grants.parser';
import { programmeCode } from '../../../import/parse/grants-programme';
import { organisationKindOf, programmeOfMeasure } from '../../../import/parse/grants-programme';
import type { ParseOutput } from '../../../import/parse/parsed.types';

// Issue 15, points 4 to 6: the DGCL lists since 2020 and the Fonds vert list (kind `grants`).
const perimeter: GrantsPerimeter = {
  inseeCodes: new Set(['59178', '59456', '59327', '59008']),
  sirens: new Set(['200044618', '245901152', '215901786', '215900085']),
};
const euros = (cents: bigint | null) => (cents === null ? null : formatCents(cents));
const issueList = (out: ParseOutput) => out.issues.map((issue) => `${issue.severity} ${issue.code} ${issue.cell}`);

function csvWorkbook(rows: string[][]): WorkbookGrid {
  const text = (value: string): Cell | null => (value === '' ? null : { kind: 'string', value });
  const sheet: SheetGrid = { name: 'liste.csv', merges: [], rows: rows.map((row) => row.map(text)) };
  return { format: 'csv', sheets: [sheet], skippedSheets: [], csv: { delimiter: ';', encoding: 'windows-1252', decimalComma: true } };
}

const DGCL = ['exercice', 'dispositif', 'programme', 'beneficiaire_type', 'beneficiaire_siren', 'beneficiaire_dep', 'beneficiaire_nom', 'beneficiaire_code_insee', 'intitule', 'cout_ht', 'subvention', 'taux'];
const FONDS_VERT = ['nom_region', 'code_departement', 'nom_departement', 'code_commune', 'nom_commune', 'axe', 'numero_demarche_ds', 'nom_demarche_ds', 'numero_dossier_ds', 'nom_du_projet', 'nom_beneficiaire_principal', 'siren', 'montant_engage'];

describe('parseGrants on a DGCL list since 2020', () => {
  const out = parseGrants(
    csvWorkbook([
      DGCL,
      ['2021', 'DSIL Exceptionnelle', '119', 'Commune', '215901786', '59', 'DOUAI', '59178', 'Hôtel de ville', '1 200 000,00', '480 000,00', '40'],
      ['2021', 'D.E.T.R.', '119', 'EPCI', '200 044 618', '59', 'CA DOUAISIS AGGLO', '59178', 'Parc d’activités', '2 000 000', '600 000,50', '30'],
      ['2021', 'DSIL RT', '119', 'Syndicat mixte', '255900222', '59', 'SYNDICAT D’ASSAINISSEMENT', '59327', 'Station d’épuration', '500 000', '150 000,25', '30'],
      ['2021', 'DSID RT', '119', 'Département', '225900018', '59', 'DEPARTEMENT DU NORD', '', 'Collège', '900 000', '300 000', '33'],
      ['2021', 'DETR', '119', 'Commune', '213502735', '35', 'AILLEURS', '35273', 'Mairie', '10 000', '3 000', '30'],
    ]),
    { perimeter, decimalComma: true },
  );

  it('reads every column, without taking `programme` for a second dispositif', () => {
    expect(issueList(out)).toEqual([]);
    expect(out.outsidePerimeter).toBe(2);
    expect(out.lines.map((line) => [line.source.cell, line.programmeCode, line.beneficiary, euros(line.cents)])).toEqual([
      ['K2', 'DSIL_RELANCE', { siren: '215901786', text: 'DOUAI', kind: 'COMMUNE' }, '480000.00'],
      ['K3', 'DETR', { siren: '200044618', text: 'CA DOUAISIS AGGLO', kind: 'EPCI' }, '600000.50'],
      ['K4', 'DSIL_RENOVATION_THERMIQUE', { siren: '255900222', text: 'SYNDICAT D’ASSAINISSEMENT', kind: 'OTHER' }, '150000.25'],
    ]);
  });

  it('books the grant to the SIREN, keeps the commune as the place and the budget programme in the description', () => {
    expect(out.actions.map((action) => [action.leadText, action.leadName, action.placeInseeCode, action.description])).toEqual([
      ['215901786', 'DOUAI', '59178', 'Dispositif : DSIL Exceptionnelle\nProgramme budgétaire : 119'],
      ['200044618', 'CA DOUAISIS AGGLO', '59178', 'Dispositif : D.E.T.R.\nProgramme budgétaire : 119'],
      ['255900222', 'SYNDICAT D’ASSAINISSEMENT', '59327', 'Dispositif : DSIL RT\nProgramme budgétaire : 119'],
    ]);
    expect(out.actions[1].cells.place).toEqual({ sheet: 'liste.csv', cell: 'H3', raw: '59178' });
  });
});

describe('parseGrants on the Fonds vert list (no programme column)', () => {
  const rows = (measure: string) => [
    FONDS_VERT,
    ['Hauts-de-France', '59', 'Nord', '59178', 'Douai', 'Axe 2', '71001', measure, '11000001', 'Friche du Raquet', 'CA DOUAISIS AGGLO', '200044618', '3900000'],
    ['Hauts-de-France', '59', 'Nord', '59456', 'Pecquencourt', 'Axe 1', '71002', measure, '11000002', 'Parc relais', 'SYNDICAT MIXTE DES TRANSPORTS DU DOUAISIS', '255900111', '620000'],
  ];

  it('recognises the Fonds vert from its measures and keeps the measure', () => {
    const out = parseGrants(csvWorkbook(rows('Recyclage des friches')), { perimeter, decimalComma: true, year: 2023 });
    expect(issueList(out)).toEqual([]);
    expect(out.lines.map((line) => [line.programmeCode, line.beneficiary?.siren, line.year, euros(line.cents)])).toEqual([
      ['FONDS_VERT', '200044618', 2023, '3900000.00'],
      ['FONDS_VERT', '255900111', 2023, '620000.00'],
    ]);
    expect(out.actions.map((action) => [action.placeInseeCode, action.description])).toEqual([
      ['59178', 'Mesure : Recyclage des friches\nDossier : 11000001'],
      ['59456', 'Mesure : Recyclage des friches\nDossier : 11000002'],
    ]);
  });

  it('takes the programme given with the upload, and says in French when nothing gives it', () => {
    const given = parseGrants(csvWorkbook(rows('Appel à projets local')), { perimeter, decimalComma: true, year: 2023, programme: 'Fonds vert' });
    expect(issueList(given)).toEqual([]);
    expect(given.lines.map((line) => line.programmeCode)).toEqual(['FONDS_VERT', 'FONDS_VERT']);

    const none = parseGrants(csvWorkbook(rows('Appel à projets local')), { perimeter, decimalComma: true, year: 2023 });
    expect(issueList(none)).toEqual(['ERROR FUNDER_MISSING M1']);
    expect(none.issues[0].message).toMatch(/^Le programme de ces subventions n'est indiqué ni par une colonne « dispositif »/);
    expect(none.lines).toEqual([]);

    const unknown = parseGrants(csvWorkbook(rows('Recyclage des friches')), { perimeter, decimalComma: true, year: 2023, programme: 'Fonds bleu' });
    expect(issueList(unknown)).toEqual(['ERROR VALUE_INVALID M1']);
  });
});

describe('spellings', () => {
  it.each([
    ['DSIL Exceptionnelle', 'DSIL_RELANCE'],
    ['DSIL exceptionnelle 2021', 'DSIL_RELANCE'],
    ['DSIL RT', 'DSIL_RENOVATION_THERMIQUE'],
    ['DSID RT', 'DSID'],
    ['D.E.T.R.', 'DETR'],
    ['detr', 'DETR'],
    ['Fonds vert', 'FONDS_VERT'],
  ])('programmeCode(%j) → %j', (text, code) => expect(programmeCode(text)).toBe(code));

  it.each([
    ['Rénovation énergétique des bâtiments publics locaux', 'FONDS_VERT'],
    ['Fonds vert - Renaturation des villes et des villages 2023', 'FONDS_VERT'],
    ['Appel à projets local', null],
  ])('programmeOfMeasure(%j) → %j', (measure, code) => expect(programmeOfMeasure(measure)).toBe(code));

  it.each([
    ['Commune', 'COMMUNE'],
    ['EPCI', 'EPCI'],
    ['Syndicat mixte', 'OTHER'],
    ['SEM', 'COMPANY'],
    [null, 'OTHER'],
  ])('organisationKindOf(%j) → %j', (type, kind) => expect(organisationKindOf(type)).toBe(kind));
});
