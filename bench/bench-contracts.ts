/**
 * npm run bench:contracts — issue 16, point 5: the reads and the re-import of one contract stay within 2×
 * of their single-contract figures when the database holds as many contracts as France has (~850, about
 * 100 actions and 2 000 funding lines each, 1.7 M lines in all).
 *
 * On a fresh database (DATABASE_URL, default mysql://root@127.0.0.1:3306/crte_bench_contracts, dropped and
 * recreated; a sqlite: URL works too, with 100 contracts by default): migrated, Douaisis seeded, ONE
 * generated contract (contracts-seed.ts). Measured on it, over HTTP against the real server in this process:
 *  - the dashboard's GraphQL query (web/assets/pages/tableau-de-bord.js, as test/api/query-attack does);
 *  - GET /api/export/annex3.xlsx?contract=CODE;
 *  - its partner's (its EPCI's) re-import of its annex 3, POST /api/imports with an admin token: a
 *    2 000-line workbook generated for it, two versions in turn so that each one applies.
 * Then contracts are generated up to N (--contracts N, default 850), ANALYZE runs, and the same three are
 * measured again on the same contract. Each is measured cold (a server just started, its aggregate cache
 * empty: the first request; BENCH_COLD_RUNS servers, default 3) and warm (one server with the aggregate cache
 * off, so that every run computes; one warm-up then BENCH_RUNS runs, default 5); medians compared.
 *
 * Every answer is checked against the contract's generated figures, in exact cents: the dashboard's planned
 * total and lines, the export's « TOTAL GÉNÉRAL », the import's status, lines and total. An answer that is
 * refused, fails or differs fails the bench, as does a ratio past the target (2×).
 */
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import * as XLSX from 'xlsx';
import { DataSource } from 'typeorm';
import { createToken } from '../src/auth/token.service';
import { AppConfig, parseDatabaseUrl } from '../src/config';
import { openDataSource } from '../src/db/data-source';
import { Role } from '../src/kernel/role.enum';
import { centsFromDriver, formatCents } from '../src/kernel/money';
import { seedReferenceData } from '../src/seed/seed.service';
import { RunningServer, startServer } from '../src/server/app';
import { assertMeasured, runBench } from './assert-measured';
import { GeneratedContract, generateContracts, LINES_PER_CONTRACT, partnerAnnex3 } from './contracts-seed';

const DATABASE_URL = process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/crte_bench_contracts';
const IS_SQLITE = DATABASE_URL.startsWith('sqlite:');
const CONTRACTS = Number(option('--contracts') ?? (IS_SQLITE ? 100 : 850));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const COLD_RUNS = Math.max(1, Number(process.env.BENCH_COLD_RUNS ?? 3));
const TARGET = 2;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

/** The dashboard's own query, read from the page's source as test/api/query-attack.test.ts does. */
function dashboardQuery(): string {
  const source = readFileSync(join(__dirname, '..', '..', 'web', 'assets', 'pages', 'tableau-de-bord.js'), 'utf8');
  const constant = (name: string) => source.match(new RegExp(`const ${name} = [\`']([^\`']*)[\`'];`))![1];
  return constant('DASHBOARD_QUERY').replace(/\$\{FIGURES\}/g, constant('FIGURES'));
}

// ---------------------------------------------------------------------------------------------------
// The database.
// ---------------------------------------------------------------------------------------------------

async function freshDatabase(url: string): Promise<void> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    return;
  }
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  if (!/^\w+$/.test(name)) throw new Error(`DATABASE_URL: « ${name} » is not a plain database name`);
  const connection = await createConnection({ host: parsed.hostname, port: Number(parsed.port || 3306), user: decodeURIComponent(parsed.username || 'root'), password: decodeURIComponent(parsed.password) });
  await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
}

/** Fresh statistics for the planner, as a database that has lived a while has. */
async function analyze(dataSource: DataSource): Promise<void> {
  if (IS_SQLITE) await dataSource.query('ANALYZE');
  else for (const table of ['funding', 'action', 'organisation', 'contract', 'contract_party', 'axis', 'orientation', 'import_batch', 'indicator', 'indicator_value']) await dataSource.query(`ANALYZE TABLE ${table}`);
}

// ---------------------------------------------------------------------------------------------------
// The three operations, each checked.
// ---------------------------------------------------------------------------------------------------

interface Target {
  contract: GeneratedContract;
  token: string;
  /** The planned total the contract holds now, in cents (changes with each re-import). */
  expectedCents: bigint;
  /** Imports done so far: the next one sends the other version. */
  imports: number;
  /** The partner's two versions of its annex 3: as generated, and with one amount a euro higher. */
  versions: Array<{ buffer: Buffer; cents: bigint; lines: number }>;
}

type Operation = 'dashboard' | 'annex3 export' | 're-import';
const OPERATIONS: Operation[] = ['dashboard', 'annex3 export', 're-import'];

async function timed(run: () => Promise<() => void>): Promise<number> {
  const started = process.hrtime.bigint();
  const check = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  check();
  return seconds;
}

