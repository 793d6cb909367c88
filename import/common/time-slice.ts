/**
 * Long loops on the main thread give the event loop back regularly, so that one big import never holds
 * the other requests (issue 13: no upload blocks the others for more than 200 ms).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long a loop may hold the thread before it yields (ms). */
export const SLICE_MS = 40;

/**
 * When the event loop last turned, as far as this module knows: a marker scheduled with setImmediate
 * records it. Shared by every caller, so that a series of short steps (an apply's statements, each under
 * the slice) yields too, not only one long loop.
 */
let lastTurn = performance.now();
let markerPending = false;

function watchTurns(): void {
  if (markerPending) return;
  markerPending = true;
  setImmediate(() => {
    markerPending = false;
    lastTurn = performance.now();
  });
}

/**
 * Resolves at once (undefined) while the thread has run for less than `sliceMs` since the event loop last
 * turned; otherwise a promise resolved after one turn (pending I/O and timers run).
 */
export function yieldIfDue(sliceMs = SLICE_MS): Promise<void> | void {
  watchTurns();
  if (performance.now() - lastTurn < sliceMs) return;
  return nextTurn().then(() => {
    lastTurn = performance.now();
  });
}

/** A function to await in a loop: yieldIfDue with this slice. */
export function timeSlicer(sliceMs = SLICE_MS): () => Promise<void> | void {
  return () => yieldIfDue(sliceMs);
}
