import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCents } from '../../../src/kernel/money';
import { OrganisationKind } from '../../../src/kernel/organisation-kind.enum';
import { ImportKind } from '../../../src/kernel/import-batch.enum';
import type { WorkbookGrid } from '../../../import/common/model';
import { parseGrants } from '../../../import/parse/grants.parser';
import { sirenOf } from '../../../import/parse/grants-scdl.parser';
import type { ParseOutput } from '../../../import/parse/parsed.types';
import { readUploadedFile } from '../../../import/read/read-file';
import { runPipeline } from '../../../import/pipeline';
import type { ContractReference } from '../../../import/resolve/contract-reference';
import { grid } from '../detect/grid-from-xlsx';

const DIR = join(__dirname, '..', '..', 'fixtures', 'open-data');
/** The perimeter's SIRENs the fixtures use (test/fixtures/open-data/README.md). */
const SIRENS = new Set(['200044618', '245901152', '215901786', '215905696', '215906546', '215905746', '215900085', '215904566']);
const perimeter = { inseeCodes: new Set<string>(), sirens: SIRENS };

async function fixture(name: string): Promise<WorkbookGrid> {
  return readUploadedFile(readFileSync(join(DIR, name)), name);
}

function parse(workbook: WorkbookGrid, year?: number): ParseOutput {
  return parseGrants(workbook, { perimeter, decimalComma: workbook.csv?.decimalComma, year: year ?? null });
}

const book = (rows: Array<Array<string | number | null>>): WorkbookGrid => ({ format: 'xlsx', sheets: [grid('Subventions', rows)], skippedSheets: [] });
const HEADER = ['nomAttribuant', 'idAttribuant', 'dateConvention', 'referenceDecision', 'nomBeneficiaire', 'idBeneficiaire', 'objet', 'montant'];
const REGION = ['Région Hauts-de-France', '20005374200013'];
const issues = (out: ParseOutput) => out.issues.map((issue) => `${issue.severity} ${issue.code} ${issue.cell}`);
const lines = (out: ParseOutput) => out.lines.map((line) => [line.source.cell, line.year, formatCents(line.cents), line.beneficiary?.siren]);
const total = (out: ParseOutput) => formatCents(out.lines.reduce((sum, line) => sum + line.cents, 0n));

