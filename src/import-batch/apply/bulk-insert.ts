import { Readable } from 'node:stream';
import { format as formatMysql } from 'mysql2';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryFailedError } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { timeSlicer, yieldIfDue } from '../../../import/common/time-slice';

/** Stays under SQLite's 32 766 and MySQL's 65 535 placeholders. */
const MAX_PARAMETERS = 30_000;

/**
 * From this many rows, MySQL/MariaDB receive them by LOAD DATA LOCAL INFILE: for the 100 000 lines of a
 * big annex 3 it took 1.4 s where the multi-row INSERTs took 2.1 s (the server parses no SQL literal, the
 * client escapes almost nothing).
 */
const LOAD_DATA_MIN_ROWS = 1000;

/** Data sources whose server refused LOAD DATA LOCAL (local_infile off): INSERTs from then on. */
const loadDataRefused = new WeakSet<DataSource>();

/**
 * Plain multi-row INSERTs for imports of tens of thousands of rows: the query builder's per-row work
 * costs several times what the database does. Values go through the driver's own conversion (dates,
 * booleans) so that they read back exactly as if TypeORM had written them; no transformer runs, so
 * money must already be a canonical decimal string. On MySQL/MariaDB, in a transaction, many rows go by
 * LOAD DATA LOCAL INFILE instead (see loadData).
 */
export async function bulkInsert<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: Array<Partial<T>>,
  options: { maxRowsPerStatement?: number } = {},
): Promise<void> {
  if (rows.length === 0) return;
  await yieldIfDue();
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  // Columns that are empty on every row are left to their default (NULL): less to send and to parse.
  const properties = Object.keys(rows[0]).filter(
    (property) => metadata.findColumnWithPropertyName(property) && rows.some((row) => row[property] !== null && row[property] !== undefined),
  );
  const columns = properties.map((property) => metadata.findColumnWithPropertyName(property)!);
  const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  if (rows.length >= LOAD_DATA_MIN_ROWS && (await loadData(manager, metadata.tableName, names, properties, columns, rows))) return;
  const rowPlaceholder = `(${columns.map(() => '?').join(', ')})`;
  const chunkSize = Math.max(1, Math.min(Math.floor(MAX_PARAMETERS / columns.length), options.maxRowsPerStatement ?? Infinity));
  // Many columns repeat one value on every row (the batch, the contract, the time): convert it once.
  const lastValue: unknown[] = new Array(columns.length).fill(Symbol('none'));
  const lastPrepared: unknown[] = new Array(columns.length);
  const sql = (count: number) => `INSERT INTO ${driver.escape(metadata.tableName)} (${names}) VALUES ${new Array(count).fill(rowPlaceholder).join(', ')}`;
  const run = await statementRunner(manager);
  // Between statements other requests get their turn, in a transaction too: the transaction stays open
  // (all or nothing). On SQLite its connection is everyone's: their reads go meanwhile to a read-only
  // connection that sees the last commit, their writes wait for the end (src/db/sqlite-transaction-turns.ts).
  const slice = timeSlicer();
  for (let start = 0; start < rows.length; start += chunkSize) {
    await slice();
    const end = Math.min(rows.length, start + chunkSize);
    const parameters: unknown[] = new Array((end - start) * columns.length);
    let p = 0;
    for (let r = start; r < end; r++) {
      const row = rows[r];
      for (let i = 0; i < columns.length; i++) {
        const value = row[properties[i]];
        if (value !== lastValue[i]) {
          lastValue[i] = value;
          lastPrepared[i] = value === undefined || value === null ? null : driver.preparePersistentValue(value, columns[i]);
        }
        parameters[p++] = lastPrepared[i];
      }
    }
    await run(sql(end - start), parameters);
  }
}

interface SqliteStatement {
  run(parameters: unknown[]): unknown;
}

/**
 * How the INSERTs run. On SQLite, in a transaction, on the connection's own statements: TypeORM's
 * `query` copies the 30 000 parameters of each statement and spreads them as arguments, a fifth of a big
 * import's insert time here. Elsewhere through `manager.query`.
 */
