import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** What a query asks of an object: its field names (aliases and fragments merged), each with its own. */
export type Selection = Map<string, Selection>;

const selections = new WeakMap<readonly FieldNode[], Selection>();

/**
 * The sub-selection of the field being resolved. graphql-js passes the same `fieldNodes` array for every
 * item of a list, so it is computed once per field of the document, not once per object. @skip and
 * @include are not evaluated: a field they leave out is still counted as asked for, which only reads
 * more than needed.
 */
export function selectionOf(info: GraphQLResolveInfo): Selection {
  let selection = selections.get(info.fieldNodes);
  if (!selection) {
    selection = new Map();
    for (const node of info.fieldNodes) if (node.selectionSet) collect(node.selectionSet, info, selection);
    selections.set(info.fieldNodes, selection);
  }
  return selection;
}

function collect(set: SelectionSetNode, info: GraphQLResolveInfo, into: Selection): void {
  for (const node of set.selections) {
    if (node.kind === Kind.FIELD) {
      let sub = into.get(node.name.value);
      if (!sub) into.set(node.name.value, (sub = new Map()));
      if (node.selectionSet) collect(node.selectionSet, info, sub);
    } else if (node.kind === Kind.INLINE_FRAGMENT) {
      collect(node.selectionSet, info, into);
    } else {
      const fragment = info.fragments[node.name.value];
      if (fragment) collect(fragment.selectionSet, info, into);
    }
  }
}

/** Both selections in one (what an object must answer when it stands for both fields). */
export function mergeSelections(...selections: Array<Selection | undefined>): Selection {
  const merged: Selection = new Map();
  for (const selection of selections) {
    if (!selection) continue;
    for (const [field, sub] of selection) merged.set(field, mergeSelections(merged.get(field), sub));
  }
  return merged;
}

/**
 * The columns of `entity` needed to answer `selection` of its GraphQL type: the primary key, `always`,
 * the column of each plain field, and for each field resolver the columns `resolvers` says it reads. A
 * field resolver missing from `resolvers` (a new one, say) makes it every column: never an answer wrong
 * for a column left out, at worst a wider read.
 */
export function columnsFor<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  selection: Selection,
  always: ReadonlyArray<keyof T & string>,
  resolvers: Partial<Record<string, ReadonlyArray<keyof T & string>>>,
): ColumnMetadata[] {
  const metadata = dataSource.getMetadata(entity);
  const own = metadata.columns.filter((column) => !column.isVirtual);
  const resolved = resolverFields(metadata.target);
  const wanted = new Set<string>(always);
  for (const column of own) if (column.isPrimary) wanted.add(column.propertyName);
  for (const field of selection.keys()) {
    if (field === '__typename') continue;
    const needs = resolvers[field];
    if (needs) needs.forEach((property) => wanted.add(property));
    else if (!resolved.has(field) && own.some((column) => column.propertyName === field)) wanted.add(field);
    else return own;
  }
  return own.filter((column) => wanted.has(column.propertyName));
}

const resolverFieldsByTarget = new Map<unknown, Set<string>>();

/** The GraphQL fields of the type that are field resolvers (not plain properties). */
function resolverFields(target: unknown): Set<string> {
  let fields = resolverFieldsByTarget.get(target);
  if (!fields) {
    fields = new Set(
      getMetadataStorage()
        .fieldResolvers.filter((resolver) => resolver.getObjectType?.() === target)
        .map((resolver) => resolver.schemaName),
    );
    resolverFieldsByTarget.set(target, fields);
  }
  return fields;
}