describe('SCDL « subventions » open data (grants, layout scdl)', () => {
  it('the region’s comma CSV: 4 grants inside the perimeter, 1 468 678,62 €, 2 outside', async () => {
    const out = parse(await fixture('subventions-scdl-region-2023.csv'));
    expect(out.layout).toBe('scdl');
    expect(out.outsidePerimeter).toBe(2);
    expect(lines(out)).toEqual([
      ['H2', 2023, '150000.00', '215901786'],
      ['H3', 2023, '23000.50', '215905696'],
      ['H5', 2022, '1250000.00', '200044618'],
      ['H7', 2023, '45678.12', '215906546'],
    ]);
    expect(total(out)).toBe('1468678.62');
    expect(issues(out)).toEqual(['WARNING AMOUNT_ROUNDED H7']);
    // The attributing body as written, with the SIREN of its SIRET; the decision kept on the action.
    expect(out.lines[0].funder).toMatchObject({ kind: 'named', text: 'REGION HAUTS DE FRANCE - DIRECTION DES FINANCES', siren: '200053742' });
    expect(out.actions[0]).toMatchObject({ title: 'Rénovation énergétique du groupe scolaire Jean Macé', leadText: '215901786', description: 'Décision CP-2023-0412, convention du 12/05/2023' });
    expect(out.actions[0].code).toMatch(/^SUBV-2023-215901786-[0-9a-f]{8}$/);
  });

  it('the hand-made semicolon copy: « Nom de l attribuant », decimal commas, SIRETs with spaces: 1 643 500,75 €', async () => {
    const workbook = await fixture('subventions-scdl-ademe-2024.csv');
    expect(workbook.csv).toMatchObject({ delimiter: ';', decimalComma: true });
    const out = parse(workbook);
    expect(out.outsidePerimeter).toBe(1);
    expect(lines(out)).toEqual([
      ['H2', 2024, '87500.25', '215905746'],
      ['H3', 2024, '300000.00', '215900085'],
      ['H4', 2024, '1200000.00', '245901152'],
      ['H6', 2021, '56000.50', '215904566'],
    ]);
    expect(total(out)).toBe('1643500.75');
    expect(issues(out)).toEqual([]);
    expect(out.lines[0].funder).toMatchObject({ text: "Agence de l'Environnement et de la Maitrise de l'Energie", siren: '385290309' });
  });

  it('the department’s workbook (schema 2.1 columns): a title row, a date cell, a serial, numbers with many decimals: 137 333,33 €', async () => {
    const out = parse(await fixture('subventions-scdl-departement-nord.xlsx'));
    expect(out.outsidePerimeter).toBe(1);
    expect(lines(out)).toEqual([
      ['I3', 2022, '33333.33', '215901786'],
      ['I4', 2022, '80000.00', '215905696'],
      ['I6', 2024, '24000.00', '200044618'],
    ]);
    expect(total(out)).toBe('137333.33');
    expect(issues(out)).toEqual(['WARNING AMOUNT_ROUNDED I3']);
    expect(out.lines.map((line) => line.funder)).toMatchObject([{ siren: '225900018' }, { siren: '225900018' }, { text: 'Syndicat mixte du SCoT Grand Douaisis', siren: '255901234' }]);
  });

  it('reads the decimal mark from the cell alone, whatever the file’s habit: 1.234 and 123,456 are ambiguous', () => {
    const out = parseGrants(
      book([
        HEADER,
        [...REGION, '2023-01-10', null, 'Douai', '21590178600014', 'A', '23000.5'],
        [...REGION, '2023-01-10', null, 'Douai', '21590178600014', 'B', '23 000,50'],
        [...REGION, '2023-01-10', null, 'Douai', '21590178600014', 'C', '1.234'],
        [...REGION, '2023-01-10', null, 'Douai', '21590178600014', 'D', '123,456'],
        [...REGION, '2023-01-10', null, 'Douai', '21590178600014', 'E', '1,234,567.891'],
      ]),
      // As a semicolon CSV says: decimal commas. The SCDL amounts do not follow it.
      { perimeter, decimalComma: true },
    );
    expect(lines(out)).toEqual([
      ['H2', 2023, '23000.50', '215901786'],
      ['H3', 2023, '23000.50', '215901786'],
      ['H6', 2023, '1234567.89', '215901786'],
    ]);
    expect(issues(out)).toEqual(['ERROR AMOUNT_AMBIGUOUS H4', 'ERROR AMOUNT_AMBIGUOUS H5', 'WARNING AMOUNT_ROUNDED H6']);
  });

  it('takes the year from the agreement date (ISO, French, serial as text or number), else the upload’s, else says it at the cell', () => {
    const rows = (dates: Array<string | number | null>) => book([HEADER, ...dates.map((date, i) => [...REGION, date, null, 'Douai', '21590178600014', `Projet ${i}`, 30000])]);
    const out = parseGrants(rows(['2023-05-12', '12/05/2022', '45058', 44000, '2021-03-01T00:00:00', null, '31/02/2023']), { perimeter });
    expect(out.lines.map((line) => line.year)).toEqual([2023, 2022, 2023, 2020, 2021]);
    expect(issues(out)).toEqual(['ERROR YEAR_MISSING C7', 'ERROR DATE_INVALID C8']);
    const withYear = parseGrants(rows([null]), { perimeter, year: 2024 });
    expect(withYear.lines.map((line) => line.year)).toEqual([2024]);
    expect(withYear.issues).toEqual([]);
  });

  it('needs an attributing body (a name or a SIREN) and an amount; reads SIRETs as text, numbers, with spaces', () => {
    const out = parseGrants(
      book([
        HEADER,
        [null, null, '2023-01-10', null, 'Douai', '215 901 786 00014', 'Sans attribuant', 30000],
        [null, '22590001800010', '2023-01-10', null, 'Douai', 21590178600014, 'Attribuant par son SIRET', 30000],
        [...REGION, '2023-01-10', null, 'Douai', '215901786', 'Sans montant', null],
      ]),
      { perimeter },
    );
    expect(issues(out)).toEqual(['ERROR FUNDER_MISSING A2', 'ERROR AMOUNT_INVALID H4']);
    expect(out.lines.map((line) => line.funder)).toMatchObject([{ kind: 'named', text: '', siren: '225900018' }]);
  });

  it('cuts an object longer than a title to 500 characters and keeps it whole in the description', () => {
    const objet = `Programme pluriannuel ${'de rénovation énergétique des bâtiments communaux '.repeat(12)}`.trim();
    const out = parseGrants(book([HEADER, [...REGION, '2023-01-10', 'CP-9', 'Douai', '21590178600014', objet, 30000]]), { perimeter });
    expect(objet.length).toBeGreaterThan(500);
    expect(out.actions[0].title).toHaveLength(500);
    expect(out.actions[0].title!.endsWith('…')).toBe(true);
    expect(out.actions[0].description).toBe(`${objet}\n\nDécision CP-9, convention du 10/01/2023`);
    expect(out.issues).toEqual([]);
  });

  it('refuses a grant written twice cell for cell, not two grants that differ by their decision', () => {
    const out = parseGrants(
      book([
        HEADER,
        [...REGION, '2023-01-10', 'CP-1', 'Douai', '21590178600014', 'Voirie', 30000],
        [...REGION, '2023-01-10', 'CP-1', 'DOUAI ', '215 901 786 00014', 'Voirie', '30000'],
        [...REGION, '2023-01-10', 'CP-2', 'Douai', '21590178600014', 'Voirie', 30000],
      ]),
      { perimeter },
    );
    expect(issues(out)).toEqual(['ERROR DUPLICATE_LINE H3']);
    expect(out.issues[0].message).toContain('ligne de H2');
    expect(lines(out)).toEqual([
      ['H2', 2023, '30000.00', '215901786'],
      ['H4', 2023, '30000.00', '215901786'],
    ]);
    expect(out.actions.map((action) => action.code!.slice(-2))).toEqual([expect.not.stringMatching(/^-2$/), '-2']);
  });

  it('reads a list that writes the schema’s labels instead of its names, every column known (no COLUMN_UNKNOWN)', () => {
    const labels = ["Nom de l'attribuant", "Identifiant de l'attribuant", 'Date de la convention', 'Référence de la décision', 'Nom du bénéficiaire', 'Identifiant du bénéficiaire',
      'Objet de la subvention', 'Montant', 'Nature de la subvention', 'Conditions de versement', 'Dates de la période de versement', 'Identifiant RAE', 'Notification UE', 'Pourcentage de la subvention'];
    const out = parseGrants(book([labels, ['Région Hauts-de-France', '20005374200013', '12/05/2023', 'CP-2023-0412', 'Douai', '21590178600014', 'Groupe scolaire', '150 000,50', 'aide en numéraire', 'Unique', '2023-06-01', '', 'Non', '50']]), { perimeter });
    expect(out.layout).toBe('scdl');
    expect(issues(out)).toEqual([]);
    expect(lines(out)).toEqual([['H2', 2023, '150000.50', '215901786']]);
    expect(out.actions.map((action) => action.title)).toEqual(['Groupe scolaire']);
  });

  it('says which column is missing when idBeneficiaire or montant is not there', () => {
    const out = parseGrants(book([['nomAttribuant', 'dateConvention', 'objet', 'montant'], ['ADEME', '2023-01-10', 'X', 1000]]), { perimeter });
    expect(out.layout).toBe('scdl');
    expect(out.issues.map((issue) => [issue.code, issue.message.slice(0, 60)])).toEqual([['COLUMN_MISSING', 'Colonne manquante : « idBeneficiaire » (SIRET du bénéficiair']]);
  });

  it.each([
    ['215 901 786 00014', '215901786'],
    ['215\u00a0901\u00a0786\u00a000014', '215901786'],
    ['215.901.786', '215901786'],
    ['21590178600014', '215901786'],
    ['200044618', '200044618'],
    ['2159017860001', null],
    ['W595001234', null],
    ['', null],
  ])('sirenOf(%j) → %j', (text, siren) => {
    expect(sirenOf(text === '' ? null : { kind: 'string', value: text })).toBe(siren);
  });

  it('sirenOf reads numbers and puts back the leading zeros a spreadsheet drops', () => {
    expect(sirenOf({ kind: 'number', value: 21590178600014 })).toBe('215901786');
    expect(sirenOf({ kind: 'number', value: 1234567800012 })).toBe('012345678');
    expect(sirenOf({ kind: 'number', value: 12345678 })).toBe('012345678');
    expect(sirenOf({ kind: 'number', value: 2.5 })).toBeNull();
  });
});

