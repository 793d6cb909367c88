/**
 * npm run bench:load — the real server under a bounded load on loopback, beside a bare Apollo server.
 *
 * Per database (SQLite, and MariaDB when BENCH_MYSQL_URL answers — a fresh crte_bench_<random>, dropped
 * afterwards): a child seeds a fresh database (reference data, the partners' fixtures applied, a synthetic
 * contract of BENCH_LINES funding lines, an admin token); another child runs the real server (startServer),
 * so that its RSS (/proc/<pid>/status VmRSS, sampled every second) is its own. autocannon then sends the
 * dashboard's own queries (read from web/assets/pages/tableau-de-bord.js) at each concurrency of
 * BENCH_LEVELS for BENCH_LEVEL_SECONDS each, while a loop re-imports the Banque des Territoires file through
 * POST /api/imports every BENCH_IMPORT_EVERY_MS (two versions in turn, so that each import applies).
 * Then a soak: BENCH_SOAK_SECONDS at BENCH_SOAK_CONNECTIONS with the imports still running; the RSS after
 * BENCH_SOAK_WARMUP_SECONDS gives start, end, max and a least-squares slope (MB/min); beside it the server
 * child's heap after a full GC (it runs with --expose-gc and collects every 15 s), which tells a leak from
 * pages the allocator keeps. The soak runs on BENCH_SOAK_DATABASES (default sqlite: the default run stays
 * under ten minutes).
 * Before the load, each request alone: its first run (every aggregate computed: the cost of a dashboard
 * right after a write, the cache being empty) and the median of five more (served from the aggregate
 * cache); after it, the server's cache and request-gate counters.
 * Baseline, same run, same machine: a bare @apollo/server on express 5 (same packages) answering `{ hello }`
 * at the same concurrencies, in a child too.
 *
 * An error is a connection error or timeout, a non-2xx answer, a GraphQL answer with `errors`, or an import
 * that did not apply. Exit code 1 on any error, or when the soak's RSS slope exceeds BENCH_MAX_SLOPE_MB_MIN.
 */
import 'reflect-metadata';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import autocannon from 'autocannon';
import express from 'express';
import { createConnection } from 'mysql2/promise';
import * as XLSX from 'xlsx';
import { Role } from '../src/kernel/role.enum';
import { createToken } from '../src/auth/token.service';
import { AppConfig, parseDatabaseUrl } from '../src/config';
import { openDataSource } from '../src/db/data-source';
import { importFile } from '../src/import-batch/import-apply.service';
import { ImportKind } from '../src/kernel/import-batch.enum';
import { seedReferenceData } from '../src/seed/seed.service';
import { startServer } from '../src/server/app';
import { seedReportsBench } from './reports-seed';

/** The repository's root, from bench/ (ts) or dist/bench/ (compiled). */
const ROOT = __dirname.endsWith(join('dist', 'bench')) ? join(__dirname, '..', '..') : join(__dirname, '..');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const LINES = env('BENCH_LINES', 100_000);
const LEVELS = (process.env.BENCH_LEVELS ?? '1,4,16,64').split(',').map(Number);
const LEVEL_SECONDS = env('BENCH_LEVEL_SECONDS', 10);
const ROUNDS = env('BENCH_ROUNDS', 3);
const SOAK_SECONDS = env('BENCH_SOAK_SECONDS', 300);
const SOAK_CONNECTIONS = env('BENCH_SOAK_CONNECTIONS', 8);
const SOAK_WARMUP_SECONDS = Math.min(env('BENCH_SOAK_WARMUP_SECONDS', 30), SOAK_SECONDS / 2);
const IMPORT_EVERY_MS = env('BENCH_IMPORT_EVERY_MS', 3000);
const MAX_SLOPE = env('BENCH_MAX_SLOPE_MB_MIN', 5);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,mysql').split(',');
/** The soak runs on SQLite only by default, to keep the whole run under ten minutes. */
const SOAK_DATABASES = (process.env.BENCH_SOAK_DATABASES ?? 'sqlite').split(',');
const MYSQL_SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const LOAD_CODE = 'CRTE-BENCH-LOAD';
const DOUAISIS = 'CRTE-DOUAISIS';
const FIXTURES = join(ROOT, 'test', 'fixtures', 'partners');
const BDT_FILE = 'annexe3-banque-des-territoires-2023.xlsx';

