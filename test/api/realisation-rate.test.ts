import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { importFile } from '../../src/import-batch/import-apply.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { parseCsv } from '../support/csv';
import { ADEME_FILE, ademeFigures, cellCents, centsDecimal as decimal, expectedRate } from '../support/fixture-figures';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const CONTRACT = 'CRTE-DOUAISIS';

/**
 * Issue 17, point 4: the requested stage has its own total (the ADEME file's 1 762 000 €), and the taux
 * de réalisation (paid / planned) is an exact decimal string, null where nothing is planned — never 0 or NaN,
 * never a sum of stages.
 */
describe(`requested amounts and the taux de réalisation on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let api: TestServer;
  const ademe = ademeFigures();
  // The two annex 3 tables that plan (fixtures README): Banque des Territoires 20 100 000 €, Douaisis Agglo
  // 19 650 000 €, every line on an action. ADEME's file plans nothing.
  const PLANNED = (20_100_000n + 19_650_000n) * 100n;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    for (const [file, source] of [
      ['annexe3-banque-des-territoires-2023.xlsx', 'Banque des Territoires'],
      ['annexe3-douaisis-agglo-2022.xlsx', 'Douaisis Agglo'],
      [ADEME_FILE, 'ADEME'],
    ]) {
      const result = await importFile(db.dataSource, { buffer: readFileSync(fixturePath(file)), fileName: file, kind: ImportKind.ANNEX3, source, contract: CONTRACT });
      expect({ file, status: result.status }).toEqual({ file, status: 'APPLIED' });
    }
    api = await startTestServer({ db });
  }, 120000);
  afterAll(async () => api?.close());

  async function query<T = any>(text: string, variables?: Record<string, unknown>): Promise<T> {
    const { body } = await api.graphql<T>(text, variables);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }

  it('reads the ADEME file’s requested amount, to the cent, as a stage of its own', async () => {
    expect(decimal(ademe.requested)).toBe('1762000.00');
    const data = await query(`{
      byStage: fundingTotals(groupBy: [STAGE], filter: { contract: "${CONTRACT}" }) { stage amount }
      requested: fundingTotals(groupBy: [FUNDER], filter: { contract: "${CONTRACT}", stage: [REQUESTED] }) { funder { name } amount }
      progress(contract: "${CONTRACT}") { overall { planned requested paid } }
    }`);
    const stage = (name: string) => data.byStage.find((row: any) => row.stage === name)?.amount;
    expect(stage('REQUESTED')).toBe(decimal(ademe.requested));
    // One line per stage: requested, planned and paid are never added into one amount.
    expect(data.byStage.map((row: any) => row.stage).sort()).toEqual(['GRANTED', 'PAID', 'PLANNED', 'REQUESTED']);
    expect(stage('PLANNED')).toBe(decimal(PLANNED));
    expect(data.requested).toEqual([{ funder: { name: expect.stringMatching(/transition écologique/i) }, amount: decimal(ademe.requested) }]);
    expect(data.progress.overall).toEqual({ planned: decimal(PLANNED), requested: decimal(ademe.requested), paid: decimal(ademe.paid) });
  });

  it('gives the taux de réalisation as an exact decimal string: ADEME’s paid on the planned', async () => {
    const { progress } = await query(`{ progress(contract: "${CONTRACT}") { overall { planned paid realisationRate }
      axes { figures { planned paid realisationRate } orientations { orientation { code } figures { planned paid realisationRate } } } } }`);
    expect(progress.overall.realisationRate).toBe(expectedRate(ademe.paid, PLANNED));
    expect(progress.overall.realisationRate).toBe('0.0021'); // 83 200 / 39 750 000 = 0.002093…
    // Each orientation and axis from its own amounts; null wherever nothing is planned, paid or not.
    const rows = [...progress.axes.map((axis: any) => axis.figures), ...progress.axes.flatMap((axis: any) => axis.orientations.map((o: any) => o.figures))];
    expect(rows.some((figures: any) => figures.planned === '0.00')).toBe(true);
    for (const figures of rows) {
      const planned = cellCents(figures.planned);
      expect(figures.realisationRate).toBe(planned === 0n ? null : expectedRate(cellCents(figures.paid), planned));
    }
  });

  it('has no rate, rather than 0 or NaN, where nothing is planned: ADEME’s orientation, and the years before any plan', async () => {
    // Every line of the ADEME file is on orientation 1.3, where no annex 3 table plans anything: paid, not planned.
    expect(ademe.orientations).toEqual(['1.3']);
    const { progress } = await query(`{ progress(contract: "${CONTRACT}") { axes { orientations { orientation { code } figures { planned requested paid realisationRate paidRate } } } } }`);
    const orientation = progress.axes.flatMap((axis: any) => axis.orientations).find((o: any) => o.orientation.code === '1.3');
    expect(orientation.figures).toEqual({ planned: '0.00', requested: decimal(ademe.requested), paid: decimal(ademe.paid), realisationRate: null, paidRate: null });
    // Up to 2020 nothing is planned nor paid on any action (Banque des Territoires plans from 2021): no 0/0.
    const past = await query(`{ progress(contract: "${CONTRACT}", year: 2020) { overall { planned paid realisationRate } } }`);
    expect(past.progress.overall).toEqual({ planned: '0.00', paid: '0.00', realisationRate: null });
  });

  it('exports the requested lines of the dashboard’s filter, adding up to the file’s figure', async () => {
    const base = api.server.url.replace(/\/graphql$/, '');
    const response = await fetch(`${base}/api/export/fundings.csv?contract=${CONTRACT}&stage=REQUESTED`);
    expect(response.status).toBe(200);
    const [header, ...rows] = parseCsv(await response.text()).filter((row) => row.length > 1);
    const amount = header.indexOf('Montant (€)');
    const stage = header.indexOf('Étape');
    expect(new Set(rows.map((row) => row[stage]))).toEqual(new Set(['REQUESTED']));
    expect(decimal(rows.reduce((total, row) => total + cellCents(row[amount]), 0n))).toBe(decimal(ademe.requested));
  });

  it('gives the consolidated annex 3 at the requested stage, the dashboard’s fourth export, with the file’s total', async () => {
    const base = api.server.url.replace(/\/graphql$/, '');
    const response = await fetch(`${base}/api/export/annex3.xlsx?contract=${CONTRACT}&stage=REQUESTED`);
    expect(response.status).toBe(200);
    const workbook = XLSX.read(Buffer.from(await response.arrayBuffer()), { type: 'buffer' });
    const sheet = workbook.Sheets[workbook.SheetNames[0]];
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: true });
    const total = rows.find((row) => row.some((cell) => typeof cell === 'string' && /^Total des actions/.test(cell)));
    expect(total).toBeDefined();
    // Its Total column, the last figure of the row: the ADEME file's requested amount (whole euros here).
    const figures = total!.filter((cell): cell is number => typeof cell === 'number');
    expect(figures.at(-1)).toBe(Number(ademe.requested / 100n));
    expect(ademe.requested % 100n).toBe(0n);
  });
});
