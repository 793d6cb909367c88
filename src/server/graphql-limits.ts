import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { ErrorRequestHandler } from 'express';
import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLFieldResolver,
  GraphQLFormattedError,
  GraphQLSchema,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { ComplexityEstimator, ComplexityEstimatorArgs, fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { AppConfig } from '../config';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/pagination';

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
 * - TIMEOUT: the request ran longer than `queryTimeoutMs` (503);
 * - BAD_REQUEST / PAYLOAD_TOO_LARGE / INTROSPECTION_DISABLED: Apollo's and express's own refusals
 *   (CSRF, batches, malformed or too large bodies, introspection in production), translated.
 *
 * Saved reports run through the same Apollo server (executeOperation), so they get the same limits.
 */

export const DEFAULT_MAX_QUERY_DEPTH = 12;
export const DEFAULT_MAX_QUERY_COMPLEXITY = 20_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
/** Far above any legitimate query (the introspection of /requetes is ~200 tokens); keeps parse and validation short. */
export const MAX_QUERY_TOKENS = 20_000;

/** Extra cost of the fields whose resolver runs aggregates or whole-contract reads. */
export const HEAVY_FIELDS: Record<string, number> = {
  'Query.fundingTotals': 50,
  'Axis.fundingTotals': 20,
  'Orientation.fundingTotals': 20,
  'Query.crossCheck': 100,
  'Query.progress': 100,
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
}

export function queryLimits(config: AppConfig): QueryLimits {
  return {
    maxDepth: config.maxQueryDepth ?? DEFAULT_MAX_QUERY_DEPTH,
    maxComplexity: config.maxQueryComplexity ?? DEFAULT_MAX_QUERY_COMPLEXITY,
    timeoutMs: config.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
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

// ---------------------------------------------------------------------------------------------- timeout

interface Deadline {
  at: number;
  /** Rejects with the TIMEOUT error when the time is up; raced by every pending resolver. */
  expired: Promise<never>;
  timer: NodeJS.Timeout;
}

/** Per request, keyed by its context object: resolvers find their request's deadline through it. */
const deadlines = new WeakMap<object, Deadline>();
const guardedSchemas = new WeakSet<GraphQLSchema>();

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

/**
 * Wraps every resolver of the schema, once (the schema is built once per process): past its request's
 * deadline a resolver no longer runs (no more SQL), and a pending one is abandoned at the deadline, so
 * the answer never waits for it. A synchronous statement already running cannot be interrupted.
 */
function guardResolvers(schema: GraphQLSchema): void {
  if (guardedSchemas.has(schema)) return;
  guardedSchemas.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve as GraphQLFieldResolver<unknown, unknown> | undefined;
      // Plain property reads cost nothing: only real resolvers are guarded.
      if (!resolve) continue;
      field.resolve = function guarded(source, args, context, info) {
        const deadline = context && typeof context === 'object' ? deadlines.get(context) : undefined;
        if (!deadline) return resolve.call(this, source, args, context, info);
        if (Date.now() >= deadline.at) return deadline.expired;
        const result = resolve.call(this, source, args, context, info);
        return result instanceof Promise ? Promise.race([result, deadline.expired]) : result;
      };
    }
  }
}

// ----------------------------------------------------------------------------------------------- plugin

/** Depth, complexity, page caps and the time limit, for every operation of the Apollo server. */
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
      let deadline: Deadline | undefined;
      if (limits.timeoutMs > 0) {
        const error = timeoutError(limits.timeoutMs);
        let expire!: (error: GraphQLError) => void;
        const expired = new Promise<never>((_resolve, reject) => (expire = reject));
        // Nobody may be waiting when the time is up: that is not an unhandled rejection.
        expired.catch(() => undefined);
        const timer = setTimeout(() => expire(error), limits.timeoutMs);
        timer.unref();
        deadline = { at: Date.now() + limits.timeoutMs, expired, timer };
        deadlines.set(context, deadline);
      }
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
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
            estimate = operationComplexity(schema, document, request.operationName ?? undefined, request.variables);
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
        },
        async willSendResponse({ response }) {
          if (deadline) {
            clearTimeout(deadline.timer);
            deadlines.delete(context);
          }
          // Every abandoned field says TIMEOUT: one message is enough.
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors?.length) return;
          const first = errors.findIndex((error) => error.extensions?.code === 'TIMEOUT');
          if (first < 0) return;
          response.body.singleResult.errors = errors.filter((error, index) => index === first || error.extensions?.code !== 'TIMEOUT');
        },
      };
    },
  };
}

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
