/**
 * xlsx / ods → WorkbookGrid, parsed in a worker thread that cannot hurt the server.
 *
 * 1. Main thread, cheap: the zip's central directory is read without inflating (zip-inspect.ts): truncated
 *    or incoherent → FILE_CORRUPT, declared size or ratio too large → FILE_ZIP_BOMB, encrypted → FILE_ENCRYPTED,
 *    not a workbook (docx, xlsb, plain zip) → FILE_NOT_SPREADSHEET.
 * 2. A `worker_threads` Worker with `resourceLimits` parses the file (xlsx.worker.ts). A wall-clock timer
 *    terminates it → FILE_TIMEOUT; running out of heap (ERR_WORKER_OUT_OF_MEMORY) → FILE_TOO_COMPLEX; a parse
 *    exception → FILE_CORRUPT. At most `maxConcurrentWorkers` run at once (default 2): others wait their turn
 *    (the timer starts when the worker does).
 * 3. A large xlsx sheet is cut into bands parsed by as many workers at once, each in the same sandbox, and
 *    joined back here exactly as the whole parse would have given it (xlsx.split.ts, readBands).
 *
 * Locating the worker script (it must be JavaScript):
 * - compiled (`node dist/...`, this file is `xlsx.reader.js`): `xlsx.worker.js` next to it — `npm run build`
 *   compiles `import/` into `dist/import/`.
 * - from TypeScript sources (jest with @swc/jest, this file is `xlsx.reader.ts`): the build in `dist/` when it
 *   is newer than every source a worker can load (`import/` and `src/kernel/`, the only folders the
 *   dependency rules let `import/` use); otherwise a small eval'd bootstrap registers a `.ts` require hook built
 *   on `@swc/core` (already a devDependency, the compiler jest uses) and requires `xlsx.worker.ts`. Tests
 *   therefore always run the current sources, and never a stale `dist/`. The build saves each worker start
 *   about 0.18 s of CPU (loading the compiler and compiling 58 files): `npm test` builds first and starts a
 *   worker for every file it imports.
 */
import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { IssueDraft, WorkbookGrid } from '../common/model';
import { ReadError, readMessages } from './read-error';
import type { ReadResult } from './read-result';
import { unpackSheet } from './grid-transfer';
import { WORKBOOK_LIMITS } from './xlsx.grid';
import { joinSplitGrids, worksheetToSplit } from './xlsx.split';
import type { PackedWorkbook, WorkerFailureCode, WorkerRequest, WorkerResponse } from './xlsx.worker';
import { giveWorkerSlotBack, importWorkerLimits, takeWorkerSlot } from './worker-slots';
import { importWorkerNice } from './worker-priority';
import { assertSpreadsheetZip, inspectZip, isEncryptedOpenDocument, type ZipInspection, type ZipLimits } from './zip-inspect';
import { claimForTermination, createNativeCallGuard } from './native-call-guard';

export interface WorkerReadOptions {
  /** Wall-clock limit for the worker, from its start to its answer (default 30 s). */
  timeoutMs?: number;
  /** Worker's V8 old-generation heap (default: IMPORT_WORKER_MAX_MB's, import/read/worker-slots.ts). */
  maxOldGenerationSizeMb?: number;
  /** Worker's V8 young-generation heap (default: IMPORT_WORKER_MAX_MB's share; V8's own when only the old one is given). */
  maxYoungGenerationSizeMb?: number;
  /** Worker's stack (default 4 MB). */
  stackSizeMb?: number;
  zipLimits?: ZipLimits;
  /**
   * Bands a large xlsx sheet is split into, each parsed by its own worker at once (xlsx.split.ts). Default:
   * 2 on a machine with 2 cores or more (env READ_PARALLEL_PARTS), 1 (never split) otherwise.
   */
  parallelParts?: number;
  /** Smallest worksheet (uncompressed bytes) worth splitting (default SPLIT_MIN_SHEET_BYTES, 2 MB). */
  splitMinSheetBytes?: number;
  /** Refuse a shared-strings part declaring more than this (default MAX_SHARED_STRINGS_BYTES). */
  maxSharedStringsBytes?: number;
}

