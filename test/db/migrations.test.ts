import { MIGRATIONS } from '../../migrations';
import { createTestDatabase, TestDatabase, TEST_DATABASE_TYPE } from '../support/database';

/** The schema the entities describe, as SQL that would still have to run on the migrated database. */
async function pendingSchemaChanges(db: TestDatabase): Promise<string[]> {
  const sql = await db.dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}

async function tableNames(db: TestDatabase): Promise<string[]> {
  const rows: Array<{ name: string }> =
    db.config.type === 'sqlite'
      ? await db.dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      : // Base tables only: the BI views are checked by test/db/bi-views.test.ts.
        await db.dataSource.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`);
  return rows.map((row) => row.name).filter((name) => name !== 'migrations' && name !== 'sqlite_sequence').sort();
}

describe(`migrations on ${TEST_DATABASE_TYPE}`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db?.drop());

  it('run up, down and up again, and leave nothing for the entities to change', async () => {
    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await pendingSchemaChanges(db)).toEqual([]);
    const tablesAfterFirstUp = await tableNames(db);
    expect(tablesAfterFirstUp).toEqual(
      [
        'action',
        'action_commune',
        'api_token',
        'audit_event',
        'axis',
        'contract',
        'contract_data_version',
        'contract_party',
        'funding',
        'import_batch',
        'import_file_chunk',
        'import_issue',
        'indicator',
        'indicator_value',
        'organisation',
        'organisation_alias',
        'orientation',
        'programme',
        'relance_amount',
        'relance_measure',
        'saved_report',
      ].sort(),
    );

    for (let i = 0; i < MIGRATIONS.length; i++) await db.dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tableNames(db)).toEqual([]);

    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await tableNames(db)).toEqual(tablesAfterFirstUp);
    expect(await pendingSchemaChanges(db)).toEqual([]);
  });
});
