/**
 * Import workers run at a lower CPU priority than the thread that answers requests (issue 13: no upload
 * may hold the others back more than 200 ms). On a machine with two cores, two workers parsing at full
 * speed leave the main thread waiting for a core between its turns: its own work stays short (it yields
 * every 40 ms), but a probe's answer waited up to 230 ms for the scheduler. A worker's thread with a
 * higher nice value gives way to the main thread at once and still has the cores when it is idle.
 *
 * Linux gives every thread its own nice value: setpriority() on a thread id (read from
 * /proc/thread-self) changes that thread only, and raising one's own nice value needs no privilege.
 * Elsewhere, or if refused, the worker keeps the process's priority.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Default nice value of import workers (0 = the main thread's; 19 = the lowest priority). */
export const DEFAULT_IMPORT_WORKER_NICE = 10;

/** IMPORT_WORKER_NICE: nice value of the import workers' threads, 0 to 19 (default 10). */
export function importWorkerNice(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.IMPORT_WORKER_NICE;
  if (text === undefined || text === '') return DEFAULT_IMPORT_WORKER_NICE;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 19) throw new Error(`IMPORT_WORKER_NICE « ${text} » invalide : un entier de 0 à 19 est attendu`);
  return value;
}

/** The id of the calling thread (Linux), or null. */
export function currentThreadId(): number | null {
  try {
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}

/**
 * Lowers the calling thread's priority to `nice`; returns whether it was done. Called first thing in a
 * worker, so that loading the library and warming up give way too.
 */
export function lowerThisThreadPriority(nice: number): boolean {
  const thread = currentThreadId();
  if (thread === null || nice === 0) return false;
  try {
    setPriority(thread, nice);
    return true;
  } catch {
    return false;
  }
}
