/**
 * npm run bench:peer — issue 16, point 6: the nested query axes → orientations → actions → fundings
 * (year, amount, funder) of one contract, ours against Directus 11.3.5 (the generic peer) on the same
 * generated data, measured side by side in one run.
 *
 * - The peer is installed from npm into a cache folder outside the repository's dependencies
 *   (os.tmpdir()/crte-peer/directus-11.3.5, reused when present; never in package.json), bootstrapped on
 *   SQLite per scale, its collections and relations created through its REST API as admin, its rows
 *   written straight into its SQLite file (peer-seed.ts; its foreign keys indexed as ours are,
 *   BENCH_PEER_INDEXES=0 leaves them bare), its cache off (CACHE_ENABLED=false).
 * - Ours: a server process per database (SQLite; MariaDB/MySQL too when DATABASE_URL is a mysql:// URL,
 *   on a fresh database of that server), started on the database a process of its own migrated and
 *   seeded (as `npm start` on a filled database; Directus's rows are not written by its server either),
 *   the aggregate cache off, the answer limits raised as an operator
 *   would for such a report. Nothing caches a response: every run is cold in that sense.
 * - Runs alternate between the servers (BENCH_RUNS each, default 15 at 500 actions, 9 at 5 000, 3 at
 *   50 000, after 3 warm-ups, 1 at 50 000), medians compared; each server's CPU time per answer too;
 *   the ratio printed is ours / Directus (target ≤ 0.6×). Our amounts must add up to the generated cents
 *   exactly; the peer's floats are summed as a client would and their drift printed.
 *
 *   npm run bench:peer -- --scales 500,5000      (default 500,5000,50000)
 */
import 'reflect-metadata';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { AddressInfo, createServer as createNetServer } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { AppConfig, parseDatabaseUrl } from '../src/config';
import { openDataSource } from '../src/db/data-source';
import { formatCents } from '../src/kernel/money';
import { seedReferenceData } from '../src/seed/seed.service';
import { startServer } from '../src/server/app';
import { SERVER_NODE_FLAGS } from '../src/server/node-flags';
import { assertMeasured, NotMeasuredError, runBench } from './assert-measured';
import { LINES_PER_ACTION, PeerData, peerData, seedOurs, seedPeer } from './peer-seed';