/** See WorkerReadOptions.parallelParts. */
export function parallelPartsOf(options: Pick<WorkerReadOptions, 'parallelParts'>): number {
  if (options.parallelParts !== undefined) return Math.max(1, Math.floor(options.parallelParts));
  const fromEnv = Number(process.env.READ_PARALLEL_PARTS);
  if (process.env.READ_PARALLEL_PARTS && Number.isInteger(fromEnv) && fromEnv >= 1) return Math.min(fromEnv, 8);
  return availableParallelism() >= 2 ? 2 : 1;
}

const WORKER_ROLE = 'crte-read-xlsx'; // = xlsx.worker.ts WORKER_ROLE (not imported: that would load the worker module)
const READY = 'ready'; // = xlsx.worker.ts READY, its first message, once xlsx is loaded

// ---------------------------------------------------------------------------------------------------
// concurrency
// ---------------------------------------------------------------------------------------------------

// The places are the process's import workers' (import/read/worker-slots.ts): reading and checking files share them.
const acquire = takeWorkerSlot;
const release = giveWorkerSlotBack;

// ---------------------------------------------------------------------------------------------------
// locating the worker
// ---------------------------------------------------------------------------------------------------

interface WorkerScript {
  script: string;
  eval: boolean;
  extraData: Record<string, unknown>;
}

const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const swc = require(workerData.swcPath);
const options = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'commonjs' },
  jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
};
require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
require(workerData.entry);
`;

function findProjectRoot(from: string): string | null {
  let dir = from;
  for (let i = 0; i < 10; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

const cachedScripts = new Map<string, WorkerScript>();

/**
 * The script of a worker entry, by its path without extension (default: this folder's `xlsx.worker`);
 * see "Locating the worker script" above. The pipeline worker (import/pipeline.worker.ts) is found the same way.
 */
export function resolveWorkerScript(entry: string = join(__dirname, 'xlsx.worker')): WorkerScript {
  const cached = cachedScripts.get(entry);
  if (cached) return cached;
  const found = locateWorkerScript(entry);
  cachedScripts.set(entry, found);
  return found;
}

function locateWorkerScript(entry: string): WorkerScript {
  const compiled = `${entry}.js`;
  if (__filename.endsWith('.js') && existsSync(compiled)) return { script: compiled, eval: false, extraData: {} };
  const source = `${entry}.ts`;
  const root = findProjectRoot(__dirname);
  const freshBuild = root ? resolve(root, 'dist', relative(root, entry) + '.js') : null;
  if (root && freshBuild && existsSync(source) && isBuildFresh(root, freshBuild)) return { script: freshBuild, eval: false, extraData: {} };
  let swcPath: string | null = null;
  try {
    swcPath = require.resolve('@swc/core', { paths: [root ?? __dirname] });
  } catch {
    swcPath = null;
  }
  if (swcPath && existsSync(source)) return { script: TS_BOOTSTRAP, eval: true, extraData: { swcPath, entry: source } };
  const built = root ? resolve(root, 'dist', relative(root, entry) + '.js') : null;
  if (built && existsSync(built)) return { script: built, eval: false, extraData: {} };
  throw new Error(`worker script ${basename(entry)} not found: run \`npm run build\` (or install @swc/core to run from sources)`);
}

/** Whether `built` is newer than every TypeScript file under the workers' folders (import/, src/kernel/). */
export function isBuildFresh(root: string, built: string): boolean {
  if (process.env.WORKERS_FROM_SOURCES === 'true') return false;
  let builtAt: number;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return false;
  }
  return [join(root, 'import'), join(root, 'src', 'kernel')].every((folder) => newestSourceUnder(folder) <= builtAt);
}