async function statementRunner(manager: EntityManager): Promise<(sql: string, parameters: unknown[]) => Promise<unknown>> {
  const queryRunner = manager.queryRunner;
  if (manager.connection.options.type !== 'better-sqlite3' || !queryRunner?.isTransactionActive) {
    return (sql, parameters) => manager.query(sql, parameters);
  }
  const database = (await queryRunner.connect()) as { prepare(sql: string): SqliteStatement };
  const statements = new Map<string, SqliteStatement>();
  return async (sql, parameters) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    // better-sqlite3 binds no booleans (the driver has made them 0/1 already; this is the same guard as TypeORM's).
    for (let i = 0; i < parameters.length; i++) if (typeof parameters[i] === 'boolean') parameters[i] = parameters[i] ? 1 : 0;
    try {
      return statement.run(parameters);
    } catch (error) {
      // As manager.query would have thrown it.
      throw new QueryFailedError(sql, parameters, error as Error);
    }
  };
}

const TSV_SPECIAL = /[\\\t\n\r\0]/;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/**
 * One value as LOAD DATA reads it (FIELDS TERMINATED BY '\t' ESCAPED BY '\\'): NULL as \N, text with its
 * backslashes, tabs and line breaks escaped, dates exactly as the driver writes them in an INSERT (so the
 * server converts the same text the same way). Null when the value has no text form here (a Buffer).
 */
export function tsvField(value: unknown, timezone: string): string | null {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return TSV_SPECIAL.test(value) ? value.replace(/[\\\t\n\r\0]/g, (c) => TSV_ESCAPES[c]) : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return formatMysql('?', [value], false, timezone).slice(1, -1);
  return null;
}

/**
 * LOAD DATA LOCAL INFILE of the rows on the transaction's own connection; the data comes from memory
 * (infileStreamFactory), never from a file the server names. With LOCAL the server turns conversion
 * errors and duplicate keys into warnings and skipped rows: any warning, or a count short of the rows,
 * throws, and the caller's transaction rolls back. False when not applicable (not MySQL, no transaction,
 * a value without text form) or when the server refuses LOCAL: the caller INSERTs.
 */
async function loadData<T extends ObjectLiteral>(
  manager: EntityManager,
  table: string,
  names: string,
  properties: string[],
  columns: ColumnMetadata[],
  rows: Array<Partial<T>>,
): Promise<boolean> {
  const dataSource = manager.connection;
  if (dataSource.options.type !== 'mysql' && dataSource.options.type !== 'mariadb') return false;
  const queryRunner = manager.queryRunner;
  if (!queryRunner || !queryRunner.isTransactionActive || loadDataRefused.has(dataSource)) return false;
  const driver = dataSource.driver;
  const timezone = (dataSource.options as { timezone?: string }).timezone ?? 'local';
  const lastValue: unknown[] = new Array(columns.length).fill(Symbol('none'));
  const lastField: string[] = new Array(columns.length);
  const pieces: Buffer[] = [];
  let lines: string[] = [];
  const slice = timeSlicer();
  for (const row of rows) {
    const fields: string[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const value = row[properties[i]];
      if (value !== lastValue[i]) {
        const field = tsvField(value === undefined || value === null ? null : driver.preparePersistentValue(value, columns[i]), timezone);
        if (field === null) return false;
        lastValue[i] = value;
        lastField[i] = field;
      }
      fields[i] = lastField[i];
    }
    lines.push(fields.join('\t'));
    if (lines.length === 5000) {
      pieces.push(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
      lines = [];
      await slice();
    }
  }
  if (lines.length) pieces.push(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));

  const connection = (await queryRunner.connect()) as {
    query(options: { sql: string; infileStreamFactory: () => Readable }, callback: (error: (Error & { errno?: number }) | null, result: { affectedRows: number; warningStatus: number }) => void): void;
  };
  const sql =
    `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE ${driver.escape(table)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${names})`;
  let result: { affectedRows: number; warningStatus: number };
  try {
    result = await new Promise((resolve, reject) => connection.query({ sql, infileStreamFactory: () => Readable.from(pieces) }, (error, answer) => (error ? reject(error) : resolve(answer))));
  } catch (error) {
    // ER_NOT_ALLOWED_COMMAND, ER_CLIENT_LOCAL_FILES_DISABLED, ER_LOAD_INFILE_CAPABILITY_DISABLED: local_infile is off.
    if ([1148, 3948, 3950].includes((error as { errno?: number }).errno ?? 0)) {
      loadDataRefused.add(dataSource);
      return false;
    }
    throw error;
  }
  if (result.affectedRows !== rows.length || result.warningStatus !== 0) {
    const warnings: Array<{ Message: string }> = await manager.query('SHOW WARNINGS LIMIT 3');
    throw new Error(`LOAD DATA into ${table}: ${result.affectedRows} of ${rows.length} rows, ${result.warningStatus} warnings (${warnings.map((w) => w.Message).join('; ')})`);
  }
  return true;
}
