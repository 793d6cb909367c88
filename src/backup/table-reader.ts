/**
 * Reads every base table of a database as canonical rows: the form a backup stores and a restore writes
 * back, the same whichever database it came from.
 *
 * - NULL is null; integers are numbers; DECIMALs are exact strings at their column's scale ("1500.00":
 *   mysql2 gives them so, SQLite's doubles are formatted at the scale, which recovers the stored value);
 * - dates and times are the database's own text (mysql2 with `dateStrings`: no time zone conversion);
 * - BLOBs are base64; text is text (utf8mb4 on MySQL/MariaDB: emoji included).
 *
 * Rows come in primary-key order, streamed (better-sqlite3's iterate, a mysql2 query stream): memory holds a
 * row at a time, not a table.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { Connection, createConnection } from 'mysql2';
import { DatabaseConfig } from '../config';

export type Dialect = 'sqlite' | 'mysql';
export type ColumnKind = 'int' | 'decimal' | 'text' | 'blob' | 'datetime' | 'date' | 'other';

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** DECIMAL only: digits after the point. */
  scale?: number;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** The id the table's next insert would get (AUTO_INCREMENT, sqlite_sequence + 1); null without one. */
  nextId: number | null;
}

export interface TableReader {
  readonly dialect: Dialect;
  /** Base tables (no views, no SQLite internals other than what nextId reads), by name; `migrations` included. */
  tables(): Promise<TableInfo[]>;
  /** The table's rows, canonical, in primary-key order; `columns` restricts them (default: every column). */
  rows(table: TableInfo, columns?: ColumnInfo[]): AsyncIterable<unknown[]>;
  count(table: TableInfo): Promise<number>;
  close(): Promise<void>;
}

/** A column's kind from its declared type (SQLite's declaration or MySQL's DATA_TYPE). */
function columnKind(declared: string): { kind: ColumnKind; scale?: number } {
  const type = declared.trim().toLowerCase();
  const decimal = /^(decimal|numeric)\s*(?:\(\s*\d+\s*(?:,\s*(\d+)\s*)?\))?/.exec(type);
  if (decimal) return { kind: 'decimal', scale: decimal[2] === undefined ? 0 : Number(decimal[2]) };
  if (/int|^bool/.test(type)) return { kind: 'int' };
  if (/blob|binary/.test(type)) return { kind: 'blob' };
  if (/^(datetime|timestamp)/.test(type)) return { kind: 'datetime' };
  if (/^date$/.test(type)) return { kind: 'date' };
  if (/char|text|clob|enum|json/.test(type)) return { kind: 'text' };
  return { kind: 'other' };
}

/** One value in its canonical form (see the file's comment). */
function canonicalValue(value: unknown, column: ColumnInfo): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  switch (column.kind) {
    case 'int':
      if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
      if (typeof value === 'string' && /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
      return value;
    case 'decimal':
      if (typeof value === 'number') return value.toFixed(column.scale ?? 0);
      if (typeof value === 'bigint') return column.scale ? `${value}.${'0'.repeat(column.scale)}` : value.toString();
      return String(value);
    case 'datetime':
    case 'date':
    case 'text':
      return value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : value;
    default:
      return typeof value === 'bigint' ? value.toString() : value;
  }
}

/** A canonical value as the parameter an INSERT binds. */
export function insertableValue(value: unknown, column: ColumnInfo): unknown {
  if (value === null || value === undefined) return null;
  if (column.kind === 'blob' && typeof value === 'string') return Buffer.from(value, 'base64');
  return value;
}

/** The line a row is stored as (and hashed as): JSON of its canonical values. */
export function rowLine(row: unknown[]): string {
  return JSON.stringify(row);
}

export interface TableDigest {
  rows: number;
  sha256: string;
}

/** Counts a table's rows and hashes their lines, in primary-key order: two tables with equal digests hold the same rows. */
export async function tableDigest(reader: TableReader, table: TableInfo, columns?: ColumnInfo[]): Promise<TableDigest> {
  const hash = createHash('sha256');
  let rows = 0;
  for await (const row of reader.rows(table, columns)) {
    hash.update(rowLine(row) + '\n');
    rows++;
  }
  return { rows, sha256: hash.digest('hex') };
}

export async function openTableReader(config: DatabaseConfig): Promise<TableReader> {
  return config.type === 'sqlite' ? openSqliteReader(config.path) : openMysqlReader(config);
}

// ---------------------------------------------------------------------------------------------------
// SQLite

