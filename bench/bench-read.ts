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

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
/** The same Node flags for both sides of the comparison (BENCH_NODE_FLAGS adds to them). */
const NODE_FLAGS = ['--max-old-space-size=2048', ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
/** Runs of each side, alternated (BENCH_RUNS, default 3). */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const YEARS = [2021, 2022, 2023, 2024, 2025, 2026];

/** A by-year annex 3: one row per action, 6 year columns, realistic text and amounts. */
export function buildAnnex3Workbook(rows: number): Buffer {
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
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

interface Measure {
  seconds: number;
  peakRssMb: number;
  detail?: string;
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
  if (mode === 'bare') {
    const started = process.hrtime.bigint();
    const book = XLSX.read(buffer, { type: 'buffer' });
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
    detail = `${Object.keys(book.Sheets[book.SheetNames[0]]).length} cells`;
  } else {
    // The database is created and seeded first; only the preview itself is timed.
    const { previewOnDatabase } = await import('./preview-fixture');
    ({ seconds, detail } = await previewOnDatabase(buffer, 'bench-annex3.xlsx'));
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ seconds, peakRssMb, detail })}\n`);
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if (mode) return child(mode, file);
  const dir = mkdtempSync(join(tmpdir(), 'crte-bench-'));
  try {
    const path = join(dir, 'annex3.xlsx');
    const buildStart = Date.now();
    writeFileSync(path, buildAnnex3Workbook(LINES));
    console.log(`Workbook: ${LINES} lines (${Math.ceil(LINES / YEARS.length)} rows × ${YEARS.length} years), built in ${((Date.now() - buildStart) / 1000).toFixed(1)} s`);
    // This machine's speed drifts by ±20 % over minutes: the two sides alternate, and medians are compared.
    const bares: Measure[] = [];
    const previews: Measure[] = [];
    for (let i = 0; i < RUNS; i++) {
      bares.push(run('bare', path));
      previews.push(run('preview', path));
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

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
