import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import {
  astFromValue,
  DocumentNode,
  execute,
  ExecutionResult,
  GraphQLError,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  OperationDefinitionNode,
  typeFromAST,
  valueFromASTUntyped,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';

/**
 * How Apollo executes operations: graphql-js, or graphql-jit when it is installed.
 *
 * Apollo's cache-control plugin, on by default, runs a hook at every field of every answer (and makes
 * Apollo wrap every resolver of the schema for it); the API sets no cache hint, so all it did was
 * answer `cache-control: no-store`. It is replaced by that header alone.
 *
 * graphql-jit compiles each operation once into plain JavaScript (cached per parsed document, which
 * Apollo itself caches per query text) and runs it several times faster than graphql-js's generic walk
 * over the document — on the nested query of bench:reports most of GraphQL's time. It is plugged in the
 * one way Apollo Server 5 takes another executor: a gateway that serves our own schema. Parsing,
 * validation, the plugins (query limits included) and error formatting stay Apollo's; variables are
 * checked by graphql-js first (graphql-jit 0.8 differs on defaults), mutations run on graphql-js.
 * GRAPHQL_JIT=0 (or the package missing) leaves graphql-js executing everything.
 */
export interface Execution {
  /** `schema`, or `gateway` when graphql-jit executes: spread into ApolloServer's options. */
  options: { schema: GraphQLSchema; gateway?: undefined } | { gateway: GatewayInterface; schema?: undefined };
  plugins: ApolloServerPlugin[];
  engine: 'graphql-js' | 'graphql-jit';
}

export function graphqlExecution<TContext extends object>(schema: GraphQLSchema): Execution {
  const plugins = [ApolloServerPluginCacheControlDisabled(), noStorePlugin<TContext>()] as ApolloServerPlugin[];
  const jit = loadJit();
  if (!jit) return { options: { schema }, plugins, engine: 'graphql-js' };
  return { options: { gateway: jitGateway(schema, jit) }, plugins, engine: 'graphql-jit' };
}

function noStorePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

// ------------------------------------------------------------------------------------------ graphql-jit

/** The part of graphql-jit used here (typed locally, so that the package stays optional). */
interface CompiledQuery {
  query(root: unknown, context: unknown, variables: Record<string, unknown> | null | undefined): Promise<ExecutionResult> | ExecutionResult;
}
interface GraphqlJit {
  compileQuery(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName?: string,
    options?: Partial<{ customJSONSerializer: boolean; disablingCapturingStackErrors: boolean }>,
  ): CompiledQuery | ExecutionResult;
  isCompiledQuery(value: unknown): value is CompiledQuery;
}

function loadJit(): GraphqlJit | null {
  if (process.env.GRAPHQL_JIT === '0') return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('graphql-jit') as GraphqlJit;
  } catch {
    return null;
  }
}

/** Compiled operations of at most this many documents are kept (the oldest goes first). */
const MAX_COMPILED = 500;

function jitGateway(schema: GraphQLSchema, jit: GraphqlJit): GatewayInterface {
  // Per parsed document, then per operation name: Apollo hands the same DocumentNode for the same text.
  const compiled = new Map<DocumentNode, Map<string, CompiledQuery | ExecutionResult>>();
  const compile = (document: DocumentNode, operationName: string | undefined): CompiledQuery | ExecutionResult => {
    let byOperation = compiled.get(document);
    if (!byOperation) {
      if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
      compiled.set(document, (byOperation = new Map()));
    }
    const key = operationName ?? '';
    let operation = byOperation.get(key);
    if (!operation) {
      // Compiled at the first request, so after every plugin has wrapped the schema's resolvers.
      operation = jit.compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      byOperation.set(key, operation);
    }
    return operation;
  };
  return {
    async load() {
      return {
        executor: async (requestContext) => {
          const { document, operationName, operation, request, context } = requestContext;
          const variables = request.variables ?? {};
          const jsExecute = () => execute({ schema, document, contextValue: context, variableValues: variables, operationName });
          // Mutations stay on graphql-js: they are small, and their refusals are graphql-js's, as tested.
          if (!operation || operation.operation !== 'query') return jsExecute();
          // Variables are checked by graphql-js, so that a wrong one is refused with its usual message.
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
          if (coerced.errors) return { errors: coerced.errors };
          const compiledQuery = compile(document, operationName ?? undefined);
          // An operation graphql-jit cannot compile runs on graphql-js, with graphql-js's own errors.
          if (!jit.isCompiledQuery(compiledQuery)) return jsExecute();
          const result = await compiledQuery.query(undefined, context, withDefaults(schema, operation, variables));
          return result.errors?.length ? { ...result, errors: (result.errors as ReadonlyArray<GraphQLError | JitError>).map(asGraphQLError) } : result;
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors are of its own class (no `extensions` when the cause has none, which Apollo's
 * error formatting reads): rebuilt as graphql-js errors, cause, path and locations kept.
 */
function asGraphQLError(error: GraphQLError | JitError): GraphQLError {
  if (error instanceof GraphQLError && error.extensions) return error;
  const original = error.originalError ?? undefined;
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: original,
    extensions: error.extensions ?? (original as { extensions?: Record<string, unknown> } | undefined)?.extensions,
  });
  // Without the document's nodes the constructor cannot place it: the places graphql-jit found.
  if (error.locations) Object.assign(rebuilt, { locations: error.locations });
  return rebuilt;
}

interface JitError {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  originalError?: Error | null;
  extensions?: Record<string, unknown>;
}

/**
 * The variables with every default filled in — the operation's (`$x: T = v`) and those of input object
 * fields — in their external form: graphql-jit 0.8 takes a missing one for absent, graphql-js does not.
 */
function withDefaults(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  const filled: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (filled[name] === undefined && definition.defaultValue) filled[name] = valueFromASTUntyped(definition.defaultValue);
    const type = typeFromAST(schema, definition.type);
    if (type && filled[name] !== undefined) filled[name] = withFieldDefaults(type as GraphQLInputType, filled[name]);
  }
  return filled;
}

function withFieldDefaults(type: GraphQLInputType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return withFieldDefaults(type.ofType, value);
  if (isListType(type)) return Array.isArray(value) ? value.map((item) => withFieldDefaults(type.ofType, item)) : withFieldDefaults(type.ofType, value);
  if (!isInputObjectType(type) || typeof value !== 'object') return value;
  const object: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of Object.values(type.getFields())) {
    if (object[field.name] === undefined && field.defaultValue !== undefined) {
      const literal = astFromValue(field.defaultValue, field.type);
      if (literal) object[field.name] = valueFromASTUntyped(literal);
    } else if (object[field.name] !== undefined) {
      object[field.name] = withFieldDefaults(field.type, object[field.name]);
    }
  }
  return object;
}
