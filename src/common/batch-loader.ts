import DataLoader from 'dataloader';
import { DataSource, FindOperator, In, Raw } from 'typeorm';

/**
 * A loader's batch is one statement whatever its number of keys (issue 16: one statement per level of a
 * nested query). Up to INLINE_IDS keys the ids are placeholders of an `IN` list; past it they are one
 * JSON array parameter, read by `json_each` (SQLite) or `JSON_TABLE` (MySQL/MariaDB): no placeholder
 * limit (MySQL 65 535, SQLite 32 766), and one plan for any count. MAX_BATCH_SIZE is left for the
 * loaders that still build plain `IN` lists of their own, and as the size past which a nested level
 * is a large read (src/sql/sqlite-streamed-read.ts).
 */
export const MAX_BATCH_SIZE = 2000;
export const INLINE_IDS = 1000;

/** The SQL of a subquery listing the ids of the JSON array parameter `:name`. */
function jsonIdsSql(dataSource: DataSource, name: string): string {
  return dataSource.options.type === 'better-sqlite3'
    ? `SELECT value FROM json_each(:${name})`
    : `SELECT listed_ids.id FROM JSON_TABLE(:${name}, '$[*]' COLUMNS (id BIGINT PATH '$')) AS listed_ids`;
}

/**
 * `column` is one of `ids`, for a query builder's where: the SQL and its parameters, under the name
 * `name` (unique within the query).
 */
export function idsIn(dataSource: DataSource, column: string, ids: readonly number[], name = 'ids'): [string, Record<string, unknown>] {
  if (ids.length <= INLINE_IDS) return [`${column} IN (:...${name})`, { [name]: ids.length ? [...ids] : [-1] }];
  return [`${column} IN (${jsonIdsSql(dataSource, name)})`, { [name]: JSON.stringify(ids) }];
}

/** `idsIn` for a repository's `find({ where })`. */
export function anyId(dataSource: DataSource, ids: readonly number[]): FindOperator<number> {
  if (ids.length <= INLINE_IDS) return In([...ids]);
  return Raw((column) => `${column} IN (${jsonIdsSql(dataSource, 'anyIdJson')})`, { anyIdJson: JSON.stringify(ids) });
}

/** Batches of at least this many keys start on a turn of the event loop of their own (nextTurn). */
export const YIELDING_BATCH = 100;

