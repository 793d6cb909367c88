/**
 * Node 20 aborts the whole process (« close before init », node_zlib.cc) when a worker thread is terminated
 * between the creation of a zlib handle and its initialisation: the handle's destructor runs when the
 * worker's heap is freed and asserts. An import worker inflates every entry of a workbook with zlib, so a
 * read that timed out at that instant took the server down with it (replayed by
 * test/unit/read/native-call-guard.test.ts).
 *
 * The worker and the main thread share one Int32Array cell: the worker marks the cell while it is inside a
 * native call, and the main thread terminates it only once it has claimed the cell between two calls. A
 * zlib call is bounded (entries are size- and ratio-checked before they are inflated), so the wait is short.
 */
const IDLE = 0;
const IN_NATIVE_CALL = 1;
const STOPPING = 2;

/** The shared cell, created by the main thread for each worker and given to it in `workerData`. */
export function createNativeCallGuard(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

let workerGuard: Int32Array | null = null;

/** In a worker, at its start: the cell its native calls mark. */
export function useNativeCallGuard(shared: unknown): void {
  workerGuard = shared instanceof SharedArrayBuffer ? new Int32Array(shared) : null;
}

/** Thrown in a worker that is being stopped, instead of starting a native call. */
export class WorkerStopping extends Error {
  constructor() {
    super('worker: being terminated');
  }
}

/** Runs `call` (a native call that must not be interrupted) with the cell marked; anywhere else, just runs it. */
export function duringNativeCall<T>(call: () => T): T {
  const guard = workerGuard;
  if (guard === null) return call();
  if (Atomics.compareExchange(guard, 0, IDLE, IN_NATIVE_CALL) !== IDLE) throw new WorkerStopping();
  try {
    return call();
  } finally {
    Atomics.store(guard, 0, IDLE);
  }
}

/**
 * Claims the cell, waiting while the worker is inside a native call (up to `maxWaitMs`, after which the
 * worker is stopped anyway rather than kept forever). After it resolves the worker starts no native call.
 */
export async function claimForTermination(guard: Int32Array, maxWaitMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  while (Atomics.compareExchange(guard, 0, IDLE, STOPPING) === IN_NATIVE_CALL && Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 1));
  }
}
