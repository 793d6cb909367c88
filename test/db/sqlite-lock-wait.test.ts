/**
 * SQLite, two processes on one file (a second server, `crte import` while the server runs): a write to a
 * contract while the other holds the file's write lock longer than the 5 s busy timeout. Before, the
 * request failed with « database is locked » after 5 s during which better-sqlite3 had stopped the event
 * loop; now writeToContract tries the lock a few ms at a time, yields between tries, and writes once the
 * other is done (src/contract/contract-write.ts, whileAnotherProcessWrites). The other process is a second
 * connection to the file: for SQLite's locks, the same thing.
 */
import Database from 'better-sqlite3';
import { writeToContract } from '../../src/contract/contract-write';
import { seedReferenceData } from '../../src/seed/seed.service';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';

const onSqlite = TEST_DATABASE_TYPE === 'sqlite';

(onSqlite ? describe : describe.skip)('a write while another process holds SQLite’s lock', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
  }, 60_000);
  afterAll(() => db?.drop());

  it('waits past the 5 s busy timeout without stopping the event loop, then writes', async () => {
    const [{ id }] = await db.dataSource.query("SELECT id FROM contract WHERE code = 'CRTE-DOUAISIS'");
    const other = new Database((db.config as { path: string }).path);
    other.exec('BEGIN IMMEDIATE');
    // The event loop's longest stall while the write waits.
    let last = performance.now();
    let longestStall = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestStall = Math.max(longestStall, now - last);
      last = now;
    }, 10);
    const started = performance.now();
    const release = setTimeout(() => other.exec('COMMIT'), 6500);
    try {
      const written = await writeToContract(db.dataSource, { id: Number(id) }, {}, async (manager) => {
        await manager.query("UPDATE contract SET name = name || '' WHERE id = ?", [id]);
        return performance.now() - started;
      });
      expect(written).toBeGreaterThan(6000);
      expect(longestStall).toBeLessThan(1000);
      console.log(`write after ${Math.round(written)} ms; longest event-loop stall meanwhile ${Math.round(longestStall)} ms`);
    } finally {
      clearTimeout(release);
      clearInterval(ticker);
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
  }, 30_000);
});