// ---------------------------------------------------------------------------------------------------
// The dashboard's queries, taken from the page itself so that the bench follows it.
// ---------------------------------------------------------------------------------------------------

function dashboardQueries(): { dashboard: string; actions: string } {
  const page = readFileSync(join(ROOT, 'web', 'assets', 'pages', 'tableau-de-bord.js'), 'utf8');
  const constant = (name: string, quote: string) => {
    const match = new RegExp(`const ${name} = ${quote}([\\s\\S]*?)${quote};`).exec(page);
    if (!match) throw new Error(`${name} not found in tableau-de-bord.js`);
    return match[1];
  };
  const figures = constant('FIGURES', "'");
  return { dashboard: constant('DASHBOARD_QUERY', '`').replaceAll('${FIGURES}', figures), actions: constant('ACTIONS_QUERY', '`') };
}

/**
 * Per connection, in turn: the page's dashboard and actions page (sorted by funding) on the Douaisis
 * contract, the one being re-imported; then the same on the synthetic contract, where the dashboard keeps
 * every figure (five fundingTotals, progress) but not its two unpaged lists — fundingConflicts and the
 * indicators of progress — which the synthetic seed makes unrealistically long (6 % of its lines conflict:
 * 6 000 conflicts, a 20 MB answer at 100 000 lines, where a real contract has a handful).
 */
export function loadRequests(): Array<{ name: string; body: string }> {
  const { dashboard, actions } = dashboardQueries();
  const figuresOnly = dashboard.replace(/\n  fundingConflicts[\s\S]*?\n  \}\n/, '\n').replace(/\n\s*indicators \{ indicator [^\n]*/, '');
  if (figuresOnly.includes('fundingConflicts') || figuresOnly.includes('indicators')) throw new Error('the dashboard query changed: update bench-load.ts');
  const requests = [];
  for (const [contract, query] of [[DOUAISIS, dashboard], [LOAD_CODE, figuresOnly]]) {
    requests.push({ name: `dashboard ${contract}${query === dashboard ? '' : ' (figures)'}`, body: JSON.stringify({ query, variables: { contract, filter: { contract, stage: ['PLANNED'] }, allStages: { contract }, year: null } }) });
    requests.push({
      name: `actions by funding ${contract}`,
      body: JSON.stringify({ query: actions, variables: { filter: { contract }, orderBy: { field: 'FUNDING_TOTAL', direction: 'DESC', stage: 'PLANNED' }, first: 10, after: null, stage: 'PLANNED' } }),
    });
  }
  return requests;
}

// ---------------------------------------------------------------------------------------------------
// Children: seed, the real server, the bare Apollo server.
// ---------------------------------------------------------------------------------------------------

