import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { ErrorRequestHandler } from 'express';
import {
  defaultFieldResolver,
  DocumentNode,
  FormattedExecutionResult,
  FragmentDefinitionNode,
  getNullableType,
  GraphQLError,
  GraphQLFieldResolver,
  GraphQLFormattedError,
  GraphQLResolveInfo,
  GraphQLSchema,
  isListType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import { ComplexityEstimator, ComplexityEstimatorArgs, fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config';
import { requestController } from '../request/request-signal';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/pagination';
import { estimateAnswer, ListStatistics, listStatistics, namedContracts } from './list-statistics';
import { itemWidth, mustYield, pace, QueryBudget } from './query-budget';

/**
 * What one GraphQL request may cost (issue 7, point 3). Every refusal is in French with a stable
 * `extensions.code`:
 *
 * - QUERY_TOO_DEEP: more nested fields than `maxQueryDepth` (fragments followed);
 * - QUERY_TOO_COMPLEX: an estimated cost (graphql-query-complexity) above `maxQueryComplexity` — a field
 *   costs 1 plus its children, a page (`first`) multiplies its children by its size, the heavy fields
 *   (HEAVY_FIELDS) cost more; a `complexity` given in `@Field`/`@FieldResolver` (field extensions) wins;
 * - QUERY_TOO_LARGE: a document of more than MAX_QUERY_TOKENS tokens (refused while parsing);
 * - BAD_USER_INPUT: a `first` above MAX_PAGE_SIZE on any field, refused before anything runs;
 * - QUERY_TOO_COMPLEX too: an answer estimated, from the rows each list holds per parent in the contract
 *   asked for (list-statistics.ts), above `maxRows` rows or `maxValues` values;
 * - RESPONSE_TOO_LARGE: while it runs, the request materialised more than `maxRows` rows or `maxValues`
 *   values (query-budget.ts), or its JSON is over `maxResponseBytes`; no partial data is sent;
 * - TIMEOUT: the request ran longer than `queryTimeoutMs` (503); execution yields to the event loop
 *   every few milliseconds (query-budget.ts, pace), so the limit stops a long synchronous answer too;
 * - CLIENT_CLOSED_REQUEST (499, sent to nobody): the client went away before its answer; the request
 *   stops as on the two above. Each of the three aborts the request's signal (request-signal.ts), which a
 *   streamed read looks at between its slices;
 * - BAD_REQUEST: no operation of the document matches `operationName` (or several, none named);
 * - BAD_REQUEST / PAYLOAD_TOO_LARGE / INTROSPECTION_DISABLED: Apollo's and express's own refusals
 *   (CSRF, batches, malformed or too large bodies, introspection in production), translated.
 *
 * Saved reports run through the same Apollo server (executeOperation), so they get the same limits.
 */

export const DEFAULT_MAX_QUERY_DEPTH = 12;
export const DEFAULT_MAX_QUERY_COMPLEXITY = 20_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
/**
 * Ceilings of one answer. The nested query of bench:reports on its 100 000-line contract (84 000 lines
 * counted, with funder, programme, beneficiary and source each) materialises ~110 000 rows and ~1,2 M
 * values, 20 MB of JSON: well within. One alias of a 50 000-line contract's tree is 60 000 rows.
 */
export const DEFAULT_MAX_RESULT_ROWS = 300_000;
export const DEFAULT_MAX_RESULT_VALUES = 3_000_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Far above any legitimate query (the introspection of /requetes is ~200 tokens); keeps parse and validation short. */
export const MAX_QUERY_TOKENS = 20_000;

/** Extra cost of the fields whose resolver runs aggregates or whole-contract reads. */
export const HEAVY_FIELDS: Record<string, number> = {
  'Query.fundingTotals': 50,
  'Axis.fundingTotals': 20,
  'Orientation.fundingTotals': 20,
  'Query.crossCheck': 100,
  'Query.progress': 100,
  'Query.changesSinceLastCopil': 100,
  'Meeting.changesSince': 100,
  'Query.fundingConflicts': 50,
  'Action.fundings': 10,
  'Action.fundingTotal': 2,
  'Action.coverage': 2,
};

/** Lists whose `first` is optional and defaults to all (a truncation of an already-read list), with their assumed size then. */
const ALL_BY_DEFAULT: Record<string, number> = { 'ImportBatch.issues': 200 };

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
  timeoutMs: number;
  maxRows: number;
  maxValues: number;
  maxResponseBytes: number;
}

export function queryLimits(config: AppConfig): QueryLimits {
  return {
    maxDepth: config.maxQueryDepth ?? DEFAULT_MAX_QUERY_DEPTH,
    maxComplexity: config.maxQueryComplexity ?? DEFAULT_MAX_QUERY_COMPLEXITY,
    timeoutMs: config.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    maxRows: config.maxResultRows ?? DEFAULT_MAX_RESULT_ROWS,
    maxValues: config.maxResultValues ?? DEFAULT_MAX_RESULT_VALUES,
    maxResponseBytes: config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
}

function refusal(message: string, code: string, status = 400, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status } } });
}

