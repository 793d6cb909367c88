import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { RequestHandler } from 'express';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DataSource } from 'typeorm';
import { TOKEN_REQUIRED_MESSAGE } from '../auth/http-authorisation';
import { authenticate, InvalidTokenError } from '../auth/token.service';
import { aggregateCacheStats, CacheLimits, CacheStats, cacheLimitsFromEnv, configureAggregateCache, runInRequestScope } from '../cache/aggregate-cache';
import { cacheCostlyFields } from '../cache/cached-fields';
import { AppConfig } from '../config';
import { createAnnex3ExportRouter } from '../export/annex3-export.routes';
import { createExportRouter } from '../export/export.routes';
import { createRelanceExportRouter } from '../export/relance-export.routes';
import { createImportRouter } from '../import-batch/import-batch.routes';
import { createImportIssuesRouter } from '../import-batch/import-issues.routes';
import { createMeetingRouter } from '../meeting/meeting.routes';
import { createReportRouter } from '../report/report.routes';
import { graphqlLandingPage, notFound, serverError } from '../web/error-pages';
import { createWebRouter } from '../web/web.routes';
import { closeSpareWorker, keepSpareWorker } from '../../import/read/read-file';
import { importMaxWorkers, importWorkerMaxMb } from '../../import/read/worker-slots';
import { importWorkerNice } from '../../import/read/worker-priority';
import { RequestContext } from '../request/context';
import { GraphQLRunner } from '../request/graphql-runner';
import { runAbortable } from '../request/request-signal';
import { frenchApolloError, graphqlBodyErrors, MAX_QUERY_TOKENS, queryLimitsPlugin, stringifyResult } from './graphql-limits';
import { listStatistics } from './list-statistics';
import { createLoaders } from './loaders';
import { GateConfig, GateStats, RequestGate, gateLimits } from '../request/request-gate';
import { graphqlExecution } from './execution';
import { applyKeepAlive, KeepAliveLimits, keepAliveLimits } from './keep-alive';
import { getSchema } from './schema';

export interface RunningServer {
  url: string;
  port: number;
  httpServer: Server;
  /** The heavy requests' gate: GraphQL operations, exports and reports take their turn there. */
  gate: RequestGate;
  /** The gate (running, queued, refused) and the aggregate cache (hits, entries, bytes). */
  stats(): { gate: GateStats; cache: CacheStats | null };
  close(): Promise<void>;
}

/** What a server may be given beside its AppConfig; else from the environment (request-gate.ts, aggregate-cache.ts). */
export interface ServerOptions {
  gate?: GateConfig;
  cache?: CacheLimits;
  keepAlive?: KeepAliveLimits;
}

const MAX_BODY = '1mb';

export async function startServer(dataSource: DataSource, config: AppConfig & ServerOptions): Promise<RunningServer> {
  configureAggregateCache(dataSource, config.cache ?? cacheLimitsFromEnv());
  // The import workers' memory and priority settings are checked at start-up, not at the first upload.
  importWorkerMaxMb();
  importMaxWorkers();
  importWorkerNice();
  const gate = new RequestGate(gateLimits(config));
  // Each admitted request reads the data versions once, whatever number of aggregates it asks for; and
  // has its abort signal, which its failure or its client gone aborts (src/request/request-signal.ts).
  const scoped: RequestHandler = (_req, res, next) => runAbortable(res, () => runInRequestScope(dataSource, next));
  const schema = await getSchema();
  cacheCostlyFields(schema);
  const app = express();
  // The framework's name tells an attacker which flaws to try first.
  app.disable('x-powered-by');
  // No ETag computed over each answer: express hashed every GraphQL answer (POST, never revalidated) with
  // SHA-1 before sending it — 4 MB for a 5 000-action nested query. Static assets keep theirs (serve-static).
  app.set('etag', false);
  const httpServer = createServer(app);
  applyKeepAlive(httpServer, config.keepAlive ?? keepAliveLimits());
  const execution = graphqlExecution<RequestContext>(schema);
  const apollo = new ApolloServer<RequestContext>({
    ...execution.options,
    csrfPrevention: true,
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    // The answer's size was checked, and its text kept, by the query limits' willSendResponse.
    stringifyResult,
    formatError: (formatted, error) => formatError(frenchApolloError(formatted), error, config),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled(), queryLimitsPlugin<RequestContext>(config), ...execution.plugins],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(createWebRouter());
  app.use(createImportRouter(dataSource));
  app.use(createImportIssuesRouter(dataSource, config));
  // Exports and reports run the heavy reads: they take their turn with GraphQL operations.
  app.use(['/api/export', '/api/reports', '/api/contracts'], gate.guard('route'), scoped);
  app.use(createExportRouter(dataSource, config));
  app.use(createAnnex3ExportRouter(dataSource, config));
  app.use(createRelanceExportRouter(dataSource, config));
  app.use(createMeetingRouter(dataSource, config));
  app.use(createReportRouter(dataSource, graphQLRunner(apollo, dataSource, config), schema));
  app.get('/graphql', graphqlLandingPage);
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY }),
    // After the body is read: a refused request leaves its keep-alive connection clean.
    gate.guard('graphql'),
    scoped,
    expressMiddleware(apollo, {
      context: async ({ req }) => buildContext(dataSource, config, req.headers.authorization),
    }),
    graphqlBodyErrors,
  );
  // Last: what no route answered, and what failed outside a route's own handling.
  app.use(notFound);
  app.use(serverError);

  // All contracts' statistics, which every GraphQL request's estimate reads, before the first request rather
  // than in it (1.5 s at 850 contracts; list-statistics.ts). A database they cannot be read from (not yet
  // migrated) is the requests' business, as before.
  await listStatistics(dataSource, null).catch(() => undefined);
  try {
    await listen(httpServer, config.port);
  } catch (error) {
    // Nothing listens: the drain plugin's close of the HTTP server has nothing to close.
    await apollo.stop().catch(() => undefined);
    throw error;
  }
  const port = (httpServer.address() as AddressInfo).port;
  // One xlsx worker started ahead, so that an upload does not wait for a worker and the library to load.
  void keepSpareWorker();
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    httpServer,
    gate,
    stats: () => ({ gate: gate.stats(), cache: aggregateCacheStats(dataSource) }),
    close: async () => {
      await closeSpareWorker();
      await apollo.stop();
    },
  };
}

