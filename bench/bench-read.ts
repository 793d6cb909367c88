/**
 * npm run bench:read — the preview of a 100 000-line annex 3 workbook against the bare xlsx parse of the
 * same file, measured in the same run, each in its own process (so that peak RSS is its own).
 * Prints the ratio of the medians (BENCH_RUNS runs of each, alternated); the target is within 1.3× of the
 * bare parse and a peak RSS under 600 MB.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from 'xlsx';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../import/read/read-file';
import { WORKBOOK_LIMITS } from '../import/read/xlsx.grid';
import { assertMeasured, NotMeasuredError, runBench } from './assert-measured';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
/** The same Node flags for both sides of the comparison (BENCH_NODE_FLAGS adds to them). */
const NODE_FLAGS = ['--max-old-space-size=2048', ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
/** Runs of each side, alternated (BENCH_RUNS, default 3). */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const YEARS = [2021, 2022, 2023, 2024, 2025, 2026];

/**
 * A by-year annex 3: one row per action, 6 year columns, realistic text and amounts. Written without
 * compression (as it always was, for comparable figures) unless `deflate`: Excel itself always deflates.
 */
export function buildAnnex3Workbook(rows: number, deflate = false): Buffer {
  const actions = Math.ceil(rows / YEARS.length);
  const data: unknown[][] = [['N° action', 'Intitulé de l’action', 'Orientation CRTE', "Maître d'ouvrage", 'Coût total HT', 'Nature', ...YEARS, 'Statut']];
  const orientations = ['1.1', '1.2', '1.3', '2.1', '2.2', '3.1', '3.4', '4.2'];
  for (let i = 0; i < actions; i++) {
    data.push([
      `B-${String(i).padStart(6, '0')}`,
      `Opération de test numéro ${i} — rénovation et équipement`,
      orientations[i % orientations.length],
      i % 2 ? 'Douaisis Agglo' : "Coeur d'Ostrevent",
      1_000_000 + i,
      i % 3 ? 'Subvention' : 'Prêt',
      ...YEARS.map((_, y) => 10_000 + ((i * 7 + y * 13) % 5000) + 0.25),
      'En cours',
    ]);
  }
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(data), 'Programmation');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: deflate }) as Buffer;
}

/**
 * The workbook of `lines` lines as a partner may upload it: stored (as before) while under the upload limit,
 * else deflated as Excel writes it. Throws a NotMeasuredError when even that is refused by the server's
 * limits (its size, or the reader's rows per sheet): a preview refused at once would time nothing.
 */
export function buildUploadableAnnex3(lines: number): { buffer: Buffer; note: string } {
  const rows = Math.ceil(lines / YEARS.length) + 1;
  if (rows > WORKBOOK_LIMITS.maxRows) {
    throw new NotMeasuredError(`${lines} lines`, `${rows} rows in one sheet, past the reader's limit of ${WORKBOOK_LIMITS.maxRows}: the import would refuse the file`);
  }
  const stored = buildAnnex3Workbook(lines);
  if (stored.length <= DEFAULT_MAX_UPLOAD_BYTES) return { buffer: stored, note: 'stored' };
  const deflated = buildAnnex3Workbook(lines, true);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (deflated.length > DEFAULT_MAX_UPLOAD_BYTES) {
    throw new NotMeasuredError(`${lines} lines`, `the workbook is ${mb(deflated.length)} even deflated, past the upload limit of ${mb(DEFAULT_MAX_UPLOAD_BYTES)}`);
  }
  return { buffer: deflated, note: `deflated as Excel writes it: stored it would be ${mb(stored.length)}, past the upload limit of ${mb(DEFAULT_MAX_UPLOAD_BYTES)}` };
}

interface Measure {
  seconds: number;
  peakRssMb: number;
  detail?: string;
  /** Cells parsed (bare), or lines previewed (preview). */
  count: number;
  /** Why the preview measured nothing: its status and first error, when it rejected the file. */
  refusal?: string | null;
}

/** The run of median time (the lower middle one for an even count). */
export function median<T extends { seconds: number }>(list: T[]): T {
  const sorted = [...list].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function run(mode: 'bare' | 'preview', file: string): Measure {
  const output = execFileSync(process.execPath, [...NODE_FLAGS, __filename, mode, file], { encoding: 'utf8', env: process.env });
  return JSON.parse(output.trim().split('\n').pop()!);
}

async function child(mode: string, file: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const buffer = readFileSync(file);
  let seconds: number;
  let detail: string;
  let count: number;
  let refusal: string | null = null;
  if (mode === 'bare') {
    const started = process.hrtime.bigint();
    const book = XLSX.read(buffer, { type: 'buffer' });
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
    count = Object.keys(book.Sheets[book.SheetNames[0]]).filter((key) => !key.startsWith('!')).length;
    detail = `${count} cells`;
  } else {
    // The database is created and seeded first; only the preview itself is timed.
    const { previewOnDatabase } = await import('./preview-fixture');
    const result = await previewOnDatabase(buffer, 'bench-annex3.xlsx');
    ({ seconds, detail } = result);
    count = result.lines;
    if (result.status === 'REJECTED' || result.errors > 0) refusal = `${result.status}, ${result.errors} errors (first: ${result.firstError})`;
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ seconds, peakRssMb, detail, count, refusal })}\n`);
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if (mode) return child(mode, file);
  const dir = mkdtempSync(join(tmpdir(), 'crte-bench-'));
  try {
    const path = join(dir, 'annex3.xlsx');
    const buildStart = Date.now();
    const workbook = buildUploadableAnnex3(LINES);
    writeFileSync(path, workbook.buffer);
    console.log(
      `Workbook: ${LINES} lines (${Math.ceil(LINES / YEARS.length)} rows × ${YEARS.length} years), ${(workbook.buffer.length / 1024 / 1024).toFixed(1)} MB ${workbook.note}, ` +
        `built in ${((Date.now() - buildStart) / 1000).toFixed(1)} s`,
    );
    // This machine's speed drifts by ±20 % over minutes: the two sides alternate, and medians are compared.
    const bares: Measure[] = [];
    const previews: Measure[] = [];
    for (let i = 0; i < RUNS; i++) {
      bares.push(run('bare', path));
      previews.push(run('preview', path));
      assertMeasured(bares[i].count > 0, 'bare xlsx parse', `no cell parsed (${bares[i].detail})`);
      assertMeasured(!previews[i].refusal, 'preview', () => `the file was refused: ${previews[i].refusal}`);
      // Every year of every row is a line: a preview of fewer lines did not do the work timed.
      const inFile = Math.ceil(LINES / YEARS.length) * YEARS.length;
      assertMeasured(previews[i].count === inFile, 'preview', `${previews[i].count} lines previewed of the ${inFile} in the file (${previews[i].detail})`);
      console.log(`run ${i + 1}/${RUNS}: bare ${bares[i].seconds.toFixed(2)} s, preview ${previews[i].seconds.toFixed(2)} s`);
    }
    const bare = median(bares);
    const preview = median(previews);
    const ratio = preview.seconds / bare.seconds;
    const peak = (list: Measure[]) => Math.max(...list.map((m) => m.peakRssMb)).toFixed(0);
    console.log(`bare xlsx parse : ${bare.seconds.toFixed(2)} s (median of ${RUNS}), peak RSS ${peak(bares)} MB`);
    console.log(`preview         : ${preview.seconds.toFixed(2)} s (median of ${RUNS}), peak RSS ${peak(previews)} MB (${preview.detail})`);
    console.log(`ratio           : ${ratio.toFixed(2)}× the bare parse (target ≤ 1.30×); peak RSS target < 600 MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) runBench(main);