function newestSourceUnder(folder: string): number {
  let newest = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceUnder(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

// ---------------------------------------------------------------------------------------------------
// running it
// ---------------------------------------------------------------------------------------------------

export interface WorkerRunStats {
  totalMs: number;
  /** True when the file went to the spare worker (started ahead, see keepSpareWorker). */
  spare?: boolean;
  /** Bands the file was split into and parsed at once (absent: parsed whole). */
  parts?: number;
  /** A band's answer: where every band starts, or null when the sheet could not be cut (xlsx.split.ts). */
  firstRows?: number[] | null;
  parseMs?: number;
  convertMs?: number;
}

function resourceLimitsOf(options: WorkerReadOptions): ResourceLimits {
  // The import workers' ceiling (IMPORT_WORKER_MAX_MB) unless the caller names its own.
  if (options.maxOldGenerationSizeMb === undefined && options.maxYoungGenerationSizeMb === undefined) {
    return { ...importWorkerLimits(), stackSizeMb: options.stackSizeMb ?? 4 };
  }
  const resourceLimits: ResourceLimits = {
    maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? importWorkerLimits().maxOldGenerationSizeMb,
    stackSizeMb: options.stackSizeMb ?? 4,
  };
  if (options.maxYoungGenerationSizeMb !== undefined) {
    resourceLimits.maxYoungGenerationSizeMb = options.maxYoungGenerationSizeMb;
  }
  return resourceLimits;
}

function limitsKey(limits: ResourceLimits): string {
  return `${limits.maxOldGenerationSizeMb}/${limits.maxYoungGenerationSizeMb ?? '-'}/${limits.stackSizeMb}`;
}

/** Rows of the workbook a spare reads to warm up before its file (xlsx.worker.ts warmUp); env READ_WARM_UP_ROWS. */
function warmUpRowsOf(): number {
  const fromEnv = Number(process.env.READ_WARM_UP_ROWS);
  return process.env.READ_WARM_UP_ROWS && Number.isInteger(fromEnv) && fromEnv >= 0 ? Math.min(fromEnv, 100_000) : DEFAULT_WARM_UP_ROWS;
}

const DEFAULT_WARM_UP_ROWS = 2000;

/** Each worker's cell for native-call-guard.ts: it is terminated only between two of its zlib calls. */
const nativeCallGuards = new WeakMap<Worker, Int32Array>();

function startWorker(resourceLimits: ResourceLimits, warmUpRows = 0): Worker {
  const script = resolveWorkerScript();
  const guard = createNativeCallGuard();
  const worker = new Worker(script.script, {
    eval: script.eval,
    workerData: { role: WORKER_ROLE, warmUpRows, nice: importWorkerNice(), nativeCallGuard: guard.buffer, ...script.extraData },
    resourceLimits,
    stdout: false,
    stderr: false,
  });
  nativeCallGuards.set(worker, guard);
  return worker;
}

/** Terminates a worker, but never inside a zlib call (native-call-guard.ts: Node would abort the process). */
async function stopWorker(worker: Worker): Promise<void> {
  const guard = nativeCallGuards.get(worker);
  if (guard) await claimForTermination(guard);
  await worker.terminate().catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------------
// the spare worker
// ---------------------------------------------------------------------------------------------------

/**
 * Starting a worker and loading xlsx in it costs about a third of parsing a 100 000-line file. A process
 * that reads files (the server) may keep ONE worker started ahead, with the library loaded and nothing
 * else, waiting for a file: the next read hands its file to it, and a new spare is started at once in the
 * background. Nothing of the sandbox changes: the spare was started with the same `resourceLimits`, takes
 * exactly one file and is terminated after it, its wall-clock timer starts when it gets the file, and its
 * prototype check covers loading the library (xlsx.worker.ts). A waiting spare does not keep a process
 * alive (unref) and `closeSpareWorker` ends it at shutdown. Without `keepSpareWorker`, each read starts
 * its own worker, as before.
 */
interface Spare {
  worker: Worker;
  key: string;
  dead: boolean;
  /** Settles when the spare has loaded the library (or is lost). */
  ready: Promise<void>;
  loaded: boolean;
}

/** Spares waiting for a file: one per band a large file is split into (xlsx.split.ts), so both start at once. */
let spares: Spare[] = [];
let spareOptions: WorkerReadOptions | null = null;
/**
 * Whether the next spares warm up. Warming costs a core for about 0.6 s a spare and pays only for large
 * files: it is done at start-up and after a large (split) file, as partners' big annexes tend to come in
 * series; after a small file the replacement only loads the library. (Warming after every file took a
 * quarter of the server's throughput under bench:load's import every 3 s.)
 */
let warmNextSpares = true;

/**
 * Tops the spares up, one worker at a time: loading xlsx takes a core for a fraction of a second, and the
 * main thread, busy with the file just read, needs the other one.
 */
function startSpares(): void {
  if (spareOptions === null || spares.some((kept) => !kept.loaded)) return;
  const wanted = parallelPartsOf(spareOptions);
  if (spares.length < wanted) {
    const limits = resourceLimitsOf(spareOptions);
    let worker: Worker;
    try {
      worker = startWorker(limits, warmNextSpares ? warmUpRowsOf() : 0);
    } catch {
      // No spare then (the worker script cannot be found: the read itself will say so).
      return;
    }
    let markReady: () => void = () => undefined;
    const started: Spare = { worker, key: limitsKey(limits), dead: false, loaded: false, ready: new Promise<void>((resolveReady) => (markReady = resolveReady)) };
    const lost = (): void => {
      started.dead = true;
      started.loaded = true;
      markReady();
      spares = spares.filter((kept) => kept !== started);
    };
    // An idle spare that fails or exits is forgotten; the next read starts its own worker.
    worker.on('error', lost);
    worker.once('exit', lost);
    worker.once('message', () => {
      started.loaded = true;
      markReady();
      startSpares();
    });
    worker.unref();
    spares.push(started);
  }
}

function takeSpare(key: string): Worker | null {
  const index = spares.findIndex((kept) => !kept.dead && kept.key === key);
  if (index < 0) return null;
  const [taken] = spares.splice(index, 1);
  taken.worker.removeAllListeners('error');
  taken.worker.removeAllListeners('exit');
  taken.worker.removeAllListeners('message');
  taken.worker.ref();
  return taken.worker;
}

/**
 * Keeps workers ready for the next file (for a server, at start-up): see "the spare worker" above; as many
 * as a large file is split into (`parallelParts`).
 * `options` are the limits the reads of this process use (a read with other limits starts its own worker).
 * Resolves once the spares have loaded the library; waiting for them does not keep the process alive.
 */
export function keepSpareWorker(
  options: Pick<WorkerReadOptions, 'maxOldGenerationSizeMb' | 'maxYoungGenerationSizeMb' | 'stackSizeMb' | 'parallelParts'> = {},
): Promise<void> {
  spareOptions = { ...options };
  warmNextSpares = true;
  startSpares();
  // Spares start one after the other (each, once loaded, starts the next): wait for the last.
  const allReady = async (): Promise<void> => {
    for (let pending = spares.find((kept) => !kept.loaded); pending; pending = spares.find((kept) => !kept.loaded)) await pending.ready;
  };
  return allReady();
}

/**
 * Runs `work`, a job that reads files then does something with them (an import checks and writes its
 * lines), and once it has ended, however it ended, starts the spares its reads used up: loading and
 * warming the library takes a core for a second, which the job's own checks and writes would otherwise
 * share. A read that finds no spare meanwhile starts its own worker.
 */
export async function refillSparesAfter<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    startSpares();
  }
}

/** True while a spare worker waits (for tests and health checks). */
export function hasSpareWorker(): boolean {
  return spares.some((kept) => !kept.dead);
}

/** Stops keeping spare workers and terminates the waiting ones (at shutdown). */
export async function closeSpareWorker(): Promise<void> {
  spareOptions = null;
  const idle = spares;
  spares = [];
  await Promise.all(
    idle
      .filter((kept) => !kept.dead)
      .map((kept) => {
        kept.dead = true;
        return stopWorker(kept.worker);
      }),
  );
}

/**
 * `bytes` is copied for the worker, which owns the copy (the caller's Buffer may be a slice of a shared
 * pool). The bands of one file share one copy instead (`SharedArrayBuffer`, read only by the workers):
 * copying 9 MB costs tens of milliseconds here.
 * `decode` makes something of the worker's packed answer (its errors: FILE_CORRUPT).
 */
async function runWorkerAnswer<T>(
  bytes: Uint8Array | SharedArrayBuffer,
  format: 'xlsx' | 'ods',
  options: WorkerReadOptions,
  decode: (packed: PackedWorkbook) => T,
  stats?: WorkerRunStats,
  band?: WorkerRequest['band'],
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const resourceLimits = resourceLimitsOf(options);
  let buffer: ArrayBuffer | SharedArrayBuffer;
  if (bytes instanceof SharedArrayBuffer) {
    buffer = bytes;
  } else {
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    buffer = copy.buffer;
  }
  const request: WorkerRequest = band ? { buffer, format, band } : { buffer, format };

  const turn = acquire();
  if (turn) await turn;
  const started = Date.now();
  try {
    return await new Promise<T>((resolvePromise, rejectPromise) => {
      let settled = false;
      const taken = takeSpare(limitsKey(resourceLimits));
      const worker = taken ?? startWorker(resourceLimits);
      if (stats) stats.spare = taken !== null;
      const finish = (error: ReadError | null, grid?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (stats) stats.totalMs = Date.now() - started;
        void stopWorker(worker);
        if (error) rejectPromise(error);
        else resolvePromise(grid!);
      };
      const timer = setTimeout(() => {
        finish(new ReadError('FILE_TIMEOUT', readMessages.timeout(timeoutMs), { detail: `worker: no answer after ${timeoutMs} ms` }));
      }, timeoutMs);

      const onMessage = (response: WorkerResponse | typeof READY): void => {
        // A spare taken before it was ready says so first.
        if (response === READY) return;
        worker.off('message', onMessage);
        if (response !== null && typeof response === 'object' && response.ok === true) {
          if (stats) {
            stats.parseMs = response.parseMs;
            stats.convertMs = response.convertMs;
            if (band) stats.firstRows = Array.isArray(response.firstRows) && response.firstRows.every((n) => Number.isInteger(n) && n >= 0) ? [...response.firstRows] : null;
          }
          let grid: T;
          try {
            grid = decode(response.workbook);
          } catch (error) {
            finish(new ReadError('FILE_CORRUPT', undefined, { detail: `worker answer: ${(error as Error).message}` }));
            return;
          }
          finish(null, grid);
        } else if (response !== null && typeof response === 'object' && response.ok === false && isWorkerCode(response.code)) {
          finish(new ReadError(response.code, undefined, { detail: `worker: ${String(response.detail)}` }));
        } else {
          finish(new ReadError('FILE_CORRUPT', undefined, { detail: 'worker: malformed answer' }));
        }
      };
      worker.on('message', onMessage);
      worker.once('messageerror', (error) => {
        finish(new ReadError('FILE_CORRUPT', undefined, { detail: `worker message: ${String(error)}`, cause: error }));
      });
      worker.once('error', (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY' || /heap|memory/i.test(error.message.slice(0, 200))) {
          finish(new ReadError('FILE_TOO_COMPLEX', undefined, { detail: `worker: ${error.message}`, cause: error }));
        } else {
          finish(new ReadError('FILE_CORRUPT', undefined, { detail: `worker: ${error.message}`, cause: error }));
        }
      });
      worker.once('exit', (code) => {
        // Let a last message or error event be handled first.
        setImmediate(() =>
          finish(new ReadError('FILE_TOO_COMPLEX', undefined, { detail: `worker exited with code ${code} without answering` })),
        );
      });
      worker.postMessage(request, buffer instanceof SharedArrayBuffer ? [] : [buffer]);
    });
  } finally {
    release();
  }
}

