import { readFileSync } from 'node:fs';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { formatCents } from '../../src/kernel/money';
import { importFile } from '../../src/import-batch/import-apply.service';
import { ImportKind } from '../../src/kernel/import-batch.enum';
import { previewImport } from '../../src/import-batch/import-preview.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { QueryCounter } from '../support/query-counter';
import { startTestServer, TestServer } from '../support/server';
import { editWorkbook } from '../support/workbook-edit';

const BDT_FILE = 'annexe3-banque-des-territoires-2023.xlsx';
const BDT = readFileSync(fixturePath(BDT_FILE));

const LINEAGE = `query ($id: ID!, $first: Int, $after: String) {
  importBatch(id: $id) {
    id status
    supersedes { id status }
    supersededBy { id status }
    lines(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { amount year stage funder { name } action { code } source { cell reference batch { id } } }
    }
  }
}`;

const sum = (amounts: string[]) => formatCents(amounts.reduce((total, amount) => total + BigInt(amount.replace('.', '')), 0n));

describe(`ImportBatch.supersedes, supersededBy and lines on ${TEST_DATABASE_TYPE}`, () => {
  const counter = new QueryCounter();
  let api: TestServer;
  let admin: string;
  let first: number;
  let second: number;
  let preview: number;

  async function ok(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
    const { status, body } = await api.graphql(query, variables, token);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data;
  }

  const lineage = async (id: number, first = 500) => (await ok(LINEAGE, { id: String(id), first })).importBatch;

  beforeAll(async () => {
    const db = await createTestDatabase({ logger: counter });
    api = await startTestServer({ db, prepare: async ({ dataSource }) => void (await seedReferenceData(dataSource)) });
    const dataSource = api.db.dataSource;
    admin = (await createToken(dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    const source = 'Banque des Territoires';
    first = (await importFile(dataSource, { buffer: BDT, fileName: BDT_FILE, kind: ImportKind.ANNEX3, source, uploadedBy: 'test' })).batchId;
    // The corrected copy: I6 2 500 000 → 3 000 000; it covers the same (funder, year) pairs, so it replaces every line.
    const corrected = editWorkbook(BDT, 'Programmation 2023', { I6: 3_000_000 });
    second = (await importFile(dataSource, { buffer: corrected, fileName: 'bdt-corrige.xlsx', kind: ImportKind.ANNEX3, source, uploadedBy: 'test' })).batchId;
    preview = (await previewImport(dataSource, { buffer: readFileSync(fixturePath('annexe3-douaisis-agglo-2022.xlsx')), fileName: 'da.xlsx', kind: ImportKind.ANNEX3, source: 'Douaisis Agglo' })).batchId;
  });

  afterAll(async () => {
    await api.close();
  });

  it('links the corrected copy to the batch it replaced, both ways, and lists each batch’s own lines', async () => {
    const older = await lineage(first);
    const newer = await lineage(second);
    expect(older).toMatchObject({ status: 'SUPERSEDED', supersedes: [], supersededBy: [{ id: String(second), status: 'APPLIED' }] });
    expect(newer).toMatchObject({ status: 'APPLIED', supersedes: [{ id: String(first), status: 'SUPERSEDED' }], supersededBy: [] });
    expect(older.lines.totalCount).toBe(10);
    expect(sum(older.lines.nodes.map((line: any) => line.amount))).toBe('20100000.00');
    expect(newer.lines.totalCount).toBe(10);
    expect(sum(newer.lines.nodes.map((line: any) => line.amount))).toBe('20600000.00');
    // Each line carries its cell, and only this batch's lines are there.
    expect(new Set(newer.lines.nodes.map((line: any) => line.source.batch.id))).toEqual(new Set([String(second)]));
    expect(newer.lines.nodes.find((line: any) => line.source.cell === 'I6')).toMatchObject({ amount: '3000000.00', funder: { name: 'Banque des Territoires' } });
  });

  it('pages through the lines in the file’s order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const data: any = await ok(LINEAGE, { id: String(second), first: 4, after });
      const page = data.importBatch.lines;
      expect(page.totalCount).toBe(10);
      seen.push(...page.nodes.map((line: any) => line.source.reference));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual((await lineage(second)).lines.nodes.map((line: any) => line.source.reference));
    expect(new Set(seen).size).toBe(10);
  });

  it('has no lines nor lineage for a preview, of which nothing was written', async () => {
    expect(await ok(LINEAGE, { id: String(preview), first: 10 }, admin)).toMatchObject({
      importBatch: { status: 'PREVIEWED', supersedes: [], supersededBy: [], lines: { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } } },
    });
  });

  it('reads the lineage of a page of batches in as many statements for 2 batches as for 3', async () => {
    const query = `query ($first: Int) { importBatches(first: $first) { nodes { id supersedes { id } supersededBy { id } lines(first: 2) { totalCount } } } }`;
    await ok(query, { first: 1 }, admin); // the token's last use is written once a minute: not in the counts below
    counter.reset();
    const small = await ok(query, { first: 2 }, admin);
    const smallCount = counter.count;
    counter.reset();
    const large = await ok(query, { first: 3 }, admin);
    expect(small.importBatches.nodes).toHaveLength(2);
    expect(large.importBatches.nodes).toHaveLength(3);
    expect(counter.count).toBe(smallCount);
    // The token, the count, the page, then one statement each for the lineage, the linked batches and the lines.
    expect(counter.count).toBeLessThanOrEqual(6);
  });

  it('after rolling the correction back, the first batch counts again, with its 10 lines once each', async () => {
    const rolledBack = await ok(`mutation ($id: ID!) { rollbackImport(id: $id) { id status } }`, { id: String(second) }, admin);
    expect(rolledBack.rollbackImport.status).toBe('ROLLED_BACK');
    const older = await lineage(first);
    // The replaced lines came back as copies with their lineage: still 10 lines, the current ones.
    expect(older).toMatchObject({ status: 'APPLIED', supersededBy: [{ id: String(second), status: 'ROLLED_BACK' }] });
    expect(older.lines.totalCount).toBe(10);
    expect(sum(older.lines.nodes.map((line: any) => line.amount))).toBe('20100000.00');
    const totals = await ok(`{ fundingTotals(groupBy: [CONTRACT], filter: { contract: "CRTE-DOUAISIS" }) { amount lines } }`);
    expect(totals.fundingTotals).toEqual([{ amount: '20100000.00', lines: 10 }]);
    const newer = await lineage(second);
    expect(newer).toMatchObject({ status: 'ROLLED_BACK', supersedes: [{ id: String(first), status: 'APPLIED' }] });
    expect(newer.lines.totalCount).toBe(10);
  });
});
