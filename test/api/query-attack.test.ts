import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../src/config';
import { Action } from '../../src/action/action.entity';
import { Funding } from '../../src/funding/funding.entity';
import { FundingInstrument, FundingStage } from '../../src/kernel/funding.enum';
import { seedReferenceData } from '../../src/seed/seed.service';
import { RunningServer, startServer } from '../../src/server/app';
import { Kind, OperationDefinitionNode, parse } from 'graphql';
import { DEFAULT_MAX_RESULT_ROWS, DEFAULT_MAX_RESULT_VALUES } from '../../src/server/graphql-limits';
import { estimateAnswer, listStatistics } from '../../src/server/list-statistics';
import { getSchema } from '../../src/server/schema';
import { NESTED_QUERY } from '../../bench/nested-query';
import { buildLargeContract } from '../support/builders';
import { createTestDatabase, TEST_DATABASE_TYPE, TestDatabase } from '../support/database';

/**
 * Issue 13, point 1: one anonymous query of many aliases of a contract's whole tree ran the server out
 * of memory (700 aliases: 4.3 GB, then V8's heap limit killed it) and held every other request (40
 * aliases: /healthz waited 31 s). Replayed against the real HTTP server over a 50 000-line contract
 * (10 000 actions × 5 lines), with a probe timing /healthz and the dashboard's query meanwhile and a
 * sampler of the process's RSS (the server runs in this process).
 */

const CODE = 'CRTE-ATTAQUE';
const tree = (i: number) => `a${i}: contract(code: "${CODE}") { axes { orientations { actions { code title fundings { amount year } } } } }`;
const attack = (aliases: number) => `{ ${Array.from({ length: aliases }, (_, i) => tree(i)).join(' ')} }`;

/** The dashboard's own query (web/assets/pages/tableau-de-bord.js), on the seeded contract. */
function dashboardQuery(): string {
  const source = readFileSync(join(__dirname, '..', '..', 'web', 'assets', 'pages', 'tableau-de-bord.js'), 'utf8');
  const constant = (name: string) => source.match(new RegExp(`const ${name} = [\`']([^\`']*)[\`'];`))![1];
  return constant('DASHBOARD_QUERY').replace(/\$\{FIGURES\}/g, constant('FIGURES'));
}
const DASHBOARD_VARIABLES = { contract: 'CRTE-DOUAISIS', filter: { contract: 'CRTE-DOUAISIS' }, allStages: { contract: 'CRTE-DOUAISIS' } };