function isWorkerCode(code: unknown): code is WorkerFailureCode {
  return code === 'FILE_CORRUPT' || code === 'FILE_ENCRYPTED' || code === 'FILE_TOO_COMPLEX' || code === 'FILE_ZIP_BOMB';
}

/** The worker's packed answer → a fresh WorkbookGrid built here, every field checked. */
function unpackWorkbook(packed: PackedWorkbook): WorkbookGrid {
  if (packed === null || typeof packed !== 'object' || !Array.isArray(packed.sheets) || !Array.isArray(packed.skippedSheets)) {
    throw new Error('bad workbook shape');
  }
  if (packed.format !== 'xlsx' && packed.format !== 'ods') throw new Error('bad format');
  return {
    format: packed.format,
    sheets: packed.sheets.map(unpackSheet),
    skippedSheets: packed.skippedSheets.map((sheet) => {
      if (typeof sheet?.name !== 'string') throw new Error('bad skipped sheet');
      return { name: sheet.name, reason: 'hidden' as const };
    }),
  };
}

function hiddenSheetIssues(grid: WorkbookGrid): IssueDraft[] {
  return grid.skippedSheets.map((sheet) => ({
    severity: 'WARNING',
    code: 'SHEET_HIDDEN_SKIPPED',
    message: `L'onglet « ${sheet.name} » est masqué : il n'a pas été lu. S'il contient des données à importer, affichez-le (clic droit sur un onglet, « Afficher ») puis déposez le fichier à nouveau.`,
    sheet: sheet.name,
    cell: null,
    value: null,
  }));
}

