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
 *
 * Locating the worker script (it must be JavaScript):
 * - compiled (`node dist/...`, this file is `xlsx.reader.js`): `xlsx.worker.js` next to it — `npm run build`
 *   compiles `import/` into `dist/import/`.
 * - from TypeScript sources (jest with @swc/jest, this file is `xlsx.reader.ts`): a small eval'd bootstrap
 *   registers a `.ts` require hook built on `@swc/core` (already a devDependency, the compiler jest uses) and
 *   requires `xlsx.worker.ts`. Tests therefore always run the current sources, with no build step and no stale
 *   `dist/`. If `@swc/core` cannot be found, it falls back to `dist/import/read/xlsx.worker.js` from the project
 *   root when that exists.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { IssueDraft, WorkbookGrid } from '../model';
import { ReadError, readMessages } from './read-error';
import type { ReadResult } from './read-result';
import { unpackSheet } from './grid-transfer';
import type { PackedWorkbook, WorkerFailureCode, WorkerRequest, WorkerResponse } from './xlsx.worker';
import { assertSpreadsheetZip, inspectZip, isEncryptedOpenDocument, type ZipLimits } from './zip-inspect';

export interface WorkerReadOptions {
  /** Wall-clock limit for the worker, from its start to its answer (default 30 s). */
  timeoutMs?: number;
  /** Worker's V8 old-generation heap (default 512 MB). */
  maxOldGenerationSizeMb?: number;
  /** Worker's V8 young-generation heap (default: V8's own). */
  maxYoungGenerationSizeMb?: number;
  /** Worker's stack (default 4 MB). */
  stackSizeMb?: number;
  zipLimits?: ZipLimits;
}

const WORKER_ROLE = 'crte-read-xlsx'; // = xlsx.worker.ts WORKER_ROLE (not imported: that would load the worker module)
const READY = 'ready'; // = xlsx.worker.ts READY, its first message, once xlsx is loaded

// ---------------------------------------------------------------------------------------------------
// concurrency
// ---------------------------------------------------------------------------------------------------

let maxConcurrentWorkers = 2;
let running = 0;
const waiting: Array<() => void> = [];

/** How many parsing workers may run at once in this process (each may take `maxOldGenerationSizeMb`). */
export function setMaxConcurrentWorkers(n: number): void {
  maxConcurrentWorkers = Math.max(1, Math.floor(n));
  while (running < maxConcurrentWorkers && waiting.length > 0) {
    running++;
    waiting.shift()!();
  }
}