async function seedChild(url: string): Promise<void> {
  const dataSource = await openDataSource(parseDatabaseUrl(url));
  try {
    await dataSource.runMigrations();
    await seedReferenceData(dataSource);
    const files: Array<[string, ImportKind, string]> = [
      [join(FIXTURES, BDT_FILE), ImportKind.ANNEX3, 'Banque des Territoires'],
      [join(FIXTURES, 'annexe3-douaisis-agglo-2022.xlsx'), ImportKind.ANNEX3, 'Douaisis Agglo'],
      [join(FIXTURES, 'annexe3-ademe-2021-2023.csv'), ImportKind.ANNEX3, 'ADEME'],
      [join(FIXTURES, 'dotations-detr-dsil-fnadt-2017-2021.xlsx'), ImportKind.DOTATIONS, 'Etat'],
      [join(ROOT, 'docs', 'templates', 'modele-indicateurs.csv'), ImportKind.INDICATORS, 'Douaisis Agglo'],
    ];
    for (const [path, kind, source] of files) {
      const result = await importFile(dataSource, { buffer: readFileSync(path), fileName: path.split('/').pop()!, kind, source, contract: DOUAISIS });
      if (result.status !== 'APPLIED') throw new Error(`${path}: ${result.status}`);
    }
    const seeded = await seedReportsBench(dataSource, [{ code: LOAD_CODE, lines: LINES }]);
    const { secret } = await createToken(dataSource, { name: 'bench:load', role: Role.ADMIN, organisationId: null });
    process.stdout.write(`${JSON.stringify({ seconds: seeded.seconds, lines: seeded.contracts[0].lines, actions: seeded.contracts[0].actions, token: secret })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

async function serveChild(url: string): Promise<void> {
  const dataSource = await openDataSource(parseDatabaseUrl(url));
  const config: AppConfig = { databaseUrl: url, database: parseDatabaseUrl(url), port: 0, readRequiresToken: false, production: process.env.NODE_ENV === 'production' };
  const server = await startServer(dataSource, config);
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  // The live heap after a full collection, every 15 s: what grows there is a leak, what grows only in
  // the RSS is the allocator and V8 keeping pages.
  // The aggregate cache's and the request gate's counters, for the report.
  setInterval(() => process.stdout.write(`${JSON.stringify({ t: Date.now(), stats: server.stats() })}\n`), 2000).unref();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) setInterval(() => {
    gc();
    process.stdout.write(`${JSON.stringify({ t: Date.now(), heapMb: process.memoryUsage().heapUsed / 1024 / 1024 })}\n`);
  }, 15_000).unref();
}

/** The baseline: the same Apollo and express integration, a one-field schema, nothing else. */
async function bareChild(): Promise<void> {
  const app = express();
  const httpServer = createServer(app);
  const apollo = new ApolloServer({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'bonjour' } } });
  await apollo.start();
  app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo));
  await new Promise<void>((resolve) => httpServer.listen(0, resolve));
  process.stdout.write(`${JSON.stringify({ port: (httpServer.address() as AddressInfo).port })}\n`);
}

interface ServerStats {
  cache: { hits: number; misses: number; shared: number; entries: number; bytes: number } | null;
  gate: { running: number; queued: number; admitted: number; refusedFull: number; refusedWait: number };
}

interface Child {
  process: ChildProcess;
  port: number;
  /** Heap used after a full GC, sampled by the server child itself. */
  heap: Array<{ t: number; mb: number }>;
  /** The server's latest cache and gate counters (every 2 s). */
  stats: ServerStats | null;
  stop(): Promise<void>;
}

function startChild(args: string[]): Promise<Child> {
  const child = spawn(process.execPath, ['--expose-gc', __filename, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const heap: Array<{ t: number; mb: number }> = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args[0]} child exited with ${code}`)));
    let started: Child | null = null;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line);
      if (message.heapMb !== undefined) return void heap.push({ t: message.t, mb: message.heapMb });
      if (message.stats !== undefined) {
        if (started) started.stats = message.stats;
        return;
      }
      resolve((started = {
        process: child,
        port: message.port,
        heap,
        stats: null,
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.removeAllListeners('exit');
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      }));
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Measuring: RSS of the server child, imports in the background, autocannon.
// ---------------------------------------------------------------------------------------------------

