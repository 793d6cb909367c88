import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Stays under SQLite's 32 766 and MySQL's 65 535 placeholders. */
const MAX_PARAMETERS = 30_000;

/**
 * Plain multi-row INSERTs for imports of tens of thousands of rows: the query builder's per-row work
 * costs several times what the database does. Values go through the driver's own conversion (dates,
 * booleans) so that they read back exactly as if TypeORM had written them; no transformer runs, so
 * money must already be a canonical decimal string.
 */
export async function bulkInsert<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: Array<Partial<T>>,
  options: { maxRowsPerStatement?: number } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  // Columns that are empty on every row are left to their default (NULL): less to send and to parse.
  const properties = Object.keys(rows[0]).filter(
    (property) => metadata.findColumnWithPropertyName(property) && rows.some((row) => row[property] !== null && row[property] !== undefined),
  );
  const columns = properties.map((property) => metadata.findColumnWithPropertyName(property)!);
  const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  const rowPlaceholder = `(${columns.map(() => '?').join(', ')})`;
  const chunkSize = Math.max(1, Math.min(Math.floor(MAX_PARAMETERS / columns.length), options.maxRowsPerStatement ?? Infinity));
  // Many columns repeat one value on every row (the batch, the contract, the time): convert it once.
  const lastValue: unknown[] = new Array(columns.length).fill(Symbol('none'));
  const lastPrepared: unknown[] = new Array(columns.length);
  const sql = (count: number) => `INSERT INTO ${driver.escape(metadata.tableName)} (${names}) VALUES ${new Array(count).fill(rowPlaceholder).join(', ')}`;
  for (let start = 0; start < rows.length; start += chunkSize) {
    const end = Math.min(rows.length, start + chunkSize);
    const parameters: unknown[] = [];
    for (let r = start; r < end; r++) {
      const row = rows[r];
      for (let i = 0; i < columns.length; i++) {
        const value = row[properties[i]];
        if (value !== lastValue[i]) {
          lastValue[i] = value;
          lastPrepared[i] = value === undefined || value === null ? null : driver.preparePersistentValue(value, columns[i]);
        }
        parameters.push(lastPrepared[i]);
      }
    }
    await manager.query(sql(end - start), parameters);
  }
}