interface Answer {
  status: number;
  ms: number;
  bytes: number;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

async function post(server: RunningServer, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  return { status: response.status, ms: Math.round(performance.now() - started), bytes: text.length, body: JSON.parse(text) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** /healthz and the dashboard's query, one after the other, every 50 ms; and the RSS every 20 ms (when the loop lets it). */
class Probe {
  healthz: number[] = [];
  dashboard: number[] = [];
  peakRss = process.memoryUsage().rss;
  private running = true;
  private readonly done: Promise<void>;
  private readonly sampler: NodeJS.Timeout;

  constructor(server: RunningServer) {
    this.sampler = setInterval(() => (this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss)), 20);
    this.done = (async () => {
      while (this.running) {
        let started = performance.now();
        const health = await fetch(`http://localhost:${server.port}/healthz`);
        await health.text();
        this.healthz.push(performance.now() - started);
        started = performance.now();
        const answer = await post(server, dashboardQuery(), DASHBOARD_VARIABLES);
        if (answer.status !== 200 || answer.body.errors) throw new Error(`dashboard: ${answer.status} ${JSON.stringify(answer.body.errors)}`);
        this.dashboard.push(performance.now() - started);
        await sleep(50);
      }
    })();
  }

  async stop(): Promise<{ healthz: number; dashboard: number; probes: number; peakRssMb: number }> {
    this.running = false;
    try {
      await this.done;
    } finally {
      clearInterval(this.sampler);
    }
    this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
    return {
      healthz: Math.round(Math.max(0, ...this.healthz)),
      dashboard: Math.round(Math.max(0, ...this.dashboard)),
      probes: this.healthz.length,
      peakRssMb: Math.round(this.peakRss / 1e6),
    };
  }
}

/** What the probe saw while `run` went on (the probe runs half a second more, to see what follows). */
/** `probed`: the server the probe asks, by default the attacked one (all share this process and database). */
async function underProbe<T>(server: RunningServer, run: () => Promise<T>, probed: RunningServer = server) {
  const probe = new Probe(probed);
  await sleep(100);
  const result = await run();
  await sleep(500);
  return { result, probe: await probe.stop() };
}

/**
 * What /healthz and the dashboard must answer within during an attack. The target is 1 s (measured
 * 0,2–0,8 s on an idle 2-core machine, docs/query-limits.md); the test machine is shared by several
 * test runs at once (load average 10 on 2 cores seen), hence the margin. Without the fix, /healthz
 * waited for the whole attack: 31 s at 40 aliases.
 */
const PROBE_LIMIT_MS = Number(process.env.PROBE_LIMIT_MS ?? 2500);

/** Measured on this machine (2 cores, shared): the figures quoted in docs/query-limits.md. */
const figures: Record<string, unknown> = {};

describe(`a query of many aliases of a 50 000-line contract’s tree (${TEST_DATABASE_TYPE})`, () => {
  let db: TestDatabase;
  let server: RunningServer;
  const others: RunningServer[] = [];
  const start = async (config: Partial<AppConfig>): Promise<RunningServer> => {
    const started = await startServer(db.dataSource, { databaseUrl: db.url, database: db.config, port: 0, readRequiresToken: false, production: false, ...config });
    others.push(started);
    return started;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedReferenceData(db.dataSource);
    const built = await buildLargeContract(db.dataSource, { code: CODE, actions: 10_000, fundingsPerAction: 5 });
    expect(built.fundingCount).toBe(50_000);
    server = await start({});
    // Warm: the dashboard's aggregates and compiled query, the statistics, and the code paths of the
    // tree (on the seeded contract): what is measured is a running server, not its first request.
    await post(server, dashboardQuery(), DASHBOARD_VARIABLES);
    expect((await post(server, attack(1).replace(CODE, 'CRTE-DOUAISIS'))).body.errors).toBeUndefined();
  }, 120_000);
  afterAll(async () => {
    console.log(`query attack figures (${TEST_DATABASE_TYPE}): ${JSON.stringify(figures)}`);
    for (const running of others) await running.close();
    await db?.drop();
  });

  it('legitimate queries on the 50 000-line contract are estimated within the ceilings; the data model’s nested query runs', async () => {
    const schema = await getSchema();
    const global = await listStatistics(db.dataSource, null);
    const byContract = new Map([[CODE, await listStatistics(db.dataSource, CODE)]]);
    const estimate = (query: string, variables: Record<string, unknown>) => {
      const document = parse(query);
      const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
      const { rows, values } = estimateAnswer(schema, document, operation, variables, global, byContract);
      return { rows: Math.round(rows), values: Math.round(values) };
    };
    const filter = { contract: CODE };
    const dashboard = estimate(dashboardQuery(), { contract: CODE, filter, allStages: filter });
    const nested = estimate(NESTED_QUERY, { code: CODE });
    figures['estimates on the 50 000-line contract'] = { dashboard, nested, oneAlias: estimate(attack(1), {}) };
    expect(dashboard.rows).toBeLessThan(DEFAULT_MAX_RESULT_ROWS / 10);
    expect(dashboard.values).toBeLessThan(DEFAULT_MAX_RESULT_VALUES / 10);
    // contract → axes → orientations → actions → lines with funder, programme, beneficiary and source,
    // indicators and their values: 10 + 10 000 + 50 000 + 10 000 + 20 000 rows.
    expect(nested.rows).toBe(90_010);
    expect(nested.values).toBeLessThan(DEFAULT_MAX_RESULT_VALUES / 3);

    const started = performance.now();
    const answer = await post(server, NESTED_QUERY, { code: CODE });
    figures['nested query, 50 000 lines'] = { status: answer.status, ms: Math.round(performance.now() - started), jsonMb: +(answer.bytes / 1e6).toFixed(1) };
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.contract.axes.flatMap((axis: any) => axis.orientations.flatMap((o: any) => o.actions.flatMap((a: any) => a.fundings)))).toHaveLength(50_000);
  }, 60_000);

  it('1 alias: the 50 000 lines are answered, and /healthz and the dashboard keep answering meanwhile', async () => {
    const { result, probe } = await underProbe(server, () => post(server, attack(1)));
    figures['1 alias'] = { status: result.status, ms: result.ms, jsonMb: +(result.bytes / 1e6).toFixed(1), ...probe };
    expect(result.body.errors).toBeUndefined();
    const lines = result.body.data.a0.axes.flatMap((axis: any) => axis.orientations.flatMap((o: any) => o.actions.flatMap((a: any) => a.fundings)));
    expect(lines).toHaveLength(50_000);
    expect(probe.probes).toBeGreaterThan(1);
    expect(probe.healthz).toBeLessThan(PROBE_LIMIT_MS);
    expect(probe.dashboard).toBeLessThan(PROBE_LIMIT_MS);
  }, 60_000);

  it.each([40, 700])('%i aliases: refused before running (QUERY_TOO_COMPLEX, estimated from the contract’s rows), others unharmed', async (aliases) => {
    const rssBefore = process.memoryUsage().rss;
    const { result, probe } = await underProbe(server, () => post(server, attack(aliases)));
    figures[`${aliases} aliases`] = { status: result.status, ms: result.ms, ...probe, rssGrowthMb: Math.round((probe.peakRssMb * 1e6 - rssBefore) / 1e6) };
    expect(result.status).toBe(400);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors).toHaveLength(1);
    const [error] = result.body.errors!;
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxRows: 300_000 });
    // 60 000 rows an alias: 10 000 actions and their 50 000 lines, and the 8 orientations and 2 axes.
    expect(error.extensions!.estimatedRows).toBe(aliases * 60_010);
    expect(error.message).toMatch(/^La requête est trop coûteuse : d’après les données demandées, sa réponse compterait environ \d+ lignes/);
    expect(result.ms).toBeLessThan(5000);
    expect(probe.healthz).toBeLessThan(PROBE_LIMIT_MS);
    expect(probe.dashboard).toBeLessThan(PROBE_LIMIT_MS);
    expect(probe.peakRssMb * 1e6 - rssBefore).toBeLessThan(300e6);
  }, 60_000);

  it('TIMEOUT stops an answer that is being built: the limit is kept, others answer meanwhile', async () => {
    const quick = await start({ queryTimeoutMs: 300 });
    // The probe asks the default server: under load the dashboard's own query can pass 300 ms and be
    // stopped too on `quick`; what is measured is whether the process still answers others.
    const { result, probe } = await underProbe(quick, () => post(quick, attack(4)), server);
    figures['4 aliases, 300 ms limit'] = { status: result.status, ms: result.ms, ...probe };
    expect(result.status).toBe(503);
    expect(result.body).toEqual({
      errors: [
        {
          message: 'La requête a dépassé le temps maximal de traitement (300 ms) et a été interrompue : demandez moins de données à la fois (pages plus petites, moins de champs).',
          extensions: { code: 'TIMEOUT', timeoutMs: 300 },
        },
      ],
    });
    // The statement that reads the 50 000 lines cannot be cut (SQLite runs it synchronously): the rest can.
    expect(result.ms).toBeLessThan(3000);
    expect(probe.healthz).toBeLessThan(PROBE_LIMIT_MS);
  }, 60_000);

  it('RESPONSE_TOO_LARGE: past the byte ceiling, the answer is a refusal without partial data', async () => {
    const small = await start({ maxResponseBytes: 1024 * 1024 });
    const result = await post(small, attack(1));
    figures['1 alias, 1 MB ceiling'] = { status: result.status, ms: result.ms };
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      errors: [
        {
          message: 'La réponse serait trop volumineuse : plus de 1 Mo de JSON. Demandez moins de champs ou moins d’alias, ou scindez la requête (par contrat, par axe, par pages).',
          extensions: { code: 'RESPONSE_TOO_LARGE', maxResponseBytes: 1024 * 1024 },
        },
      ],
    });
  }, 60_000);

  it('RESPONSE_TOO_LARGE: rows past the ceiling stop the execution when the statistics underestimate (one action holds most lines)', async () => {
    // A contract of 100 actions of 1 line, and 20 000 more lines on one of them: 201 lines per action on average.
    const skewed = await buildLargeContract(db.dataSource, { code: 'CRTE-BIAIS', actions: 100, fundingsPerAction: 1 });
    const [first] = await db.dataSource.getRepository(Action).find({ where: { contractId: skewed.contract.id, code: 'ACT-0000' } });
    const [line] = await db.dataSource.getRepository(Funding).find({ where: { actionId: first.id } });
    const { id: _id, ...template } = line;
    for (let offset = 0; offset < 20_000; offset += 100) {
      const rows = Array.from({ length: 100 }, (_, i) => ({ ...template, year: 2021 + ((offset + i) % 6), stage: FundingStage.PLANNED, instrument: FundingInstrument.SUBSIDY }));
      await db.dataSource.createQueryBuilder().insert().into(Funding).values(rows).execute();
    }
    const strict = await start({ maxResultRows: 50_000 });
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: action(contract: "CRTE-BIAIS", code: "ACT-0000") { fundings { amount year stage } }`).join(' ')} }`;
    const query = aliases(10);
    const rssBefore = process.memoryUsage().rss;
    const { result, probe } = await underProbe(strict, () => post(strict, query));
    figures['10 aliases of the skewed action, 50 000-row ceiling'] = { status: result.status, ms: result.ms, ...probe, rssGrowthMb: Math.round((probe.peakRssMb * 1e6 - rssBefore) / 1e6) };
    expect(result.status).toBe(400);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors).toHaveLength(1);
    expect(result.body.errors![0]).toMatchObject({
      message: expect.stringMatching(/^La réponse serait trop volumineuse : la requête a dépassé 50000 lignes ou 3000000 valeurs et a été interrompue/),
      extensions: { code: 'RESPONSE_TOO_LARGE', maxRows: 50_000 },
    });
    // Two aliases fit: the same query is served.
    const two = await post(strict, aliases(2));
    expect(two.body.errors).toBeUndefined();
    expect(two.body.data.a1.fundings).toHaveLength(20_001);
  }, 60_000);
});
