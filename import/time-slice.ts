/**
 * Long loops on the main thread give the event loop back regularly, so that one big import never holds
 * the other requests (issue 13: no upload blocks the others for more than 200 ms).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long a loop may hold the thread before it yields (ms). */
export const SLICE_MS = 40;

/**
 * A function to await in a loop: resolves at once while the slice lasts, and after one turn of the
 * event loop (pending I/O and timers run) once the slice is used up.
 */
export function timeSlicer(sliceMs = SLICE_MS): () => Promise<void> | void {
  let since = performance.now();
  return () => {
    if (performance.now() - since < sliceMs) return;
    return nextTurn().then(() => {
      since = performance.now();
    });
  };
}
