import * as XLSX from 'xlsx';
import { formatCents, parseCents } from '../../src/kernel/money';
import { importFile } from '../../src/import-batch/import-apply.service';
import { previewImport } from '../../src/import-batch/import-preview.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { parseCsv } from '../support/csv';
import { startTestServer, TestServer } from '../support/server';
import { TEST_DATABASE_TYPE } from '../support/database';

const CONTRACT = 'CRTE-DOUAISIS';
const HEADER = ['N° action', "Intitulé de l'action", 'Orientation CRTE', "Maître d'ouvrage", 'Nature des crédits', 2022, 2023];

/**
 * The file: an EPCI's annex 3 whose « Nature des crédits » column says, row by row, which credits the
 * amounts are, in the contract's words and their variants (one row says nothing). The same action twice
 * with two natures: two facts, not a duplicate.
 */
const ROWS: Array<[string, string, string, string, string | null, number | null, number | null]> = [
  ['DA-01', 'Quartier d’affaires EuraDouai', '1.2', 'Douaisis Agglo', 'France Relance', 100000, 250000.5],
  ['DA-01', 'Quartier d’affaires EuraDouai', '1.2', 'Douaisis Agglo', 'Crédits valorisés', 12345.67, 1000],
  ['DA-02', 'Pôle d’échanges de la gare', '1.2', 'Douaisis Agglo', 'Crédits contractualisés', 40000, null],
  ['DA-03', 'Voie verte de la Scarpe', '1.2', 'Douaisis Agglo', 'Nouveaux engagements', null, 5000],
  ['DA-04', 'Maison de santé', '1.2', 'Douaisis Agglo', 'Engagement antérieur', 300, null],
  ['DA-05', 'Réseau de chaleur', '1.2', 'Douaisis Agglo', 'Relance', 0.33, 2],
  ['DA-06', 'Médiathèque', '1.2', 'Douaisis Agglo', null, 7000, null],
];

/** What a person reads in the « Nature des crédits » cell: written here, not taken from the code under test. */
const NATURE_OF_WORD: Record<string, string | null> = {
  'France Relance': 'RELANCE',
  Relance: 'RELANCE',
  'Crédits contractualisés': 'CONTRACTUALISED',
  'Nouveaux engagements': 'CONTRACTUALISED',
  'Crédits valorisés': 'VALORISED',
  'Engagement antérieur': 'VALORISED',
};

function workbook(rows: unknown[][]): Buffer {
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([HEADER, ...rows]), 'Programmation');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

/** The file's own sums per nature (null: not said), in exact cents, from the rows above. */
function fileSums(): Map<string | null, { amount: string; lines: number }> {
  const sums = new Map<string | null, { cents: bigint; lines: number }>();
  for (const [, , , , word, y2022, y2023] of ROWS) {
    const nature = word === null ? null : NATURE_OF_WORD[word];
    for (const amount of [y2022, y2023]) {
      if (amount === null) continue;
      const sum = sums.get(nature) ?? { cents: 0n, lines: 0 };
      sum.cents += parseCents(amount.toFixed(2));
      sum.lines += 1;
      sums.set(nature, sum);
    }
  }
  return new Map([...sums].map(([nature, sum]) => [nature, { amount: formatCents(sum.cents), lines: sum.lines }]));
}