/** Listens on the port; a port that cannot be opened is one French line (the CLI prints it as it is), not a stack trace. */
function listen(httpServer: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const next = port ? port + 1 : 4001;
      if (error.code === 'EADDRINUSE') {
        reject(new Error(`Le port ${port} est déjà utilisé : un autre programme l’occupe (peut-être un autre « crte serve »). Arrêtez-le, ou choisissez un autre port : PORT=${next} npm start`, { cause: error }));
      } else if (error.code === 'EACCES') {
        reject(new Error(`Le port ${port} est réservé à l’administrateur du système : choisissez un port au-dessus de 1024, par exemple PORT=4000 npm start`, { cause: error }));
      } else {
        reject(error);
      }
    };
    httpServer.once('error', failed);
    httpServer.listen(port, () => {
      httpServer.off('error', failed);
      resolve();
    });
  });
}

export async function buildContext(dataSource: DataSource, config: AppConfig, authorization: string | undefined): Promise<RequestContext> {
  let identity: RequestContext['identity'];
  try {
    identity = await authenticate(dataSource, authorization);
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      throw new GraphQLError(error.message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
    throw error;
  }
  if (config.readRequiresToken && !identity) {
    throw new GraphQLError(TOKEN_REQUIRED_MESSAGE, {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  return { dataSource, config, identity, loaders: createLoaders(dataSource) };
}

/** Saved reports run through the same Apollo server as `/graphql`: same validation, plugins and limits. */
function graphQLRunner(apollo: ApolloServer<RequestContext>, dataSource: DataSource, config: AppConfig): GraphQLRunner {
  return async ({ query, variables, authorization }) => {
    let contextValue: RequestContext;
    try {
      contextValue = await buildContext(dataSource, config, authorization);
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error.toJSON()] };
      throw error;
    }
    const response = await runInRequestScope(dataSource, () => apollo.executeOperation({ query, variables }, { contextValue }));
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported for reports');
    return response.body.singleResult;
  };
}

/** graphql-js's hints at the names the schema holds ("Did you mean "tokens"?"), variables' included. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * In production an unexpected error says only that it happened; its details stay in the server log. A
 * validation message does not suggest field, type or value names there either: with introspection
 * closed, the suggestions would hand the schema out one guess at a time.
 */
function formatError(formatted: GraphQLFormattedError, error: unknown, config: AppConfig): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code === 'INTERNAL_SERVER_ERROR') {
    console.error(error);
    if (config.production) return { message: 'Erreur interne du serveur.', extensions: { code } };
  }
  if (config.production) {
    const message = formatted.message.replace(SUGGESTION, '');
    if (message !== formatted.message) return { ...formatted, message };
  }
  return formatted;
}