function runOperation(server: RunningServer, target: Target, operation: Operation): Promise<number> {
  const code = target.contract.code;
  const expected = formatCents(target.expectedCents);
  const headers = { authorization: `Bearer ${target.token}` };
  if (operation === 'dashboard') {
    return timed(async () => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: dashboardQuery(), variables: { contract: code, filter: { contract: code, stage: ['PLANNED'] }, allStages: { contract: code } } }),
      });
      const text = await response.text();
      return () => {
        assertMeasured(response.status === 200, `dashboard of ${code}`, `HTTP ${response.status} ${text.slice(0, 300)}`);
        const body = JSON.parse(text);
        assertMeasured(!body.errors, `dashboard of ${code}`, () => JSON.stringify(body.errors).slice(0, 300));
        const planned = body.data.byStage.find((row: { stage: string }) => row.stage === 'PLANNED');
        assertMeasured(planned, `dashboard of ${code}`, 'no PLANNED total (zero lines)');
        assertMeasured(planned.amount === expected && planned.lines === LINES_PER_CONTRACT, `dashboard of ${code}`, `planned ${planned.amount} € in ${planned.lines} lines, expected ${expected} € in ${LINES_PER_CONTRACT}`);
        const byFunder = body.data.byFunder.reduce((sum: bigint, row: { amount: string }) => sum + centsFromDriver(row.amount, 'euros'), 0n);
        assertMeasured(byFunder === target.expectedCents, `dashboard of ${code}`, `by funder ${formatCents(byFunder)} €, expected ${expected} €`);
      };
    });
  }
  if (operation === 'annex3 export') {
    return timed(async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/export/annex3.xlsx?contract=${encodeURIComponent(code)}`, { headers });
      const bytes = Buffer.from(await response.arrayBuffer());
      return () => {
        assertMeasured(response.status === 200, `annex 3 export of ${code}`, `HTTP ${response.status} ${bytes.toString('utf8').slice(0, 300)}`);
        const book = XLSX.read(bytes, { type: 'buffer' });
        const rows = XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[book.SheetNames[0]], { header: 1, raw: true });
        const total = rows.find((row) => row.includes('TOTAL GÉNÉRAL'));
        assertMeasured(total, `annex 3 export of ${code}`, 'no « TOTAL GÉNÉRAL » row');
        const value = total.filter((cell): cell is number => typeof cell === 'number').pop();
        // The cell holds euros as a double; under 2^53 cents, rounding its hundredfold is exact.
        const cents = value === undefined ? null : BigInt(Math.round(value * 100));
        assertMeasured(cents === target.expectedCents, `annex 3 export of ${code}`, `TOTAL GÉNÉRAL ${value} €, expected ${expected} €`);
        const lineRows = XLSX.utils.sheet_to_json<unknown[]>(book.Sheets['Lignes'], { header: 1, raw: true }).length - 1;
        assertMeasured(lineRows === LINES_PER_CONTRACT, `annex 3 export of ${code}`, `${lineRows} rows in « Lignes », expected ${LINES_PER_CONTRACT}`);
      };
    });
  }
  const version = target.versions[(target.imports + 1) % 2];
  return timed(async () => {
    const form = new FormData();
    form.append('file', new Blob([version.buffer]), `annexe3-${code}.xlsx`);
    form.append('kind', 'annex3');
    form.append('source', String(target.contract.partnerId));
    form.append('contract', code);
    const response = await fetch(`http://127.0.0.1:${server.port}/api/imports`, { method: 'POST', body: form, headers });
    const text = await response.text();
    return () => {
      assertMeasured(response.status === 200, `re-import of ${code}`, `HTTP ${response.status} ${text.slice(0, 300)}`);
      const result = JSON.parse(text);
      assertMeasured(result.status === 'APPLIED', `re-import of ${code}`, () => `status ${result.status}: ${JSON.stringify(result.issues ?? result).slice(0, 500)}`);
      assertMeasured(result.counts.lines === version.lines && result.total === formatCents(version.cents), `re-import of ${code}`, `${result.counts.lines} lines, ${result.total} €, expected ${version.lines} lines, ${formatCents(version.cents)} €`);
      assertMeasured(result.applied?.superseded === LINES_PER_CONTRACT, `re-import of ${code}`, `${result.applied?.superseded} lines replaced, expected ${LINES_PER_CONTRACT}`);
      target.imports++;
      target.expectedCents = version.cents;
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Measuring.
// ---------------------------------------------------------------------------------------------------

type Runs = Record<Operation, number[]>;
interface Phase {
  label: string;
  cold: Runs;
  warm: Runs;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function measure(dataSource: DataSource, config: AppConfig, target: Target, label: string): Promise<Phase> {
  const empty = (): Runs => ({ dashboard: [], 'annex3 export': [], 're-import': [] });
  const phase: Phase = { label, cold: empty(), warm: empty() };
  const starts: number[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    // A server just started on a data source of its own, as a new process would be: new connections, its
    // caches empty (aggregates, the contracts' statistics). Its start is timed apart.
    const started = process.hrtime.bigint();
    const own = await openDataSource(config.database);
    const server = await startServer(own, config);
    starts.push(Number(process.hrtime.bigint() - started) / 1e9);
    try {
      for (const operation of OPERATIONS) phase.cold[operation].push(await runOperation(server, target, operation));
    } finally {
      await server.close();
      await own.destroy();
    }
  }
  console.log(`${label}: cold servers started in (s) ${starts.map((s) => s.toFixed(3)).join(' ')}`);
  // The aggregate cache off: every run computes, as a request after any write does.
  const server = await startServer(dataSource, { ...config, cache: { maxEntries: 0, maxBytes: 0 } });
  try {
    for (const operation of OPERATIONS) await runOperation(server, target, operation);
    for (let run = 0; run < RUNS; run++) for (const operation of OPERATIONS) phase.warm[operation].push(await runOperation(server, target, operation));
  } finally {
    await server.close();
  }
  const line = (runs: Runs) => OPERATIONS.map((operation) => `${operation} ${runs[operation].map((s) => s.toFixed(3)).join(' ')}`).join('; ');
  console.log(`${label}: cold runs (s) ${line(phase.cold)}`);
  console.log(`${label}: warm runs (s) ${line(phase.warm)}`);
  return phase;
}

function printTable(single: Phase, scaled: Phase): boolean {
  const header = ['operation', 'when', single.label, scaled.label, 'ratio', 'target', 'result'];
  let pass = true;
  const rows: string[][] = [];
  for (const operation of OPERATIONS) {
    for (const when of ['warm', 'cold'] as const) {
      const a = median(single[when][operation]);
      const b = median(scaled[when][operation]);
      const ratio = b / a;
      if (!(ratio <= TARGET)) pass = false;
      rows.push([operation, when, `${a.toFixed(3)} s`, `${b.toFixed(3)} s`, `${ratio.toFixed(2)}×`, `≤ ${TARGET}×`, ratio <= TARGET ? 'pass' : 'FAIL']);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(format(row));
  return pass;
}

async function main(): Promise<void> {
  assertMeasured(Number.isInteger(CONTRACTS) && CONTRACTS >= 2, '--contracts', `« ${option('--contracts')} » is not a number of contracts of 2 or more`);
  const database = parseDatabaseUrl(DATABASE_URL);
  console.log(`bench:contracts — ${DATABASE_URL}, 1 then ${CONTRACTS} generated contracts of ${LINES_PER_CONTRACT} lines; cold: ${COLD_RUNS} servers, warm: median of ${RUNS} runs after a warm-up`);
  await freshDatabase(DATABASE_URL);
  const dataSource = await openDataSource(database);
  try {
    await dataSource.runMigrations();
    await seedReferenceData(dataSource);
    const [first] = (await generateContracts(dataSource, 1, 1)).contracts;
    await analyze(dataSource);
    const { secret } = await createToken(dataSource, { name: 'bench:contracts', role: Role.ADMIN, organisationId: null });
    const target: Target = { contract: first, token: secret, expectedCents: first.plannedCents, imports: 0, versions: [partnerAnnex3(first), partnerAnnex3(first, 100n)] };
    const config: AppConfig = { databaseUrl: DATABASE_URL, database, port: 0, readRequiresToken: false, production: process.env.NODE_ENV === 'production' };

    const single = await measure(dataSource, config, target, '1 contract');

    let lastReport = 0;
    const generated = await generateContracts(dataSource, 2, CONTRACTS, (done, seconds) => {
      if (seconds - lastReport < 30 && done < CONTRACTS - 1) return;
      lastReport = seconds;
      console.log(`  generated ${done + 1}/${CONTRACTS} contracts in ${seconds.toFixed(0)} s`);
    });
    const analyzeStarted = Date.now();
    await analyze(dataSource);
    const [{ line_count: lines }] = await dataSource.query('SELECT COUNT(*) AS line_count FROM funding');
    const [{ action_count: actions }] = await dataSource.query('SELECT COUNT(*) AS action_count FROM action');
    console.log(
      `generated ${generated.contracts.length} more contracts in ${generated.seconds.toFixed(1)} s (ANALYZE ${((Date.now() - analyzeStarted) / 1000).toFixed(1)} s): ` +
        `${Number(lines)} funding lines, ${Number(actions)} actions in the database`,
    );
    assertMeasured(Number(lines) >= CONTRACTS * LINES_PER_CONTRACT, 'generation', `${lines} funding lines, expected at least ${CONTRACTS * LINES_PER_CONTRACT}`);

    const scaled = await measure(dataSource, config, target, `${CONTRACTS} contracts`);
    console.log('');
    const pass = printTable(single, scaled);
    if (!pass) {
      console.error(`FAIL: a ratio exceeds ${TARGET}×`);
      process.exitCode = 1;
    }
  } finally {
    await dataSource.destroy();
  }
}

runBench(main);