// ------------------------------------------------------------------------------------------------ depth

/** The deepest chain of fields of an operation; fragments are followed (memoised: a validated document has no cycles). */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentDepths = new Map<string, number>();
  const depthOf = (selectionSet: SelectionSetNode | undefined): number => {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      let depth = 0;
      if (selection.kind === Kind.FIELD) depth = 1 + depthOf(selection.selectionSet);
      else if (selection.kind === Kind.INLINE_FRAGMENT) depth = depthOf(selection.selectionSet);
      else {
        const name = selection.name.value;
        if (!fragmentDepths.has(name)) {
          fragmentDepths.set(name, 0);
          fragmentDepths.set(name, depthOf(fragments.get(name)?.selectionSet));
        }
        depth = fragmentDepths.get(name)!;
      }
      if (depth > deepest) deepest = depth;
    }
    return deepest;
  };
  return depthOf(operation.selectionSet);
}

// ------------------------------------------------------------------------------------------- complexity

/** Page sizes: a field with `first` costs its children times the page, as many rows as it may return. */
function pagedEstimator(oversized: Array<{ field: string; first: number }>): ComplexityEstimator {
  return ({ type, field, args, childComplexity }: ComplexityEstimatorArgs) => {
    const heavy = HEAVY_FIELDS[`${type.name}.${field.name}`] ?? 0;
    if (!field.args.some((arg) => arg.name === 'first')) return heavy ? heavy + 1 + childComplexity : undefined;
    const first = args.first as number | null | undefined;
    if (typeof first === 'number' && first > MAX_PAGE_SIZE) oversized.push({ field: `${type.name}.${field.name}`, first });
    const size =
      typeof first === 'number' && first > 0 ? Math.min(first, MAX_PAGE_SIZE) : (ALL_BY_DEFAULT[`${type.name}.${field.name}`] ?? DEFAULT_PAGE_SIZE);
    return heavy + 1 + size * childComplexity;
  };
}

/** The estimated cost of an operation with its variables; `oversized` gets the `first` arguments above the cap. */
export function operationComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): { complexity: number; oversized: Array<{ field: string; first: number }> } {
  const oversized: Array<{ field: string; first: number }> = [];
  const complexity = getComplexity({
    schema,
    query: document,
    operationName,
    variables,
    estimators: [fieldExtensionsEstimator(), pagedEstimator(oversized), simpleEstimator({ defaultComplexity: 1 })],
  });
  return { complexity, oversized };
}

// ------------------------------------------------------------------------------------- budget and guard

/** Per request, keyed by its context object: resolvers find their request's budget through it. */
const budgets = new WeakMap<object, RequestBudget>();
const guardedSchemas = new WeakSet<GraphQLSchema>();

interface RequestBudget {
  budget: QueryBudget;
  /** Rejects with the request's failure (TIMEOUT at the deadline, or the ceiling reached): raced by every pending resolver. */
  stopped: Promise<never>;
  stop(error: GraphQLError): void;
  timer: NodeJS.Timeout | null;
}

