/**
 * npm run bench:reports — reports over 1 000 000 funding lines (BENCH_FUNDINGS), each against a
 * hand-written baseline measured in the same process and run:
 *  - `fundingTotals` for three typical groupings against the same GROUP BY written by hand (target ≤ 1.2×);
 *  - the nested query of the data model (contract → axes → orientations → actions → fundings, indicators)
 *    against a few hand-written SQL statements assembling the same JSON (target ≤ 2×), on a realistic
 *    100 000-line contract (and on the whole 1 000 000-line one with BENCH_FULL_NESTED=1).
 * Both sides are served over HTTP by the same process and fetched by the same client: GraphQL by the real
 * server (startServer: Apollo, express, context and loaders per request), the baseline by a bare
 * node:http handler. So the response's serialisation and transfer — a large part of a nested answer —
 * are counted on both sides. Both answers are checked equal (same JSON, byte for byte) before a ratio is
 * printed. On SQLite, and on MariaDB when BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306) answers
 * (a fresh database crte_bench_<random>, dropped afterwards).
 *
 * Seeding and measuring run in child processes (BENCH_NODE_FLAGS adds Node flags to them, e.g. --cpu-prof),
 * so that the peak RSS printed is the measuring process's own. BENCH_RUNS (default 5) timed runs per side
 * after one warm-up, median printed. BENCH_FULL_NESTED=1 adds the nested query on the whole 1 000 000-line
 * contract (BENCH_FULL_RUNS runs, default 1; needs ~10 GB and minutes through GraphQL).
 *
 * For iterating on the nested query: BENCH_SLICE_FUNDINGS sets the slice's lines (default a tenth of
 * BENCH_FUNDINGS), so a small BENCH_FUNDINGS can keep the 100 000-line slice; BENCH_NESTED_ONLY=1 skips
 * the totals; BENCH_DATABASES=sqlite (or mysql) measures one server only.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { AppConfig, parseDatabaseUrl } from '../src/config';
import { centsFromDriver, formatCents } from '../src/kernel/money';
import { normaliseQuantity } from '../src/sql/column-types';
import { openDataSource } from '../src/db/data-source';
import { sumCentsSql } from '../src/sql/money-sql';
import { countedSql } from '../src/funding/funding-visibility';
import { seedReferenceData } from '../src/seed/seed.service';
import { startServer } from '../src/server/app';
import { LINES_PER_ACTION, seedReportsBench } from './reports-seed';
import { NESTED_QUERY } from './nested-query';
import { assertMeasured, runBench } from './assert-measured';

const FUNDINGS = Number(process.env.BENCH_FUNDINGS ?? 1_000_000);
const SLICE_FUNDINGS = Number(process.env.BENCH_SLICE_FUNDINGS ?? Math.round(FUNDINGS / 10));
const NESTED_ONLY = process.env.BENCH_NESTED_ONLY === '1';
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,mysql').split(',').filter((kind): kind is 'sqlite' | 'mysql' => kind === 'sqlite' || kind === 'mysql');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FULL_RUNS = Number(process.env.BENCH_FULL_RUNS ?? 1);
/**
 * The nested query over the whole 1 000 000-line contract is opt-in: through GraphQL it needs about 25 KB
 * of heap per line (TypeORM entities with four joined entities each, then the GraphQL result tree), so
 * 10+ GB and minutes per run. The default measures the same query on the 100 000-line contract.
 */
const FULL_NESTED = process.env.BENCH_FULL_NESTED === '1';
/**
 * The server's ceilings of one answer (graphql-limits.ts) let the 100 000-line nested query through
 * (~110 000 rows, ~1,1 M values, 20 MB of JSON) but not the whole 1 000 000-line contract (~1 M rows,
 * hundreds of MB of JSON, minutes): with BENCH_FULL_NESTED=1 the bench raises them, as an operator
 * would for such a report (GRAPHQL_MAX_ROWS, GRAPHQL_MAX_VALUES, GRAPHQL_MAX_RESPONSE_MB, GRAPHQL_TIMEOUT_MS).
 */
