/**
 * `crte restore FILE`: puts a backup (backup.service.ts) back into the database DATABASE_URL names.
 *
 * 1. The backup's schema version must be one this code knows: a backup from a newer release is refused
 *    (its rows may need columns this code has never heard of).
 * 2. The target must be empty (no table holds a row); `force` empties it first.
 * 3. The migrations are run up to the backup's version, and every row is written in one transaction (SQLite
 *    checks the foreign keys at its commit; MySQL/MariaDB load with the checks off, the rows being a
 *    consistent copy). The tables' next ids come back too, so that no deleted id is handed out again.
 * 4. Each table is compared with the backup: row count, and (same kind of database) the hash of its rows.
 * 5. The migrations the backup did not have yet run now, on the restored rows.
 */
import { mkdirSync, openSync, readSync, closeSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource, QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { DatabaseConfig } from '../config';
import { buildDataSourceOptions, detectFlavour } from '../db/data-source';
import { backupKind, BackupFileError, BackupSource, MigrationRecord, openDumpSource, sourceTable } from './backup-file';
import { readMigrations } from './backup.service';
import {
  ColumnInfo,
  Dialect,
  insertableValue,
  openMysqlConnection,
  openSqliteReader,
  openTableReader,
  quoteMysql,
  quoteSqlite,
  rowLine,
  TableDigest,
  tableDigest,
  TableInfo,
} from './table-reader';
import { createHash } from 'node:crypto';

export interface RestoreOptions {
  /** Empty a target that holds data instead of refusing it. */
  force?: boolean;
}

export interface RestoreSummary {
  file: string;
  format: 'sqlite' | 'dump';
  durationMs: number;
  /** The schema version of the backup. */
  backupMigration: string;
  /** Migrations run after the rows were restored (the backup was older than the code). */
  appliedMigrations: string[];
  tables: Array<{ name: string; rows: number }>;
  /** How the restored tables were compared with the backup. */
  verified: 'checksum' | 'count';
}

/** A restore that must not go ahead: the message says why, in French. */
export class RestoreRefusal extends Error {}

/** Bytes of parameters per INSERT: well under MySQL's max_allowed_packet (16 MB by default) once escaped. */
const INSERT_BYTES = 2 * 1024 * 1024;

export async function restoreDatabase(config: DatabaseConfig, file: string, options: RestoreOptions = {}): Promise<RestoreSummary> {
  const started = Date.now();
  const format = readBackupKind(file);
  const source = format === 'sqlite' ? await openSqliteFileSource(file) : await openDumpSource(file);
  try {
    const version = checkVersion(source.migrations);
    const target = await detectFlavour(config);
    await prepareTarget(target, options.force ?? false);

    // The schema exactly as the backup knew it: its rows fit it column for column.
    const dataSource = new DataSource({ ...buildDataSourceOptions(target), migrations: MIGRATIONS.slice(0, version) });
    await dataSource.initialize();
    let loaded: LoadedTable[];
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      loaded = await loadRows(dataSource, source);
    } finally {
      await dataSource.destroy();
    }
    const targetDialect: Dialect = target.type === 'sqlite' ? 'sqlite' : 'mysql';
    const verified = await verify(target, loaded, source.dialect === targetDialect);

    const upgraded = new DataSource(buildDataSourceOptions(target));
    await upgraded.initialize();
    let applied: string[];
    try {
      applied = (await upgraded.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
    } finally {
      await upgraded.destroy();
    }
    return {
      file,
      format,
      durationMs: Date.now() - started,
      backupMigration: source.migrations[source.migrations.length - 1].name,
      appliedMigrations: applied,
      tables: loaded.map((table) => ({ name: table.info.name, rows: table.digest.rows })),
      verified,
    };
  } finally {
    await source.close();
  }
}

function readBackupKind(file: string): 'sqlite' | 'dump' {
  if (!existsSync(file)) throw new RestoreRefusal(`Le fichier ${file} n’existe pas.`);
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(16);
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  const kind = backupKind(head);
  if (!kind) throw new RestoreRefusal(`${file} n’est pas une sauvegarde de crte (ni une base SQLite, ni une sauvegarde MySQL/MariaDB compressée).`);
  return kind;
}

/** How many of the code's migrations the backup had run; refuses a backup the code cannot take. */
function checkVersion(backup: MigrationRecord[], code: string[] = MIGRATIONS.map((migration) => new migration().name!)): number {
  if (!backup.length) throw new RestoreRefusal('La sauvegarde ne contient aucune migration : ce n’est pas une base de crte, ou elle n’a jamais été initialisée.');
  const unknown = backup.find((migration) => !code.includes(migration.name));
  if (unknown) {
    throw new RestoreRefusal(
      `La sauvegarde vient d’une version plus récente de l’application (migration « ${unknown.name} » inconnue de celle-ci) : restaurez-la avec la version qui l’a faite, ou une plus récente.`,
    );
  }
  backup.forEach((migration, i) => {
    if (code[i] !== migration.name) {
      throw new RestoreRefusal(`Les migrations de la sauvegarde ne suivent pas celles de l’application (« ${migration.name} » à la place de « ${code[i]} »).`);
    }
  });
  return backup.length;
}

// ---------------------------------------------------------------------------------------------------
// Sources

/** A SQLite backup file read table by table, hashing what it reads (the same lines a dump would hold). */
async function openSqliteFileSource(path: string): Promise<BackupSource> {
  const reader = openSqliteReader(path, { readonly: true });
  const migrations = await readMigrations(reader);
  return {
    dialect: 'sqlite',
    migrations,
    async *tables() {
      for (const info of await reader.tables()) {
        const hash = createHash('sha256');
        let count = 0;
        let digest: TableDigest | null = null;
        async function* rows(): AsyncGenerator<unknown[]> {
          for await (const row of reader.rows(info)) {
            hash.update(rowLine(row) + '\n');
            count++;
            yield row;
          }
          digest = { rows: count, sha256: hash.digest('hex') };
        }
        const table = sourceTable(info, rows(), () => digest);
        yield table;
      }
    },
    close: () => reader.close(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Target

/** Creates a missing MySQL database; refuses (or, forced, empties) a target that holds rows. */
async function prepareTarget(target: DatabaseConfig, force: boolean): Promise<void> {
  if (target.type === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    if (!existsSync(target.path)) return;
    const db = new Database(target.path);
    try {
      db.pragma('busy_timeout = 5000');
      const objects = db.prepare(`SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`).all() as Array<{ type: string; name: string }>;
      const tables = objects.filter((object) => object.type === 'table').map((object) => object.name);
      const filled = tables.find((name) => name !== 'migrations' && db.prepare(`SELECT 1 FROM ${quoteSqlite(name)} LIMIT 1`).get() !== undefined);
      if (filled && !force) throw nonEmpty(filled);
      db.pragma('foreign_keys = OFF');
      db.transaction(() => {
        for (const object of objects.filter((o) => o.type === 'view')) db.exec(`DROP VIEW ${quoteSqlite(object.name)}`);
        for (const name of tables) db.exec(`DROP TABLE ${quoteSqlite(name)}`);
        const hasSequence = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get();
        if (hasSequence) db.exec('DELETE FROM sqlite_sequence');
      })();
    } finally {
      db.close();
    }
    return;
  }
  const server = openMysqlConnection(target, null).promise();
  try {
    await server.query(`CREATE DATABASE IF NOT EXISTS ${quoteMysql(target.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await server.query(`USE ${quoteMysql(target.database)}`);
    const [objects] = (await server.query(
      `SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`,
    )) as unknown as [Array<{ name: string; type: string }>];
    const tables = objects.filter((object) => object.type === 'BASE TABLE').map((object) => object.name);
    for (const name of tables) {
      if (name === 'migrations') continue;
      const [rows] = (await server.query(`SELECT 1 FROM ${quoteMysql(name)} LIMIT 1`)) as unknown as [unknown[]];
      if (rows.length && !force) throw nonEmpty(name);
    }
    await server.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const object of objects.filter((o) => o.type === 'VIEW')) await server.query(`DROP VIEW ${quoteMysql(object.name)}`);
    for (const name of tables) await server.query(`DROP TABLE ${quoteMysql(name)}`);
  } finally {
    await server.end();
  }
}

function nonEmpty(table: string): RestoreRefusal {
  return new RestoreRefusal(
    `La base cible contient déjà des données (table ${table}) : la restauration les remplacerait. Restaurez dans une base vide, ou ajoutez --force pour l’effacer d’abord.`,
  );
}

interface LoadedTable {
  info: TableInfo;
  digest: TableDigest;
}

/** Every row of the backup in one transaction; then the next ids. */
async function loadRows(dataSource: DataSource, source: BackupSource): Promise<LoadedTable[]> {
  const sqlite = dataSource.options.type === 'better-sqlite3';
  const quote = sqlite ? quoteSqlite : quoteMysql;
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const loaded: LoadedTable[] = [];
  try {
    // Tables come in name order, not in the order of their foreign keys (which have cycles).
    if (!sqlite) await runner.query('SET FOREIGN_KEY_CHECKS = 0');
    await runner.startTransaction();
    try {
      if (sqlite) await runner.query('PRAGMA defer_foreign_keys = ON');
      for await (const table of source.tables()) {
        const { info } = table;
        if (info.name === 'migrations') {
          // Already written by the migrations just run, which are the backup's own (checkVersion).
          for await (const _row of table.rows) void _row;
          loaded.push({ info, digest: table.digest() });
          continue;
        }
        await checkColumns(runner, info);
        await insertRows(runner, quote, info, table.rows);
        loaded.push({ info, digest: table.digest() });
        if (sqlite && info.nextId !== null) {
          await runner.query('DELETE FROM sqlite_sequence WHERE name = ?', [info.name]);
          await runner.query('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', [info.name, info.nextId - 1]);
        }
      }
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      if (error instanceof Error && /FOREIGN KEY constraint failed/.test(error.message)) {
        throw new BackupFileError('La sauvegarde est incohérente : une ligne désigne une ligne absente (clé étrangère). Rien n’a été restauré.');
      }
      throw error;
    }
    if (!sqlite) {
      // After the commit: ALTER TABLE would commit the rows' transaction half-way.
      for (const { info } of loaded) {
        if (info.nextId !== null && info.name !== 'migrations') await runner.query(`ALTER TABLE ${quote(info.name)} AUTO_INCREMENT = ${Number(info.nextId)}`);
      }
    }
  } finally {
    if (!sqlite) await runner.query('SET FOREIGN_KEY_CHECKS = 1').catch(() => undefined);
    await runner.release();
  }
  return loaded;
}

async function checkColumns(runner: QueryRunner, info: TableInfo): Promise<void> {
  const target = await runner.getTable(info.name);
  if (!target) throw new BackupFileError(`La table ${info.name} de la sauvegarde n’existe pas dans le schéma de sa version.`);
  const missing = info.columns.filter((column) => !target.columns.some((existing) => existing.name === column.name));
  if (missing.length) throw new BackupFileError(`La table ${info.name} de la sauvegarde a des colonnes inconnues : ${missing.map((c) => c.name).join(', ')}.`);
}

async function insertRows(runner: QueryRunner, quote: (name: string) => string, info: TableInfo, rows: AsyncIterable<unknown[]>): Promise<void> {
  const columns = info.columns;
  // Under SQLite's 32 766 and MySQL's 65 535 placeholders per statement.
  const perStatement = Math.max(1, Math.min(500, Math.floor(30_000 / columns.length)));
  const head = `INSERT INTO ${quote(info.name)} (${columns.map((c) => quote(c.name)).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  let batch: unknown[][] = [];
  let bytes = 0;
  const flush = async () => {
    if (!batch.length) return;
    await runner.query(head + batch.map(() => tuple).join(', '), batch.flat());
    batch = [];
    bytes = 0;
  };
  for await (const row of rows) {
    const values = row.map((value, i) => insertableValue(value, columns[i]));
    for (const value of values) bytes += typeof value === 'string' ? value.length : Buffer.isBuffer(value) ? value.length : 8;
    batch.push(values);
    if (batch.length >= perStatement || bytes >= INSERT_BYTES) await flush();
  }
  await flush();
}

/** Reads the restored tables back and compares them with the backup. */
async function verify(target: DatabaseConfig, loaded: LoadedTable[], sameDialect: boolean): Promise<'checksum' | 'count'> {
  const reader = await openTableReader(target);
  try {
    const tables = new Map((await reader.tables()).map((table) => [table.name, table]));
    for (const { info, digest } of loaded) {
      const restored = tables.get(info.name)!;
      const columns: ColumnInfo[] = info.columns.map((column) => restored.columns.find((c) => c.name === column.name)!);
      if (sameDialect) {
        const actual = await tableDigest(reader, restored, columns);
        if (actual.rows !== digest.rows || actual.sha256 !== digest.sha256) {
          throw new Error(`Vérification échouée : la table ${info.name} restaurée (${actual.rows} lignes) diffère de la sauvegarde (${digest.rows} lignes).`);
        }
      } else {
        const rows = await reader.count(restored);
        if (rows !== digest.rows) throw new Error(`Vérification échouée : ${rows} lignes restaurées dans ${info.name}, ${digest.rows} dans la sauvegarde.`);
      }
    }
  } finally {
    await reader.close();
  }
  return sameDialect ? 'checksum' : 'count';
}
