/**
 * The streamed read of a very large contract's lines (src/sql/sqlite-streamed-read.ts), on a real SQLite
 * file: once its request's signal is aborted (the request failed, its client went away) it stops at its
 * next slice instead of stepping every row for nobody, and ends its statement, so that its connection
 * closes and no snapshot holds the WAL back. On the test database (SQLite or MariaDB), an aborted request
 * reads nothing.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { openDataSource } from '../../src/db/data-source';
import { CLIENT_GONE_MESSAGE, requestSignal, runAbortable } from '../../src/request/request-signal';
import { rawRowsYielding, ROWS_PER_TURN } from '../../src/sql/sqlite-streamed-read';
import { createTestDatabase, TEST_DATABASE_TYPE, TestDatabase } from '../support/database';

const ROWS = 100_000;

const numbers = (dataSource: DataSource) => dataSource.createQueryBuilder().select('numbers.n', 'n').from('numbers', 'numbers').orderBy('numbers.n');

/** A response as runAbortable sees it: 'close' before its end is the client gone. */
const response = () => Object.assign(new EventEmitter(), { writableEnded: false });

describe('the streamed read on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crte-streamed-'));
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openDataSource({ type: 'sqlite', path: join(dir, 'db.sqlite') });
    await dataSource.query('CREATE TABLE numbers (n INTEGER PRIMARY KEY)');
    await dataSource.query(`INSERT INTO numbers (n) WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ${ROWS}) SELECT n FROM k`);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops at its next slice once its request is aborted (the client gone), ends its statement, and leaves the database free', async () => {
    const res = response();
    let stepped = 0;
    const reading = runAbortable(res, () =>
      rawRowsYielding(dataSource, numbers(dataSource), () => (row) => {
        // The client goes away while the second slice is being stepped.
        if (++stepped === ROWS_PER_TURN + 1) res.emit('close');
        return row[0] as number;
      }),
    );
    await expect(reading).rejects.toThrow(CLIENT_GONE_MESSAGE);
    // The slice under way, then no more: not the 100 000 rows.
    expect(stepped).toBe(2 * ROWS_PER_TURN);

    // Its connection is closed (an open statement would have made close() throw « busy » instead): no
    // snapshot left, so a checkpoint after a write copies and truncates the whole WAL without waiting.
    await dataSource.query(`INSERT INTO numbers (n) VALUES (${ROWS + 1})`);
    expect(await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    // And the next read, in a request that is not aborted, steps every row.
    const again = response();
    let signal: AbortSignal | undefined;
    const all = await runAbortable(again, () => {
      signal = requestSignal();
      return rawRowsYielding(dataSource, numbers(dataSource), () => (row) => row[0] as number);
    });
    expect(all).toHaveLength(ROWS + 1);
    expect(all[ROWS]).toBe(ROWS + 1);
    // A response closed once ended is not a client gone.
    again.writableEnded = true;
    again.emit('close');
    expect(signal!.aborted).toBe(false);
  });
});

describe(`the streamed read on the test database (${TEST_DATABASE_TYPE})`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    await db.dataSource.query('CREATE TABLE numbers (n INTEGER PRIMARY KEY)');
    await db.dataSource.query('INSERT INTO numbers (n) VALUES (1), (2), (3)');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('reads nothing for a request already aborted, and everything for one that is not', async () => {
    const stopped = new AbortController();
    const failure = new Error('La requête a dépassé le temps maximal de traitement');
    stopped.abort(failure);
    let stepped = 0;
    const count = () => () => (row: readonly unknown[]) => (stepped++, Number(row[0]));
    await expect(rawRowsYielding(db.dataSource, numbers(db.dataSource), count(), stopped.signal)).rejects.toBe(failure);
    expect(stepped).toBe(0);
    expect(await rawRowsYielding(db.dataSource, numbers(db.dataSource), count(), new AbortController().signal)).toEqual([1, 2, 3]);
  });
});
