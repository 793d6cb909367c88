/**
 * The recovery plan visible (issue 17, point 1, in GraphQL): the State's own annex 2 applied, leaving out its
 * three rows in error, then its measures, volets and amounts in `relanceMeasures`, and totals per volet,
 * instrument and kind in `relanceTotals` — volet VI adding up to its own TOTAL row, read here from the file.
 */
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { startTestServer, TestServer } from '../support/server';

const FILE = 'annexe2-bilan-plan-de-relance-douaisis.xlsx';

describe(`the recovery plan's measures in GraphQL on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let measuresRead: number;

  beforeAll(async () => {
    api = await startTestServer({ prepare: async ({ dataSource }) => void (await seedReferenceData(dataSource)) });
    const result = await importFile(api.db.dataSource, { buffer: readFileSync(fixturePath(FILE)), fileName: FILE, kind: ImportKind.ANNEX2, source: 'Etat', uploadedBy: 'test', allowPartial: true });
    expect(result.status).toBe('APPLIED');
    measuresRead = result.counts.measures ?? 0;
  }, 60_000);
  afterAll(async () => api?.close());

  it('lists the measures in force with their volet and amounts (instrument, year, approximate, text read)', async () => {
    const { body } = await api.graphql(`{ relanceMeasures(contract: "CRTE-DOUAISIS") { name volet { number title } amounts { kind amount year instrument approximate rawValue } } }`);
    expect(body.errors).toBeUndefined();
    const measures = body.data.relanceMeasures as Array<{ name: string; volet: { number: string; title: string }; amounts: Array<{ amount: string; rawValue: string | null }> }>;
    // The file's 44 measures, less those of the rows left out for their errors.
    expect(measures.length).toBe(measuresRead);
    expect(measures.length).toBeGreaterThan(40);
    expect(measures.length).toBeLessThanOrEqual(44);
    expect(new Set(measures.map((measure) => measure.volet.number))).toEqual(new Set(['I', 'II', 'III', 'IV', 'V', 'VI', 'VII']));
    expect(measures.find((measure) => measure.volet.number === 'VI')!.volet.title).toBe('Soutien aux collectivités locales');
    for (const measure of measures) for (const amount of measure.amounts) expect(amount.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('totals each volet per instrument and kind exactly; volet VI is its TOTAL row (C59)', async () => {
    const sheet = XLSX.read(readFileSync(fixturePath(FILE))).Sheets['Annexe 2'];
    const volet6Total = (sheet.C59.v as number).toFixed(2);
    expect(volet6Total).toBe('11058241.43');
    const { body } = await api.graphql(`{ relanceTotals(contract: "CRTE-DOUAISIS") { volet { number } instrument kind amount measures } }`);
    expect(body.errors).toBeUndefined();
    const totals = body.data.relanceTotals as Array<{ volet: { number: string }; instrument: string; kind: string; amount: string; measures: number }>;
    const volet6Aid = totals.filter((total) => total.volet.number === 'VI' && total.kind === 'AID');
    const cents = volet6Aid.reduce((sum, total) => sum + BigInt(total.amount.replace('.', '')), 0n);
    expect(`${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`).toBe(volet6Total);
    expect(volet6Aid.reduce((sum, total) => sum + total.measures, 0)).toBeGreaterThanOrEqual(4);
    // Aid and investment are never added: one total per kind.
    expect(new Set(totals.map((total) => total.kind))).toEqual(new Set(['AID', 'INVESTMENT']));
  });

  it('names the contract it does not know, in French', async () => {
    const { body } = await api.graphql(`{ relanceMeasures(contract: "CRTE-INCONNU") { name } }`);
    expect(body.errors?.[0]).toMatchObject({ message: 'Contrat (contract) : le contrat « CRTE-INCONNU » n’existe pas.', extensions: { code: 'BAD_USER_INPUT', field: 'contract' } });
  });
});
