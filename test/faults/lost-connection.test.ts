import { DataSource } from 'typeorm';
import { buildAnnex3Workbook } from '../../bench/bench-read';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { builtOnce } from '../support/built-once';
import { TEST_DATABASE_TYPE } from '../support/database';
import { startTestServer, TestServer } from '../support/server';
import { freshConnection, sleep, snapshot, upload } from './support';

// 3 000 rows: the trigger's pause (row 2 000) comes after 12 000 inserted lines, with 6 000 still to write.
const LINES = 18_000;
const FIELDS = { kind: 'annex3', source: 'Banque des Territoires', dryRun: 'false' };

/**
 * The database connection lost in the middle of an apply (MariaDB: KILL of the server's connection that
 * holds the transaction): the import fails with a French message, the server stays up, nothing of the
 * batch is written (InnoDB rolls back), and the pool gives the next import a working connection.
 *
 * Not on SQLite: the database is a file the process holds open, there is no connection to lose; making
 * the file read-only meanwhile changes nothing for a descriptor already open, and a disk error is what
 * the SIGKILL test (kill.test.ts) covers: an interrupted write that the WAL recovers from.
 */
const describeOnServer = TEST_DATABASE_TYPE === 'sqlite' ? describe.skip : describe;

describeOnServer(`lost database connection during an apply on ${TEST_DATABASE_TYPE}`, () => {
  let api: TestServer;
  let token: string;
  let admin: DataSource;
  let base: string;

  beforeAll(async () => {
    api = await startTestServer({ prepare: async (db) => void (await seedReferenceData(db.dataSource)) });
    token = (await createToken(api.db.dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    base = api.server.url.replace(/\/graphql$/, '');
    admin = await freshConnection(api.db.config);
  }, 60000);
  afterAll(async () => {
    if (admin?.isInitialized) await admin.destroy();
    await api?.close();
  });

  /**
   * The apply is held in the middle of its writes by a trigger that sleeps on one line (G2000, well after
   * the first thousands of lines), so that the connection is lost at a known point, not by a race.
   */
  async function pauseApplyMidway(): Promise<void> {
    await admin.query(`CREATE TRIGGER funding_pause BEFORE INSERT ON funding FOR EACH ROW BEGIN IF NEW.source_cell = 'G2000' THEN DO SLEEP(20); END IF; END`);
  }

  /** Waits for the apply to reach the pause, then KILLs the connection that holds its transaction. */
  async function killWritingConnection(timeout: number, pending: Promise<unknown>): Promise<number | null> {
    const started = Date.now();
    let done = false;
    void pending.then(() => (done = true));
    while (Date.now() - started < timeout && !done) {
      // Only this test's database: the MariaDB server is shared with other test files.
      const rows = await admin.query(`SELECT id, state FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()`);
      const sleeping = rows.find((row: { state: string }) => /sleep/i.test(String(row.state)));
      if (sleeping) {
        await admin.query(`KILL ${Number(sleeping.id)}`);
        return Number(sleeping.id);
      }
      await sleep(20);
    }
    return null;
  }

  it('fails the import with a French message, writes nothing, and the next import is applied', async () => {
    const before = await snapshot(admin);
    await pauseApplyMidway();
    const pending = upload(base, token, builtOnce(`buildAnnex3Workbook ${LINES}`, () => buildAnnex3Workbook(LINES)), FIELDS);
    const rowsWhenKilled = await killWritingConnection(40000, pending);
    const failed = await pending;
    if (rowsWhenKilled === null) throw new Error(`the import ended before its connection was killed: ${JSON.stringify(failed)}`);
    expect(failed.status).toBe(500);
    expect(failed.body.error).toMatch(/^Erreur interne du serveur/);

    await admin.query('DROP TRIGGER funding_pause');
    // Nothing of it: InnoDB rolled the transaction back when its connection died.
    const after = await snapshot(admin);
    expect(after).toEqual(before);

    // The server still answers, and the pool hands out live connections again.
    const { body } = await api.graphql('{ contracts { code } }');
    expect(body.errors).toBeUndefined();
    const again = await upload(base, token, builtOnce(`buildAnnex3Workbook ${LINES}`, () => buildAnnex3Workbook(LINES)), FIELDS);
    expect(again).toMatchObject({ status: 200, body: { status: 'APPLIED', counts: { lines: LINES } } });
    const final = await snapshot(admin);
    expect(final.orphanLines).toBe(0);
    expect(final.batches.filter((batch) => batch.status === 'APPLIED')).toHaveLength(1);
    console.log(`${TEST_DATABASE_TYPE}: connection n° ${rowsWhenKilled} killed in the middle of the funding inserts; rolled back; next import APPLIED`);
  }, 60000);
});
