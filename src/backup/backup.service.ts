/**
 * `crte backup FILE`: a consistent copy of the whole database, taken while the server runs and imports apply.
 *
 * - SQLite: the online backup API (better-sqlite3's `db.backup()`): a SQLite file, page by page, which
 *   restarts by itself if another connection writes meanwhile, so the copy is of one committed state.
 * - MySQL/MariaDB: one REPEATABLE READ transaction `WITH CONSISTENT SNAPSHOT` reads every table, so an
 *   import committed during the dump is in it entirely or not at all; rows are streamed into a gzip of JSON
 *   lines (backup-file.ts), never a whole table in memory.
 *
 * The file is written next to FILE under a temporary name and renamed once complete: FILE is always a
 * whole backup (the previous one stays until then).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createWriteStream, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import { DatabaseConfig } from '../config';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DumpHeader, MigrationRecord } from './backup-file';
import { mysqlReader, openMysqlConnection, openSqliteReader, rowLine, TableReader } from './table-reader';

export interface BackupSummary {
  file: string;
  format: 'sqlite' | 'dump';
  bytes: number;
  durationMs: number;
  /** The schema version: the last migration the database had run. */
  migration: string | null;
  tables: Array<{ name: string; rows: number }>;
}

export interface BackupOptions {
  /** Called after each table of a dump is written (progress; tests use it to write between two tables). */
  onTable?: (table: { name: string; rows: number }) => void | Promise<void>;
}

export async function backupDatabase(config: DatabaseConfig, file: string, options: BackupOptions = {}): Promise<BackupSummary> {
  const started = Date.now();
  const partial = join(dirname(file), `.${basename(file)}.partial-${process.pid}`);
  rmSync(partial, { force: true });
  try {
    const result = config.type === 'sqlite' ? await backupSqlite(config.path, partial) : await dumpMysql(config, partial, options);
    syncFile(partial);
    renameSync(partial, file);
    return { file, bytes: statSync(file).size, durationMs: Date.now() - started, ...result };
  } finally {
    rmSync(partial, { force: true });
  }
}

async function backupSqlite(path: string, target: string): Promise<Omit<BackupSummary, 'file' | 'bytes' | 'durationMs'>> {
  if (!existsSync(path)) throw new Error(`La base SQLite ${path} n’existe pas : rien à sauvegarder.`);
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(target);
  } finally {
    db.close();
  }
  // The copy is checked and counted from the file itself: what a restore will read.
  const copy = new Database(target, { fileMustExist: true });
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`La copie SQLite est endommagée (${String(check)}).`);
    copy.pragma('journal_mode = DELETE'); // one self-contained file, no -wal beside it
  } finally {
    copy.close();
  }
  const reader = openSqliteReader(target, { readonly: true });
  try {
    const tables = await reader.tables();
    const counted = [];
    for (const table of tables) counted.push({ name: table.name, rows: await reader.count(table) });
    return { format: 'sqlite', migration: lastMigration(await readMigrations(reader)), tables: counted };
  } finally {
    await reader.close();
  }
}

async function dumpMysql(config: Extract<DatabaseConfig, { type: 'mysql' }>, target: string, options: BackupOptions): Promise<Omit<BackupSummary, 'file' | 'bytes' | 'durationMs'>> {
  const connection = openMysqlConnection(config);
  const db = connection.promise();
  const gzip = createGzip({ level: 6 });
  const output = createWriteStream(target);
  const done = new Promise<void>((resolve, reject) => {
    output.on('finish', resolve);
    output.on('error', reject);
    gzip.on('error', reject);
  });
  done.catch(() => undefined);
  gzip.pipe(output);
  const write = async (line: string) => {
    if (!gzip.write(line + '\n')) await Promise.race([once(gzip, 'drain'), done]);
  };
  try {
    await db.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    // Every read below sees the database as it was at this instant, whatever commits meanwhile.
    await db.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const reader = mysqlReader(connection);
    const [[{ version }]] = (await db.query('SELECT VERSION() AS version')) as unknown as [[{ version: string }]];
    const migrations = await readMigrations(reader);
    const header: DumpHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      dialect: 'mysql',
      server: version,
      migrations,
    };
    await write(JSON.stringify(header));
    const tables = await reader.tables();
    const counted = [];
    for (const table of tables) {
      await write(JSON.stringify({ table: table.name, columns: table.columns, primaryKey: table.primaryKey, nextId: table.nextId }));
      const hash = createHash('sha256');
      let rows = 0;
      for await (const row of reader.rows(table)) {
        const line = rowLine(row);
        hash.update(line + '\n');
        rows++;
        await write(line);
      }
      await write(JSON.stringify({ end: table.name, rows, sha256: hash.digest('hex') }));
      counted.push({ name: table.name, rows });
      await options.onTable?.({ name: table.name, rows });
    }
    await write(JSON.stringify({ end: true, tables: tables.length }));
    await db.query('COMMIT');
    gzip.end();
    await done;
    return { format: 'dump', migration: lastMigration(migrations), tables: counted };
  } catch (error) {
    gzip.destroy();
    output.destroy();
    throw error;
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** The migrations the database has run, oldest first; none when it was never migrated. */
export async function readMigrations(reader: TableReader): Promise<MigrationRecord[]> {
  const table = (await reader.tables()).find((t) => t.name === 'migrations');
  if (!table) return [];
  const columns = ['timestamp', 'name'].map((name) => table.columns.find((c) => c.name === name)!);
  const records: MigrationRecord[] = [];
  for await (const [timestamp, name] of reader.rows(table, columns)) records.push({ timestamp: Number(timestamp), name: String(name) });
  return records.sort((a, b) => a.timestamp - b.timestamp);
}

function lastMigration(migrations: MigrationRecord[]): string | null {
  return migrations.length ? migrations[migrations.length - 1].name : null;
}

/** The backup is on disk before it takes FILE's name: a crash right after leaves a whole file or the old one. */
function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