function timeoutError(timeoutMs: number): GraphQLError {
  return refusal(
    `La requête a dépassé le temps maximal de traitement (${formatSeconds(timeoutMs)}) et a été interrompue : demandez moins de données à la fois (pages plus petites, moins de champs).`,
    'TIMEOUT',
    503,
    { timeoutMs },
  );
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${String(ms / 1000).replace('.', ',')} s` : `${ms} ms`;
}

function clientGoneError(message: string): GraphQLError {
  return refusal(message, 'CLIENT_CLOSED_REQUEST', 499);
}

/**
 * `controller`: the request's (src/request/request-signal.ts), when it runs in one. The request's failure
 * aborts it, so that what still works for the request stops (a streamed read, between its slices); its
 * abort from elsewhere (the client gone) stops the request as a failure does.
 */
function startBudget(limits: QueryLimits, controller: AbortController | undefined): RequestBudget {
  const budget = new QueryBudget({ maxRows: limits.maxRows, maxValues: limits.maxValues, timeoutMs: limits.timeoutMs }, () => timeoutError(limits.timeoutMs));
  let reject!: (error: GraphQLError) => void;
  const stopped = new Promise<never>((_resolve, fail) => (reject = fail));
  // Nobody may be waiting when it stops: that is not an unhandled rejection.
  stopped.catch(() => undefined);
  const stop = (error: GraphQLError) => {
    reject(budget.fail(error));
    controller?.abort(budget.failure);
  };
  if (controller) {
    const aborted = () => {
      const reason: unknown = controller.signal.reason;
      stop(reason instanceof GraphQLError ? reason : clientGoneError(reason instanceof Error ? reason.message : String(reason)));
    };
    if (controller.signal.aborted) aborted();
    else controller.signal.addEventListener('abort', aborted, { once: true });
  }
  let timer: NodeJS.Timeout | null = null;
  if (limits.timeoutMs > 0 && budget.failure === null) {
    timer = setTimeout(() => stop(timeoutError(limits.timeoutMs)), limits.timeoutMs);
    timer.unref();
  }
  return { budget, stopped, stop, timer };
}

/**
 * Wraps every resolver of the schema, once (the schema is built once per process), and every list
 * field (a list read as a plain property, such as a page's `nodes`, too):
 * - past its request's deadline, or once the request has failed, a resolver no longer runs (no more
 *   SQL); a pending one is abandoned when the request stops, so the answer never waits for it;
 * - a list's rows are charged to the request's budget (RESPONSE_TOO_LARGE past the ceilings);
 * - a value that comes from a promise is handed on through `pace`, so that a long execution lets the
 *   event loop turn every SLICE_MS: other requests, and this one's timer, run in between.
 * A synchronous statement already running cannot be interrupted. graphql-jit compiles operations
 * after this (at their first request), so it calls the wrapped resolvers too.
 */
function guardResolvers(schema: GraphQLSchema): void {
  if (guardedSchemas.has(schema)) return;
  guardedSchemas.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const list = isListType(getNullableType(field.type));
      // Plain scalar and object properties cost nothing: only real resolvers and lists are guarded.
      const resolve = (field.resolve ?? (list ? defaultFieldResolver : undefined)) as GraphQLFieldResolver<unknown, unknown> | undefined;
      if (!resolve) continue;
      field.resolve = list ? guardList(resolve) : guardSingle(resolve);
    }
  }
}

/**
 * A single object's guard, kept as small as the list's is not: it runs for every field of every line of
 * a nested answer, where graphql-jit's compiled query calls it with a fresh resolve info and path.
 */
function guardSingle(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return function guarded(this: unknown, source, args, context, info) {
    const request = context && typeof context === 'object' ? budgets.get(context) : undefined;
    if (!request) return resolve.call(this, source, args, context, info);
    const { budget } = request;
    if (budget.failure !== null || Date.now() >= budget.deadline) refuse(request);
    const result = resolve.call(this, source, args, context, info);
    // Abandoned when the request stops.
    return result instanceof Promise ? Promise.race([result, request.stopped]) : result;
  };
}

/** A list's guard: the same, and its rows charged, and paced when it comes from a promise (where rows, and work, multiply). */
function guardList(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return function guarded(this: unknown, source, args, context, info) {
    const request = context && typeof context === 'object' ? budgets.get(context) : undefined;
    if (!request) return resolve.call(this, source, args, context, info);
    const { budget } = request;
    if (budget.failure !== null || Date.now() >= budget.deadline) refuse(request);
    return listResult(request, resolve.call(this, source, args, context, info), info);
  };
}

/** Throws the request's failure, or TIMEOUT once past the deadline (and stops the request). */
function refuse(request: RequestBudget): never {
  try {
    request.budget.check();
  } catch (error) {
    request.stop(error as GraphQLError);
    throw error;
  }
  throw request.budget.failure!;
}

/**
 * A list is charged, and paced when it comes from a promise (where rows, and work, multiply). What waits
 * for a pending list holds the request and the width of its items (a number), never the resolve info:
 * a callback that kept the info alive until its batch of SQL had run cost the nested query of
 * bench:reports about 1 s of CPU in 2.3 (the same callback holding nothing cost nothing), spent in
 * graphql-jit's calls of the lines' resolvers (which allocate an info and a path each) and in the
 * garbage collector — most likely V8 allocating those in the old generation once infos were seen to
 * survive (allocation-site pretenuring).
 */
function listResult(request: RequestBudget, result: unknown, info: GraphQLResolveInfo): unknown {
  const width = itemWidth(info);
  if (result instanceof Promise) {
    // Chained (charged, then paced) only when the request must yield: a promise that execution
    // awaits through one more step costs a turn of microtasks per list.
    if (mustYield(request.budget)) return Promise.race([result.then((value) => admit(request, value, width)), request.stopped]);
    result.then((value) => sideCharge(request, value, width), ignore);
    return Promise.race([result, request.stopped]);
  }
  if (Array.isArray(result)) {
    charge(request, result.length, width);
    // A list answered from memory (an action's prefetched lines) is paced as one from a promise: a large
    // answer is still built in slices.
    if (mustYield(request.budget)) return pace(result, request.budget);
  }
  return result;
}

function ignore(): void {}

function charge(request: RequestBudget, items: number, width: number): void {
  try {
    request.budget.charge(items, width);
  } catch (error) {
    request.stop(error as GraphQLError);
    throw error;
  }
}

/** Charges a list beside execution: past a ceiling the request stops, and the next resolver fails. */
function sideCharge(request: RequestBudget, value: unknown, width: number): void {
  if (!Array.isArray(value) || request.budget.failure) return;
  try {
    charge(request, value.length, width);
  } catch {
    // charge() stopped the request: its pending fields are abandoned with the error.
  }
}

function admit(request: RequestBudget, value: unknown, width: number): unknown {
  if (request.budget.failure) throw request.budget.failure;
  if (Array.isArray(value)) charge(request, value.length, width);
  return pace(value, request.budget);
}

// ----------------------------------------------------------------------------------------- answer size

/** Answers serialised while their size was checked, by their `data`: Apollo's stringifyResult reuses them. */
const serialised = new WeakMap<object, { errors: unknown; text: string }>();

/** Apollo's serialisation of an answer (prettyJSONStringify), reusing the text made while checking its size. */
export function stringifyResult(value: FormattedExecutionResult): string {
  const cached = value.data ? serialised.get(value.data) : undefined;
  if (cached && cached.errors === value.errors) {
    serialised.delete(value.data!);
    return cached.text;
  }
  return JSON.stringify(value) + '\n';
}

/** The answer's JSON when it is at most `maxBytes`, else null (larger than V8's longest string included). */
function serialiseWithin(result: FormattedExecutionResult, maxBytes: number): string | null {
  let text: string;
  try {
    text = JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions }) + '\n';
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  // A UTF-16 unit is 1 to 3 bytes: exact only near the limit.
  if (text.length * 3 <= maxBytes || (text.length <= maxBytes && Buffer.byteLength(text) <= maxBytes)) return text;
  return null;
}

function formattedRefusal(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return { message: error.message, extensions };
}

// ----------------------------------------------------------------------------------------------- plugin

/** Depth, complexity, the answer's estimated size, page caps, the budget and the time limit, for every operation of the Apollo server. */
export function queryLimitsPlugin<TContext extends object>(config: AppConfig): ApolloServerPlugin<TContext> {
  const limits = queryLimits(config);
  let schema: GraphQLSchema;
  return {
    async serverWillStart(service) {
      schema = service.schema;
      guardResolvers(schema);
    },
    async requestDidStart(requestContext: GraphQLRequestContext<TContext>) {
      const context = requestContext.contextValue;
      const request = startBudget(limits, requestController());
      budgets.set(context, request);
      return {
        async didResolveOperation({ document, operation, request: { operationName, variables } }) {
          if (!operation) throw unknownOperation(document, operationName ?? null);
          const depth = operationDepth(document, operation);
          if (depth > limits.maxDepth) {
            throw refusal(
              `La requête est trop profonde : ${depth} niveaux de champs imbriqués, pour ${limits.maxDepth} au plus. Scindez-la en plusieurs requêtes.`,
              'QUERY_TOO_DEEP',
              400,
              { depth, maxDepth: limits.maxDepth },
            );
          }
          let estimate: ReturnType<typeof operationComplexity>;
          try {
            estimate = operationComplexity(schema, document, operationName ?? undefined, variables);
          } catch (error) {
            if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
              throw refusal(
                `La requête est trop complexe : elle contient trop de champs pour être évaluée (maximum ${limits.maxComplexity}).`,
                'QUERY_TOO_COMPLEX',
                400,
                { maxComplexity: limits.maxComplexity },
              );
            }
            // Variables that do not fit: execution reports them, in its usual way.
            return;
          }
          const [oversized] = estimate.oversized;
          if (oversized) {
            throw refusal(`La taille de page doit être comprise entre 1 et ${MAX_PAGE_SIZE} (first = ${oversized.first} pour ${oversized.field}).`, 'BAD_USER_INPUT', 400, {
              field: 'first',
            });
          }
          if (estimate.complexity > limits.maxComplexity) {
            throw refusal(
              `La requête est trop complexe : coût estimé ${estimate.complexity}, pour ${limits.maxComplexity} au plus. Demandez des pages plus petites (first), moins de champs ou moins d’alias, ou scindez-la.`,
              'QUERY_TOO_COMPLEX',
              400,
              { complexity: estimate.complexity, maxComplexity: limits.maxComplexity },
            );
          }
          const dataSource = (context as { dataSource?: DataSource }).dataSource;
          if (dataSource) await checkAnswerEstimate(schema, dataSource, document, operation, variables ?? {}, limits);
        },
        async willSendResponse({ response }) {
          if (request.timer) clearTimeout(request.timer);
          budgets.delete(context);
          if (response.body.kind !== 'single') return;
          const failure = request.budget.failure;
          if (failure) {
            // TIMEOUT or RESPONSE_TOO_LARGE: one error, and none of the partial data (a partial answer of
            // a request stopped for its size would be large itself).
            response.body.singleResult = { errors: [formattedRefusal(failure)] };
            response.http.status = (failure.extensions.http as { status: number }).status;
            return;
          }
          const result = response.body.singleResult;
          if (!result.data) return;
          const text = serialiseWithin(result, limits.maxResponseBytes);
          if (text !== null) {
            serialised.set(result.data, { errors: result.errors, text });
            return;
          }
          const megabytes = formatMegabytes(limits.maxResponseBytes);
          response.body.singleResult = {
            errors: [
              {
                message: `La réponse serait trop volumineuse : plus de ${megabytes} de JSON. Demandez moins de champs ou moins d’alias, ou scindez la requête (par contrat, par axe, par pages).`,
                extensions: { code: 'RESPONSE_TOO_LARGE', maxResponseBytes: limits.maxResponseBytes },
              },
            ],
          };
          response.http.status = 400;
        },
      };
    },
  };
}

function formatMegabytes(bytes: number): string {
  const megabytes = bytes / 1024 / 1024;
  return megabytes >= 1 ? `${String(Math.round(megabytes * 10) / 10).replace('.', ',')} Mo` : `${Math.round(bytes / 1024)} Ko`;
}

/** Apollo answers a document without the operation asked for with a 500: a 400 in French instead. */
function unknownOperation(document: DocumentNode, operationName: string | null): GraphQLError {
  const names = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? '(anonyme)'] : []));
  const listed = names.length ? names.map((name) => `« ${name} »`).join(', ') : 'aucune';
  if (operationName) {
    return refusal(`Aucune opération « ${operationName} » dans la requête (opérations présentes : ${listed}) : corrigez « operationName ».`, 'BAD_REQUEST', 400, {
      operationName,
    });
  }
  return refusal(`La requête contient plusieurs opérations (${listed}) : indiquez laquelle exécuter dans « operationName ».`, 'BAD_REQUEST', 400);
}

/**
 * The answer's estimate from the contracts' row statistics (list-statistics.ts), refused before it runs
 * when it exceeds the budget's ceilings: 700 aliases of a contract's whole tree cost 19 each in the
 * complexity above, and 60 000 rows each here.
 */
async function checkAnswerEstimate(
  schema: GraphQLSchema,
  dataSource: DataSource,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: QueryLimits,
): Promise<void> {
  variables = withVariableDefaults(operation, variables);
  const codes = namedContracts(document, operation, variables).slice(0, MAX_CONTRACTS_ESTIMATED);
  const global = await listStatistics(dataSource, null);
  const byContract = new Map<string, ListStatistics>();
  for (const code of codes) byContract.set(code, await listStatistics(dataSource, code));
  const estimate = estimateAnswer(schema, document, operation, variables, global, byContract);
  if (estimate.rows <= limits.maxRows && estimate.values <= limits.maxValues) return;
  const rows = Math.round(estimate.rows);
  const values = Math.round(estimate.values);
  throw refusal(
    `La requête est trop coûteuse : d’après les données demandées, sa réponse compterait environ ${rows} lignes et ${values} valeurs, pour ${limits.maxRows} lignes et ${limits.maxValues} valeurs au plus. Demandez moins de champs ou moins d’alias, ou scindez-la (par contrat, par axe, par pages).`,
    'QUERY_TOO_COMPLEX',
    400,
    { estimatedRows: rows, estimatedValues: values, maxRows: limits.maxRows, maxValues: limits.maxValues },
  );
}

/** The request's variables, with the operation's defaults (`$n: Int = 500`) for those it leaves out. */
function withVariableDefaults(operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  const filled = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (filled[name] === undefined && definition.defaultValue) filled[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return filled;
}

/** Contracts whose own statistics are read for one request (others: all contracts'); each costs a few statements once per data version. */
const MAX_CONTRACTS_ESTIMATED = 20;

// ------------------------------------------------------------------------------------ French refusals

const CSRF = /blocked as a potential Cross-Site Request Forgery/;
const BATCHING = /^Operation batching disabled/;
const INTROSPECTION = /^GraphQL introspection is not allowed/;
// graphql-js spells it "more that".
const TOO_MANY_TOKENS = /Document contains more tha[nt] \d+ tokens/;
const STACK_OVERFLOW = /Maximum call stack size exceeded/;

/**
 * Apollo's own refusals, which happen before any resolver, in French with a stable code. The original
 * message stays out of the answer: it is Apollo's, not the API's.
 */
export function frenchApolloError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const message = formatted.message;
  const extensions = formatted.extensions ?? {};
  if (CSRF.test(message)) {
    return {
      ...formatted,
      message:
        'Requête refusée par la protection contre la falsification de requêtes (CSRF) : envoyez-la en POST avec « Content-Type: application/json », ou ajoutez l’en-tête « apollo-require-preflight: true » (ou « x-apollo-operation-name »).',
      extensions: { ...extensions, code: 'BAD_REQUEST' },
    };
  }
  if (BATCHING.test(message)) {
    return {
      ...formatted,
      message: 'Les lots de requêtes (un tableau JSON de plusieurs opérations) ne sont pas acceptés : envoyez une seule opération par requête.',
      extensions: { ...extensions, code: 'BAD_REQUEST' },
    };
  }
  if (INTROSPECTION.test(message)) {
    return {
      ...formatted,
      message: 'L’introspection du schéma (__schema, __type) est fermée sur ce serveur ; le schéma est publié à /schema.graphql.',
      extensions: { ...extensions, code: 'INTROSPECTION_DISABLED' },
    };
  }
  if (TOO_MANY_TOKENS.test(message) || (extensions.code === 'GRAPHQL_PARSE_FAILED' && STACK_OVERFLOW.test(message))) {
    return {
      ...formatted,
      message: `La requête est trop longue ou trop imbriquée pour être lue (${MAX_QUERY_TOKENS} éléments au plus). Scindez-la en plusieurs requêtes.`,
      extensions: { ...extensions, code: 'QUERY_TOO_LARGE' },
    };
  }
  return formatted;
}

/**
 * The body parser's refusals on /graphql (too large, malformed JSON) as GraphQL answers in French,
 * instead of express's HTML page (which shows a stack trace outside production).
 */
export const graphqlBodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const status = (error as { status?: number }).status;
  const type = (error as { type?: string }).type;
  if (res.headersSent || !status || status >= 500) return next(error);
  let message: string;
  let code = 'BAD_REQUEST';
  if (type === 'entity.too.large') {
    const limit = (error as { limit?: number }).limit;
    message = `Le corps de la requête dépasse la taille maximale autorisée${limit ? ` (${Math.round(limit / 1024)} Ko)` : ''} : scindez la requête ou réduisez ses variables.`;
    code = 'PAYLOAD_TOO_LARGE';
  } else if (type === 'entity.parse.failed') {
    message = 'Le corps de la requête n’est pas du JSON valide : attendu {"query": "…", "variables": {…}}.';
  } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    message = 'Encodage du corps de la requête non pris en charge : envoyez du JSON en UTF-8.';
  } else {
    message = 'Requête HTTP refusée : corps illisible.';
  }
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
};