async function acquire(): Promise<void> {
  if (running < maxConcurrentWorkers) {
    running++;
    return;
  }
  await new Promise<void>((resolveTurn) => waiting.push(resolveTurn));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

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

let cachedScript: WorkerScript | null = null;

export function resolveWorkerScript(): WorkerScript {
  if (cachedScript) return cachedScript;
  const compiled = join(__dirname, 'xlsx.worker.js');
  if (__filename.endsWith('.js') && existsSync(compiled)) {
    cachedScript = { script: compiled, eval: false, extraData: {} };
    return cachedScript;
  }
  const source = join(__dirname, 'xlsx.worker.ts');
  const root = findProjectRoot(__dirname);
  let swcPath: string | null = null;
  try {
    swcPath = require.resolve('@swc/core', { paths: [root ?? __dirname] });
  } catch {
    swcPath = null;
  }
  if (swcPath && existsSync(source)) {
    cachedScript = { script: TS_BOOTSTRAP, eval: true, extraData: { swcPath, entry: source } };
    return cachedScript;
  }
  const built = root ? resolve(root, 'dist', 'import', 'read', 'xlsx.worker.js') : null;
  if (built && existsSync(built)) {
    cachedScript = { script: built, eval: false, extraData: {} };
    return cachedScript;
  }
  throw new Error('xlsx worker script not found: run `npm run build` (or install @swc/core to run from sources)');
}

// ---------------------------------------------------------------------------------------------------
// running it
// ---------------------------------------------------------------------------------------------------

export interface WorkerRunStats {
  totalMs: number;
  /** True when the file went to the spare worker (started ahead, see keepSpareWorker). */
  spare?: boolean;
  parseMs?: number;
  convertMs?: number;
}

function resourceLimitsOf(options: WorkerReadOptions): ResourceLimits {
  const resourceLimits: ResourceLimits = {
    maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? 512,
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

function startWorker(resourceLimits: ResourceLimits): Worker {
  const script = resolveWorkerScript();
  return new Worker(script.script, {
    eval: script.eval,
    workerData: { role: WORKER_ROLE, ...script.extraData },
    resourceLimits,
    stdout: false,
    stderr: false,
  });
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
}

let spare: Spare | null = null;
let spareOptions: WorkerReadOptions | null = null;

function startSpare(): void {
  if (spareOptions === null || spare !== null) return;
  const limits = resourceLimitsOf(spareOptions);
  let worker: Worker;
  try {
    worker = startWorker(limits);
  } catch {
    // No spare then (the worker script cannot be found: the read itself will say so).
    return;
  }
  let markReady: () => void = () => undefined;
  const started: Spare = { worker, key: limitsKey(limits), dead: false, ready: new Promise<void>((resolveReady) => (markReady = resolveReady)) };
  const lost = (): void => {
    started.dead = true;
    markReady();
    if (spare === started) spare = null;
  };
  // An idle spare that fails or exits is forgotten; the next read starts its own worker.
  worker.on('error', lost);
  worker.once('exit', lost);
  worker.once('message', markReady);
  worker.unref();
  spare = started;
}

function takeSpare(key: string): Worker | null {
  const taken = spare;
  if (taken === null || taken.dead || taken.key !== key) return null;
  spare = null;
  taken.worker.removeAllListeners('error');
  taken.worker.removeAllListeners('exit');
  taken.worker.removeAllListeners('message');
  taken.worker.ref();
  return taken.worker;
}

/**
 * Keeps one worker ready for the next file (for a server, at start-up): see "the spare worker" above.
 * `options` are the limits the reads of this process use (a read with other limits starts its own worker).
 * Resolves once the spare has loaded the library; waiting for it does not keep the process alive.
 */
export function keepSpareWorker(options: Pick<WorkerReadOptions, 'maxOldGenerationSizeMb' | 'maxYoungGenerationSizeMb' | 'stackSizeMb'> = {}): Promise<void> {
  spareOptions = { ...options };
  startSpare();
  return spare?.ready ?? Promise.resolve();
}

/** True while a spare worker waits (for tests and health checks). */
export function hasSpareWorker(): boolean {
  return spare !== null && !spare.dead;
}

/** Stops keeping a spare worker and terminates the waiting one (at shutdown). */
export async function closeSpareWorker(): Promise<void> {
  spareOptions = null;
  const idle = spare;
  spare = null;
  if (idle && !idle.dead) {
    idle.dead = true;
    await idle.worker.terminate().catch(() => undefined);
  }
}

async function runWorker(
  bytes: Uint8Array,
  format: 'xlsx' | 'ods',
  options: WorkerReadOptions,
  stats?: WorkerRunStats,
): Promise<WorkbookGrid> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const resourceLimits = resourceLimitsOf(options);
  // A copy of the bytes that the worker owns (the caller's Buffer may be a slice of a shared pool).
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const request: WorkerRequest = { buffer: copy.buffer, format };

  await acquire();
  const started = Date.now();
  try {
    return await new Promise<WorkbookGrid>((resolvePromise, rejectPromise) => {
      let settled = false;
      const taken = takeSpare(limitsKey(resourceLimits));
      const worker = taken ?? startWorker(resourceLimits);
      if (stats) stats.spare = taken !== null;
      // The next file's worker starts now, while this one parses (the main thread waits meanwhile).
      startSpare();
      const finish = (error: ReadError | null, grid?: WorkbookGrid): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (stats) stats.totalMs = Date.now() - started;
        void worker.terminate().catch(() => undefined);
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
          }
          let grid: WorkbookGrid;
          try {
            grid = unpackWorkbook(response.workbook);
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
      worker.postMessage(request, [request.buffer]);
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
 * Reads an xlsx or ods file (its bytes; the caller has capped the size). Throws ReadError.
 * `stats`, when given, receives timings (for measurements).
 */
export async function readSpreadsheetInWorker(
  buffer: Uint8Array,
  options: WorkerReadOptions = {},
  stats?: WorkerRunStats,
): Promise<ReadResult> {
  const inspection = inspectZip(buffer, options.zipLimits);
  assertSpreadsheetZip(inspection);
  if (inspection.kind === 'ods' && isEncryptedOpenDocument(buffer, inspection)) {
    throw new ReadError('FILE_ENCRYPTED', undefined, { detail: 'ods: manifest lists encryption-data' });
  }
  const grid = await runWorker(buffer, inspection.kind, options, stats);
  return { ...grid, issues: hiddenSheetIssues(grid) };
}