/**
 * What the workers made of an xlsx or ods file, still packed (grid-transfer.ts): the whole workbook
 * (`firstRows` null), or the bands of its large sheet and where each starts (xlsx.split.ts). Rebuilt into
 * cells by unpackSpreadsheet, on this thread or in the pipeline worker (import/pipeline.worker.ts), so that
 * a large file's cells are never built on the server's main thread.
 */
export interface PackedSpreadsheet {
  format: 'xlsx' | 'ods';
  bands: PackedWorkbook[];
  firstRows: number[] | null;
}

/**
 * Reads an xlsx or ods file (its bytes; the caller has capped the size). Throws ReadError.
 * `stats`, when given, receives timings (for measurements).
 */
export async function readSpreadsheetInWorker(
  buffer: Uint8Array,
  options: WorkerReadOptions = {},
  stats?: WorkerRunStats,
): Promise<ReadResult> {
  return unpackSpreadsheet(await readSpreadsheetPacked(buffer, options, stats));
}

/** readSpreadsheetInWorker without building the cells: the workers' packed answers. */
export async function readSpreadsheetPacked(buffer: Uint8Array, options: WorkerReadOptions = {}, stats?: WorkerRunStats): Promise<PackedSpreadsheet> {
  const inspection = inspectZip(buffer, options.zipLimits);
  assertSpreadsheetZip(inspection);
  assertSharedStringsWithin(inspection, options.maxSharedStringsBytes ?? MAX_SHARED_STRINGS_BYTES);
  if (inspection.kind === 'ods' && isEncryptedOpenDocument(buffer, inspection)) {
    throw new ReadError('FILE_ENCRYPTED', undefined, { detail: 'ods: manifest lists encryption-data' });
  }
  const format = inspection.kind;
  const parts = parallelPartsOf(options);
  const sheet = worksheetToSplit(inspection, parts, options.splitMinSheetBytes);
  warmNextSpares = sheet !== null;
  if (sheet) return { format, ...(await readBands(buffer, sheet.name, parts, options, stats)) };
  return { format, bands: [await runWorkerAnswer(buffer, format, options, keepPacked, stats)], firstRows: null };
}