class RssSampler {
  samples: Array<{ t: number; mb: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 1000);
    this.sample();
  }

  sample(): void {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (match) this.samples.push({ t: Date.now(), mb: Number(match[1]) / 1024 });
    } catch {
      // The child has gone; its exit is reported elsewhere.
    }
  }

  maxSince(t: number): number {
    return Math.max(0, ...this.samples.filter((s) => s.t >= t).map((s) => s.mb));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Re-imports the Banque des Territoires file, two versions in turn, so that every import applies. */
class ImportLoop {
  done = 0;
  errors: string[] = [];
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly versions: Buffer[];

  constructor(private readonly base: string, private readonly token: string) {
    const original = readFileSync(join(FIXTURES, BDT_FILE));
    this.versions = [editWorkbook(original, 'Programmation 2023', { I6: 3_000_000 }), original];
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.importOnce(this.versions[this.done % 2]);
        const until = Date.now() + IMPORT_EVERY_MS;
        while (this.running && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async importOnce(file: Buffer): Promise<void> {
    const form = new FormData();
    form.append('file', new Blob([file]), BDT_FILE);
    form.append('kind', 'annex3');
    form.append('source', 'Banque des Territoires');
    form.append('contract', DOUAISIS);
    try {
      const response = await fetch(`${this.base}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${this.token}` } });
      const text = await response.text();
      const status = response.ok ? JSON.parse(text).status : null;
      if (status === 'APPLIED') this.done++;
      else this.errors.push(`HTTP ${response.status} ${text.slice(0, 300)}`);
    } catch (error) {
      this.errors.push(String(error));
    }
  }
}

/** A partner's edit in Excel: one amount changed and the file's own SUM formulas recomputed. */
function editWorkbook(bytes: Buffer, sheetName: string, edits: Record<string, number>): Buffer {
  const book = XLSX.read(bytes, { type: 'buffer', cellFormula: true, cellNF: true });
  const sheet = book.Sheets[sheetName];
  for (const [address, value] of Object.entries(edits)) sheet[address] = { t: 'n', v: value };
  for (let pass = 0; pass < 2; pass++) {
    for (const address of Object.keys(sheet)) {
      const cell = sheet[address] as XLSX.CellObject;
      const match = !address.startsWith('!') && cell.f ? /^SUM\(([A-Z]+\d+):([A-Z]+\d+)\)$/.exec(cell.f) : null;
      if (!match) continue;
      const range = XLSX.utils.decode_range(`${match[1]}:${match[2]}`);
      let sum = 0;
      for (let r = range.s.r; r <= range.e.r; r++) {
        for (let c = range.s.c; c <= range.e.c; c++) {
          const inner = sheet[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined;
          if (inner && inner.t === 'n') sum += inner.v as number;
        }
      }
      cell.v = sum;
      delete cell.w;
    }
  }
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

interface LevelRow {
  server: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  imports: number;
  importErrors: number;
  rssMb: number;
  firstError?: string;
}

/**
 * One run: `amount` requests when given (every request sent is then answered and counted: a timed run
 * drops the requests still in flight when it stops, which hides the latency of a saturated server), else
 * `seconds` of load.
 */
async function cannon(port: number, connections: number, seconds: number, requests: Array<{ body: string }>, amount?: number): Promise<{ result: autocannon.Result; graphqlErrors: number; firstError?: string }> {
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const onResponse = (status: number, body: string) => {
    // A GraphQL error may come with a 200: the body says so.
    if (status < 200 || status >= 300 || body.includes('"errors"')) {
      if (status >= 200 && status < 300) graphqlErrors++;
      firstError ??= `HTTP ${status} ${body.slice(0, 300)}`;
    }
  };
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    ...(amount ? { amount } : { duration: seconds }),
    timeout: 30,
    requests: requests.map((r) => ({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: r.body, onResponse })),
  });
  return { result, graphqlErrors, firstError };
}

/**
 * What a request costs alone, before any load: its first run computes every aggregate (the cache is
 * empty: the cost of a dashboard right after a write), the median of the next five is served from the
 * cache. The Douaisis requests go first, so that the synthetic contract's first run does not also pay
 * for compiling the server's code.
 */
async function coldAndCached(port: number, requests: Array<{ name: string; body: string }>): Promise<Array<{ name: string; firstMs: number; cachedMs: number }>> {
  const once = async (body: string) => {
    const started = process.hrtime.bigint();
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await response.text();
    if (!response.ok || text.includes('"errors"')) throw new Error(`cold pass: HTTP ${response.status} ${text.slice(0, 300)}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const rows = [];
  for (const request of requests) {
    const firstMs = await once(request.body);
    const cached = [];
    for (let i = 0; i < 5; i++) cached.push(await once(request.body));
    rows.push({ name: request.name, firstMs, cachedMs: cached.sort((a, b) => a - b)[2] });
  }
  return rows;
}

async function measureLevels(server: string, child: Child, requests: Array<{ body: string }>, imports: ImportLoop | null, sampler: RssSampler): Promise<LevelRow[]> {
  const rows: LevelRow[] = [];
  // Warm-up: the first requests compile and fill caches; its throughput sizes the first level.
  const warm = await cannon(child.port, 4, 3, requests);
  let rps = warm.result.requests.total / warm.result.duration;
  for (const connections of LEVELS) {
    const started = Date.now();
    const importsBefore = imports?.done ?? 0;
    const importErrorsBefore = imports?.errors.length ?? 0;
    // About LEVEL_SECONDS of requests at the last throughput, and at least ROUNDS per connection.
    const amount = Math.max(connections * ROUNDS, Math.ceil(rps * LEVEL_SECONDS), requests.length * 5);
    const { result, graphqlErrors, firstError } = await cannon(child.port, connections, LEVEL_SECONDS, requests, amount);
    const row = levelRow(server, connections, result, graphqlErrors, firstError, sampler.maxSince(started));
    rps = row.rps;
    row.imports = (imports?.done ?? 0) - importsBefore;
    row.importErrors = (imports?.errors.length ?? 0) - importErrorsBefore;
    rows.push(row);
    process.stderr.write(`  ${server} c=${connections}: ${row.rps.toFixed(1)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.errors} errors, ${row.imports} imports\n`);
  }
  return rows;
}

function levelRow(server: string, connections: number, result: autocannon.Result, graphqlErrors: number, firstError: string | undefined, rssMb: number): LevelRow {
  return {
    server,
    connections,
    seconds: result.duration,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.non2xx + graphqlErrors,
    timeouts: result.timeouts,
    imports: 0,
    importErrors: 0,
    rssMb,
    firstError,
  };
}

interface SoakResult {
  server: string;
  level: LevelRow;
  startMb: number;
  endMb: number;
  maxMb: number;
  slopeMbPerMin: number;
  heapStartMb: number;
  heapEndMb: number;
  heapSlopeMbPerMin: number;
}

function slope(points: Array<{ t: number; mb: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const xs = points.map((p) => (p.t - points[0].t) / 60_000);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = points.reduce((a, p) => a + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (points[i].mb - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : 0;
}

async function soak(server: string, child: Child, requests: Array<{ body: string }>, imports: ImportLoop, sampler: RssSampler): Promise<SoakResult> {
  const started = Date.now();
  const importsBefore = imports.done;
  const importErrorsBefore = imports.errors.length;
  const { result, graphqlErrors, firstError } = await cannon(child.port, SOAK_CONNECTIONS, SOAK_SECONDS, requests);
  const level = levelRow(server, SOAK_CONNECTIONS, result, graphqlErrors, firstError, sampler.maxSince(started));
  level.imports = imports.done - importsBefore;
  level.importErrors = imports.errors.length - importErrorsBefore;
  const after = sampler.samples.filter((s) => s.t >= started + SOAK_WARMUP_SECONDS * 1000);
  const heap = child.heap.filter((s) => s.t >= started + SOAK_WARMUP_SECONDS * 1000);
  return {
    heapStartMb: heap[0]?.mb ?? 0,
    heapEndMb: heap[heap.length - 1]?.mb ?? 0,
    heapSlopeMbPerMin: slope(heap),
    server,
    level,
    startMb: after[0]?.mb ?? 0,
    endMb: after[after.length - 1]?.mb ?? 0,
    maxMb: Math.max(0, ...after.map((s) => s.mb)),
    slopeMbPerMin: slope(after),
  };
}

// ---------------------------------------------------------------------------------------------------
// The parent.
// ---------------------------------------------------------------------------------------------------

function mysqlServer() {
  const server = new URL(MYSQL_SERVER);
  return { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password) };
}

async function freshDatabase(kind: string, dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') return { url: `sqlite:${join(dir, 'bench-load.sqlite')}`, drop: async () => undefined };
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

function printLevels(rows: LevelRow[]): void {
  const header = ['server', 'conn.', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'errors', 'imports', 'RSS max MB'];
  const lines = rows.map((r) => [r.server, String(r.connections), r.rps.toFixed(1), String(r.p50), String(r.p99), String(r.max), String(r.requests), String(r.errors + r.importErrors), String(r.imports), r.rssMb.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((cell, i) => (i < 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const line of lines) console.log(format(line));
}

async function runDatabase(kind: string, dir: string, requests: Array<{ name: string; body: string }>, levels: LevelRow[], soaks: SoakResult[]): Promise<void> {
  let database: { url: string; drop: () => Promise<void> };
  try {
    database = await freshDatabase(kind, dir);
  } catch (error) {
    console.log(`${kind}: skipped, server not reachable (${(error as Error).message})`);
    return;
  }
  try {
    const output = execFileSync(process.execPath, [__filename, 'seed', database.url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const seeded = JSON.parse(output.trim().split('\n').pop()!);
    console.log(`${kind}: seeded in ${seeded.seconds.toFixed(1)} s — ${LOAD_CODE} ${seeded.actions} actions, ${seeded.lines} lines; ${DOUAISIS} with the partners' fixtures`);
    const child = await startChild(['serve', database.url]);
    const sampler = new RssSampler(child.process.pid!);
    const imports = new ImportLoop(`http://127.0.0.1:${child.port}`, seeded.token);
    const server = `CRTE ${kind}`;
    try {
      for (const row of await coldAndCached(child.port, requests)) {
        console.log(`${kind}: ${row.name} — alone, first run (nothing cached) ${row.firstMs.toFixed(0)} ms, then from the cache ${row.cachedMs.toFixed(1)} ms`);
      }
      imports.start();
      levels.push(...(await measureLevels(server, child, requests, imports, sampler)));
      if (SOAK_SECONDS > 0 && SOAK_DATABASES.includes(kind)) {
        process.stderr.write(`  ${server}: soak ${SOAK_SECONDS} s at ${SOAK_CONNECTIONS} connections…\n`);
        const result = await soak(server, child, requests, imports, sampler);
        soaks.push(result);
      }
      await imports.stop();
      for (const error of imports.errors.slice(0, 3)) console.log(`${kind}: import error ${error}`);
      // Wait for the child's next counters, sent every 2 s.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const { cache, gate } = child.stats ?? { cache: null, gate: null };
      if (cache) console.log(`${kind}: aggregate cache ${cache.hits} hits, ${cache.misses} misses, ${cache.shared} shared computations; ${cache.entries} entries, ${(cache.bytes / 1024 / 1024).toFixed(1)} MB (approximate)`);
      if (gate) console.log(`${kind}: request gate ${gate.admitted} admitted, ${gate.refusedFull} refused (queue full), ${gate.refusedWait} refused (waited too long)`);
    } finally {
      await imports.stop();
      sampler.stop();
      await child.stop();
    }
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  if (mode === 'seed') return seedChild(arg);
  if (mode === 'serve') return serveChild(arg);
  if (mode === 'bare') return bareChild();
  const requests = loadRequests();
  console.log(
    `bench:load — dashboard queries (${requests.map((r) => r.name).join(', ')}) on ${LINES} synthetic lines + the partners' fixtures; ` +
      `${LEVEL_SECONDS} s per concurrency ${LEVELS.join('/')}, a Banque des Territoires re-import every ${IMPORT_EVERY_MS / 1000} s; soak ${SOAK_SECONDS} s at ${SOAK_CONNECTIONS} connections`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'crte-bench-load-'));
  const levels: LevelRow[] = [];
  const soaks: SoakResult[] = [];
  try {
    for (const kind of DATABASES) await runDatabase(kind, dir, requests, levels, soaks);
    const bare = await startChild(['bare']);
    const sampler = new RssSampler(bare.process.pid!);
    try {
      levels.push(...(await measureLevels('bare Apollo { hello }', bare, [{ body: JSON.stringify({ query: '{ hello }' }) }], null, sampler)));
    } finally {
      sampler.stop();
      await bare.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  printLevels([...levels, ...soaks.map((s) => ({ ...s.level, server: `${s.server} soak ${SOAK_SECONDS} s` }))]);
  let failed = false;
  for (const s of soaks) {
    const growth = s.slopeMbPerMin > MAX_SLOPE;
    console.log(
      `${s.server} soak: RSS after ${SOAK_WARMUP_SECONDS} s warm-up start ${s.startMb.toFixed(0)} MB, end ${s.endMb.toFixed(0)} MB, max ${s.maxMb.toFixed(0)} MB, ` +
        `slope ${s.slopeMbPerMin.toFixed(2)} MB/min (limit ${MAX_SLOPE}) — ${growth ? 'FAIL: memory grows' : 'no growth'}; ` +
        `heap after GC ${s.heapStartMb.toFixed(0)} → ${s.heapEndMb.toFixed(0)} MB, slope ${s.heapSlopeMbPerMin.toFixed(2)} MB/min; ${s.level.imports} imports applied, ${s.level.errors + s.level.importErrors} errors`,
    );
    failed ||= growth;
  }
  for (const row of [...levels, ...soaks.map((s) => s.level)]) {
    // A level that answered nothing measured nothing (a server that refused every request, or never ran).
    if (row.requests === 0) {
      failed = true;
      console.log(`FAIL ${row.server} c=${row.connections}: NOT MEASURED — no request answered`);
    }
    if (row.errors + row.importErrors === 0) continue;
    failed = true;
    console.log(`FAIL ${row.server} c=${row.connections}: ${row.errors} request errors (${row.timeouts} client timeouts at 30 s), ${row.importErrors} import errors${row.firstError ? ` — first: ${row.firstError}` : ''}`);
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
