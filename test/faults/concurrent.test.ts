import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { Role } from '../../src/auth/role.enum';
import { createToken } from '../../src/auth/token.service';
import { AppConfig } from '../../src/config';
import { openDataSource } from '../../src/db/data-source';
import { seedReferenceData } from '../../src/seed/seed.service';
import { RunningServer, startServer } from '../../src/server/app';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { fixturePath } from '../support/fixtures';
import { editWorkbook } from '../support/workbook-edit';
import { graphql, snapshot, upload } from './support';

const BDT = readFileSync(fixturePath('annexe3-banque-des-territoires-2023.xlsx'));
const FIELDS = { kind: 'annex3', source: 'Banque des Territoires', dryRun: 'false' };
const TOTALS = `query { fundingTotals(groupBy: [contract], filter: { contract: "CRTE-DOUAISIS", source: "Banque des Territoires" }) { amount lines } }`;

/** `count` copies of the Banque des Territoires file, each with one amount of its own (I6). */
function copies(count: number, offset: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => editWorkbook(BDT, 'Programmation 2023', { I6: 3_000_000 + (offset + i) * 1000 }));
}

/**
 * Uploads of the same source sent at once, through one server and through two servers (each with its
 * own pool) on the same database: in the end one current line per cell of the source, one APPLIED batch
 * whose lines are the current ones, the others SUPERSEDED, and the totals those of that batch.
 */
describe(`concurrent uploads of the same source on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let token: string;
  const servers: Array<{ server: RunningServer; dataSource: DataSource }> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    token = (await createToken(db.dataSource, { name: 'Sous-préfecture', role: Role.admin, organisationId: null })).secret;
    for (let i = 0; i < 2; i++) {
      const dataSource = await openDataSource(db.config);
      const config: AppConfig = { databaseUrl: db.url, database: db.config, port: 0, readRequiresToken: false, production: false };
      servers.push({ server: await startServer(dataSource, config), dataSource });
    }
  }, 60000);
  afterAll(async () => {
    for (const { server, dataSource } of servers) {
      await server.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    }
    await db?.drop();
  });

  const base = (i: number) => servers[i].server.url.replace(/\/graphql$/, '');

  /** The invariants after a round of concurrent uploads; returns the current batch. */
  async function assertConsistent(batchIds: number[]): Promise<{ id: number; total: string }> {
    const state = await snapshot(db.dataSource);
    expect(state.orphanLines).toBe(0);
    expect(state.duplicateCurrent).toBe(0);
    const ours = state.batches.filter((batch) => batchIds.includes(batch.id));
    const applied = ours.filter((batch) => batch.status === 'APPLIED');
    expect(applied).toHaveLength(1);
    for (const batch of ours) if (batch !== applied[0]) expect(['SUPERSEDED', 'UNCHANGED']).toContain(batch.status);
    // Every current line of the source is the applied batch's: 10 of them (the fixture's lines).
    const current = await db.dataSource.query(
      "SELECT f.batch_id AS batchId, COUNT(*) AS n FROM funding f JOIN organisation o ON o.id = f.source_id WHERE o.name = 'Banque des Territoires' AND f.superseded_at IS NULL GROUP BY f.batch_id",
    );
    expect(current.map((row: any) => [Number(row.batchId), Number(row.n)])).toEqual([[applied[0].id, 10]]);
    // And it is the batch applied last.
    const last = await db.dataSource.query("SELECT id FROM import_batch WHERE status IN ('APPLIED', 'SUPERSEDED') ORDER BY applied_at DESC, id DESC LIMIT 1");
    expect(Number(last[0].id)).toBe(applied[0].id);
    return { id: applied[0].id, total: applied[0].total! };
  }

  it('ten uploads at once through one server: one current line per cell, one APPLIED batch, its total in fundingTotals', async () => {
    const started = Date.now();
    const responses = await Promise.all(copies(10, 0).map((bytes) => upload(base(0), token, bytes, FIELDS, 'annexe3-bdt.xlsx')));
    const elapsed = Date.now() - started;
    for (const response of responses) expect(response).toMatchObject({ status: 200, body: { status: 'APPLIED' } });
    const current = await assertConsistent(responses.map((response) => response.body.batchId));
    const { data } = await graphql(servers[0].server.url, TOTALS);
    expect(data.fundingTotals).toEqual([{ amount: Number(current.total).toFixed(2), lines: 10 }]);
    console.log(`${TEST_DATABASE_TYPE}: 10 concurrent uploads in ${elapsed} ms`);
  }, 60000);

  it('two servers on the same database, five uploads through each at once: both answer the same totals', async () => {
    const responses = await Promise.all(copies(10, 10).map((bytes, i) => upload(base(i % 2), token, bytes, FIELDS, 'annexe3-bdt.xlsx')));
    for (const response of responses) expect(response).toMatchObject({ status: 200, body: { status: 'APPLIED' } });
    const current = await assertConsistent(responses.map((response) => response.body.batchId));
    const answers = await Promise.all(servers.map(({ server }) => graphql(server.url, TOTALS)));
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0].data.fundingTotals).toEqual([{ amount: Number(current.total).toFixed(2), lines: 10 }]);
  }, 60000);
});
