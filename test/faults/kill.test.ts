import { existsSync, statSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { buildAnnex3Workbook } from '../../bench/bench-read';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { seedReferenceData } from '../../src/seed/seed.service';
import { builtOnce } from '../support/built-once';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { currentLinesOf, freshConnection, killHard, sleep, snapshot, Snapshot, spawnServer, upload } from './support';

const LINES = 50_004; // 8 334 actions × 6 years
const FIELDS = { kind: 'annex3', source: 'Banque des Territoires', dryRun: 'false' };

/**
 * SIGKILL of the server (`crte serve`, a child process) while it applies a 50 000-line annex 3: the
 * database must hold the whole batch or nothing of it (SQLite: the WAL's uncommitted frames are ignored
 * on the next open; MariaDB: InnoDB rolls the dead connection's transaction back), and the next import,
 * on a restarted server, is applied.
 */
describe(`SIGKILL in the middle of a large import on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;
  let token: string;
  let check: DataSource;
  const workbook = (lines: number) => builtOnce(`buildAnnex3Workbook ${lines}`, () => buildAnnex3Workbook(lines));
  const files = [workbook(LINES), workbook(LINES - 6), workbook(LINES - 12), workbook(LINES - 24)];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    token = (await createToken(db.dataSource, { name: 'Sous-préfecture', role: Role.ADMIN, organisationId: null })).secret;
    // Only the child writes; the checks go through connections opened after each fault.
    await db.dataSource.destroy();
  }, 60000);
  afterAll(async () => {
    if (check?.isInitialized) await check.destroy();
    await db?.drop();
  });

  /** Resolves once the apply transaction has written (uncommitted) rows, after `timeout` ms, or once `stopped()`. */
  async function writeInProgress(timeout: number, stopped: () => boolean): Promise<boolean> {
    const started = Date.now();
    if (db.config.type === 'sqlite') {
      const wal = `${db.config.path}-wal`;
      const before = existsSync(wal) ? statSync(wal).size : 0;
      while (Date.now() - started < timeout && !stopped()) {
        // Funding rows are the bulk of the transaction: 2 MB of new WAL frames means it is well under way.
        if (existsSync(wal) && statSync(wal).size > before + 2_000_000) return true;
        await sleep(5);
      }
      return false;
    }
    const probe = await freshConnection(db.config);
    try {
      while (Date.now() - started < timeout && !stopped()) {
        // Read-only probe: a big transaction of another test file on the shared server only makes this kill earlier.
        const rows = await probe.query('SELECT MAX(trx_rows_modified) AS n FROM information_schema.innodb_trx');
        if (Number(rows[0].n ?? 0) > 1000) return true;
        await sleep(5);
      }
      return false;
    } finally {
      await probe.destroy();
    }
  }

  /** Whole batch or nothing: returns what the database holds after the fault. */
  async function assertAllOrNothing(before: Snapshot): Promise<'applied' | 'nothing'> {
    check = await freshConnection(db.config);
    try {
      const after = await snapshot(check);
      expect(after.orphanLines).toBe(0);
      expect(after.duplicateCurrent).toBe(0);
      const newBatches = after.batches.filter((batch) => !before.batches.some((old) => old.id === batch.id));
      if (newBatches.length === 0) {
        expect(after).toEqual(before);
        return 'nothing';
      }
      expect(newBatches).toHaveLength(1);
      expect(newBatches[0].status).toBe('APPLIED');
      expect(await currentLinesOf(check, newBatches[0].id)).toBe(newBatches[0].lineCount);
      return 'applied';
    } finally {
      await check.destroy();
    }
  }

  async function current(): Promise<Snapshot> {
    const connection = await freshConnection(db.config);
    try {
      return await snapshot(connection);
    } finally {
      await connection.destroy();
    }
  }

  it('kills the server at several moments of the apply; each time all or nothing, then the next import is applied', async () => {
    const outcomes: string[] = [];
    // 1. Killed as soon as the transaction is seen writing.
    let before = await current();
    let server = await spawnServer(db.url);
    let started = Date.now();
    let pending = upload(server.base, token, files[0], FIELDS);
    let probeStopped = false;
    const probe = writeInProgress(40000, () => probeStopped);
    const seen = await Promise.race([probe, pending.then((response) => `ended first: HTTP ${response.status}`)]);
    // The probe stops and closes its connection before the test goes on (else it queries after the test ends).
    probeStopped = true;
    await probe;
    // (If the probe missed the write and the import ended first, the check below still holds: applied.)
    const detectedAfter = Date.now() - started;
    await killHard(server);
    const first = await pending;
    outcomes.push(`${seen === true ? `write seen after ${detectedAfter} ms, HTTP ${first.status}` : seen} → ${await assertAllOrNothing(before)}`);

    // 2. Restarted: the same file goes through, and its duration is the measure for the next kills.
    before = await current();
    server = await spawnServer(db.url);
    started = Date.now();
    const applied = await upload(server.base, token, files[3], FIELDS);
    const full = Date.now() - started;
    expect(applied).toMatchObject({ status: 200, body: { status: 'APPLIED', counts: { lines: LINES - 24 } } });
    check = await freshConnection(db.config);
    expect(await currentLinesOf(check, applied.body.batchId)).toBe(LINES - 24);
    await check.destroy();

    // 3. Killed at measured fractions of a full import (the second replaces the first's lines).
    for (const [index, fraction] of [0.6, 0.9].entries()) {
      before = await current();
      started = Date.now();
      pending = upload(server.base, token, files[index + 1], FIELDS);
      await sleep(full * fraction);
      await killHard(server);
      const response = await pending;
      outcomes.push(`killed at ${Date.now() - started} ms of ${full} (${fraction}), HTTP ${response.status} → ${await assertAllOrNothing(before)}`);
      server = await spawnServer(db.url);
    }

    // 4. The server that was restarted last applies a new file (a small one: what matters is that it goes
    // through after the kills, and that the lines it replaces leave no orphan and no double current line).
    const last = await upload(server.base, token, workbook(6_000), FIELDS);
    expect(last).toMatchObject({ status: 200, body: { status: 'APPLIED' } });
    const after = await current();
    expect(after.orphanLines).toBe(0);
    expect(after.duplicateCurrent).toBe(0);
    await killHard(server);
    console.log(`${TEST_DATABASE_TYPE}: full import ${full} ms; ${outcomes.join('; ')}`);
  }, 120000);
});
