/**
 * The memory ceiling of imports (issue 13): every worker that reads an uploaded file (xlsx.reader.ts) or
 * checks it (pipeline.runner.ts) runs with the same V8 heap ceiling, IMPORT_WORKER_MAX_MB (old and young
 * generations together: past it the worker dies alone and the file is refused, FILE_TOO_COMPLEX), and at
 * most IMPORT_MAX_WORKERS of them run at once in the process, reading and checking together; the others
 * wait their turn (first come, first served). So the imports of a process hold at most
 * IMPORT_MAX_WORKERS × IMPORT_WORKER_MAX_MB of worker heap, whatever the number of uploads at once
 * (docs/uploads.md: the process ceiling, with the main thread's share, and the figures measured).
 */
import type { ResourceLimits } from 'node:worker_threads';

/** Default heap ceiling of one import worker: a 300 000-line CSV (the largest a 20 MB upload holds) needs ~500 MB. */
export const DEFAULT_IMPORT_WORKER_MAX_MB = 640;
export const DEFAULT_IMPORT_MAX_WORKERS = 2;
/** The young generation within the ceiling (V8's own default for heaps of this size). */
const YOUNG_GENERATION_MB = 48;

function integerSetting(name: string, fallback: number, min: number, env: NodeJS.ProcessEnv): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} « ${text} » invalide : un entier supérieur ou égal à ${min} est attendu`);
  return value;
}

/** IMPORT_WORKER_MAX_MB: heap ceiling of one import worker, in MB (default 640, at least 128). */
export function importWorkerMaxMb(env: NodeJS.ProcessEnv = process.env): number {
  return integerSetting('IMPORT_WORKER_MAX_MB', DEFAULT_IMPORT_WORKER_MAX_MB, 128, env);
}

/** IMPORT_MAX_WORKERS: import workers (reading and checking files) running at once (default 2). */
export function importMaxWorkers(env: NodeJS.ProcessEnv = process.env): number {
  return integerSetting('IMPORT_MAX_WORKERS', DEFAULT_IMPORT_MAX_WORKERS, 1, env);
}

/** The `resourceLimits` of an import worker under the ceiling. */
export function importWorkerLimits(maxMb: number = importWorkerMaxMb()): ResourceLimits {
  return { maxOldGenerationSizeMb: maxMb - YOUNG_GENERATION_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, stackSizeMb: 4 };
}

let running = 0;
const waiting: Array<() => void> = [];

/** Takes a worker's place at once when one is free (null: go on without waiting a tick), else a promise of it. */
export function takeWorkerSlot(): Promise<void> | null {
  if (running < importMaxWorkers()) {
    running++;
    return null;
  }
  return new Promise<void>((resolveTurn) => waiting.push(resolveTurn));
}

/** Gives a worker's place back: to the next in line, or free. */
export function giveWorkerSlotBack(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

/** Workers running and waiting (for tests and health checks). */
export function workerSlotStats(): { running: number; waiting: number } {
  return { running, waiting: waiting.length };
}
