import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { ApolloServer } from '@apollo/server';
import { createConnection } from 'mysql2/promise';
import { GraphQLObjectType, GraphQLString, GraphQLInputType, GraphQLScalarType, GraphQLSchema, isEnumType, isInputObjectType, isListType, isNonNullType, Kind, OperationDefinitionNode, parse, typeFromAST } from 'graphql';
import { Role } from '../../src/kernel/role.enum';
import { createToken } from '../../src/auth/token.service';
import { AppConfig } from '../../src/config';
import { seedReferenceData } from '../../src/seed/seed.service';
import { RunningServer, startServer } from '../../src/server/app';
import {
  DEFAULT_MAX_QUERY_COMPLEXITY,
  DEFAULT_MAX_QUERY_DEPTH,
  MAX_QUERY_TOKENS,
  operationComplexity,
  operationDepth,
  queryLimitsPlugin,
} from '../../src/server/graphql-limits';
import { getSchema } from '../../src/server/schema';
import { CLIENT_GONE_MESSAGE, requestSignal, runAbortable } from '../../src/request/request-signal';
import { createTestDatabase, TEST_DATABASE_TYPE, TestDatabase } from '../support/database';

/**
 * Issue 7, point 3: every refusal of an abusive GraphQL request, with the request that triggers it,
 * against the real HTTP server. One seeded database; servers with other limits are started over it.
 */

const ROOT = join(__dirname, '..', '..');
const EXAMPLES_DIR = join(ROOT, 'schema', 'examples');
const PAGES_DIR = join(ROOT, 'web', 'assets');

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

async function post(server: RunningServer, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

/** A single refusal: its status, code and French message. */
function expectRefusal(answer: Answer, status: number, code: string, message: RegExp): void {
  expect(answer.body.errors).toHaveLength(1);
  const [error] = answer.body.errors!;
  expect({ status: answer.status, code: error.extensions?.code }).toEqual({ status, code });
  expect(error.message).toMatch(message);
  expect(answer.body.data ?? undefined).toBeUndefined();
}

/**
 * The GraphQL documents the web pages send, with the largest variables they send: string constants are
 * read from the page sources and `${NAME}` replaced by their values.
 */
function pageQueries(): Array<{ name: string; query: string; variables: Record<string, unknown> }> {
  // What the pages pass as `first`/`issues` (historique.js PAGE_SIZE 20, LINES_PAGE_SIZE 100, ISSUES_SHOWN 200; dashboard 10).
  const variables: Record<string, Record<string, unknown>> = {
    'historique.js:LIST_QUERY': { first: 20 },
    'historique.js:DETAIL_QUERY': { id: '1', first: 100, issues: 200 },
    'historique.js:LINES_QUERY': { id: '1', first: 100 },
    'tableau-de-bord.js:ACTIONS_QUERY': { first: 10, stage: 'PLANNED' },
  };
  const queries: Array<{ name: string; query: string; variables: Record<string, unknown> }> = [];
  const files = [join(PAGES_DIR, 'app.js'), ...readdirSync(join(PAGES_DIR, 'pages')).map((file) => join(PAGES_DIR, 'pages', file))];
  for (const path of files.filter((file) => file.endsWith('.js'))) {
    const source = readFileSync(path, 'utf8');
    const file = path.slice(path.lastIndexOf('/') + 1);
    const constants = new Map<string, string>();
    for (const match of source.matchAll(/const (\w+) = (`[^`]*`|'[^'\n]*');/g)) constants.set(match[1], match[2].slice(1, -1));
    const expand = (text: string): string => text.replace(/\$\{(\w+)\}/g, (_all, name: string) => expand(constants.get(name) ?? `\${${name}}`));
    const isGraphQL = (text: string) => /^\s*(query|mutation|\{)/.test(text) && /\{/.test(text);
    for (const [name, value] of constants) {
      if (isGraphQL(value)) queries.push({ name: `${file}:${name}`, query: expand(value), variables: variables[`${file}:${name}`] ?? {} });
    }
    for (const match of source.matchAll(/(?:graphql|request|post)\(\s*(`[^`]*`|'[^'\n]*')/g)) {
      const value = match[1].slice(1, -1);
      if (isGraphQL(value)) queries.push({ name: `${file}:${value.slice(0, 40)}`, query: expand(value), variables: {} });
    }
  }
  return queries;
}

/** Placeholder values for an operation's required variables: the cost does not depend on them. */
/** A value of `type` that passes validation: its required fields only, filled with placeholders. */
function placeholderOf(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholderOf(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = placeholderOf(field.type);
    return value;
  }
  const scalars: Record<string, unknown> = { String: 'x', ID: '1', Int: 1, Float: 1, Boolean: true, Decimal: '1.00' };
  return scalars[(type as GraphQLScalarType).name] ?? 'x';
}

/** The operation's required variables (without a default), each given a placeholder of its type. */
function requiredVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.type.kind !== Kind.NON_NULL_TYPE || definition.defaultValue) continue;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    values[definition.variable.name.value] = type ? placeholderOf(type) : 'x';
  }
  return values;
}