const PEER_VERSION = '11.3.5';
const PEER_DIR = join(tmpdir(), 'crte-peer', `directus-${PEER_VERSION}`);
const PEER_BIN = join(PEER_DIR, 'node_modules', '.bin', 'directus');
const TARGET = 0.6;
const NODE_FLAGS = ['--max-old-space-size=8192', ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
const ADMIN = { email: 'admin@example.com', password: 'bench-peer-password', token: 'bench-peer-admin-token' };

export const OUR_QUERY = /* GraphQL */ `
  query Peer($code: String!) {
    contract(code: $code) {
      axes { number orientations { code actions { code fundings { year amount funder { name } } } } }
    }
  }
`;
const peerQuery = (code: string) => /* GraphQL */ `
  query {
    axes(filter: { contract: { _eq: ${JSON.stringify(code)} } }, sort: ["number"], limit: -1) {
      number
      orientations(sort: ["code"], limit: -1) {
        code
        actions(sort: ["code"], limit: -1) { code fundings(sort: ["year", "id"], limit: -1) { year amount funder { name } } }
      }
    }
  }
`;

/** Limits of one answer raised for the report (graphql-limits.ts), as an operator would for it. */
const REPORT_LIMITS: Partial<AppConfig> = {
  maxResultRows: 50_000_000,
  maxResultValues: 500_000_000,
  maxResponseBytes: 4 * 1024 * 1024 * 1024,
  maxQueryComplexity: 1_000_000_000,
  queryTimeoutMs: 0,
};

/** A connection per request for both sides: no idle keep-alive socket closed under a request between runs. */
const agent = new Agent({ keepAlive: false });

/**
 * CPU seconds a process has used, all its threads (the peer's SQLite driver reads on libuv's pool):
 * steadier than wall time on a loaded machine. Linux only (null elsewhere); MariaDB's own CPU is not in it.
 */
function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function getText(url: string): Promise<string | null> {
  try {
    const response = await fetch(url);
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------
// The peer: installed once, bootstrapped per scale.
// ---------------------------------------------------------------------------------------------------

function installPeer(): void {
  if (existsSync(PEER_BIN)) return;
  mkdirSync(PEER_DIR, { recursive: true });
  console.log(`Installing directus@${PEER_VERSION} into ${PEER_DIR} (once; a few minutes)…`);
  // Its own folder and package.json: nothing enters the repository's dependencies.
  execFileSync('npm', ['install', '--prefix', PEER_DIR, '--no-audit', '--no-fund', `directus@${PEER_VERSION}`], { cwd: PEER_DIR, stdio: 'inherit' });
  if (!existsSync(PEER_BIN)) throw new NotMeasuredError('Directus', `npm install left no ${PEER_BIN}`);
}

interface Peer {
  url: string;
  process: ChildProcess;
  database: string;
  stop(): Promise<void>;
}

async function startPeer(dir: string): Promise<Peer> {
  const port = await freePort();
  const database = join(dir, 'directus.sqlite');
  const env = {
    ...process.env,
    NODE_OPTIONS: NODE_FLAGS.join(' '),
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DB_CLIENT: 'sqlite3',
    DB_FILENAME: database,
    KEY: randomBytes(16).toString('hex'),
    SECRET: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ADMIN_TOKEN: ADMIN.token,
    // No response cache, as ours; no load shedding, no query limit: it answers every run in full.
    CACHE_ENABLED: 'false',
    PRESSURE_LIMITER_ENABLED: 'false',
    RATE_LIMITER_ENABLED: 'false',
    QUERY_LIMIT_DEFAULT: '-1',
    QUERY_LIMIT_MAX: '-1',
    TELEMETRY: 'false',
    WEBSOCKETS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    LOG_STYLE: 'raw',
    EXTENSIONS_PATH: join(dir, 'extensions'),
    STORAGE_LOCAL_ROOT: join(dir, 'uploads'),
  };
  execFileSync(PEER_BIN, ['bootstrap'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const child = spawn(PEER_BIN, ['start'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while ((await getText(`${url}/server/ping`)) !== 'pong') {
    if (child.exitCode !== null) throw new NotMeasuredError('Directus', `exited with code ${child.exitCode} before answering`);
    if (Date.now() > deadline) throw new NotMeasuredError('Directus', 'did not answer /server/ping within 2 minutes');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    process: child,
    database,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function peerApi(peer: Peer, method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${peer.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN.token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new NotMeasuredError('Directus schema', `${method} ${path}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
}

/** The collections and relations, through the peer's API, as its admin would make them. */
async function createPeerSchema(peer: Peer): Promise<void> {
  const id = { field: 'id', type: 'integer', meta: { hidden: true }, schema: { is_primary_key: true, has_auto_increment: true } };
  const field = (name: string, type: string, schema: Record<string, unknown> = {}) => ({ field: name, type, meta: {}, schema });
  const collection = (name: string, fields: unknown[]) => peerApi(peer, 'POST', '/collections', { collection: name, meta: {}, schema: {}, fields: [id, ...fields] });
  await collection('funders', [field('name', 'string')]);
  await collection('axes', [field('contract', 'string'), field('number', 'integer'), field('title', 'string')]);
  await collection('orientations', [field('axis', 'integer'), field('code', 'string'), field('title', 'string')]);
  await collection('actions', [field('orientation', 'integer'), field('code', 'string'), field('title', 'string')]);
  await collection('fundings', [field('action', 'integer'), field('funder', 'integer'), field('year', 'integer'), field('amount', 'decimal', { numeric_precision: 14, numeric_scale: 2 })]);
  for (const [one, many, key] of [['axes', 'orientations', 'axis'], ['orientations', 'actions', 'orientation'], ['actions', 'fundings', 'action']]) {
    await peerApi(peer, 'POST', `/fields/${one}`, { field: many, type: 'alias', meta: { special: ['o2m'] } });
    await peerApi(peer, 'POST', '/relations', { collection: many, field: key, related_collection: one, meta: { one_field: many }, schema: { on_delete: 'SET NULL' } });
  }
  await peerApi(peer, 'POST', '/relations', { collection: 'fundings', field: 'funder', related_collection: 'funders', meta: {}, schema: { on_delete: 'SET NULL' } });
}

// ---------------------------------------------------------------------------------------------------
// Ours: a server process per database.
// ---------------------------------------------------------------------------------------------------

interface OurServer {
  url: string;
  pid: number | undefined;
  /** Stops the server; resolves with the longest block of its event loop while serving (ms). */
  stop: () => Promise<void>;
  longestBlockMs: () => number | null;
}

/** Ours: the database migrated and seeded by a process of its own, then served by a fresh one (startServing). */
async function startOurs(url: string, actions: number): Promise<OurServer> {
  await seedOurDatabase(url, actions);
  return startServing(url);
}

/**
 * Migrates and seeds in a child process that then exits: the server starts on a filled database as
 * `npm start` does, not carrying in its heap the garbage of writing the contract (Directus's rows are
 * written by this process, not by its server, either).
 */
function seedOurDatabase(url: string, actions: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, __filename, 'seed', url, String(actions)], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new NotMeasuredError('our database', `seeding exited with code ${code}`))));
  });
}

function startServing(url: string): Promise<OurServer> {
  return new Promise((resolve, reject) => {
    // Ours as `npm start` runs it (its node options, src/server/node-flags.ts).
    const child = spawn(process.execPath, [...NODE_FLAGS, ...SERVER_NODE_FLAGS, __filename, 'serve', url], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((l) => l.startsWith('URL '));
      if (line) {
        resolve({
          url: line.slice(4).trim(),
          pid: child.pid,
          longestBlockMs: () => {
            const block = /BLOCK (\S+)/.exec(output);
            return block ? Number(block[1]) : null;
          },
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.stdin!.end();
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new NotMeasuredError('our server', `exited with code ${code}: ${output.slice(0, 300)}`)));
  });
}

/** Child: migrates and seeds the database, then exits. */
async function seedChild(url: string, actions: number): Promise<void> {
  const dataSource = await openDataSource(parseDatabaseUrl(url));
  await dataSource.runMigrations();
  await seedReferenceData(dataSource);
  await seedOurs(dataSource, peerData(actions));
  await dataSource.destroy();
}

/** Child: serves the seeded database until its stdin closes. */
async function serveChild(url: string): Promise<void> {
  const dataSource = await openDataSource(parseDatabaseUrl(url));
  const config: AppConfig = { databaseUrl: url, database: parseDatabaseUrl(url), port: 0, readRequiresToken: false, production: process.env.NODE_ENV === 'production' };
  const server = await startServer(dataSource, { ...config, ...REPORT_LIMITS, cache: { maxEntries: 0, maxBytes: 0 }, gate: { maxBufferedBytes: 8 * 1024 * 1024 * 1024 } });
  // The longest block of the event loop while serving: one level is one statement, run synchronously on SQLite.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  process.stdout.write(`URL ${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    delay.disable();
    process.stdout.write(`BLOCK ${(delay.max / 1e6).toFixed(0)}\n`);
    await server.close();
    await dataSource.destroy();
    process.exit(0);
  });
}

// ---------------------------------------------------------------------------------------------------
// Measuring.
// ---------------------------------------------------------------------------------------------------

interface Side {
  name: string;
  run: () => Promise<string>;
  check: (body: string) => string;
  seconds: number[];
  cpu: number[];
  pid: number | undefined;
  note?: string;
}

interface FundingAnswer {
  amount: string | number;
}

function fundingsOf(axes: Array<{ orientations: Array<{ actions: Array<{ fundings: FundingAnswer[] }> }> }>): { actions: number; amounts: Array<string | number> } {
  let actions = 0;
  const amounts: Array<string | number> = [];
  for (const axis of axes) for (const orientation of axis.orientations) for (const action of orientation.actions) {
    actions++;
    for (const funding of action.fundings) amounts.push(funding.amount);
  }
  return { actions, amounts };
}

/** Ours: every line there, every amount a decimal string, their sum the generated one to the cent. */
function checkOurs(name: string, data: PeerData, body: string): string {
  const parsed = JSON.parse(body);
  assertMeasured(!parsed.errors && parsed.data?.contract, name, () => `answered ${body.slice(0, 300)}`);
  const { actions, amounts } = fundingsOf(parsed.data.contract.axes);
  assertMeasured(actions === data.actions && amounts.length === data.lines.length, name, `${actions} actions and ${amounts.length} lines answered of ${data.actions} and ${data.lines.length}`);
  let cents = 0n;
  for (const amount of amounts) {
    assertMeasured(typeof amount === 'string' && /^-?\d+\.\d{2}$/.test(amount), name, `amount ${JSON.stringify(amount)} is not a decimal string`);
    cents += BigInt(amount.replace('.', ''));
  }
  assertMeasured(cents === data.totalCents, name, `amounts add up to ${formatCents(cents)} €, generated ${formatCents(data.totalCents)} €`);
  return `exact: ${formatCents(cents)} €`;
}

/** The peer: every line there; its float amounts summed as its client would, the drift from the exact sum. */
function checkPeer(data: PeerData, body: string): string {
  const parsed = JSON.parse(body);
  assertMeasured(!parsed.errors && Array.isArray(parsed.data?.axes), 'Directus', () => `answered ${body.slice(0, 300)}`);
  const { actions, amounts } = fundingsOf(parsed.data.axes);
  assertMeasured(actions === data.actions && amounts.length === data.lines.length, 'Directus', `${actions} actions and ${amounts.length} lines answered of ${data.actions} and ${data.lines.length}`);
  let sum = 0;
  for (const amount of amounts) sum += Number(amount);
  const exact = Number(data.totalCents) / 100;
  const drift = sum - exact;
  return `${typeof amounts[0]} amounts; float sum ${sum.toFixed(6)} vs ${formatCents(data.totalCents)} €: drift ${drift.toFixed(6)} €, ${formatCents(BigInt(Math.round(sum * 100)))} rounded`;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor((list.length - 1) / 2)];

/** The side's answer; a failure names the side (a server that died measured nothing). */
async function answer(side: Side): Promise<string> {
  try {
    return await side.run();
  } catch (error) {
    if (error instanceof NotMeasuredError) throw error;
    throw new NotMeasuredError(side.name, (error as Error).message);
  }
}

async function time(side: Side): Promise<string> {
  const cpu = cpuSeconds(side.pid);
  const started = process.hrtime.bigint();
  const body = await answer(side);
  side.seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
  const after = cpuSeconds(side.pid);
  if (cpu !== null && after !== null) side.cpu.push(after - cpu);
  return body;
}

async function freshMysql(base: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = new URL(base);
  const connection = { host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password) };
  const name = `crte_peer_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection({ ...connection, connectTimeout: 3000 });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  server.pathname = `/${name}`;
  return {
    url: server.toString(),
    drop: async () => {
      const again = await createConnection(connection);
      await again.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await again.end();
    },
  };
}

interface Row {
  actions: number;
  lines: number;
  side: string;
  seconds: number;
  peerSeconds: number;
  /** Median CPU seconds of the server process per answer (MariaDB's own not included). */
  cpu: number | null;
  peerCpu: number | null;
  runs: number[];
  check: string;
}

async function measureScale(actions: number, dir: string, mysqlBase: string | null): Promise<{ rows: Row[]; peerNote: string; peerRuns: number[] }> {
  const data = peerData(actions);
  // Small answers take tens of milliseconds, within this machine's noise: more runs, and warm-ups enough
  // for both servers' JIT compilers (the first few answers of either are twice as slow).
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? (actions >= 50_000 ? 3 : actions >= 5_000 ? 9 : 15)));
  const warmUps = actions >= 50_000 ? 1 : 3;
  const scaleDir = join(dir, `scale-${actions}`);
  mkdirSync(scaleDir, { recursive: true });
  const started = Date.now();
  const cleanups: Array<() => Promise<void>> = [];
  try {
    // Ours, seeded by its own server process (each database).
    const ours: Array<{ name: string; server: OurServer }> = [];
    const sqlite = await startOurs(`sqlite:${join(scaleDir, 'ours.sqlite')}`, actions);
    cleanups.push(async () => {
      await sqlite.stop();
      console.log(`  ours SQLite: longest event-loop block ${sqlite.longestBlockMs()} ms`);
    });
    ours.push({ name: 'ours SQLite', server: sqlite });
    if (mysqlBase) {
      const database = await freshMysql(mysqlBase);
      cleanups.push(database.drop);
      const mysql = await startOurs(database.url, actions);
      cleanups.push(mysql.stop);
      ours.push({ name: 'ours MariaDB', server: mysql });
    }
    // The peer, on SQLite.
    const peer = await startPeer(scaleDir);
    cleanups.push(peer.stop);
    await createPeerSchema(peer);
    const peerDb = new Database(peer.database);
    try {
      peerDb.pragma('busy_timeout = 10000');
      seedPeer(peerDb, data, process.env.BENCH_PEER_INDEXES !== '0');
    } finally {
      peerDb.close();
    }
    console.log(`${actions} actions, ${data.lines.length} lines: both seeded in ${((Date.now() - started) / 1000).toFixed(0)} s; ${runs} runs each after ${warmUps} warm-up(s)`);

    const sides: Side[] = [
      ...ours.map(({ name, server }) => ({
        name,
        seconds: [],
        cpu: [],
        pid: server.pid,
        run: async () => {
          const response = await post(server.url, { query: OUR_QUERY, variables: { code: data.code } });
          assertMeasured(response.status === 200, name, () => `HTTP ${response.status}: ${response.text.slice(0, 300)}`);
          return response.text;
        },
        check: (body: string) => checkOurs(name, data, body),
      })),
      {
        name: 'Directus SQLite',
        seconds: [],
        cpu: [],
        pid: peer.process.pid,
        run: async () => {
          const response = await post(`${peer.url}/graphql`, { query: peerQuery(data.code) }, { authorization: `Bearer ${ADMIN.token}` });
          assertMeasured(response.status === 200, 'Directus', () => `HTTP ${response.status}: ${response.text.slice(0, 300)}`);
          return response.text;
        },
        check: (body: string) => checkPeer(data, body),
      },
    ];
    // Warm-up, checked: a side that answered wrong or nothing measures nothing.
    for (const side of sides) side.note = side.check(await answer(side));
    for (let i = 1; i < warmUps; i++) for (const side of sides) await answer(side);
    // Alternated runs: this machine's speed drifts over minutes.
    for (let i = 0; i < runs; i++) {
      for (const side of sides) await time(side);
      console.log(`  run ${i + 1}/${runs}: ${sides.map((side) => `${side.name} ${side.seconds[i].toFixed(3)} s (CPU ${side.cpu[i]?.toFixed(2) ?? '?'} s)`).join(', ')}`);
    }
    const peerSide = sides[sides.length - 1];
    const peerSeconds = median(peerSide.seconds);
    assertMeasured(peerSeconds > 0, 'Directus', 'no time measured');
    return {
      rows: sides.slice(0, -1).map((side) => ({
        actions,
        lines: data.lines.length,
        side: side.name,
        seconds: median(side.seconds),
        peerSeconds,
        cpu: side.cpu.length ? median(side.cpu) : null,
        peerCpu: peerSide.cpu.length ? median(peerSide.cpu) : null,
        runs: side.seconds,
        check: side.note!,
      })),
      peerNote: peerSide.note!,
      peerRuns: peerSide.seconds,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(error));
  }
}

function parseScales(argv: string[]): number[] {
  const at = argv.indexOf('--scales');
  const given = at >= 0 ? argv[at + 1] : argv.find((arg) => arg.startsWith('--scales='))?.slice('--scales='.length);
  const scales = (given ?? '500,5000,50000').split(',').map((s) => Number(s.replace(/[_\s]/g, '')));
  if (!scales.length || scales.some((s) => !Number.isInteger(s) || s < 1)) throw new NotMeasuredError('--scales', `« ${given} » is not a list of action counts`);
  return scales;
}

async function main(): Promise<void> {
  const [mode, url, actions] = process.argv.slice(2);
  if (mode === 'seed') return seedChild(url, Number(actions));
  if (mode === 'serve') return serveChild(url);
  const scales = parseScales(process.argv.slice(2));
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const mysqlBase = /^mysql:/.test(databaseUrl) ? databaseUrl : null;
  installPeer();
  console.log(
    `bench:peer — ours (SQLite${mysqlBase ? ', MariaDB' : ''}) vs Directus ${PEER_VERSION} (SQLite), scales ${scales.join(', ')} actions × ${LINES_PER_ACTION} lines` +
      (mysqlBase ? '' : ' (MariaDB: set DATABASE_URL=mysql://…)'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'crte-bench-peer-'));
  const rows: Row[] = [];
  try {
    for (const scale of scales) {
      const result = await measureScale(scale, dir, mysqlBase);
      console.log(`  Directus: ${result.peerNote}`);
      rows.push(...result.rows);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    agent.destroy();
  }
  console.log('');
  const header = ['actions', 'lines', 'ours', 'ours median', 'Directus median', 'ratio', 'target', 'result', 'CPU ours / Directus', 'amounts'];
  const lines = rows.map((r) => {
    const ratio = r.seconds / r.peerSeconds;
    const cpu = r.cpu !== null && r.peerCpu ? `${r.cpu.toFixed(2)} / ${r.peerCpu.toFixed(2)} s = ${(r.cpu / r.peerCpu).toFixed(2)}×` : '-';
    return [String(r.actions), String(r.lines), r.side, `${r.seconds.toFixed(3)} s`, `${r.peerSeconds.toFixed(3)} s`, `${ratio.toFixed(2)}×`, `≤ ${TARGET}×`, ratio <= TARGET ? 'pass' : 'FAIL', cpu, r.check];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const line of lines) console.log(format(line));
}

if (require.main === module) runBench(main);
