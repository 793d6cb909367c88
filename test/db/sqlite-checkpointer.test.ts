/**
 * SQLite's WAL checkpoints run on a thread of their own (src/sql/sqlite-checkpointer.ts): a commit no longer
 * copies the WAL into the database file, the checkpointer does within a second, and closing leaves the
 * database whole, without its WAL.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataSource } from '../../src/db/data-source';
import { CHECKPOINT_INTERVAL_MS } from '../../src/sql/sqlite-checkpointer';

describe('the SQLite checkpointer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crte-checkpoint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the checkpoints out of the commits, copies the WAL within a second, and leaves no WAL at close', async () => {
    const path = join(dir, 'db.sqlite');
    const dataSource = await openDataSource({ type: 'sqlite', path });
    expect(await dataSource.query('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
    await dataSource.query('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)');
    const sizeBefore = statSync(path).size;
    await dataSource.transaction(async (manager) => {
      for (let i = 0; i < 20; i++) await manager.query(`INSERT INTO filler (text) SELECT printf('%.1000c', 'x') FROM (WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 500) SELECT k FROM n)`);
    });
    // 10 MB committed: in the WAL, not yet in the database file.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(9_000_000);
    expect(statSync(path).size).toBeLessThan(sizeBefore + 1_000_000);
    const deadline = Date.now() + CHECKPOINT_INTERVAL_MS * 5;
    while (statSync(path).size < sizeBefore + 9_000_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 9_000_000);
    expect(await dataSource.query('SELECT count(*) AS n FROM filler')).toEqual([{ n: 10_000 }]);
    await dataSource.destroy();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const again = await openDataSource({ type: 'sqlite', path });
    expect(await again.query('SELECT count(*) AS n FROM filler')).toEqual([{ n: 10_000 }]);
    await again.destroy();
  });
});