/** `{ contract { axes { orientations { axis { orientations … number|code } } } } }`, `depth` fields deep. */
function deepQuery(depth: number): string {
  const chain = ['contract(code: "CRTE-DOUAISIS")', 'axes'];
  while (chain.length < depth - 1) chain.push(chain.length % 2 === 0 ? 'orientations' : 'axis');
  const leaf = chain[chain.length - 1] === 'orientations' ? 'code' : 'number';
  return `{ ${chain.map((field) => `${field} { `).join('')}${leaf}${' }'.repeat(chain.length)} }`;
}

describe('GraphQL query limits', () => {
  let db: TestDatabase;
  let dev: RunningServer;
  const others: RunningServer[] = [];
  let admin: string;

  const start = async (config: Partial<AppConfig>): Promise<RunningServer> => {
    const server = await startServer(db.dataSource, {
      databaseUrl: db.url,
      database: db.config,
      port: 0,
      readRequiresToken: false,
      production: false,
      ...config,
    });
    others.push(server);
    return server;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    admin = (await createToken(db.dataSource, { name: 'Admin', role: Role.ADMIN, organisationId: null })).secret;
    dev = await start({});
  });
  afterAll(async () => {
    for (const server of others) await server.close();
    await db?.drop();
  });

  describe('legitimate queries stay under the default limits', () => {
    const examples = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.graphql'));
    const pages = pageQueries();

    it('finds the examples and the pages’ queries', () => {
      expect(examples.length).toBeGreaterThanOrEqual(7);
      expect(pages.map((page) => page.name)).toEqual(
        expect.arrayContaining(['historique.js:DETAIL_QUERY', 'tableau-de-bord.js:DASHBOARD_QUERY', 'requetes.js:INTROSPECTION', 'tableau-de-bord.js:ACTION_QUERY']),
      );
      expect(pages.every((page) => !page.query.includes('${'))).toBe(true);
    });

    it('every example and every page query is at most 10 deep and costs at most a quarter of the limit', async () => {
      const schema = await getSchema();
      const figures: Record<string, { depth: number; complexity: number }> = {};
      const all = [
        ...examples.map((file) => ({ name: file, query: readFileSync(join(EXAMPLES_DIR, file), 'utf8'), variables: {} })),
        ...pages,
      ];
      for (const { name, query, variables } of all) {
        const document = parse(query);
        const operation = document.definitions.find((d) => d.kind === 'OperationDefinition')!;
        figures[name] = {
          depth: operationDepth(document, operation as any),
          complexity: operationComplexity(schema, document, undefined, { ...requiredVariables(schema, operation as any), ...variables }).complexity,
        };
      }
      const deepest = Math.max(...Object.values(figures).map((f) => f.depth));
      const costliest = Math.max(...Object.values(figures).map((f) => f.complexity));
      // The figures quoted in the README.
      console.log(`deepest legitimate query: ${deepest}; costliest: ${costliest} (${Object.entries(figures).map(([name, f]) => `${name.slice(0, 30)} ${f.depth}/${f.complexity}`).join(', ')})`);
      expect(deepest).toBeLessThanOrEqual(DEFAULT_MAX_QUERY_DEPTH - 2);
      expect(costliest).toBeLessThanOrEqual(DEFAULT_MAX_QUERY_COMPLEXITY / 4);
    });

    it('the pages’ largest queries run over HTTP without error', async () => {
      for (const name of ['tableau-de-bord.js:DASHBOARD_QUERY', 'requetes.js:INTROSPECTION']) {
        const { query } = pages.find((page) => page.name === name)!;
        const variables = { contract: 'CRTE-DOUAISIS', filter: { contract: 'CRTE-DOUAISIS' }, allStages: { contract: 'CRTE-DOUAISIS' } };
        const answer = await post(dev, { query, variables: name.startsWith('tableau') ? variables : {} });
        expect({ name, status: answer.status, errors: answer.body.errors }).toEqual({ name, status: 200, errors: undefined });
      }
    });

    it('a full page of 500 funding lines with their lineage is allowed', async () => {
      const answer = await post(dev, {
        query: `{ fundings(first: 500) { totalCount nodes { year amount stage action { code title } funder { name } programme { code } source { reference rawValue batch { fileName } } } } }`,
      });
      expect(answer.body.errors).toBeUndefined();
    });
  });

  it('QUERY_TOO_DEEP: 13 nested fields, even through fragments, are refused before anything runs', async () => {
    expect(operationDepth(parse(deepQuery(12)), parse(deepQuery(12)).definitions[0] as any)).toBe(12);
    const ok = await post(dev, { query: deepQuery(12) });
    expect(ok.body.errors).toBeUndefined();

    const deep = await post(dev, { query: deepQuery(13) });
    expectRefusal(deep, 400, 'QUERY_TOO_DEEP', /^La requête est trop profonde : 13 niveaux de champs imbriqués, pour 12 au plus/);
    expect(deep.body.errors![0].extensions).toMatchObject({ depth: 13, maxDepth: 12 });

    const viaFragments = `query { contract(code: "CRTE-DOUAISIS") { ...C } }
      fragment C on Contract { axes { ...A } }
      fragment A on Axis { orientations { axis { orientations { axis { orientations { axis { orientations { axis { ...O } } } } } } } } }
      fragment O on Axis { orientations { axis { number } } }`;
    expectRefusal(await post(dev, { query: viaFragments }), 400, 'QUERY_TOO_DEEP', /trop profonde : 13 niveaux/);
    expectRefusal(await post(dev, { query: deepQuery(1000) }), 400, 'QUERY_TOO_DEEP', /trop profonde : 1000 niveaux/);
  });

  it('QUERY_TOO_COMPLEX: aliases of full pages, and heavy fields repeated, are refused with their estimated cost', async () => {
    const page = `fundings(first: 500) { nodes { amount action { code } funder { name } source { reference } } }`;
    const aliases = Array.from({ length: 6 }, (_, i) => `p${i}: ${page}`).join(' ');
    const answer = await post(dev, { query: `{ ${aliases} }` });
    expectRefusal(answer, 400, 'QUERY_TOO_COMPLEX', /^La requête est trop complexe : coût estimé \d+, pour 20000 au plus\. Demandez des pages plus petites/);
    expect(answer.body.errors![0].extensions!.complexity).toBeGreaterThan(20_000);

    // The page size comes from the variables too.
    const withVariable = await post(dev, { query: `query ($n: Int) { ${Array.from({ length: 6 }, (_, i) => `p${i}: ${page.replace('500', '$n')}`).join(' ')} }`, variables: { n: 500 } });
    expectRefusal(withVariable, 400, 'QUERY_TOO_COMPLEX', /trop complexe/);
    const small = await post(dev, { query: `query ($n: Int) { ${Array.from({ length: 6 }, (_, i) => `p${i}: ${page.replace('500', '$n')}`).join(' ')} }`, variables: { n: 10 } });
    expect(small.body.errors).toBeUndefined();

    // crossCheck costs 100 plus its rows: 200 of them at once are too many.
    const crossChecks = Array.from(
      { length: 200 },
      (_, i) => `c${i}: crossCheck(contract: "CRTE-DOUAISIS", groupBy: [YEAR], left: { kind: [DOTATIONS] }, right: { kind: [GRANTS] }) { difference }`,
    ).join(' ');
    expectRefusal(await post(dev, { query: `{ ${crossChecks} }` }), 400, 'QUERY_TOO_COMPLEX', /trop complexe/);
  });

  it('BAD_USER_INPUT: a page above 500, on any list with `first` (issues too), is refused before anything runs', async () => {
    expectRefusal(await post(dev, { query: '{ fundings(first: 501) { totalCount } }' }), 400, 'BAD_USER_INPUT', /^La taille de page doit être comprise entre 1 et 500 \(first = 501 pour Query\.fundings\)/);
    expectRefusal(
      await post(dev, { query: 'query ($n: Int) { importBatches { nodes { issues(first: $n) { code } } } }', variables: { n: 100000 } }),
      400,
      'BAD_USER_INPUT',
      /first = 100000 pour ImportBatch\.issues/,
    );
    expectRefusal(await post(dev, { query: '{ actions(first: 0) { totalCount } }' }), 200, 'BAD_USER_INPUT', /entre 1 et 500/);
  });

  it('QUERY_TOO_LARGE: a document of more tokens than the cap, or nested past the parser’s stack, is refused while parsing', async () => {
    const many = `{ ${Array.from({ length: MAX_QUERY_TOKENS }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const started = Date.now();
    expectRefusal(await post(dev, { query: many }), 400, 'QUERY_TOO_LARGE', /^La requête est trop longue ou trop imbriquée pour être lue \(20000 éléments au plus\)/);
    const nested = '{ a '.repeat(9000) + '}'.repeat(9000);
    expectRefusal(await post(dev, { query: nested }), 400, 'QUERY_TOO_LARGE', /trop longue ou trop imbriquée/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('PAYLOAD_TOO_LARGE: a body over 1 MB is refused with 413, a malformed one with 400, both in JSON and in French', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1024 * 1024) } });
    const tooLarge = await post(dev, big);
    expectRefusal(tooLarge, 413, 'PAYLOAD_TOO_LARGE', /^Le corps de la requête dépasse la taille maximale autorisée \(1024 Ko\)/);
    expect(tooLarge.headers.get('content-type')).toMatch(/^application\/json/);
    // Just under the cap is read (and answered).
    const under = await post(dev, JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1000 * 1000) } }));
    expect(under.status).toBe(200);

    expectRefusal(await post(dev, '{"query": "{ __typename }"'), 400, 'BAD_REQUEST', /^Le corps de la requête n’est pas du JSON valide/);
  });

  it('batching is off: an array of operations is refused', async () => {
    const answer = await post(dev, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expectRefusal(answer, 400, 'BAD_REQUEST', /^Les lots de requêtes \(un tableau JSON de plusieurs opérations\) ne sont pas acceptés/);
  });

  it('CSRF prevention: a simple GET or a text/plain or form POST is refused; a preflighted GET is served', async () => {
    const url = `${dev.url}?query=${encodeURIComponent('{ __typename }')}`;
    const csrf = /^Requête refusée par la protection contre la falsification de requêtes \(CSRF\)/;
    const get = await fetch(url);
    expectRefusal({ status: get.status, headers: get.headers, body: (await get.json()) as Answer['body'] }, 400, 'BAD_REQUEST', csrf);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const answer = await post(dev, JSON.stringify({ query: '{ __typename }' }), { 'content-type': type });
      expectRefusal(answer, 400, 'BAD_REQUEST', csrf);
    }
    // A body without content type at all: the browser's "simple request" Apollo refuses too.
    const bare = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(dev.url, { method: 'POST' }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ __typename }' }));
    });
    expect(bare.status).toBe(400);
    expect(JSON.parse(bare.body).errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(csrf) });

    const preflighted = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect({ status: preflighted.status, body: await preflighted.json() }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('production: introspection refused and no stack trace; development: both', async () => {
    const production = await start({ production: true });
    const introspection = '{ __schema { queryType { name } } }';
    expectRefusal(await post(production, { query: introspection }), 400, 'INTROSPECTION_DISABLED', /^L’introspection du schéma \(__schema, __type\) est fermée sur ce serveur/);
    expectRefusal(await post(production, { query: '{ __type(name: "Funding") { name } }' }), 400, 'INTROSPECTION_DISABLED', /fermée/);
    expect((await post(dev, { query: introspection })).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });

    const unknownField = { query: '{ nonExistent }' };
    const inProduction = (await post(production, unknownField)).body.errors![0];
    const inDevelopment = (await post(dev, unknownField)).body.errors![0];
    expect(inProduction.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(inDevelopment.extensions!.stacktrace).toEqual(expect.arrayContaining([expect.stringContaining('GraphQLError')]));
    // The limits' own refusals carry no stack trace in production either.
    const deep = (await post(production, { query: deepQuery(13) })).body.errors![0];
    expect(deep.extensions).toEqual({ code: 'QUERY_TOO_DEEP', depth: 13, maxDepth: 12 });
  });

  it('issue 13: a mismatched operationName is a 400 in French, production suggests no names, no X-Powered-By', async () => {
    const production = await start({ production: true });
    // One operation, another name asked for: Apollo answered a 500 (« did not resolve an operation »).
    for (const query of ['query Un { __typename }', '{ __typename }']) {
      for (const server of [dev, production]) {
        const single = await post(server, { query, operationName: 'Deux' });
        expectRefusal(single, 400, 'BAD_REQUEST', /^Aucune opération « Deux » dans la requête \(opérations présentes : « (Un|\(anonyme\)) »\) : corrigez « operationName »\.$/);
      }
    }
    const document = 'query Un { __typename } query Deux { __typename }';
    const mismatched = await post(dev, { query: document, operationName: 'Trois' });
    expectRefusal(mismatched, 400, 'BAD_REQUEST', /^Aucune opération « Trois » dans la requête \(opérations présentes : « Un », « Deux »\) : corrigez « operationName »\.$/);
    expectRefusal(await post(dev, { query: document }), 400, 'BAD_REQUEST', /^La requête contient plusieurs opérations \(« Un », « Deux »\) : indiquez laquelle exécuter dans « operationName »\.$/);
    expect((await post(dev, { query: document, operationName: 'Deux' })).body).toEqual({ data: { __typename: 'Query' } });

    // A near-miss of a field, an argument, an enum value: graphql-js names the schema's own.
    const nearMisses = [
      '{ token { name } }',
      '{ contract(cod: "CRTE-DOUAISIS") { code } }',
      '{ fundingTotals(groupBy: [yaer]) { amount } }',
    ];
    for (const query of nearMisses) {
      const inDevelopment = (await post(dev, { query })).body.errors![0].message;
      const inProduction = (await post(production, { query })).body.errors![0].message;
      expect(inDevelopment).toMatch(/Did you mean/);
      expect(inProduction).not.toMatch(/Did you mean|tokens|code"|year/);
      expect(inProduction).toBe(inDevelopment.replace(/\s*Did you mean [^?]*\?/, ''));
    }

    for (const url of [dev.url, `http://localhost:${dev.port}/healthz`, `http://localhost:${production.port}/`]) {
      const response = await fetch(url, { method: url.endsWith('/graphql') ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: url.endsWith('/graphql') ? '{"query":"{ __typename }"}' : undefined });
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('TIMEOUT: past the configured time the answer is a 503 with one French error', async () => {
    const quick = await start({ queryTimeoutMs: 1 });
    const { query } = pageQueries().find((page) => page.name === 'tableau-de-bord.js:DASHBOARD_QUERY')!;
    const filter = { contract: 'CRTE-DOUAISIS' };
    const started = Date.now();
    const answer = await post(quick, { query, variables: { contract: 'CRTE-DOUAISIS', filter, allStages: filter } });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer.status).toBe(503);
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors![0]).toMatchObject({
      message: 'La requête a dépassé le temps maximal de traitement (1 ms) et a été interrompue : demandez moins de données à la fois (pages plus petites, moins de champs).',
      extensions: { code: 'TIMEOUT', timeoutMs: 1 },
    });
    // The default (30 s) serves the same query.
    const answerDev = await post(dev, { query, variables: { contract: 'CRTE-DOUAISIS', filter, allStages: filter } });
    expect(answerDev.body.errors).toBeUndefined();
  });

  it('TIMEOUT aborts the request’s signal (a streamed read stops on it: test/db/sqlite-streamed-read.test.ts); an answered request’s is left alone', async () => {
    const quick = await start({ queryTimeoutMs: 1 });
    const { query } = pageQueries().find((page) => page.name === 'tableau-de-bord.js:DASHBOARD_QUERY')!;
    const body = { query, variables: { contract: 'CRTE-DOUAISIS', filter: { contract: 'CRTE-DOUAISIS' }, allStages: { contract: 'CRTE-DOUAISIS' } } };
    // The signals of the requests that run statements (the token's lookup at least), as the HTTP layer made them.
    const signals = new Set<AbortSignal>();
    const logger = db.dataSource.logger;
    const logQuery = logger.logQuery;
    logger.logQuery = function (this: typeof logger, ...args: Parameters<typeof logQuery>) {
      const signal = requestSignal();
      if (signal) signals.add(signal);
      return logQuery.apply(this, args);
    };
    try {
      const stopped = await post(quick, body, { authorization: `Bearer ${admin}` });
      expect(stopped.status).toBe(503);
      expect(signals.size).toBe(1);
      const [signal] = signals;
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toMatchObject({ extensions: { code: 'TIMEOUT' } });
      signals.clear();
      const answered = await post(dev, body, { authorization: `Bearer ${admin}` });
      expect(answered.body.errors).toBeUndefined();
      expect([...signals].map((other) => other.aborted)).toEqual([false]);
    } finally {
      logger.logQuery = logQuery;
    }
  });

  (TEST_DATABASE_TYPE === 'mysql' ? it : it.skip)('TIMEOUT: a statement blocked by a table lock does not hold the answer (MariaDB)', async () => {
    const patient = await start({ queryTimeoutMs: 400 });
    const config = db.config as Extract<typeof db.config, { type: 'mysql' }>;
    const locker = await createConnection({ host: config.host, port: config.port, user: config.username, password: config.password, database: config.database });
    try {
      await locker.query('LOCK TABLES funding WRITE');
      const started = Date.now();
      const answer = await post(patient, { query: '{ fundings(first: 5) { totalCount nodes { amount } } }' });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(3000);
      expect(answer.status).toBe(503);
      expect(answer.body.errors!.map((error) => error.extensions?.code)).toEqual(['TIMEOUT']);
    } finally {
      await locker.query('UNLOCK TABLES');
      await locker.end();
    }
    // The blocked statement finishes once the lock is gone; the server answers as before.
    expect((await post(patient, { query: '{ fundings(first: 5) { totalCount } }' })).body.errors).toBeUndefined();
  });

  it('a saved report over the limit is refused when it runs (same Apollo server, same limits)', async () => {
    const save = await post(
      dev,
      { query: 'mutation ($q: String!) { saveReport(name: "trop-profond", query: $q) { name } }', variables: { q: deepQuery(13) } },
      { authorization: `Bearer ${admin}` },
    );
    expect(save.body.errors).toBeUndefined();
    const csv = await fetch(`http://localhost:${dev.port}/api/reports/trop-profond.csv`);
    expect(csv.status).toBe(400);
    expect(await csv.text()).toMatch(/Le rapport « trop-profond » n’a pas pu être exécuté : La requête est trop profonde : 13 niveaux de champs imbriqués, pour 12 au plus/);

    // A report within the limits of one server is refused by a server with a lower limit.
    await post(
      dev,
      { query: 'mutation ($q: String!) { saveReport(name: "perimetre", query: $q) { name } }', variables: { q: readFileSync(join(EXAMPLES_DIR, 'perimeter.graphql'), 'utf8') } },
      { authorization: `Bearer ${admin}` },
    );
    expect((await fetch(`http://localhost:${dev.port}/api/reports/perimetre.csv`)).status).toBe(200);
    const strict = await start({ maxQueryComplexity: 5 });
    const refused = await fetch(`http://localhost:${strict.port}/api/reports/perimetre.csv`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/n’a pas pu être exécuté : La requête est trop complexe : coût estimé \d+, pour 5 au plus/);
  });
});

