import { DataSource, ObjectLiteral, QueryFailedError, SelectQueryBuilder } from 'typeorm';

/**
 * A statement's rows as arrays, with the names of their columns. The large reads of a nested query (an
 * action's lines, a contract's actions) build no object per row before the entity's own: better-sqlite3
 * builds an object per row by default and the lines' statement took half as long with arrays (bench:peer,
 * 5 000 lines: 9.5 → 5.0 ms), the garbage less.
 */
export interface ArrayRows {
  columns: string[];
  rows: unknown[][];
}

/** How a data source reads arrays on SQLite: registered by its transaction turns, which route each read. */
export type SqliteArrayReader = (sql: string, parameters: readonly unknown[]) => Promise<ArrayRows>;

const sqliteReaders = new WeakMap<DataSource, SqliteArrayReader>();

/** Called once per SQLite data source (src/db/sqlite-transaction-turns.ts) with the reader that knows its connections. */
export function registerSqliteArrayReader(dataSource: DataSource, reader: SqliteArrayReader): void {
  sqliteReaders.set(dataSource, reader);
}

/** The query's rows as arrays: on SQLite through the data source's reader, on MySQL/MariaDB with mysql2's rowsAsArray. */
export async function readArrayRows(dataSource: DataSource, query: SelectQueryBuilder<ObjectLiteral>): Promise<ArrayRows> {
  const [sql, parameters] = query.getQueryAndParameters();
  const sqlite = sqliteReaders.get(dataSource);
  if (sqlite) return sqlite(sql, parameters);
  if (dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb') return mysqlArrayRows(dataSource, sql, parameters);
  // Any other driver: its objects, in the order of their keys.
  const objects = await query.getRawMany<Record<string, unknown>>();
  const columns = objects.length ? Object.keys(objects[0]) : [];
  return { columns, rows: objects.map((object) => columns.map((column) => object[column])) };
}

interface MysqlField {
  name: string;
}
interface MysqlConnection {
  query(options: { sql: string; rowsAsArray: boolean; values: readonly unknown[] }, callback: (error: Error | null, rows: unknown[][], fields: MysqlField[]) => void): unknown;
}

/** As TypeORM's MysqlQueryRunner.query (a pooled connection, the statement logged), the rows as arrays. */
async function mysqlArrayRows(dataSource: DataSource, sql: string, parameters: readonly unknown[]): Promise<ArrayRows> {
  const runner = dataSource.createQueryRunner('slave');
  try {
    const connection = (await runner.connect()) as MysqlConnection;
    dataSource.logger.logQuery(sql, [...parameters], runner);
    try {
      // The callback form: mysql2's promise wrapper captures a stack trace for every statement.
      const { rows, fields } = await new Promise<{ rows: unknown[][]; fields: MysqlField[] }>((resolve, reject) =>
        connection.query({ sql, rowsAsArray: true, values: parameters }, (error, rows, fields) => (error ? reject(error) : resolve({ rows, fields }))),
      );
      return { columns: fields.map((field) => field.name), rows };
    } catch (error) {
      throw new QueryFailedError(sql, [...parameters], error as Error);
    }
  } finally {
    await runner.release();
  }
}

/**
 * `rows.map(read)`, each row let go of as it is read. Why: an array of tens of thousands of rows is too
 * large for V8's young generation and is made in the old one, where it stays until the next full
 * collection even once unreachable; while it points to its rows, every minor collection copies them
 * as live (and then promotes them), though nothing reads them any more. At 5 000 actions, a nested
 * query's minor collections copied the 50 000 rows of its lines again and again.
 */
export function mapRows<T>(rows: unknown[][], read: (row: readonly unknown[]) => T): T[] {
  const values = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    rows[i] = EMPTY_ROW;
    values[i] = read(row);
  }
  return values;
}

const EMPTY_ROW: unknown[] = [];
