import { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Selects an entity's own columns (no relation) under `alias` into a raw query, and returns the reader
 * that turns a raw row back into an instance of the entity — each value converted as TypeORM
 * would (value transformers, dates, booleans) — without building entities: for lists of tens of
 * thousands of lines, entity hydration and its garbage were most of a nested query's time
 * (bench:reports). A left-joined alias whose id is NULL reads as null.
 */
export function selectOwnColumns<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  query: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  options: { first?: boolean } = {},
): (row: Record<string, unknown>) => T | null {
  const columns = dataSource.getMetadata(entity).columns.filter((column) => !column.isVirtual);
  return selectColumns(dataSource, entity, query, alias, columns, options);
}

/**
 * The same for some of the entity's columns (its primary key among them): the instance has only those
 * properties, so it must only meet code that reads those.
 */
export function selectColumns<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  query: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  columns: readonly ColumnMetadata[],
  options: { first?: boolean } = {},
): (row: Record<string, unknown>) => T | null {
  const metadata = dataSource.getMetadata(entity);
  // Instances of the entity's class, not plain objects: type-graphql copies a @Root() that is not an
  // instance of its declared class into a new one, at every field resolver call.
  const prototype = (metadata.target as { prototype: object }).prototype;
  const key = (databaseName: string) => `${alias}__${databaseName}`;
  columns.forEach((column, i) => {
    if (i === 0 && options.first) query.select(`${alias}.${column.databaseName}`, key(column.databaseName));
    else query.addSelect(`${alias}.${column.databaseName}`, key(column.databaseName));
  });
  const driver = dataSource.driver;
  // Keys built once, not per row and column.
  const keys = columns.map((column) => key(column.databaseName));
  const primaryKey = key(columns.find((column) => column.isPrimary)!.databaseName);
  return (row) => {
    if (row[primaryKey] === null || row[primaryKey] === undefined) return null;
    const object = Object.create(prototype) as Record<string, unknown>;
    for (let i = 0; i < columns.length; i++) object[columns[i].propertyName] = driver.prepareHydratedValue(row[keys[i]], columns[i]);
    return object as T;
  };
}
