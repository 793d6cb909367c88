/**
 * npm run bench:import — the full import (read + check + apply) of a 100 000-line annex 3 workbook,
 * against a baseline measured in the same run: the bare xlsx parse of the same file plus a raw
 * multi-row INSERT of the same lines into the funding table. On SQLite, and on MariaDB when
 * BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306) answers. Each measure runs in its own process,
 * so that its peak RSS is its own; BENCH_RUNS runs of each (default 3), alternated, medians compared.
 * Target: within 1.5× of the baseline, peak RSS under 600 MB.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import * as XLSX from 'xlsx';
import { closeSpareWorker, keepSpareWorker } from '../import/read/read-file';
import { parseDatabaseUrl } from '../src/config';
import { openDataSource } from '../src/db/data-source';
import { importFile } from '../src/import-batch/import-apply.service';
import { ImportKind } from '../src/kernel/import-batch.enum';
import { seedReferenceData } from '../src/seed/seed.service';
import { assertMeasured, runBench } from './assert-measured';
import { buildUploadableAnnex3, median } from './bench-read';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
/** Runs of each side, alternated (BENCH_RUNS, default 3). */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const MYSQL_SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

interface Measure {
  seconds: number;
  peakRssMb: number;
  detail: string;
  /** Rows inserted (baseline) or lines imported (import). */
  count: number;
  /** The import's status (APPLIED, or what refused it). */
  status: string;
}

async function freshDatabase(kind: 'sqlite' | 'mysql', dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') return { url: `sqlite:${join(dir, `bench-${Date.now()}.sqlite`)}`, drop: async () => undefined };
  const server = new URL(MYSQL_SERVER);
  const name = `crte_bench_${process.pid}_${Date.now()}`;
  const connection = await createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password) });
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  return {
    url: `${MYSQL_SERVER.replace(/\/$/, '')}/${name}`,
    drop: async () => {
      const again = await createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password) });
      await again.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await again.end();
    },
  };
}

/** Child process: prepares the database (untimed), then times one way of loading the file. */
async function child(mode: 'baseline' | 'import', file: string, url: string): Promise<void> {
  const dataSource = await openDataSource(parseDatabaseUrl(url));
  await dataSource.runMigrations();
  await seedReferenceData(dataSource);
  const buffer = readFileSync(file);
  if (mode === 'import') {
    // As the server does at start-up: a worker is ready, with xlsx loaded, for the next file (the baseline
    // does not time loading xlsx either). The waiting spare does not keep a process alive: the timer does.
    const alive = setInterval(() => undefined, 1000);
    await keepSpareWorker();
    clearInterval(alive);
  }
  let detail = '';
  let count = 0;
  let status = 'APPLIED';
  const started = process.hrtime.bigint();
  if (mode === 'baseline') {
    // The least any import must do: parse the workbook and insert its amounts, one statement per 1 000.
    const book = XLSX.read(buffer, { type: 'buffer' });
    const rows = XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[book.SheetNames[0]], { header: 1, raw: true });
    const [{ id: contractId }] = await dataSource.query(`SELECT id FROM contract WHERE code = 'CRTE-DOUAISIS'`);
    const [{ id: funderId }] = await dataSource.query(`SELECT id FROM organisation WHERE name = 'Banque des Territoires'`);
    // A datetime as both drivers bind it from text.
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
    const values: unknown[][] = [];
    for (const row of rows.slice(1)) for (let y = 0; y < 6; y++) values.push([contractId, funderId, 2021 + y, String(row[6 + y]), 'PLANNED', 'SUBSIDY', 0, now]);
    await dataSource.transaction(async (manager) => {
      for (let i = 0; i < values.length; i += 1000) {
        const chunk = values.slice(i, i + 1000);
        await manager.query(
          `INSERT INTO funding (contract_id, funder_id, year, amount, stage, instrument, approximate, created_at) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          chunk.flat(),
        );
      }
    });
    detail = `${values.length} rows inserted`;
    count = values.length;
  } else {
    const result = await importFile(dataSource, { buffer, fileName: 'bench-annex3.xlsx', kind: ImportKind.ANNEX3, source: 'Banque des Territoires' });
    detail = `${result.status}, ${result.counts.lines} lines, total ${result.total} €`;
    const firstError = result.issues.find((issue) => issue.severity === 'ERROR');
    status = firstError ? `${result.status} (${firstError.code}: ${firstError.message})` : result.status;
    count = result.status === 'APPLIED' ? result.counts.lines : 0;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await closeSpareWorker();
  await dataSource.destroy();
  process.stdout.write(`${JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, detail, count, status })}\n`);
}

function run(mode: 'baseline' | 'import', file: string, url: string): Measure {
  const output = execFileSync(process.execPath, ['--max-old-space-size=2048', __filename, mode, file, url], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const [mode, file, url] = process.argv.slice(2);
  if (mode) return child(mode as 'baseline' | 'import', file, url);
  const dir = mkdtempSync(join(tmpdir(), 'crte-bench-import-'));
  try {
    const path = join(dir, 'annex3.xlsx');
    const workbook = buildUploadableAnnex3(LINES);
    writeFileSync(path, workbook.buffer);
    console.log(`Workbook: ${LINES} lines of annex 3, ${(workbook.buffer.length / 1024 / 1024).toFixed(1)} MB ${workbook.note}`);
    const inFile = Math.ceil(LINES / 6) * 6;
    for (const kind of ['sqlite', 'mysql'] as const) {
      try {
        await (await freshDatabase(kind, dir)).drop();
      } catch (error) {
        console.log(`${kind}: skipped, server not reachable (${(error as Error).message})`);
        continue;
      }
      // This machine's speed drifts by ±20 % over minutes: the two sides alternate, each on a fresh
      // database, and medians are compared.
      const baselines: Measure[] = [];
      const fulls: Measure[] = [];
      for (let i = 0; i < RUNS; i++) {
        for (const [mode, list] of [['baseline', baselines], ['import', fulls]] as const) {
          const database = await freshDatabase(kind, dir);
          try {
            list.push(run(mode, path, database.url));
          } finally {
            await database.drop();
          }
        }
        assertMeasured(baselines[i].count === inFile, `${kind} baseline`, `${baselines[i].count} rows inserted of the ${inFile} lines in the file`);
        assertMeasured(fulls[i].status === 'APPLIED', `${kind} import`, `the file was not applied: ${fulls[i].status}`);
        assertMeasured(fulls[i].count === inFile, `${kind} import`, `${fulls[i].count} lines imported of the ${inFile} in the file (${fulls[i].detail})`);
        console.log(`${kind.padEnd(6)} run ${i + 1}/${RUNS}: baseline ${baselines[i].seconds.toFixed(2)} s, import ${fulls[i].seconds.toFixed(2)} s`);
      }
      const baseline = median(baselines);
      const full = median(fulls);
      const peak = (list: Measure[]) => Math.max(...list.map((m) => m.peakRssMb)).toFixed(0);
      console.log(`${kind.padEnd(6)} baseline (parse + raw INSERT): ${baseline.seconds.toFixed(2)} s (median of ${RUNS}), peak RSS ${peak(baselines)} MB (${baseline.detail})`);
      console.log(`${kind.padEnd(6)} full import                 : ${full.seconds.toFixed(2)} s (median of ${RUNS}), peak RSS ${peak(fulls)} MB (${full.detail})`);
      console.log(`${kind.padEnd(6)} ratio                       : ${(full.seconds / baseline.seconds).toFixed(2)}× (target ≤ 1.50×; peak RSS < 600 MB)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
