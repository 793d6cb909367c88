import DataLoader from 'dataloader';

/** Stays well under the placeholder limits (MySQL 65 535, SQLite 32 766) while batching whole levels. */
export const MAX_BATCH_SIZE = 2000;

/** Batches of at least this many keys start on a turn of the event loop of their own (nextTurn). */
export const YIELDING_BATCH = 100;

/**
 * Waits for the next turn of the event loop, for a large batch. On SQLite a statement runs
 * synchronously, and a level of a nested query split into several batches (MAX_BATCH_SIZE) ran them
 * back to back — 50 000 lines in one block of the event loop. A turn before each large batch lets the
 * other requests (and the request's own time limit) in; a small batch (a dashboard's) does not wait.
 */
export function nextTurn(keys: number): Promise<void> | undefined {
  if (keys < YIELDING_BATCH) return undefined;
  return new Promise((resolve) => {
    turns.push(resolve);
    if (turns.length === 1) setImmediate(nextBatch);
  });
}

/** Large batches waiting: one starts per turn (setImmediate callbacks queued together would all run in one). */
const turns: Array<() => void> = [];

function nextBatch(): void {
  turns.shift()!();
  if (turns.length) setImmediate(nextBatch);
}

/** One row per key (or null): fetches by ids in one statement per batch. */
export function byIdLoader<T extends { id: number }>(fetch: (ids: readonly number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return new DataLoader<number, T | null>(
    async (ids) => {
      await nextTurn(ids.length);
      const rows = await fetch(ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

/** Many rows per key: fetches the children of many parents in one statement per batch. */
export function groupLoader<T>(fetch: (keys: readonly number[]) => Promise<T[]>, keyOf: (row: T) => number): DataLoader<number, T[]> {
  return new DataLoader<number, T[]>(
    async (keys) => {
      await nextTurn(keys.length);
      const rows = await fetch(keys);
      const groups = new Map<number, T[]>();
      for (const row of rows) {
        const key = keyOf(row);
        const group = groups.get(key);
        if (group) group.push(row);
        else groups.set(key, [row]);
      }
      return keys.map((key) => groups.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}
