import { DataSource } from 'typeorm';

/**
 * Reverts the last migration in one transaction, safely on data. TypeORM's undoLastMigration turns SQLite's
 * foreign keys off inside its transaction, where SQLite ignores the pragma: a `down` that rebuilds a table
 * (dropping a column with a foreign key) then fails on a RESTRICT, or, worse, lets the DROP TABLE of the
 * rebuild cascade into the rows of other tables. Here they are off before the transaction, checked before
 * its commit (no row may point at nothing), and back on after. MySQL/MariaDB need none of this.
 * Returns the name of the migration reverted, or null when none was left.
 */
export async function revertLastMigration(dataSource: DataSource): Promise<string | null> {
  const before = await executedMigrations(dataSource);
  if (dataSource.options.type !== 'better-sqlite3') {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } else {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('PRAGMA foreign_keys = OFF');
      await runner.startTransaction();
      try {
        await dataSource.undoLastMigration({ transaction: 'none' });
        const orphans: Array<{ table: string; parent: string }> = await runner.query('PRAGMA foreign_key_check');
        if (orphans.length) throw new Error(`Migration non annulée : ${orphans.length} lignes de ${orphans[0].table} désigneraient des lignes absentes de ${orphans[0].parent}.`);
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
    } finally {
      await runner.query('PRAGMA foreign_keys = ON');
      await runner.release();
    }
  }
  const after = await executedMigrations(dataSource);
  return before.length > after.length ? before[before.length - 1] : null;
}

async function executedMigrations(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> = await dataSource.query('SELECT name FROM migrations ORDER BY timestamp');
  return rows.map((row) => row.name);
}
