import DataLoader from 'dataloader';

/** Stays well under the placeholder limits (MySQL 65 535, SQLite 32 766) while batching whole levels. */
export const MAX_BATCH_SIZE = 2000;

/** One row per key (or null): fetches by ids in one statement per batch. */
export function byIdLoader<T extends { id: number }>(fetch: (ids: readonly number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return new DataLoader<number, T | null>(
    async (ids) => {
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