describe(`credit nature (France Relance, contractualised, valorised) on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startTestServer({
      prepare: async (db) => {
        await seedReferenceData(db.dataSource);
      },
    });
    const result = await importFile(api.db.dataSource, { buffer: workbook(ROWS), fileName: 'annexe3-nature-des-credits.xlsx', kind: ImportKind.ANNEX3, source: 'Douaisis Agglo', contract: CONTRACT });
    expect(result.issues.filter((issue) => issue.severity === 'ERROR')).toEqual([]);
    expect(result.status).toBe('APPLIED');
  });

  afterAll(async () => {
    await api?.close();
  });

  it('the file’s sums, exactly: RELANCE 350 002.83, CONTRACTUALISED 45 000, VALORISED 13 645.67, not said 7 000', async () => {
    const expected = fileSums();
    // Written out once by hand as well, so that a mistake in fileSums cannot hide one in the import.
    expect(Object.fromEntries(expected)).toEqual({
      RELANCE: { amount: '350002.83', lines: 4 },
      VALORISED: { amount: '13645.67', lines: 3 },
      CONTRACTUALISED: { amount: '45000.00', lines: 2 },
      null: { amount: '7000.00', lines: 1 },
    });
    const { body } = await api.graphql(
      `query ($contract: String!) { fundingTotals(groupBy: [CREDIT_NATURE], filter: { contract: $contract }) { creditNature amount lines } }`,
      { contract: CONTRACT },
    );
    expect(body.errors).toBeUndefined();
    const fromApi = Object.fromEntries(body.data.fundingTotals.map((total: any) => [String(total.creditNature), { amount: total.amount, lines: total.lines }]));
    expect(fromApi).toEqual(Object.fromEntries([...expected].map(([nature, sum]) => [String(nature), sum])));
  });

  it('groups with other dimensions: credit nature × year', async () => {
    const { body } = await api.graphql(
      `{ fundingTotals(groupBy: [CREDIT_NATURE, YEAR], filter: { contract: "${CONTRACT}" }) { creditNature year amount } }`,
    );
    const relance = body.data.fundingTotals.filter((total: any) => total.creditNature === 'RELANCE').map((total: any) => [total.year, total.amount]);
    expect(relance).toEqual([
      [2022, '100000.33'],
      [2023, '250002.50'],
    ]);
  });

  it('the funding export: codes in the plain CSV, French labels in the French CSV', async () => {
    const get = async (query: string) => (await fetch(new URL(`/api/export/fundings.csv?contract=${CONTRACT}${query}`, api.server.url))).text();
    const [header, ...rows] = parseCsv(await get(''), ',');
    const column = header.indexOf('Nature des crédits');
    expect(column).toBeGreaterThan(-1);
    const amount = header.indexOf('Montant (€)');
    const plain = new Map<string, bigint>();
    for (const row of rows) plain.set(row[column], (plain.get(row[column]) ?? 0n) + parseCents(row[amount]));
    expect(Object.fromEntries([...plain].map(([nature, cents]) => [nature, formatCents(cents)]))).toEqual({
      RELANCE: '350002.83',
      VALORISED: '13645.67',
      CONTRACTUALISED: '45000.00',
      '': '7000.00',
    });
    const [frenchHeader, ...frenchRows] = parseCsv((await get('&format=fr')).slice(1), ';');
    const frenchColumn = frenchHeader.indexOf('Nature des crédits');
    expect(new Set(frenchRows.map((row) => row[frenchColumn]))).toEqual(new Set(['Crédits France Relance', 'Crédits valorisés', 'Crédits contractualisés', '']));
  });

  it('filters by it: GraphQL’s filter and the export’s parameter, the lines that do not say never matching', async () => {
    const { body } = await api.graphql(`{ fundingTotals(groupBy: [CONTRACT], filter: { contract: "${CONTRACT}", creditNature: [CONTRACTUALISED, VALORISED] }) { amount lines } }`);
    expect(body.data.fundingTotals).toEqual([{ amount: '58645.67', lines: 5 }]);
    const json = (await (await fetch(new URL(`/api/export/fundings.json?contract=${CONTRACT}&creditNature=relance`, api.server.url))).json()) as Array<Record<string, string>>;
    expect(json.map((row) => row.amount).sort()).toEqual(['0.33', '100000.00', '2.00', '250000.50']);
    const refused = await fetch(new URL(`/api/export/fundings.json?creditNature=magique`, api.server.url));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string; field: string })).toMatchObject({ field: 'creditNature', error: expect.stringMatching(/^Nature de crédits inconnue « magique »/) });
  });

  it('the BI view v_funding names it too', async () => {
    const rows: Array<{ credit_nature: string | null; cents: unknown }> = await api.db.dataSource.query(
      `SELECT credit_nature, SUM(amount_cents) AS cents FROM v_funding WHERE contract_code = ? GROUP BY credit_nature`,
      [CONTRACT],
    );
    expect(Object.fromEntries(rows.map((row) => [String(row.credit_nature), formatCents(BigInt(String(row.cents)))]))).toEqual({
      RELANCE: '350002.83',
      VALORISED: '13645.67',
      CONTRACTUALISED: '45000.00',
      null: '7000.00',
    });
  });

  it('an unknown word is a French warning at its cell; the amount is kept, its nature left unsaid', async () => {
    const preview = await previewImport(api.db.dataSource, {
      buffer: workbook([['DA-07', 'Piscine', '1.2', 'Douaisis Agglo', 'Crédits magiques', 1000, null]]),
      fileName: 'annexe3-mot-inconnu.xlsx',
      kind: ImportKind.ANNEX3,
      source: 'Douaisis Agglo',
      contract: CONTRACT,
    });
    const issue = preview.issues.find((found) => found.code === 'CREDIT_NATURE_UNKNOWN');
    expect(issue).toMatchObject({ severity: 'WARNING', sheet: 'Programmation', cell: 'E2' });
    expect(issue!.message).toMatch(/« Crédits magiques » n'est pas une nature de crédits connue/);
    expect(issue!.message).toMatch(/Relance.*contractualisés.*valorisés/);
    expect(preview.status).toBe('PREVIEWED');
    expect(preview.lines.map((line) => line.amount)).toEqual(['1000.00']);
  });

  it('a manual entry says its nature; a correction keeps it unless it gives another', async () => {
    const admin = await adminToken(api);
    const create = await api.graphql(
      `mutation { createFunding(input: { contract: "${CONTRACT}", funder: "Région Hauts-de-France", year: 2024, stage: GRANTED, instrument: SUBSIDY, amount: "25000.10", creditNature: VALORISED }) { id creditNature amount } }`,
      undefined,
      admin,
    );
    expect(create.body.errors).toBeUndefined();
    const line = create.body.data.createFunding;
    expect(line).toMatchObject({ creditNature: 'VALORISED', amount: '25000.10' });
    const update = await api.graphql(`mutation { updateFunding(id: "${line.id}", input: { amount: "26000.00" }) { id creditNature amount } }`, undefined, admin);
    expect(update.body.errors).toBeUndefined();
    const updated = update.body.data.updateFunding;
    expect(updated).toMatchObject({ creditNature: 'VALORISED', amount: '26000.00' });
    const change = await api.graphql(`mutation { updateFunding(id: "${updated.id}", input: { creditNature: RELANCE }) { id creditNature amount } }`, undefined, admin);
    expect(change.body.errors).toBeUndefined();
    const changed = change.body.data.updateFunding;
    expect(changed).toMatchObject({ creditNature: 'RELANCE', amount: '26000.00' });
    const { body } = await api.graphql(`{ fundingTotals(groupBy: [CREDIT_NATURE], filter: { contract: "${CONTRACT}", stage: [GRANTED] }) { creditNature amount } }`);
    expect(body.data.fundingTotals).toEqual([{ creditNature: 'RELANCE', amount: '26000.00' }]);
  });
});

async function adminToken(api: TestServer): Promise<string> {
  const { createToken } = await import('../../src/auth/token.service');
  const { Role } = await import('../../src/kernel/role.enum');
  return (await createToken(api.db.dataSource, { name: 'admin nature des crédits', role: Role.ADMIN, organisationId: null })).secret;
}