describe('a GraphQL request’s signal (src/request/request-signal.ts)', () => {
  /** One field that answers when its request's signal is aborted (else after 10 s), run under the limits' plugin. */
  const slowServer = async (config: Partial<AppConfig>) => {
    const signals: AbortSignal[] = [];
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          slow: {
            type: GraphQLString,
            resolve: () => {
              const signal = requestSignal()!;
              signals.push(signal);
              return new Promise((resolve) => {
                const timer = setTimeout(() => resolve('fini'), 10_000);
                signal.addEventListener('abort', () => (clearTimeout(timer), resolve('interrompu')));
              });
            },
          },
        },
      }),
    });
    const apollo = new ApolloServer({ schema, plugins: [queryLimitsPlugin(config as AppConfig)] });
    await apollo.start();
    return { apollo, signals };
  };

  it('is aborted by the request’s failure (TIMEOUT), with that failure', async () => {
    const { apollo, signals } = await slowServer({ queryTimeoutMs: 50 });
    try {
      const res = Object.assign(new EventEmitter(), { writableEnded: false });
      const response = await runAbortable(res, () => apollo.executeOperation({ query: '{ slow }' }, { contextValue: {} }));
      expect(response.http.status).toBe(503);
      expect(response.body.kind === 'single' && response.body.singleResult.errors!.map((error) => error.extensions?.code)).toEqual(['TIMEOUT']);
      expect(signals).toHaveLength(1);
      expect(signals[0].reason).toMatchObject({ extensions: { code: 'TIMEOUT' } });
    } finally {
      await apollo.stop();
    }
  });

  it('aborted by the client gone, stops the request as a failure does: one error, CLIENT_CLOSED_REQUEST', async () => {
    const { apollo, signals } = await slowServer({ queryTimeoutMs: 0 });
    try {
      const res = Object.assign(new EventEmitter(), { writableEnded: false });
      const started = Date.now();
      const answering = runAbortable(res, () => apollo.executeOperation({ query: '{ slow }' }, { contextValue: {} }));
      setTimeout(() => res.emit('close'), 50);
      const response = await answering;
      expect(Date.now() - started).toBeLessThan(5000);
      expect(response.http.status).toBe(499);
      expect(response.body.kind === 'single' && response.body.singleResult).toEqual({
        errors: [{ message: CLIENT_GONE_MESSAGE, extensions: { code: 'CLIENT_CLOSED_REQUEST' } }],
      });
      expect(signals[0].aborted).toBe(true);
    } finally {
      await apollo.stop();
    }
  });
});