const quoteSqlite = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function openSqliteReader(path: string, options: { readonly?: boolean } = {}): TableReader {
  const db = new Database(path, { fileMustExist: true, readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  return sqliteReader(db, true);
}

function sqliteReader(db: Database.Database, owned: boolean): TableReader {
  return {
    dialect: 'sqlite',
    async tables() {
      const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).pluck().all() as string[];
      const hasSequence = (db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'`).pluck().get() as number) > 0;
      return names.map((name) => {
        const info = db.prepare(`PRAGMA table_info(${quoteSqlite(name)})`).all() as Array<{ name: string; type: string; pk: number }>;
        const columns = info.map((column) => ({ name: column.name, ...columnKind(column.type) }));
        const primaryKey = info
          .filter((column) => column.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((column) => column.name);
        const seq = hasSequence ? (db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(name) as number | undefined) : undefined;
        return { name, columns, primaryKey, nextId: seq === undefined ? null : Number(seq) + 1 };
      });
    },
    async *rows(table, columns = table.columns) {
      const order = (table.primaryKey.length ? table.primaryKey : ['rowid']).map(quoteSqlite).join(', ');
      const statement = db.prepare(`SELECT ${columns.map((c) => quoteSqlite(c.name)).join(', ')} FROM ${quoteSqlite(table.name)} ORDER BY ${order}`).raw(true);
      for (const raw of statement.iterate() as Iterable<unknown[]>) yield raw.map((value, i) => canonicalValue(value, columns[i]));
    },
    async count(table) {
      return Number(db.prepare(`SELECT COUNT(*) FROM ${quoteSqlite(table.name)}`).pluck().get());
    },
    async close() {
      if (owned && db.open) db.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// MySQL / MariaDB

const quoteMysql = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** A connection that reads values as they are stored: dates as text, DECIMAL and BIGINT as strings, utf8mb4. */
export function openMysqlConnection(config: Extract<DatabaseConfig, { type: 'mysql' }>, database: string | null = config.database): Connection {
  return createConnection({
    host: config.host,
    port: config.port,
    user: config.username,
    password: config.password,
    ...(database ? { database } : {}),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
  });
}

async function openMysqlReader(config: Extract<DatabaseConfig, { type: 'mysql' }>): Promise<TableReader> {
  const connection = openMysqlConnection(config);
  await connection.promise().connect();
  return mysqlReader(connection);
}

export function mysqlReader(connection: Connection): TableReader {
  const query = async <T>(sql: string, params: unknown[] = []) => (await connection.promise().query(sql, params))[0] as T;
  return {
    dialect: 'mysql',
    async tables() {
      try {
        // MySQL 8 caches AUTO_INCREMENT in information_schema for a day by default; MariaDB has no such cache.
        await query('SET SESSION information_schema_stats_expiry = 0');
      } catch {
        // MariaDB
      }
      const tables = await query<Array<{ name: string; nextId: string | number | null }>>(
        `SELECT TABLE_NAME AS name, AUTO_INCREMENT AS nextId FROM information_schema.TABLES
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
      );
      const columns = await query<Array<{ tableName: string; name: string; type: string; scale: number | null }>>(
        `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, COLUMN_TYPE AS type, NUMERIC_SCALE AS scale FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      );
      const keys = await query<Array<{ tableName: string; name: string }>>(
        `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
          WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      );
      return tables.map(({ name, nextId }) => ({
        name,
        columns: columns.filter((column) => column.tableName === name).map((column) => ({ name: column.name, ...columnKind(column.type) })),
        primaryKey: keys.filter((key) => key.tableName === name).map((key) => key.name),
        nextId: nextId === null ? null : Number(nextId),
      }));
    },
    async *rows(table, columns = table.columns) {
      const order = table.primaryKey.length ? ` ORDER BY ${table.primaryKey.map(quoteMysql).join(', ')}` : '';
      const sql = `SELECT ${columns.map((c) => quoteMysql(c.name)).join(', ')} FROM ${quoteMysql(table.name)}${order}`;
      // A stream pauses the connection while the consumer is busy: backpressure down to the server.
      const stream = connection.query({ sql, rowsAsArray: true }).stream({ highWaterMark: 256 });
      for await (const raw of stream as AsyncIterable<unknown[]>) yield raw.map((value, i) => canonicalValue(value, columns[i]));
    },
    async count(table) {
      return Number((await query<Array<{ n: number | string }>>(`SELECT COUNT(*) AS n FROM ${quoteMysql(table.name)}`))[0].n);
    },
    async close() {
      await connection.promise().end();
    },
  };
}

export { quoteMysql, quoteSqlite };