describe('SCDL through the pure pipeline: the attributing body resolved by SIREN, then by name', () => {
  const reference: ContractReference = {
    contract: { id: 10, code: 'CRTE-TEST', startYear: 2021, endYear: 2026 },
    orientations: [],
    organisations: [
      { id: 1, name: 'CA Douaisis Agglo', shortName: 'Douaisis Agglo', kind: OrganisationKind.EPCI, siren: '200044618', inseeCode: null, parentId: null },
      { id: 3, name: 'Douai', shortName: null, kind: OrganisationKind.COMMUNE, siren: '215901786', inseeCode: '59178', parentId: 1 },
      { id: 4, name: 'Région Hauts-de-France', shortName: null, kind: OrganisationKind.REGION, siren: '200053742', inseeCode: null, parentId: null },
      { id: 7, name: 'Agence de la transition écologique', shortName: 'ADEME', kind: OrganisationKind.STATE_OPERATOR, siren: null, inseeCode: null, parentId: null },
      { id: 8, name: 'Rochefort', shortName: null, kind: OrganisationKind.COMMUNE, siren: '211702998', inseeCode: '17299', parentId: null },
    ],
    aliases: [],
    perimeterEpciIds: [1],
    regionId: 4,
    departmentId: null,
    stateId: null,
    programmes: [],
    actions: [],
    indicators: [],
  };

  it('books each grant to its beneficiary, funded by the body the SIREN or the name names; an unknown one is to create', () => {
    const workbook = book([
      HEADER,
      ['RÉGION HDF - DIR. FINANCES', '200 053 742 00013', '2023-05-12', 'CP-1', 'Douai', '21590178600014', 'Par le SIREN', 100000],
      ['ADEME', '38529030900454', '2023-05-12', 'A-1', 'Douaisis Agglo', '20004461800013', 'Par le nom', 200000],
      ['Syndicat du SCoT', '25590123400019', '2023-05-12', 'S-1', 'Douai', '21590178600014', 'Inconnu', 300000],
      [null, '25590123400019', '2023-05-12', 'S-2', 'Douai', '21590178600014', 'Inconnu sans nom', 400000],
      ['Région Hauts-de-France', '20005374200013', '2023-05-12', 'CP-2', 'Rochefort', '21170299800015', 'Ailleurs', 500000],
    ]);
    const result = runPipeline({ kind: ImportKind.GRANTS, workbook, reference, sourceOrganisationId: 4, authority: 'admin' });
    expect(result.parsed.outsidePerimeter).toBe(1);
    expect(result.resolved.lines.map((line) => [formatCents(line.parsed.cents), line.funder, line.beneficiary])).toEqual([
      ['100000.00', { id: 4 }, { id: 3 }],
      ['200000.00', { id: 7 }, { id: 1 }],
      ['300000.00', { newKey: 'syndicat du scot' }, { id: 3 }],
    ]);
    expect(result.issues.filter((issue) => issue.code !== 'ACTION_UNKNOWN').map((issue) => `${issue.severity} ${issue.code} ${issue.cell}`)).toEqual([
      'WARNING ORGANISATION_UNKNOWN A4',
      'ERROR FUNDER_MISSING B5',
    ]);
    expect(result.resolved.actions.map((action) => action.lead)).toEqual([{ id: 3 }, { id: 1 }, { id: 3 }, { id: 3 }]);
  });
});
