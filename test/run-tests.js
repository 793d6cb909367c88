#!/usr/bin/env node
/**
 * `npm test`: the whole suite in two jest runs, so that it fits in CI's time without dropping a test.
 *
 * 1. Most files on parallel workers (`TEST_WORKERS`; by default one per core, 2 to 4; each test file
 *    already has a database of its own).
 * 2. Then, alone (--runInBand), the files that measure latency, and two fault tests: a probe's answer
 *    time would measure the other workers' files too; two servers on one SQLite file under the parallel
 *    phase's load waited past SQLite's 5 s busy timeout (test/faults/concurrent.test.ts: 500 « database
 *    is locked »); transaction-turns times a transaction that gives the event loop back.
 *    The other fault tests (a server killed, a lost connection) check all-or-nothing, not time: they
 *    run on the workers.
 *
 * Both runs always run; the exit code is the first failure's. Arguments (`npm test -- test/api/x.test.ts`)
 * skip the split: one jest --runInBand run with them, as before.
 *
 * On MySQL/MariaDB (`DATABASE_URL=mysql://…`), the unit tests that touch no database are left out: they
 * test pure functions (the xlsx reader, the parsers, money…), the same code whichever database the suite
 * runs on, and CI runs them in its SQLite run just before (62 files, ~90 s of the MariaDB run's 8 minutes).
 * A unit test file that opens a database (test/support/database or server) runs on both.
 */
const { spawnSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { availableParallelism } = require('node:os');

/** test/unit's files that open no database: none of the test support that makes one. */
function databaseFreeUnitFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts') && !/support\/(database|server)|DATABASE_URL/.test(readFileSync(path, 'utf8'))) files.push(path);
    }
  };
  walk(join(__dirname, 'unit'));
  return files.map((path) => relative(join(__dirname, '..'), path));
}

/**
 * CPU seconds of the waited-for children so far (Linux: /proc/self/stat's cutime + cstime, which include
 * their own children: jest's workers, the servers and browsers they started), or null elsewhere. Printed
 * with each phase, so that its wall time can be read against the cores it kept busy.
 */
function childrenCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/** Paths (regular expressions, as jest takes them) of the files that run alone, after the others. */
const ALONE = [
  'test/api/query-attack\\.test\\.ts$',
  'test/api/upload-load\\.test\\.ts$',
  'test/api/slow-readers\\.test\\.ts$',
  'test/api/keep-alive\\.test\\.ts$',
  'test/api/request-gate\\.test\\.ts$',
  'test/faults/concurrent\\.test\\.ts$',
  'test/faults/transaction-turns\\.test\\.ts$',
];

const jest = require.resolve('jest/bin/jest');
const started = Date.now();

function run(name, args) {
  const phaseStarted = Date.now();
  const cpuBefore = childrenCpuSeconds();
  console.log(`\n== ${name}: jest ${args.join(' ')}\n`);
  const { status, signal } = spawnSync(process.execPath, [jest, ...args], { stdio: 'inherit' });
  const elapsed = (Date.now() - phaseStarted) / 1000;
  const cpuAfter = childrenCpuSeconds();
  const cpu = cpuBefore === null || cpuAfter === null ? '' : `, ${Math.round(cpuAfter - cpuBefore)} s of CPU (${((cpuAfter - cpuBefore) / elapsed).toFixed(2)} cores busy on average)`;
  console.log(`\n== ${name}: ${status === 0 ? 'passed' : `FAILED (${signal ?? `exit ${status}`})`} in ${Math.round(elapsed)} s${cpu}`);
  return status === 0 ? 0 : status || 1;
}

const extra = process.argv.slice(2);
let code;
if (extra.length > 0) {
  code = run('tests', ['--runInBand', ...extra]);
} else {
  const workers = Number(process.env.TEST_WORKERS) || Math.max(2, Math.min(availableParallelism(), 4));
  const onMysql = /^(mysql|mariadb):/.test(process.env.DATABASE_URL ?? '');
  const databaseFree = onMysql ? databaseFreeUnitFiles() : [];
  if (databaseFree.length) console.log(`\n== on MySQL/MariaDB: ${databaseFree.length} unit test files that open no database left out (the SQLite run runs them)`);
  const skipped = databaseFree.map((path) => `${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const parallel = run(`tests on ${workers} workers`, [`--maxWorkers=${workers}`, '--testPathIgnorePatterns', '/node_modules/', ...ALONE, ...skipped]);
  const alone = run('latency and fault tests, alone', ['--runInBand', ...ALONE]);
  code = parallel || alone;
}
console.log(`== all tests: ${code === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(code);
