import {
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLField,
  GraphQLSchema,
  isListType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { DataSource } from 'typeorm';
import { readDataVersion } from '../cache/data-version';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/pagination';

/**
 * How many rows each unpaged list returns per parent, on average, over one contract or over all of
 * them: what the estimate of a query's answer multiplies by (issue 13, point 1). `Contract.axes →
 * Axis.orientations → Orientation.actions → Action.fundings` multiplied out is the contract's own number
 * of lines, so a query over a 50 000-line contract is estimated at 50 000 lines per alias before it runs.
 * Read by a few grouped COUNTs, cached per data version (data-version.ts): every write of a contract's
 * actions, lines or indicators moves it.
 */
export type ListStatistics = Readonly<Record<string, number>>;

/** Lists that are neither paged nor counted: an upper figure for a small list (aliases, funding totals…). */
export const UNKNOWN_LIST_ROWS = DEFAULT_PAGE_SIZE;
/** Lists with `first` optional that default to all, with their assumed size then. */
const ALL_BY_DEFAULT: Record<string, number> = { 'ImportBatch.issues': 200 };

/** Lists bounded by the model: an enum's values, a few names, the batches next to one. */
const SMALL_LISTS: ListStatistics = {
  'ProgressFigures.byStatus': 8,
  'Organisation.aliases': 5,
  'ImportBatch.supersededBy': 2,
  'ImportBatch.supersedes': 2,
  // An annex 2 measure has an aid and an investment, for one or two instruments.
  'RelanceMeasure.amounts': 4,
  // Governance: a handful of meetings a year, each with a few members, agenda items and decisions.
  'Query.meetings': 20,
  'Meeting.members': 20,
  'Meeting.agenda': 20,
  'Meeting.decisions': 20,
  'Action.decisions': 4,
};

interface Counts {
  contracts: number;
  axes: number;
  orientations: number;
  /** Orientations under another (3.1.2 under 3.1). */
  subOrientations: number;
  actions: number;
  classifiedActions: number;
  fundings: number;
  actionIndicators: number;
  orientationIndicators: number;
  values: number;
  communeLinks: number;
  parties: number;
}

const ratio = (rows: number, parents: number) => (parents > 0 ? rows / parents : 0);

function fromCounts(counts: Counts, organisations: { all: number; communes: number; epcis: number }): ListStatistics {
  return {
    'Query.contracts': counts.contracts,
    'Query.organisations': organisations.all,
    'Contract.axes': ratio(counts.axes, counts.contracts),
    'Contract.partners': ratio(counts.parties, counts.contracts),
    'Contract.signatories': ratio(counts.parties, counts.contracts),
    'Axis.orientations': ratio(counts.orientations, counts.axes),
    'Orientation.children': ratio(counts.subOrientations, counts.orientations),
    'Orientation.actions': ratio(counts.classifiedActions, counts.orientations),
    'Orientation.indicators': ratio(counts.orientationIndicators, counts.orientations),
    'Action.fundings': ratio(counts.fundings, counts.actions),
    'Action.indicators': ratio(counts.actionIndicators, counts.actions),
    'Action.communes': ratio(counts.communeLinks, counts.actions),
    'Indicator.values': ratio(counts.values, counts.actionIndicators + counts.orientationIndicators),
    'Organisation.communes': ratio(organisations.communes, organisations.epcis),
    'Contract.communes': organisations.communes,
    'Contract.perimeter': organisations.communes,
    // progress: figures computed for the whole contract, one entry per axis, orientation, indicator.
    'ContractProgress.axes': ratio(counts.axes, counts.contracts),
    'AxisProgress.orientations': ratio(counts.orientations, counts.axes),
    'AxisProgress.indicators': ratio(counts.actionIndicators + counts.orientationIndicators, counts.axes),
    'OrientationProgress.indicators': ratio(counts.actionIndicators + counts.orientationIndicators, counts.orientations),
    // A meeting's frozen review and the changes since it: the same axes and orientations.
    'MeetingReview.axes': ratio(counts.axes, counts.contracts),
    'ReviewAxis.orientations': ratio(counts.orientations, counts.axes),
    'ReviewChanges.axes': ratio(counts.axes, counts.contracts),
    'AxisChange.orientations': ratio(counts.orientations, counts.axes),
    ...SMALL_LISTS,
  };
}

/** The counts of one contract (by id), or of all (null), and the organisations, in one statement. Lines: the valid ones (what can be read now). */
async function readCounts(dataSource: DataSource, contractId: number | null): Promise<{ counts: Counts; organisations: { all: number; communes: number; epcis: number } }> {
  const where = (alias: string) => (contractId === null ? '1 = 1' : `${alias}.contract_id = ${Number(contractId)}`);
  const [row] = await dataSource.query(`SELECT
    ${contractId === null ? '(SELECT COUNT(*) FROM contract)' : '1'} AS contracts,
    (SELECT COUNT(*) FROM axis x WHERE ${where('x')}) AS axes,
    (SELECT COUNT(*) FROM orientation o WHERE ${where('o')}) AS orientations,
    (SELECT COUNT(*) FROM orientation o WHERE ${where('o')} AND o.parent_id IS NOT NULL) AS sub_orientations,
    (SELECT COUNT(*) FROM action a WHERE ${where('a')}) AS actions,
    (SELECT COUNT(*) FROM action a WHERE ${where('a')} AND a.orientation_id IS NOT NULL) AS classified_actions,
    (SELECT COUNT(*) FROM funding f WHERE ${where('f')} AND f.superseded_at IS NULL) AS fundings,
    (SELECT COUNT(*) FROM indicator i WHERE ${where('i')} AND i.action_id IS NOT NULL) AS action_indicators,
    (SELECT COUNT(*) FROM indicator i WHERE ${where('i')} AND i.orientation_id IS NOT NULL) AS orientation_indicators,
    (SELECT COUNT(*) FROM indicator_value v JOIN indicator i ON i.id = v.indicator_id WHERE ${where('i')}) AS indicator_values,
    (SELECT COUNT(*) FROM action_commune l JOIN action a ON a.id = l.action_id WHERE ${where('a')}) AS commune_links,
    (SELECT COUNT(*) FROM contract_party p WHERE ${where('p')}) AS parties,
    (SELECT COUNT(*) FROM organisation) AS organisations,
    (SELECT COUNT(*) FROM organisation WHERE kind = 'COMMUNE') AS communes,
    (SELECT COUNT(*) FROM organisation WHERE kind = 'EPCI') AS epcis`);
  const n = (name: string) => Number(row?.[name] ?? 0);
  return {
    counts: {
      contracts: n('contracts'),
      axes: n('axes'),
      orientations: n('orientations'),
      subOrientations: n('sub_orientations'),
      actions: n('actions'),
      classifiedActions: n('classified_actions'),
      fundings: n('fundings'),
      actionIndicators: n('action_indicators'),
      orientationIndicators: n('orientation_indicators'),
      values: n('indicator_values'),
      communeLinks: n('commune_links'),
      parties: n('parties'),
    },
    organisations: { all: n('organisations'), communes: n('communes'), epcis: n('epcis') },
  };
}

interface Cached {
  version: string;
  statistics: Promise<ListStatistics>;
  /** When the version was last read: within FRESH_MS the statistics are used without reading it. */
  checkedAt: number;
  /** How long reading them took, once read. */
  readMs?: number;
  /** All contracts' statistics being read again behind the request that found them out of date. */
  refreshing?: boolean;
}

/**
 * How long statistics are used without reading their data version again. A request then costs no
 * statement for them (a nested query stays at one statement per level); an estimate may be this much
 * behind a large import, which the request's budget (query-budget.ts) still bounds while it runs.
 */
export const FRESH_MS = 60_000;
/**
 * All contracts' statistics read whole tables: 1.5 s at 850 contracts (1.7 M lines, bench:contracts), paid
 * by the first request after any import anywhere once FRESH_MS is over, whichever contract it asks for. When
 * reading them took this long, a request that finds them out of date uses them as they are while they are
 * read again behind it: one import barely moves the averages of all contracts, and a query naming its
 * contracts is estimated from their own statistics, always current. Quicker reads stay in the request.
 */
export const SLOW_GLOBAL_READ_MS = 200;
/** Per data source, by contract code ('' for all contracts): few entries, the oldest dropped first. */
const cache = new WeakMap<DataSource, Map<string, Cached>>();
const MAX_CACHED = 256;

/** The statistics of the contract `code` (null: of all contracts; an unknown code: all contracts'). */
export async function listStatistics(dataSource: DataSource, code: string | null): Promise<ListStatistics> {
  let entries = cache.get(dataSource);
  if (!entries) cache.set(dataSource, (entries = new Map()));
  const key = code ?? '';
  const cached = entries.get(key);
  const now = Date.now();
  if (cached && now - cached.checkedAt < FRESH_MS) return cached.statistics;
  const version = await readDataVersion(dataSource, code);
  if (version === 'none') return listStatistics(dataSource, null);
  if (cached && cached.version === version) {
    cached.checkedAt = now;
    return cached.statistics;
  }
  const contractId = version.startsWith('c') ? Number(version.slice(1, version.indexOf(':'))) : null;
  if (code === null && cached && (cached.readMs ?? 0) >= SLOW_GLOBAL_READ_MS) {
    cached.checkedAt = now;
    if (!cached.refreshing) {
      cached.refreshing = true;
      const next = readEntry(dataSource, contractId, version);
      next.statistics.then(
        () => {
          if (entries.get(key) === cached) entries.set(key, next);
        },
        () => (cached.refreshing = false),
      );
    }
    return cached.statistics;
  }
  if (entries.size >= MAX_CACHED && !entries.has(key)) entries.delete(entries.keys().next().value!);
  const entry = readEntry(dataSource, contractId, version);
  entries.set(key, entry);
  entry.statistics.catch(() => {
    if (entries.get(key) === entry) entries.delete(key);
  });
  return entry.statistics;
}

/** Starts reading the statistics of a contract (null: all), timed. */
function readEntry(dataSource: DataSource, contractId: number | null, version: string): Cached {
  const started = Date.now();
  const entry: Cached = { version, checkedAt: started, statistics: Promise.resolve({}) };
  entry.statistics = readCounts(dataSource, contractId).then(({ counts, organisations }) => {
    entry.readMs = Date.now() - started;
    return fromCounts(counts, organisations);
  });
  return entry;
}

// --------------------------------------------------------------------------------------------- estimate

export interface AnswerEstimate {
  /** Items of every list of the answer. */
  rows: number;
  /** Fields of every object of the answer. */
  values: number;
}

/** Root fields that name one contract: what is below them is estimated with that contract's statistics. */
const CONTRACT_ARGUMENT: Record<string, string> = { contract: 'code', action: 'contract' };

function argumentValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.STRING) return node.value;
  return undefined;
}