/**
 * Waits for the next turn of the event loop, for a large batch. On SQLite a statement runs
 * synchronously: a turn before each large batch (one level of a nested query) lets the other requests
 * (and the request's own time limit) in between levels; a small batch (a dashboard's) does not wait.
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

/** One row per key (or null): fetches by ids in one statement per batch (`fetch` reads them with idsIn/anyId). */
export function byIdLoader<T extends { id: number }>(fetch: (ids: readonly number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return new DataLoader<number, T | null>(async (ids) => {
    await nextTurn(ids.length);
    const rows = await fetch(ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * Loaders (or sets of them) made per key within a request — the columns a selection needs, a moment of
 * asOf —, each once; `clearAll` forgets them, as clearLoaders does a loader's cache after a write.
 */
export function loadersByKey<A extends unknown[], L>(keyOf: (...args: A) => string, create: (...args: A) => L): ((...args: A) => L) & { clearAll(): void } {
  const made = new Map<string, L>();
  const get = (...args: A): L => {
    const key = keyOf(...args);
    let loaders = made.get(key);
    if (loaders === undefined) made.set(key, (loaders = create(...args)));
    return loaders;
  };
  return Object.assign(get, { clearAll: () => made.clear() });
}

/** A groupLoader: a DataLoader that also tells, synchronously, the rows of a key its batches have read. */
export interface GroupLoader<T> extends DataLoader<number, T[]> {
  /** The key's rows when a batch has read them (a prefetch: src/request/prefetch.ts), else undefined. */
  settled(key: number): T[] | undefined;
  /**
   * Reads the rows of `keys` (those not read yet), batched with the other calls of the same tick as
   * `load` is, so that `settled` then answers them: one promise for the batch instead of one per key (a
   * prefetch of 5 000 actions' lines made 5 000 promises, each with its async hooks, and a cache entry).
   * A failed batch leaves its keys to `load`, which answers each with the failure.
   */
  settle(keys: readonly number[]): Promise<void>;
}

/**
 * Many rows per key: fetches the children of many parents in one statement per batch (idsIn/anyId).
 * `order` sorts each key's rows: a key's few rows sorted here cost less than an ORDER BY over the
 * whole batch (a temporary B-tree of 50 000 lines on SQLite).
 */
export function groupLoader<T>(
  fetch: (keys: readonly number[]) => Promise<T[]>,
  keyOf: (row: T) => number,
  options: { order?: (a: T, b: T) => number } = {},
): GroupLoader<T> {
  const { order } = options;
  const settled = new Map<number, T[]>();
  /** Keys' rows, grouped and in order; each key's group (empty when it has none) settled. */
  const read = async (keys: readonly number[]): Promise<T[][]> => {
    await nextTurn(keys.length);
    const rows = await fetch(keys);
    const groups = new Map<number, T[]>();
    for (const row of rows) {
      const key = keyOf(row);
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    if (order) for (const group of groups.values()) sortGroup(group, order);
    return keys.map((key) => {
      const group = groups.get(key) ?? [];
      settled.set(key, group);
      return group;
    });
  };
  const loader = new DataLoader<number, T[]>(read) as GroupLoader<T>;
  loader.settled = (key) => settled.get(key);
  // A key already read by settle: from memory, not in a batch of its own.
  const load = loader.load.bind(loader);
  loader.load = (key) => {
    const rows = settled.get(key);
    return rows ? Promise.resolve(rows) : load(key);
  };
  interface Batch {
    keys: Set<number>;
    done: Promise<void>;
  }
  let pending: Batch | null = null;
  // Batches under way: a key one of them reads waits for it rather than being read twice.
  const running = new Set<Batch>();
  loader.settle = (keys) => {
    if (!pending) {
      const batch: Batch = { keys: new Set<number>(), done: Promise.resolve() };
      // Run as DataLoader runs its batches: after the promise jobs of this tick, so that every caller of
      // this tick is in (each orientation of a level asks for its actions' lines).
      batch.done = Promise.resolve()
        .then(() => new Promise<void>((resolve) => process.nextTick(resolve)))
        .then(async () => {
          pending = null;
          if (!batch.keys.size) return;
          running.add(batch);
          try {
            await read([...batch.keys]);
          } catch {
            // Left unsettled: each key's load reads again and answers the failure where it is asked.
          } finally {
            running.delete(batch);
          }
        });
      pending = batch;
    }
    const batch = pending;
    let others: Promise<void>[] | undefined;
    for (const key of keys) {
      if (settled.has(key)) continue;
      let elsewhere: Batch | undefined;
      for (const other of running) if (other.keys.has(key)) elsewhere = other;
      if (!elsewhere) batch.keys.add(key);
      else if (!others?.includes(elsewhere.done)) (others ??= []).push(elsewhere.done);
    }
    return others ? Promise.all([batch.done, ...others]).then(() => undefined) : batch.done;
  };
  // What the loader forgets (clearLoaders after a write), settled forgets too.
  const clear = loader.clear.bind(loader);
  const clearAll = loader.clearAll.bind(loader);
  loader.clear = (key) => {
    settled.delete(key);
    return clear(key);
  };
  loader.clearAll = () => {
    settled.clear();
    return clearAll();
  };
  return loader;
}

/**
 * A key's few rows in order: an insertion sort in place up to a few dozen rows (an action's lines by year:
 * Array.prototype.sort allocates its work arrays on every call, 500 calls per nested query), else sort.
 */
function sortGroup<T>(group: T[], order: (a: T, b: T) => number): void {
  if (group.length > 32) {
    group.sort(order);
    return;
  }
  for (let i = 1; i < group.length; i++) {
    const row = group[i];
    let j = i - 1;
    while (j >= 0 && order(group[j], row) > 0) {
      group[j + 1] = group[j];
      j--;
    }
    group[j + 1] = row;
  }
}