const FULL_NESTED_LIMITS: Partial<AppConfig> = { maxResultRows: 5_000_000, maxResultValues: 50_000_000, maxResponseBytes: 1024 * 1024 * 1024, queryTimeoutMs: 0 };
const MYSQL_SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
/** A 1 000 000-line nested answer is a few hundred MB of JSON, held twice while it is checked. */
const NODE_FLAGS = ['--max-old-space-size=8192', ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
const FULL_CODE = 'CRTE-BENCH-FULL';
const SLICE_CODE = 'CRTE-BENCH-SLICE';
const TOTALS_TARGET = 1.2;
const NESTED_TARGET = 2;

// ---------------------------------------------------------------------------------------------------
// The hand-written baselines: plain SQL through the same driver, rows assembled in plain TypeScript.
// ---------------------------------------------------------------------------------------------------

interface Grouping {
  name: string;
  groupBy: string[];
  /** The GraphQL selection of each total. */
  selection: string;
  /** The same groups by hand: SQL (the contract code is its one parameter) and the JSON of one row. */
  sql(dataSource: DataSource): string;
  toJson(row: Record<string, unknown>): Record<string, unknown>;
}

const cents = (row: Record<string, unknown>) => formatCents(centsFromDriver(row.cents, 'cents'));
const counted = `f.contract_id = (SELECT id FROM contract WHERE code = ?) AND ${countedSql('f', false)}`;

const GROUPINGS: Grouping[] = [
  {
    name: '[year, stage]',
    groupBy: ['YEAR', 'STAGE'],
    selection: 'year stage amount lines',
    sql: (ds) => `SELECT f.year, f.stage, ${sumCentsSql(ds, 'f.amount')} AS cents, COUNT(*) AS line_count
      FROM funding f WHERE ${counted} GROUP BY f.year, f.stage ORDER BY f.year, f.stage`,
    toJson: (row) => ({ year: Number(row.year), stage: row.stage, amount: cents(row), lines: Number(row.line_count) }),
  },
  {
    name: '[axis, funder]',
    groupBy: ['AXIS', 'FUNDER'],
    selection: 'axis { number } funder { name } amount lines',
    sql: (ds) => `SELECT x.number AS axis_number, o.name AS funder_name, g.cents, g.line_count FROM (
        SELECT ori.axis_id, f.funder_id, ${sumCentsSql(ds, 'f.amount')} AS cents, COUNT(*) AS line_count
        FROM funding f LEFT JOIN action a ON a.id = f.action_id LEFT JOIN orientation ori ON ori.id = a.orientation_id
        WHERE ${counted} GROUP BY ori.axis_id, f.funder_id
      ) g LEFT JOIN axis x ON x.id = g.axis_id JOIN organisation o ON o.id = g.funder_id ORDER BY g.axis_id, g.funder_id`,
    toJson: (row) => ({
      axis: row.axis_number === null ? null : { number: Number(row.axis_number) },
      funder: { name: row.funder_name },
      amount: cents(row),
      lines: Number(row.line_count),
    }),
  },
  {
    name: '[territory, programme, year]',
    groupBy: ['TERRITORY', 'PROGRAMME', 'YEAR'],
    selection: 'territory { name } programme { code } year amount lines',
    sql: (ds) => `SELECT t.name AS territory_name, p.code AS programme_code, g.year, g.cents, g.line_count FROM (
        SELECT COALESCE(CASE WHEN b.kind = 'EPCI' THEN b.id ELSE b.parent_id END, CASE WHEN l.kind = 'EPCI' THEN l.id ELSE l.parent_id END) AS territory_id,
          f.programme_id, f.year, ${sumCentsSql(ds, 'f.amount')} AS cents, COUNT(*) AS line_count
        FROM funding f LEFT JOIN organisation b ON b.id = f.beneficiary_id LEFT JOIN action a ON a.id = f.action_id LEFT JOIN organisation l ON l.id = a.lead_id
        WHERE ${counted} GROUP BY territory_id, f.programme_id, f.year
      ) g LEFT JOIN organisation t ON t.id = g.territory_id LEFT JOIN programme p ON p.id = g.programme_id
      ORDER BY g.territory_id, g.programme_id, g.year`,
    toJson: (row) => ({
      territory: row.territory_name === null ? null : { name: row.territory_name },
      programme: row.programme_code === null ? null : { code: row.programme_code },
      year: Number(row.year),
      amount: cents(row),
      lines: Number(row.line_count),
    }),
  },
];

async function handTotals(dataSource: DataSource, grouping: Grouping, code: string): Promise<string> {
  const rows: Record<string, unknown>[] = await dataSource.query(grouping.sql(dataSource), [code]);
  return JSON.stringify({ data: { fundingTotals: rows.map(grouping.toJson) } });
}

/** The nested answer by hand: six statements (one per table), then one pass to nest the rows. */
async function handNested(dataSource: DataSource, code: string): Promise<string> {
  const [contract] = await dataSource.query(`SELECT id, code FROM contract WHERE code = ?`, [code]);
  if (!contract) return JSON.stringify({ data: { contract: null } });
  const id = Number(contract.id);
  const axes = await dataSource.query(`SELECT id, number FROM axis WHERE contract_id = ? ORDER BY number`, [id]);
  const orientations = await dataSource.query(`SELECT id, axis_id, code FROM orientation WHERE contract_id = ? ORDER BY code`, [id]);
  const actions = await dataSource.query(`SELECT id, orientation_id, code FROM action WHERE contract_id = ? AND orientation_id IS NOT NULL ORDER BY code`, [id]);
  // Lines and indicators side by side, as the GraphQL loaders of that level go.
  const [fundings, indicators] = await Promise.all([
    dataSource.query(
      `SELECT f.action_id, f.amount, f.year, fu.name AS funder_name, p.code AS programme_code, b.name AS beneficiary_name, f.source_sheet, f.source_cell
       FROM funding f JOIN organisation fu ON fu.id = f.funder_id LEFT JOIN programme p ON p.id = f.programme_id LEFT JOIN organisation b ON b.id = f.beneficiary_id
       WHERE f.contract_id = ? AND f.action_id IS NOT NULL AND ${countedSql('f', false)} ORDER BY f.action_id, f.year, f.id`,
      [id],
    ),
    dataSource.query(
      `SELECT i.action_id, i.code, v.year, v.value, v.stage FROM indicator i LEFT JOIN indicator_value v ON v.indicator_id = i.id
       WHERE i.contract_id = ? AND i.action_id IS NOT NULL ORDER BY i.code, v.year, v.stage`,
      [id],
    ),
  ]);
  const fundingsByAction = new Map<number, unknown[]>();
  for (const row of fundings) {
    const sheet: string | null = row.source_sheet;
    const cell: string | null = row.source_cell;
    const list = fundingsByAction.get(Number(row.action_id)) ?? [];
    list.push({
      amount: formatCents(centsFromDriver(row.amount, 'euros')),
      year: Number(row.year),
      funder: { name: row.funder_name },
      programme: row.programme_code === null ? null : { code: row.programme_code },
      beneficiary: row.beneficiary_name === null ? null : { name: row.beneficiary_name },
      source: { sheet, cell, reference: cell ? (sheet ? `'${sheet.replace(/'/g, "''")}'!${cell}` : cell) : null },
    });
    fundingsByAction.set(Number(row.action_id), list);
  }
  const indicatorsByAction = new Map<number, Array<{ code: string; values: unknown[] }>>();
  let current: { code: string; values: unknown[] } | undefined;
  for (const row of indicators) {
    if (!current || current.code !== row.code) {
      current = { code: row.code, values: [] };
      const list = indicatorsByAction.get(Number(row.action_id)) ?? [];
      list.push(current);
      indicatorsByAction.set(Number(row.action_id), list);
    }
    if (row.year !== null) current.values.push({ year: Number(row.year), value: normaliseQuantity(typeof row.value === 'number' ? row.value.toFixed(4) : String(row.value)), stage: row.stage });
  }
  const actionsByOrientation = new Map<number, unknown[]>();
  for (const row of actions) {
    const list = actionsByOrientation.get(Number(row.orientation_id)) ?? [];
    list.push({ code: row.code, fundings: fundingsByAction.get(Number(row.id)) ?? [], indicators: indicatorsByAction.get(Number(row.id)) ?? [] });
    actionsByOrientation.set(Number(row.orientation_id), list);
  }
  const orientationsByAxis = new Map<number, unknown[]>();
  for (const row of orientations) {
    const list = orientationsByAxis.get(Number(row.axis_id)) ?? [];
    list.push({ code: row.code, actions: actionsByOrientation.get(Number(row.id)) ?? [] });
    orientationsByAxis.set(Number(row.axis_id), list);
  }
  return JSON.stringify({
    data: {
      contract: {
        code: contract.code,
        axes: axes.map((axis: Record<string, unknown>) => ({ number: Number(axis.number), orientations: orientationsByAxis.get(Number(axis.id)) ?? [] })),
      },
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// One HTTP client for both sides.
// ---------------------------------------------------------------------------------------------------

// A connection per request: a kept-alive socket that the server closed while idle (its keepAliveTimeout,
// 5 s, is shorter than a run and its GC on a busy machine) failed the next request with ECONNRESET.
const agent = new Agent({ keepAlive: false });

function post(url: string, body: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
        else resolve(text);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The baseline's server: no framework, one JSON body in, one JSON string out. */
function startHandServer(dataSource: DataSource): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const { kind, code, grouping } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const json = kind === 'nested' ? await handNested(dataSource, code) : await handTotals(dataSource, GROUPINGS[grouping], code);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(json);
      } catch (error) {
        res.writeHead(500);
        res.end(String((error as Error).stack));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server })));
}

// ---------------------------------------------------------------------------------------------------
// Measuring.
// ---------------------------------------------------------------------------------------------------

export interface ResultRow {
  database: string;
  measurement: string;
  graphqlSeconds: number;
  handSeconds: number;
  target: number;
  /** What was checked equal on both sides. */
  check: string;
  equal: boolean;
  graphqlRuns: number[];
  handRuns: number[];
  /** Highest RSS sampled while each side ran, MB. */
  graphqlRssMb: number;
  handRssMb: number;
}

/** Samples the RSS every 20 ms into the side currently running (the event loop turns at each I/O). */
class RssSampler {
  private peaks = new Map<string, number>();
  private side: string | null = null;
  private readonly timer = setInterval(() => this.sample(), 20);

  sample(): void {
    if (!this.side) return;
    this.peaks.set(this.side, Math.max(this.peaks.get(this.side) ?? 0, process.memoryUsage.rss()));
  }

  enter(side: string | null): void {
    this.sample();
    this.side = side;
    this.sample();
  }

  peakMb(side: string): number {
    return (this.peaks.get(side) ?? 0) / 1024 / 1024;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function timed(run: () => Promise<string>): Promise<{ seconds: number; body: string }> {
  const started = process.hrtime.bigint();
  const body = await run();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, body };
}

/** One warm-up each, then `runs` runs each, alternating which side goes first. */
async function compare(
  sampler: RssSampler,
  label: string,
  runs: number,
  graphql: () => Promise<string>,
  hand: () => Promise<string>,
): Promise<{ graphqlRuns: number[]; handRuns: number[]; graphqlBody: string; handBody: string; graphqlRssMb: number; handRssMb: number }> {
  const gSide = `${label}/graphql`;
  const hSide = `${label}/hand`;
  const side = async (name: string, run: () => Promise<string>) => {
    sampler.enter(name);
    try {
      return await timed(run);
    } finally {
      sampler.enter(null);
      global.gc?.();
    }
  };
  const graphqlRuns: number[] = [];
  const handRuns: number[] = [];
  let graphqlBody = (await side(gSide, graphql)).body;
  let handBody = (await side(hSide, hand)).body;
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? ['hand', 'graphql'] : ['graphql', 'hand'];
    for (const which of order) {
      // Only the last answer of each side is kept for the check: two of each would double the memory.
      if (which === 'graphql') {
        graphqlBody = '';
        const result = await side(gSide, graphql);
        graphqlRuns.push(result.seconds);
        graphqlBody = result.body;
      } else {
        handBody = '';
        const result = await side(hSide, hand);
        handRuns.push(result.seconds);
        handBody = result.body;
      }
    }
  }
  return { graphqlRuns, handRuns, graphqlBody, handBody, graphqlRssMb: sampler.peakMb(gSide), handRssMb: sampler.peakMb(hSide) };
}

/** Lines and cents of a nested answer, for the summary (and the diagnosis when the answers differ). */
function nestedSummary(body: string): { lines: number; cents: bigint; actions: number } {
  const parsed = JSON.parse(body);
  assertMeasured(!parsed.errors && parsed.data?.contract, 'nested query', () => `answered ${body.slice(0, 300)}`);
  const data = parsed.data;
  let lines = 0;
  let total = 0n;
  let actions = 0;
  for (const axis of data.contract.axes) {
    for (const orientation of axis.orientations) {
      for (const action of orientation.actions) {
        actions++;
        for (const funding of action.fundings) {
          lines++;
          total += centsFromDriver(funding.amount, 'euros');
        }
      }
    }
  }
  return { lines, cents: total, actions };
}

function totalsSummary(body: string): { groups: number; lines: number; cents: bigint } {
  const parsed = JSON.parse(body);
  assertMeasured(!parsed.errors && parsed.data?.fundingTotals, 'fundingTotals', () => `answered ${body.slice(0, 300)}`);
  const totals: Array<{ amount: string; lines: number }> = parsed.data.fundingTotals;
  return { groups: totals.length, lines: totals.reduce((sum, total) => sum + total.lines, 0), cents: totals.reduce((sum, total) => sum + centsFromDriver(total.amount, 'euros'), 0n) };
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: GraphQL …${a.slice(Math.max(0, i - 80), i + 80)}… / hand …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}

async function measureChild(kind: string, url: string): Promise<void> {
  const sampler = new RssSampler();
  const dataSource = await openDataSource(parseDatabaseUrl(url));
  const config: AppConfig = { databaseUrl: url, database: parseDatabaseUrl(url), port: 0, readRequiresToken: false, production: process.env.NODE_ENV === 'production' };
  // The aggregate cache off: every run computes its totals, as the hand-written side does.
  const server = await startServer(dataSource, { ...config, ...(FULL_NESTED ? FULL_NESTED_LIMITS : {}), cache: { maxEntries: 0, maxBytes: 0 } });
  const hand = await startHandServer(dataSource);
  const rows: ResultRow[] = [];
  const progress = (text: string) => process.stderr.write(`  ${kind}: ${text}\n`);
  try {
    for (const [index, grouping] of NESTED_ONLY ? [] : GROUPINGS.entries()) {
      const query = `query Totals($filter: FundingFilter) { fundingTotals(groupBy: [${grouping.groupBy.join(', ')}], filter: $filter) { ${grouping.selection} } }`;
      const result = await compare(
        sampler,
        `totals${index}`,
        RUNS,
        () => post(server.url, { query, variables: { filter: { contract: FULL_CODE } } }),
        () => post(hand.url, { kind: 'totals', grouping: index, code: FULL_CODE }),
      );
      const equal = result.graphqlBody.trim() === result.handBody.trim();
      const summary = totalsSummary(result.graphqlBody);
      assertMeasured(summary.lines > 0, `fundingTotals ${grouping.name}`, 'zero lines counted: nothing was summed');
      if (!equal) progress(`fundingTotals ${grouping.name} differ ${firstDifference(result.graphqlBody.trim(), result.handBody.trim())}`);
      rows.push(row(kind, `fundingTotals ${grouping.name}`, TOTALS_TARGET, result, equal, `${summary.groups} groups, ${summary.lines} lines, ${formatCents(summary.cents)} €`));
      progress(`fundingTotals ${grouping.name} done`);
    }
    const nested: Array<[string, number, string]> = [[SLICE_CODE, RUNS, 'slice']];
    if (FULL_NESTED) nested.push([FULL_CODE, FULL_RUNS, 'full']);
    for (const [code, runs, label] of nested) {
      const result = await compare(
        sampler,
        `nested-${label}`,
        runs,
        () => post(server.url, { query: NESTED_QUERY, variables: { code } }),
        () => post(hand.url, { kind: 'nested', code }),
      );
      const g = result.graphqlBody.trim();
      const h = result.handBody.trim();
      const equal = g === h;
      const summary = nestedSummary(result.graphqlBody);
      assertMeasured(summary.lines > 0, `nested ${code}`, 'zero funding lines in the answer: nothing was read');
      if (!equal) progress(`nested ${code} differ ${firstDifference(g, h)}; hand: ${JSON.stringify(nestedSummary(result.handBody), (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      rows.push(
        row(kind, `nested ${code}`, NESTED_TARGET, result, equal, `${summary.actions} actions, ${summary.lines} lines, ${formatCents(summary.cents)} €, ${(Buffer.byteLength(g) / 1e6).toFixed(0)} MB JSON`),
      );
      progress(`nested ${code} done`);
    }
  } finally {
    sampler.stop();
    await server.close();
    await new Promise((resolve) => hand.server.close(resolve));
    agent.destroy();
    await dataSource.destroy();
  }
  process.stdout.write(`${JSON.stringify({ rows, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function row(
  database: string,
  measurement: string,
  target: number,
  result: { graphqlRuns: number[]; handRuns: number[]; graphqlRssMb: number; handRssMb: number },
  equal: boolean,
  check: string,
): ResultRow {
  return {
    database,
    measurement,
    graphqlSeconds: median(result.graphqlRuns),
    handSeconds: median(result.handRuns),
    target,
    check,
    equal,
    graphqlRuns: result.graphqlRuns,
    handRuns: result.handRuns,
    graphqlRssMb: result.graphqlRssMb,
    handRssMb: result.handRssMb,
  };
}

async function seedChild(url: string): Promise<void> {
  const dataSource = await openDataSource(parseDatabaseUrl(url));
  try {
    await dataSource.runMigrations();
    await seedReferenceData(dataSource);
    const seeded = await seedReportsBench(dataSource, [
      { code: FULL_CODE, lines: FUNDINGS },
      { code: SLICE_CODE, lines: SLICE_FUNDINGS },
    ]);
    process.stdout.write(`${JSON.stringify(seeded, (_key, value) => (typeof value === 'bigint' ? String(value) : value))}\n`);
  } finally {
    await dataSource.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------
// The parent: a fresh database per server, seeded by one child, measured by another.
// ---------------------------------------------------------------------------------------------------

function mysqlServer() {
  const server = new URL(MYSQL_SERVER);
  return { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password) };
}

async function freshDatabase(kind: 'sqlite' | 'mysql', dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') return { url: `sqlite:${join(dir, 'bench-reports.sqlite')}`, drop: async () => undefined };
  const name = `crte_bench_${randomBytes(6).toString('hex')}`;
  const connection = await createConnection({ ...mysqlServer(), connectTimeout: 3000 });
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  return {
    url: `${MYSQL_SERVER.replace(/\/$/, '')}/${name}`,
    drop: async () => {
      const again = await createConnection(mysqlServer());
      await again.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await again.end();
    },
  };
}

function child(args: string[]): string {
  const output = execFileSync(process.execPath, [...NODE_FLAGS, '--expose-gc', __filename, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return output.trim().split('\n').pop()!;
}

const seconds = (value: number) => `${value.toFixed(3)} s`;

function printTable(rows: ResultRow[]): void {
  const header = ['database', 'measurement', 'GraphQL', 'hand SQL', 'ratio', 'target', 'result', 'peak RSS GraphQL / hand', 'checked equal'];
  const lines = rows.map((r) => {
    const ratio = r.graphqlSeconds / r.handSeconds;
    return [
      r.database,
      r.measurement,
      seconds(r.graphqlSeconds),
      seconds(r.handSeconds),
      `${ratio.toFixed(2)}×`,
      `≤ ${r.target.toFixed(1)}×`,
      !r.equal ? 'FAIL (answers differ)' : ratio <= r.target ? 'pass' : 'FAIL',
      `${r.graphqlRssMb.toFixed(0)} / ${r.handRssMb.toFixed(0)} MB`,
      r.check,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const [mode, kind, url] = process.argv.slice(2);
  if (mode === 'seed') return seedChild(kind);
  if (mode === 'measure') return measureChild(kind, url);
  console.log(
    `bench:reports — ${FUNDINGS} funding lines in ${FULL_CODE} (${FUNDINGS / LINES_PER_ACTION} actions) and ${SLICE_FUNDINGS} in ${SLICE_CODE}; ` +
      `median of ${RUNS} runs after a warm-up` + (FULL_NESTED ? ` (${FULL_RUNS} for the full nested query)` : '; nested query on the full contract skipped (BENCH_FULL_NESTED=1)'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'crte-bench-reports-'));
  const rows: ResultRow[] = [];
  try {
    for (const kind of DATABASES) {
      let database: { url: string; drop: () => Promise<void> };
      try {
        database = await freshDatabase(kind, dir);
      } catch (error) {
        console.log(`${kind}: skipped, server not reachable (${(error as Error).message})`);
        continue;
      }
      try {
        const seeded = JSON.parse(child(['seed', database.url]));
        const counts = seeded.contracts.map((c: { code: string; lines: number; countedLines: number; actions: number }) => `${c.code}: ${c.actions} actions, ${c.lines} lines (${c.countedLines} counted)`);
        console.log(`${kind}: seeded in ${seeded.seconds.toFixed(1)} s — ${counts.join('; ')}`);
        const measured = JSON.parse(child(['measure', kind, database.url]));
        console.log(`${kind}: measuring process peak RSS ${measured.peakRssMb.toFixed(0)} MB`);
        for (const r of measured.rows as ResultRow[]) {
          console.log(`  ${r.measurement}: GraphQL runs ${r.graphqlRuns.map((s) => s.toFixed(3)).join(' ')} s; hand runs ${r.handRuns.map((s) => s.toFixed(3)).join(' ')} s`);
        }
        rows.push(...measured.rows);
      } finally {
        await database.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  printTable(rows);
  if (rows.some((r) => !r.equal)) process.exitCode = 1;
}

if (require.main === module) runBench(main);
