import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource } from 'typeorm';
import { approximateBytes, BoundedLru } from './bounded-lru';
import { readDataVersion } from './data-version';

/**
 * The cache of aggregate reads (funding totals, progress): the dashboard reads them constantly and they
 * change only through writes, each of which bumps a data version (data-version.ts). An entry is keyed by
 * (kind, version, normalised arguments); a write makes new keys, and the old entries age out of the LRU.
 *
 * Only requests served by startServer use it: the request's scope (an AsyncLocalStorage store entered
 * by the HTTP layer) memoises the versions it read, so a request reads each version once, and every
 * server — two on one MariaDB database — sees another's writes at its next request. Outside a request
 * (CLI, exports' own statements, tests calling services) everything is computed as before.
 */

export interface CacheLimits {
  /** 0 turns the cache off. */
  maxEntries: number;
  maxBytes: number;
}

const DEFAULT_CACHE_LIMITS: CacheLimits = { maxEntries: 2000, maxBytes: 64 * 1024 * 1024 };

/** AGGREGATE_CACHE_ENTRIES and AGGREGATE_CACHE_MB, else the defaults. */
export function cacheLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): CacheLimits {
  const read = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} « ${text} » invalide : un nombre positif ou nul est attendu`);
    return value;
  };
  return { maxEntries: Math.floor(read('AGGREGATE_CACHE_ENTRIES', DEFAULT_CACHE_LIMITS.maxEntries)), maxBytes: read('AGGREGATE_CACHE_MB', DEFAULT_CACHE_LIMITS.maxBytes / 1024 / 1024) * 1024 * 1024 };
}

export interface RequestScope {
  dataSource: DataSource;
  /** The data versions read by this request, by contract code ('' for the global one). */
  versions: Map<string, Promise<string>>;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` as one request of the server on `dataSource`: the versions it reads are read once. */
export function runInRequestScope<T>(dataSource: DataSource, fn: () => T): T {
  return scopes.run({ dataSource, versions: new Map() }, fn);
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Computations shared with a request already computing the same entry. */
  shared: number;
  entries: number;
  bytes: number;
}

class AggregateCache {
  readonly lru: BoundedLru<unknown>;
  readonly inFlight = new Map<string, Promise<unknown>>();
  hits = 0;
  misses = 0;
  shared = 0;
  /** SQLite: transactions rolled back so far (see storable). */
  rollbacks = 0;

  constructor(
    readonly dataSource: DataSource,
    limits: CacheLimits,
  ) {
    this.lru = new BoundedLru(limits.maxEntries, limits.maxBytes);
    if (isSqlite(dataSource)) {
      // Subscribers are read from this array at each broadcast: one added after initialisation counts.
      dataSource.subscribers.push({
        afterTransactionRollback: () => {
          this.rollbacks++;
          this.lru.clear();
        },
      });
    }
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, shared: this.shared, entries: this.lru.size, bytes: this.lru.bytes };
  }

  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const cached = this.lru.get(key);
    if (cached !== undefined) {
      this.hits++;
      return cached as T;
    }
    // Requests arriving together after a write share one computation instead of each running it.
    const pending = this.inFlight.get(key);
    if (pending) {
      this.shared++;
      return pending as Promise<T>;
    }
    this.misses++;
    const rollbacksBefore = this.rollbacks;
    const computing = (async () => {
      try {
        const value = await compute();
        if (this.storable(rollbacksBefore)) this.lru.set(key, value, key.length * 2 + approximateBytes(value));
        return value;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, computing);
    return computing;
  }

  /**
   * SQLite runs every statement on one connection, so a read made during another request's write
   * transaction sees its uncommitted rows. That is safe to keep because every writer bumps the version
   * as its last write: a read made before the bump is stored under the old version, which the commit
   * retires; one made after it sees the whole write, under the version the commit makes current. A
   * rollback empties the cache (the old version is current again, and the new one will be reused), and
   * a computation that overlapped it is not kept. (Keeping nothing while a transaction was open made
   * every dashboard recompute for the whole of each import under load.) MariaDB reads on their own
   * connections see committed rows only.
   */
  private storable(rollbacksBefore: number): boolean {
    return this.rollbacks === rollbacksBefore;
  }
}

const caches = new WeakMap<DataSource, AggregateCache>();

function isSqlite(dataSource: DataSource): boolean {
  return dataSource.options.type === 'better-sqlite3';
}

/** Sets up the cache of a server's data source (startServer), with its bounds; again: new bounds, emptied. */
export function configureAggregateCache(dataSource: DataSource, limits: CacheLimits = DEFAULT_CACHE_LIMITS): void {
  const previous = caches.get(dataSource);
  if (previous && previous.lru.maxEntries === limits.maxEntries && previous.lru.maxBytes === limits.maxBytes) return;
  caches.set(dataSource, new AggregateCache(dataSource, limits));
}

export function aggregateCacheStats(dataSource: DataSource): CacheStats | null {
  return caches.get(dataSource)?.stats() ?? null;
}

/** The version of a contract (or the global one), read once per request. */
function requestVersion(scope: RequestScope, contractCode: string | null): Promise<string> {
  const memoKey = contractCode ?? '';
  let version = scope.versions.get(memoKey);
  if (!version) {
    version = readDataVersion(scope.dataSource, contractCode);
    scope.versions.set(memoKey, version);
  }
  return version;
}

/**
 * `compute()`, or its cached result: `kind` names the computation, `contractCode` the contract whose
 * data it reads (null: any contract), `args` everything else it depends on (normalised by the caller
 * where order does not matter). The result is shared between requests: callers must not mutate it.
 */
export async function cachedAggregate<T>(dataSource: DataSource, kind: string, contractCode: string | null | undefined, args: unknown, compute: () => Promise<T>): Promise<T> {
  const scope = scopes.getStore();
  const cache = caches.get(dataSource);
  if (!scope || scope.dataSource !== dataSource || !cache || cache.lru.maxEntries <= 0) return compute();
  const version = await requestVersion(scope, contractCode ?? null);
  return cache.get(`${kind}\u0000${version}\u0000${stableJson(args)}`, compute);
}

/** JSON with object keys sorted and undefined/null properties left out: equal arguments, equal text. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Date) return item.toISOString();
    if (typeof item === 'bigint') return item.toString();
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(item).sort()) {
      const property = (item as Record<string, unknown>)[key];
      if (property !== undefined && property !== null) sorted[key] = property;
    }
    return sorted;
  });
}