/** The grid of a packed read, every field checked (FILE_CORRUPT otherwise), with its reading warnings. */
export function unpackSpreadsheet(packed: PackedSpreadsheet): ReadResult {
  const grid = packed.firstRows === null ? unpackOrCorrupt(packed.bands[0]) : joinSplitGrids(packed.bands.map(unpackOrCorrupt), packed.firstRows);
  return { ...grid, issues: hiddenSheetIssues(grid) };
}

/** Cells of a packed read (empty ones included): what rebuilding it will cost. */
export function packedCellCount(packed: PackedSpreadsheet): number {
  return packed.bands.reduce((sum, band) => sum + (Array.isArray(band?.sheets) ? band.sheets.reduce((n, sheet) => n + (ArrayBuffer.isView(sheet?.tags) ? sheet.tags.length : 0), 0) : 0), 0);
}

const keepPacked = (packed: PackedWorkbook): PackedWorkbook => packed;

/**
 * xlsx 0.18.5 builds an object per shared string (text, rich text and HTML forms) before reading any
 * cell: 160 MB of strings took a worker past its heap and the process past 1.7 GB. Refused from the
 * zip's directory, before any worker starts.
 */
export const MAX_SHARED_STRINGS_BYTES = 48 * 1024 * 1024;

function assertSharedStringsWithin(inspection: ZipInspection, max: number): void {
  for (const entry of inspection.entries) {
    if (/^xl\/sharedStrings\d*\.xml$/i.test(entry.name) && entry.uncompressedSize > max) {
      throw new ReadError('FILE_TOO_COMPLEX', readMessages.sharedStringsTooLarge(entry.uncompressedSize, max), {
        detail: `${entry.name}: ${entry.uncompressedSize} bytes declared > ${max}`,
      });
    }
  }
}

