import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';
import { TEMPLATE_ENV } from '../support/database-template';

/** Every table, index and view as the database itself would write it again, with the database's own name left out. */
async function schemaOf(db: TestDatabase): Promise<Record<string, string>> {
  const dataSource: DataSource = db.dataSource;
  const objects: Record<string, string> = {};
  if (db.config.type === 'sqlite') {
    for (const row of await dataSource.query("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")) {
      objects[`${row.type} ${row.name}`] = row.sql;
    }
    return objects;
  }
  const name = db.config.database;
  for (const row of await dataSource.query('SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [name])) {
    const view = row.type === 'VIEW';
    const [shown] = await dataSource.query(`SHOW CREATE ${view ? 'VIEW' : 'TABLE'} \`${row.name}\``);
    objects[`${row.type} ${row.name}`] = String(shown[view ? 'Create View' : 'Create Table']).split(`\`${name}\`.`).join('');
  }
  return objects;
}

/**
 * A test file's database is a copy of the run's migrated template (test/support/database-template.ts):
 * it must be the database the migrations build, table for table, index for index, key for key, view
 * for view, with the same migrations recorded.
 */
describe(`the test databases copied from the template on ${TEST_DATABASE_TYPE}`, () => {
  let copied: TestDatabase;
  let migrated: TestDatabase;

  beforeAll(async () => {
    copied = await createTestDatabase();
    migrated = await createTestDatabase({ migrate: false });
    await migrated.dataSource.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await copied?.drop();
    await migrated?.drop();
  });

  it('are copies (the global setup built a template)', () => {
    expect(process.env[TEMPLATE_ENV]).toBeTruthy();
  });

  it('hold the schema the migrations build', async () => {
    const schema = await schemaOf(copied);
    expect(Object.keys(schema).length).toBeGreaterThan(20);
    expect(schema).toEqual(await schemaOf(migrated));
  });

  it('record the same migrations, and have nothing left to run', async () => {
    const names = async (db: TestDatabase) => (await db.dataSource.query('SELECT name FROM migrations ORDER BY id')).map((row: { name: string }) => row.name);
    expect(await names(copied)).toEqual(await names(migrated));
    expect(await copied.dataSource.showMigrations()).toBe(false);
  });

  it('hold no row but the migrations’ own', async () => {
    const counts = async (db: TestDatabase) => ({
      contracts: Number((await db.dataSource.query('SELECT COUNT(*) AS n FROM contract'))[0].n),
      organisations: Number((await db.dataSource.query('SELECT COUNT(*) AS n FROM organisation'))[0].n),
      fundings: Number((await db.dataSource.query('SELECT COUNT(*) AS n FROM funding'))[0].n),
    });
    expect(await counts(copied)).toEqual({ contracts: 0, organisations: 0, fundings: 0 });
  });
});
