import { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Reads an entity's columns out of a raw row into an instance of the entity — each value converted as
 * TypeORM would (value transformers, dates, booleans) — without building entities: for lists of tens of
 * thousands of lines, entity hydration and its garbage were most of a nested query's time
 * (bench:reports). A left-joined alias whose id is NULL reads as null. Called with a row as an object
 * (getRawMany); `at(columns)` is the same reader for rows as arrays (src/sql/array-rows.ts), given the
 * statement's column names.
 */
export interface RowReader<T> {
  (row: Record<string, unknown>): T | null;
  at(columns: readonly string[]): (row: readonly unknown[]) => T | null;
}

/** Selects an entity's own columns (no relation) under `alias` into a raw query: see RowReader. */
export function selectOwnColumns<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  query: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  options: { first?: boolean } = {},
): RowReader<T> {
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
  options: { first?: boolean; slots?: readonly string[] } = {},
): RowReader<T> {
  const metadata = dataSource.getMetadata(entity);
  // Instances of the entity's class, not plain objects: type-graphql copies a @Root() that is not an
  // instance of its declared class into a new one, at every field resolver call.
  const prototype = (metadata.target as { prototype: object }).prototype;
  const key = (databaseName: string) => `${alias}__${databaseName}`;
  columns.forEach((column, i) => {
    if (i === 0 && options.first) query.select(`${alias}.${column.databaseName}`, key(column.databaseName));
    else query.addSelect(`${alias}.${column.databaseName}`, key(column.databaseName));
  });
  // Keys and conversions found once, not per row and column.
  const keys = columns.map((column) => key(column.databaseName));
  const hydrate = columns.map((column) => hydrator(dataSource, column));
  const primary = columns.findIndex((column) => column.isPrimary);
  const construct = rowConstructor(prototype, columns.map((column) => column.propertyName), options.slots);
  const reader = ((row: Record<string, unknown>) => {
    if (row[keys[primary]] === null || row[keys[primary]] === undefined) return null;
    return construct(keys.map((name, i) => hydrate[i](row[name]))) as T;
  }) as RowReader<T>;
  reader.at = (names) => {
    const indexes = keys.map((name) => {
      const index = names.indexOf(name);
      if (index < 0) throw new Error(`raw-rows: the statement has no column ${name}`);
      return index;
    });
    const primaryIndex = indexes[primary];
    const values = new Array<unknown>(indexes.length);
    return (row) => {
      if (row[primaryIndex] === null || row[primaryIndex] === undefined) return null;
      for (let i = 0; i < indexes.length; i++) values[i] = hydrate[i](row[indexes[i]]);
      return construct(values) as T;
    };
  };
  return reader;
}

/**
 * A function building an instance of `prototype` with these properties from an array of values: one
 * constructor per entity and set of columns, so that V8 gives its objects one shape, sized for them, their
 * properties in the object (an object made by Object.create and given its properties one by one grows
 * through shapes, and past a few properties into a separate store: one more allocation per row). `slots`:
 * properties set after (a line's funder), made here as undefined so that setting them keeps the shape.
 */
function rowConstructor(prototype: object, properties: readonly string[], slots: readonly string[] = []): (values: readonly unknown[]) => object {
  // The property names are the entity's own (its metadata), written as string literals.
  const body = [
    ...properties.map((property, i) => `this[${JSON.stringify(property)}] = values[${i}];`),
    ...slots.map((slot) => `this[${JSON.stringify(slot)}] = undefined;`),
  ].join('\n');
  const Row = new Function('values', body) as unknown as new (values: readonly unknown[]) => object;
  Row.prototype = prototype;
  return (values) => new Row(values);
}

/** Column types that both drivers answer as a JS number, and those they answer as a string. */
const NUMBER_TYPES = new Set<unknown>([Number, 'int', 'integer', 'smallint', 'tinyint']);
const STRING_TYPES = new Set<unknown>([String, 'varchar', 'text', 'char', 'nvarchar', 'character varying']);

/**
 * The driver's conversion of one column's value (`prepareHydratedValue`), short-cut where it would do
 * nothing: a number read from an integer column (the driver parses it again with parseInt), a string of a
 * text column, a DECIMAL that only its transformer converts. Every other case goes to the driver.
 */
function hydrator(dataSource: DataSource, column: ColumnMetadata): (value: unknown) => unknown {
  const driver = dataSource.driver;
  const full = (value: unknown) => driver.prepareHydratedValue(value, column);
  const transformer = column.transformer;
  if (transformer) {
    if (column.type !== 'decimal' || Array.isArray(transformer)) return full;
    return (value) => (typeof value === 'number' || typeof value === 'string' ? transformer.from(value) : full(value));
  }
  // parseInt of an integer is itself (of a fraction it is not: that goes to the driver, as before).
  if (NUMBER_TYPES.has(column.type)) return (value) => (Number.isInteger(value) ? value : full(value));
  if (STRING_TYPES.has(column.type) && !column.enum) return (value) => (typeof value === 'string' ? value : full(value));
  return full;
}