/**
 * A large file's bands (xlsx.split.ts), parsed at once by as many workers, each cutting its own. A band
 * the library calls corrupt, or bands that disagree, send the file to the whole parse, whose answer is the
 * reference; the other refusals (timeout, memory, zip bomb, encryption) hold for the whole file as well.
 */
async function readBands(
  buffer: Uint8Array,
  sheet: string,
  parts: number,
  options: WorkerReadOptions,
  stats?: WorkerRunStats,
): Promise<{ bands: PackedWorkbook[]; firstRows: number[] | null }> {
  const started = Date.now();
  const bandStats: WorkerRunStats[] = Array.from({ length: parts }, () => ({ totalMs: 0 }));
  let result: { bands: PackedWorkbook[]; firstRows: number[] | null };
  try {
    const shared = new SharedArrayBuffer(buffer.byteLength);
    new Uint8Array(shared).set(buffer);
    const packed = await Promise.all(bandStats.map((band, index) => runWorkerAnswer(shared, 'xlsx', options, keepPacked, band, { index, count: parts, sheet })));
    const firstRows = bandStats[0].firstRows;
    if (firstRows === null || firstRows === undefined) {
      // The sheet could not be cut: band 0 has parsed the whole file.
      result = { bands: [packed[0]], firstRows: null };
    } else {
      if (!bandStats.every((band) => band.firstRows?.join() === firstRows.join())) throw new ReadError('FILE_CORRUPT', undefined, { detail: 'bands disagree' });
      // Refused before the rows are rebuilt: each worker held its limits on its band only.
      assertWithinLimits(packed, firstRows);
      result = { bands: packed, firstRows };
    }
  } catch (error) {
    if (error instanceof ReadError && error.code !== 'FILE_CORRUPT') throw error;
    return { bands: [await runWorkerAnswer(buffer, 'xlsx', options, keepPacked, stats)], firstRows: null };
  }
  if (stats) {
    stats.totalMs = Date.now() - started;
    stats.parts = bandStats[0].firstRows ? parts : 1;
    stats.spare = bandStats.every((band) => band.spare);
    stats.parseMs = Math.max(...bandStats.map((band) => band.parseMs ?? 0));
    stats.convertMs = Math.max(...bandStats.map((band) => band.convertMs ?? 0));
  }
  return result;
}

function unpackOrCorrupt(packed: PackedWorkbook): WorkbookGrid {
  try {
    return unpackWorkbook(packed);
  } catch (error) {
    throw new ReadError('FILE_CORRUPT', undefined, { detail: `worker answer: ${(error as Error).message}` });
  }
}

/**
 * The limits each worker applies to its band (xlsx.grid.ts), over the workbook the bands make together:
 * in each sheet, the rows of band b are those from firstRows[b] to firstRows[b + 1], as joinSplitGrids
 * takes them. Counted on the packed answers, before any row is rebuilt on this thread.
 */
function assertWithinLimits(bands: PackedWorkbook[], firstRows: number[]): void {
  let rows = 0;
  let cells = 0;
  bands.forEach((band, index) => {
    if (!Array.isArray(band?.sheets)) return;
    for (const sheet of band.sheets) {
      const { rowEnds, tags } = sheet ?? {};
      if (!ArrayBuffer.isView(rowEnds) || !ArrayBuffer.isView(tags)) continue;
      const from = firstRows[index];
      const to = index + 1 < bands.length ? Math.min(firstRows[index + 1], rowEnds.length) : rowEnds.length;
      for (let r = from; r < to; r++) {
        let filled = 0;
        for (let i = r === 0 ? 0 : rowEnds[r - 1]; i < rowEnds[r]; i++) if ((tags[i] & 7) !== 0) filled++;
        if (filled > 0) rows++;
        cells += filled;
      }
    }
  });
  if (rows > WORKBOOK_LIMITS.maxRows || cells > WORKBOOK_LIMITS.maxCells) {
    throw new ReadError('FILE_TOO_COMPLEX', undefined, {
      detail: `bands: ${rows} rows, ${cells} cells (limits ${WORKBOOK_LIMITS.maxRows} / ${WORKBOOK_LIMITS.maxCells})`,
    });
  }
}
