import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { requestSignal } from '../request/request-signal';
import { readArrayRows } from './array-rows';
import { SQLITE_BUSY_TIMEOUT_MS } from './sqlite-busy-timeout';

/** Rows read between two turns of the event loop (~30 ms of a nested query's lines). */
export const ROWS_PER_TURN = 10_000;

/**
 * A large read as one statement that still gives the event loop back. On SQLite a statement runs
 * synchronously: one level of a nested query over 50 000 actions (500 000 lines) held the loop for 1.5 s
 * in one block — the loaders once cut it into 2 000-id statements for that reason (issue 16 wants one per
 * level). Here the statement is stepped on a read-only connection of its own (in WAL mode it reads the
 * last commit, as the transaction turns' read connection does: src/db/sqlite-transaction-turns.ts) and
 * yields every ROWS_PER_TURN rows, each turned into its object as it comes (`reader`, given the statement's
 * column names, reads a row as an array); the shared connection stays free for the other requests meanwhile
 * (an open cursor would make it « busy »). MySQL/MariaDB (a pool, the driver asynchronous) and an
 * in-memory SQLite (no second connection sees it) read as usual (readArrayRows).
 *
 * `signal`, by default the request's (src/request/request-signal.ts): once it is aborted — the request
 * failed (its budget, its time limit) or its client went away — the read throws its reason at the next
 * turn instead of stepping the rest of the rows, which nobody waits for any more.
 */
export async function rawRowsYielding<T>(
  dataSource: DataSource,
  query: SelectQueryBuilder<ObjectLiteral>,
  reader: (columns: readonly string[]) => (row: readonly unknown[]) => T,
  signal: AbortSignal | undefined = requestSignal(),
): Promise<T[]> {
  signal?.throwIfAborted();
  const shared = (dataSource.driver as unknown as { databaseConnection?: { name: string; memory: boolean } }).databaseConnection;
  if (dataSource.options.type !== 'better-sqlite3' || !shared || shared.memory) {
    const { columns, rows } = await readArrayRows(dataSource, query);
    return rows.map(reader(columns));
  }
  const [sql, parameters] = query.getQueryAndParameters();
  // better-sqlite3 binds no booleans (as TypeORM's runner does).
  const bound = parameters.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  // Logged as TypeORM logs its own statements: the query counters of the tests count it.
  dataSource.logger.logQuery(sql, bound);
  const database = new Database(shared.name, { readonly: true, fileMustExist: true });
  try {
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    const statement = database.prepare(sql).raw(true);
    const read = reader(statement.columns().map((column) => column.name));
    const rows: T[] = [];
    const cursor = statement.iterate(...bound) as IterableIterator<unknown[]>;
    try {
      let sinceTurn = 0;
      // Each row read as it comes: building the objects is spread between the turns too.
      for (let row = cursor.next(); !row.done; row = cursor.next()) {
        rows.push(read(row.value));
        if (++sinceTurn === ROWS_PER_TURN) {
          sinceTurn = 0;
          await nextTurn();
          signal?.throwIfAborted();
        }
      }
    } finally {
      // Ends the statement when the read stops early: an open one keeps its connection busy (close()
      // throws, the connection stays open) and its snapshot holds the WAL back from the checkpoints.
      cursor.return?.();
    }
    return rows;
  } finally {
    database.close();
  }
}
