import { defaultFieldResolver, FieldNode, getNamedType, GraphQLFieldResolver, GraphQLResolveInfo, GraphQLSchema, isObjectType, Kind, SelectionSetNode } from 'graphql';

/**
 * Relations read with their row, answered as property reads.
 *
 * Why: graphql-jit calls a field's resolver with a new resolve info, a response path and two closures per
 * call. An action's lines carry their funder, programme and beneficiary when the query asks for them
 * (src/funding/funding.loaders.ts, one statement), yet each line's `funder` still went through its
 * resolver: on the 5 000 lines of a 500-action contract, about 3 ms of a 22 ms answer (bench:peer,
 * main-thread CPU). These fields lose their resolver, so the compiled query reads the property.
 *
 * What keeps them right for a row that does not carry the relation (a mutation's answer, a page of lines
 * read without it): every field whose type is the row's type — a list or one, with a resolver or a plain
 * property (Action.fundings, FundingPage.nodes, FundingConflict.counted, createFunding…) — completes the
 * rows it answers: a row whose property is `undefined`, when the query asks for it, gets it from the
 * field's former resolver, awaited before the query reads it. So a former resolver must not read its
 * resolve info (it is given the completing field's) nor its arguments (none).
 */
export interface PreloadedField {
  type: string;
  field: string;
}

export const PRELOADED_FIELDS: readonly PreloadedField[] = [
  { type: 'Funding', field: 'funder' },
  { type: 'Funding', field: 'programme' },
  { type: 'Funding', field: 'beneficiary' },
];

/**
 * Fields that answer rows always read with the relations their own selection asks for — an action's lines
 * (src/funding/funding.loaders.ts, linesByAction: its columns and relations are the selection's): not
 * wrapped, as they have nothing to complete. Wrapped, each of the 5 000 actions of a nested query walked
 * its lines for nothing (about 4 MB of the answer's 69 MB allocated, bench:peer).
 */
export const COMPLETE_FIELDS: readonly PreloadedField[] = [{ type: 'Action', field: 'fundings' }];

type Resolver = GraphQLFieldResolver<unknown, unknown>;

interface Completer {
  field: string;
  resolve: Resolver;
}

/** Takes the resolvers off `fields` and makes every field answering their types complete its rows. */
export function preloadFields(schema: GraphQLSchema, fields: readonly PreloadedField[] = PRELOADED_FIELDS, complete: readonly PreloadedField[] = COMPLETE_FIELDS): GraphQLSchema {
  const completers = new Map<string, Completer[]>();
  for (const { type, field } of fields) {
    const objectType = schema.getType(type);
    const definition = isObjectType(objectType) ? objectType.getFields()[field] : undefined;
    if (!definition?.resolve) throw new Error(`preloaded-fields.ts: ${type}.${field} has no resolver to take off`);
    if (definition.args.length) throw new Error(`preloaded-fields.ts: ${type}.${field} takes arguments; a property cannot answer them`);
    const list = completers.get(type) ?? [];
    list.push({ field, resolve: definition.resolve as Resolver });
    completers.set(type, list);
    definition.resolve = undefined;
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const rowCompleters = completers.get(getNamedType(field.type).name);
      if (!rowCompleters || complete.some((known) => known.type === type.name && known.field === field.name)) continue;
      const resolve = (field.resolve ?? defaultFieldResolver) as Resolver;
      field.resolve = function completing(this: unknown, source, args, context, info) {
        const answer = resolve.call(this, source, args, context, info);
        const asked = askedCompleters(info, rowCompleters);
        if (!asked.length) return answer;
        return answer instanceof Promise ? answer.then((value) => completeRows(value, asked, context, info)) : completeRows(answer, asked, context, info);
      };
    }
  }
  return schema;
}

/**
 * The completers of the fields the query asks of the rows (in any fragment; @skip and @include are not
 * read, so a field they may leave out is completed anyway): a row given a property the query does not
 * read grows out of its shape, an allocation per row. Found once per field of a query (its nodes).
 */
const askedByNodes = new WeakMap<readonly FieldNode[], readonly Completer[]>();

function askedCompleters(info: GraphQLResolveInfo, completers: readonly Completer[]): readonly Completer[] {
  let asked = askedByNodes.get(info.fieldNodes);
  if (asked) return asked;
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  const collect = (selectionSet: SelectionSetNode | undefined): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        collect(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) collect(node.selectionSet);
  asked = completers.filter((completer) => names.has(completer.field));
  askedByNodes.set(info.fieldNodes, asked);
  return asked;
}

/** The answer with each row's missing relations set; a promise only when one had to be loaded. */
function completeRows(answer: unknown, completers: readonly Completer[], context: unknown, info: GraphQLResolveInfo): unknown {
  const pending: Promise<void>[] = [];
  completeRow(answer, completers, context, info, pending);
  return pending.length ? Promise.all(pending).then(() => answer) : answer;
}

// Index loops, no closure nor iterator: this runs for every line of a nested answer.
function completeRow(row: unknown, completers: readonly Completer[], context: unknown, info: GraphQLResolveInfo, pending: Promise<void>[]): void {
  if (Array.isArray(row)) {
    for (let i = 0; i < row.length; i++) completeRow(row[i], completers, context, info, pending);
    return;
  }
  if (row === null || typeof row !== 'object') return;
  const record = row as Record<string, unknown>;
  for (let i = 0; i < completers.length; i++) {
    const { field, resolve } = completers[i];
    if (record[field] !== undefined) continue;
    const value = resolve(row, {}, context, info);
    if (value instanceof Promise) pending.push(value.then((loaded) => void (record[field] = loaded)));
    else record[field] = value;
  }
}
