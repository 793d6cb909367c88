/**
 * On SQLite the transactions of a data source take turns in the process (src/db/sqlite-transaction-turns.ts):
 * TypeORM has one connection there, where a transaction begun during another was a savepoint of it. The
 * HTTP replay is test/faults/transaction-turns.test.ts; this one pins the rules of the turns themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { openDataSource } from '../../src/db/data-source';
import { readArrayRows } from '../../src/sql/array-rows';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SQLite transaction turns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crte-turns-'));
  let dataSource: DataSource;
  const rows = async () => (await dataSource.query('SELECT name FROM note ORDER BY id')).map((row: { name: string }) => row.name);
  const insert = (manager: EntityManager, name: string) => manager.query('INSERT INTO note (name) VALUES (?)', [name]);

  beforeAll(async () => {
    dataSource = await openDataSource({ type: 'sqlite', path: join(dir, 'db.sqlite') });
    await dataSource.query('CREATE TABLE note (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  });
  beforeEach(async () => dataSource.query('DELETE FROM note'));
  afterAll(async () => {
    await dataSource?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a transaction begun while another awaits waits for its end, and survives its rollback', async () => {
    const events: string[] = [];
    const failing = dataSource.transaction(async (manager) => {
      await insert(manager, 'doomed');
      events.push('first: wrote');
      await tick(150); // a worker, a compression: the event loop turns
      events.push('first: fails');
      throw new Error('late failure');
    });
    await tick(20);
    const acknowledged = dataSource.transaction(async (manager) => {
      events.push('second: begins');
      await insert(manager, 'kept');
    });
    await expect(failing).rejects.toThrow('late failure');
    await acknowledged;
    expect(events).toEqual(['first: wrote', 'first: fails', 'second: begins']);
    expect(await rows()).toEqual(['kept']);
  });

  it('a transaction begun from inside the running one is its savepoint, through the manager or the data source, without waiting for itself', async () => {
    await dataSource.transaction(async (manager) => {
      await insert(manager, 'outer');
      await manager.transaction(async (inner) => insert(inner, 'savepoint kept'));
      await expect(
        dataSource.transaction(async (inner) => {
          await insert(inner, 'savepoint dropped');
          await tick(10);
          throw new Error('inner failure');
        }),
      ).rejects.toThrow('inner failure');
      // Deeper still, after an await that lost nothing of the context.
      await tick(10);
      await manager.transaction((inner) => inner.transaction((deepest) => insert(deepest, 'deepest')));
    });
    expect(await rows()).toEqual(['outer', 'savepoint kept', 'deepest']);
  });

  it('reads outside transactions do not wait for the running one, and see the last commit (a read-only connection), not its rows', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = dataSource.transaction(async (manager) => {
      await insert(manager, 'uncommitted');
      await held;
    });
    await tick(20);
    const started = Date.now();
    try {
      expect(await rows()).toEqual([]);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      release();
      await running;
    }
    expect(await rows()).toEqual(['uncommitted']);
  });

  it('reads as arrays (src/sql/array-rows.ts) are routed alike: the last commit during another’s transaction, its own rows inside it', async () => {
    const names = async () => {
      const { columns, rows: read } = await readArrayRows(dataSource, dataSource.createQueryBuilder().select('note.name', 'name').from('note', 'note').orderBy('note.id'));
      return read.map((row) => String(row[columns.indexOf('name')]));
    };
    await insert(dataSource.manager, 'committed');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inside: string[] = [];
    const running = dataSource.transaction(async (manager) => {
      await insert(manager, 'uncommitted');
      inside = await names();
      await held;
    });
    await tick(20);
    try {
      expect(await names()).toEqual(['committed']);
    } finally {
      release();
      await running;
    }
    expect(inside).toEqual(['committed', 'uncommitted']);
    expect(await names()).toEqual(['committed', 'uncommitted']);
  });

  it('transactions TypeORM begins by itself (a save outside a transaction) take their turn too', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = dataSource.transaction(async (manager) => {
      await insert(manager, 'first');
      await held;
      throw new Error('rolled back');
    });
    await tick(20);
    const runner = dataSource.createQueryRunner();
    const manual = (async () => {
      await runner.startTransaction();
      await runner.query('INSERT INTO note (name) VALUES (?)', ['manual']);
      await runner.commitTransaction();
    })();
    await tick(20);
    release();
    await expect(running).rejects.toThrow('rolled back');
    await manual;
    expect(await rows()).toEqual(['manual']);
  });
});
