import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, createConnection } from 'mysql2/promise';
import { DatabaseConfig } from '../../src/config';
import { openDataSource } from '../../src/db/data-source';

/**
 * A migrated, empty database built once per jest run (test/support/global-setup.ts) that each test file's
 * database is copied from, instead of running the migrations again for every file: SQLite copies the
 * file; MariaDB/MySQL recreates each table from SHOW CREATE TABLE (as mysqldump does: columns, indexes,
 * foreign keys, AUTO_INCREMENT), each view from SHOW CREATE VIEW, and copies the rows the migrations wrote
 * (the `migrations` table). test/db/database-template.test.ts checks a copy against a migrated database.
 */
export const TEMPLATE_ENV = 'CRTE_TEST_DATABASE_TEMPLATE';

type MysqlConfig = Extract<DatabaseConfig, { type: 'mysql' }>;

/** Migrates a new template database; returns what TEMPLATE_ENV holds: the SQLite file's path, or the database's name. */
export async function buildTemplate(base: DatabaseConfig): Promise<string> {
  let config: DatabaseConfig;
  let template: string;
  if (base.type === 'sqlite') {
    template = join(mkdtempSync(join(tmpdir(), 'crte-template-')), 'template.sqlite');
    config = { type: 'sqlite', path: template };
  } else {
    template = `${base.database}_tpl${randomBytes(4).toString('hex')}`.slice(0, 64);
    await withAdmin(base, (admin) => admin.query(`CREATE DATABASE \`${template}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
    config = { ...base, database: template };
  }
  const dataSource = await openDataSource(config);
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    // The copy must be the whole database: the WAL's frames go back into the file before it is copied.
    if (base.type === 'sqlite') await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    await dataSource.destroy();
  }
  return template;
}

export async function dropTemplate(base: DatabaseConfig, template: string): Promise<void> {
  if (base.type === 'sqlite') rmSync(join(template, '..'), { recursive: true, force: true });
  else await withAdmin(base, (admin) => admin.query(`DROP DATABASE IF EXISTS \`${template}\``));
}

/** Fills `target` (a new SQLite path, or an existing empty MariaDB/MySQL database) from the template. */
export async function copyTemplate(template: string, target: DatabaseConfig): Promise<void> {
  if (target.type === 'sqlite') {
    copyFileSync(template, target.path);
    return;
  }
  const connection = await createConnection({ host: target.host, port: target.port, user: target.username, password: target.password, database: target.database, multipleStatements: false });
  try {
    await connection.query('SET FOREIGN_KEY_CHECKS = 0');
    const [objects] = await connection.query('SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [template]);
    const all = objects as Array<{ name: string; type: string }>;
    const tables = all.filter((object) => object.type === 'BASE TABLE').map((object) => object.name);
    for (const table of tables) {
      const [rows] = await connection.query(`SHOW CREATE TABLE \`${template}\`.\`${table}\``);
      // Foreign keys to tables of the same database are written without its name: they point into the copy.
      await connection.query((rows as Array<Record<string, string>>)[0]['Create Table']);
      const [count] = await connection.query(`SELECT EXISTS (SELECT 1 FROM \`${template}\`.\`${table}\`) AS filled`);
      if (Number((count as Array<{ filled: number }>)[0].filled)) await connection.query(`INSERT INTO \`${table}\` SELECT * FROM \`${template}\`.\`${table}\``);
    }
    // A view names its tables with the template's name: dropped, they resolve in the copy. A view that
    // reads another view waits for it (created on a later pass).
    let views = all.filter((object) => object.type === 'VIEW').map((object) => object.name);
    while (views.length > 0) {
      const failed: string[] = [];
      let lastError: unknown = null;
      for (const view of views) {
        const [rows] = await connection.query(`SHOW CREATE VIEW \`${template}\`.\`${view}\``);
        const statement = (rows as Array<Record<string, string>>)[0]['Create View'].split(`\`${template}\`.`).join('');
        try {
          await connection.query(statement);
        } catch (error) {
          failed.push(view);
          lastError = error;
        }
      }
      if (failed.length === views.length) throw lastError;
      views = failed;
    }
  } finally {
    await connection.end();
  }
}

async function withAdmin<T>(base: MysqlConfig, work: (admin: Connection) => Promise<T>): Promise<T> {
  const admin = await createConnection({ host: base.host, port: base.port, user: base.username, password: base.password });
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
