import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource, Logger } from 'typeorm';
import { DatabaseConfig, parseDatabaseUrl } from '../../src/config';
import { openDataSource } from '../../src/db/data-source';
import { copyTemplate, TEMPLATE_ENV } from './database-template';

/**
 * Every test file gets its own database: a temporary SQLite file, or a fresh MariaDB/MySQL database
 * on the server that DATABASE_URL names (the test run fails, never skips, when that server is down).
 * A migrated database is a copy of the run's template (test/support/database-template.ts) when jest's
 * global setup built one; the migrations then find nothing to do.
 */
export const TEST_DATABASE_URL = process.env.DATABASE_URL || 'sqlite:./data/test.sqlite';
export const TEST_DATABASE_TYPE = parseDatabaseUrl(TEST_DATABASE_URL).type;

export interface TestDatabase {
  config: DatabaseConfig;
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { migrate?: boolean; logger?: Logger } = {}): Promise<TestDatabase> {
  const base = parseDatabaseUrl(TEST_DATABASE_URL);
  let config: DatabaseConfig;
  let url: string;
  let cleanup: () => Promise<void>;
  if (base.type === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'crte-test-'));
    config = { type: 'sqlite', path: join(dir, 'crte.sqlite') };
    url = `sqlite:${config.path}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `${base.database}_t${randomBytes(4).toString('hex')}`.slice(0, 64);
    const admin = await createConnection({ host: base.host, port: base.port, user: base.username, password: base.password });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    config = { ...base, database: name };
    const credentials = base.password ? `${encodeURIComponent(base.username)}:${encodeURIComponent(base.password)}` : encodeURIComponent(base.username);
    url = `mysql://${credentials}@${base.host}:${base.port}/${name}`;
    cleanup = async () => {
      const conn = await createConnection({ host: base.host, port: base.port, user: base.username, password: base.password });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    };
  }
  const template = process.env[TEMPLATE_ENV];
  if (options.migrate !== false && template) await copyTemplate(template, config);
  const dataSource = await openDataSource(config, { logger: options.logger });
  if (options.migrate !== false) await dataSource.runMigrations({ transaction: 'each' });
  return {
    config,
    url,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await cleanup();
    },
  };
}
