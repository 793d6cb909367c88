import { DataSource } from 'typeorm';

/**
 * SQL for an exact sum of a DECIMAL(…,2) column in integer cents. SQLite stores DECIMAL as a double and
 * sums doubles, so each value is first rounded back to whole cents; MySQL's DECIMAL arithmetic is exact.
 */
export function sumCentsSql(dataSource: DataSource, column: string): string {
  const integerType = dataSource.options.type === 'better-sqlite3' ? 'INTEGER' : 'SIGNED';
  return `SUM(CAST(ROUND(${column} * 100) AS ${integerType}))`;
}
