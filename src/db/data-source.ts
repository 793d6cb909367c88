import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource, DataSourceOptions, Logger } from 'typeorm';
import { DatabaseConfig } from '../config';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { startCheckpointer } from '../sql/sqlite-checkpointer';
import { installTransactionTurns } from './sqlite-transaction-turns';
import { SQLITE_BUSY_TIMEOUT_MS } from '../sql/sqlite-busy-timeout';

export interface DataSourceExtras {
  /** A logger that sees every statement (tests count them). */
  logger?: Logger;
}

export function buildDataSourceOptions(database: DatabaseConfig, extras: DataSourceExtras = {}): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    // No logging of our own: a failing statement surfaces as an error to the caller (and stdout stays
    // clean for `--json` output); tests pass a logger that counts statements.
    ...(extras.logger ? { logger: extras.logger, logging: ['query' as const] } : { logging: false }),
  };
  if (database.type === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      // WAL lets readers go on while an import writes; foreign keys are off by default in SQLite.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('foreign_keys = ON');
        db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      },
    };
  }
  return {
    ...common,
    type: database.flavour,
    host: database.host,
    port: database.port,
    username: database.username,
    password: database.password,
    database: database.database,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    // DECIMAL and BIGINT stay strings: exact, never floats.
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
}

export function createDataSource(database: DatabaseConfig, extras: DataSourceExtras = {}): DataSource {
  if (database.type === 'sqlite' && database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  return new DataSource(buildDataSourceOptions(database, extras));
}

/** Asks a MySQL-protocol server whether it is MariaDB, whatever the URL's scheme says. */
export async function detectFlavour(database: DatabaseConfig): Promise<DatabaseConfig> {
  if (database.type !== 'mysql') return database;
  const connection = await createConnection({
    host: database.host,
    port: database.port,
    user: database.username,
    password: database.password,
  });
  try {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    const version = String((rows as Array<{ version: string }>)[0].version);
    return { ...database, flavour: /mariadb/i.test(version) ? 'mariadb' : 'mysql' };
  } finally {
    await connection.end();
  }
}

/**
 * Detects the server, connects, and returns an initialised DataSource. On SQLite, its transactions then
 * take turns in the process (sqlite-transaction-turns.ts: one connection, where a transaction begun during
 * another would be a savepoint of it), and WAL checkpoints run on a thread of their own
 * (sqlite-checkpointer.ts), not in the commits.
 */
export async function openDataSource(database: DatabaseConfig, extras: DataSourceExtras = {}): Promise<DataSource> {
  const dataSource = createDataSource(await detectFlavour(database), extras);
  await dataSource.initialize();
  installTransactionTurns(dataSource);
  try {
    await startCheckpointer(dataSource);
  } catch {
    // No second thread: the connection checkpoints in its commits, as SQLite does by default.
  }
  return dataSource;
}