/** The contract codes the operation's root fields name (fragments on Query followed). */
export function namedContracts(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): string[] {
  const fragments = fragmentsOf(document);
  const codes = new Set<string>();
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const argument = CONTRACT_ARGUMENT[selection.name.value];
        const value = argument ? argumentValue(selection.arguments?.find((arg) => arg.name.value === argument)?.value, variables) : undefined;
        if (typeof value === 'string') codes.add(value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return [...codes];
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}

/**
 * The rows and values an operation would answer: a list multiplies what is below it by its page size
 * (`first`, or a page's `nodes`) or by its rows per parent. @skip/@include are not evaluated (a field
 * is counted). Linear in the size of the document: each selection set is costed once per (type,
 * statistics, page size) and scaled.
 */
export function estimateAnswer(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  global: ListStatistics,
  byContract: ReadonlyMap<string, ListStatistics>,
): AnswerEstimate {
  const fragments = fragmentsOf(document);
  const memo = new Map<SelectionSetNode, Map<string, AnswerEstimate>>();
  const statisticsIds = new Map<ListStatistics, number>();
  const idOf = (stats: ListStatistics) => {
    let id = statisticsIds.get(stats);
    if (id === undefined) statisticsIds.set(stats, (id = statisticsIds.size));
    return id;
  };
  const pageSize = (field: GraphQLField<unknown, unknown>, node: { arguments?: readonly { name: { value: string }; value: ValueNode }[] }, parent: string): number | null => {
    if (!field.args.some((arg) => arg.name === 'first')) return null;
    const first = argumentValue(node.arguments?.find((arg) => arg.name.value === 'first')?.value, variables);
    if (typeof first === 'number' && first > 0) return Math.min(first, MAX_PAGE_SIZE);
    return ALL_BY_DEFAULT[`${parent}.${field.name}`] ?? DEFAULT_PAGE_SIZE;
  };

  /** What one object of `typeName` answers for `set`; `page`: the page size of a page object's `nodes`. */
  const perObject = (set: SelectionSetNode, typeName: string, stats: ListStatistics, page: number | null, depth: number): AnswerEstimate => {
    const key = `${typeName}|${idOf(stats)}|${page}`;
    let bySet = memo.get(set);
    if (!bySet) memo.set(set, (bySet = new Map()));
    const known = bySet.get(key);
    if (known) return known;
    const total: AnswerEstimate = { rows: 0, values: 0 };
    // A cycle of fragments is refused by validation; the depth guard only bounds a malformed document.
    if (depth > 64) return total;
    bySet.set(key, total);
    const type = schema.getType(typeName);
    const fields = isObjectType(type) ? type.getFields() : {};
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(total, perObject(selection.selectionSet, selection.typeCondition?.name.value ?? typeName, stats, page, depth + 1), 1);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) add(total, perObject(fragment.selectionSet, fragment.typeCondition.name.value, stats, page, depth + 1), 1);
        continue;
      }
      total.values += 1;
      const field = fields[selection.name.value];
      if (!field) continue;
      const list = isListType(getNullableType(field.type));
      const named = getNamedType(field.type).name;
      const ownPage = pageSize(field, selection, typeName);
      let childStats = stats;
      if (typeName === 'Query' && CONTRACT_ARGUMENT[field.name]) {
        const code = argumentValue(selection.arguments?.find((arg) => arg.name.value === CONTRACT_ARGUMENT[field.name])?.value, variables);
        childStats = (typeof code === 'string' ? byContract.get(code) : undefined) ?? stats;
      }
      let items = 1;
      if (list) {
        items = ownPage ?? (page !== null && field.name === 'nodes' ? page : (stats[`${typeName}.${field.name}`] ?? UNKNOWN_LIST_ROWS));
        total.rows += items;
      }
      if (selection.selectionSet) {
        const child = perObject(selection.selectionSet, named, childStats, list ? null : ownPage, depth + 1);
        add(total, child, items);
      } else if (list) {
        total.values += items;
      }
    }
    return total;
  };
  const add = (into: AnswerEstimate, part: AnswerEstimate, times: number) => {
    into.rows += part.rows * times;
    into.values += part.values * times;
  };
  const root = operation.operation === 'mutation' ? 'Mutation' : 'Query';
  return perObject(operation.selectionSet, root, global, null, 0);
}
