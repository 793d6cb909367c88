/**
 * A least-recently-used map bounded both in entries and in approximate bytes: the oldest entries go
 * first when either bound is passed. A value larger than the byte bound on its own is not kept.
 */
export class BoundedLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private totalBytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: re-inserting makes it the most recent.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, bytes: number): boolean {
    this.delete(key);
    if (this.maxEntries <= 0 || bytes > this.maxBytes) return false;
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.totalBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
    }
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}

/**
 * An estimate of what a value holds in memory (V8's real layout differs; this errs high): strings two
 * bytes a character, 8 per number, a header per object and per array. Shared objects are counted once.
 */
export function approximateBytes(value: unknown, seen = new Set<object>()): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length * 2;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 24;
    case 'object': {
      if (value === null) return 8;
      if (seen.has(value)) return 8;
      seen.add(value);
      if (value instanceof Date) return 48;
      if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + 8 + approximateBytes(item, seen), 32);
      if (value instanceof Map) {
        let sum = 64;
        for (const [key, item] of value) sum += 16 + approximateBytes(key, seen) + approximateBytes(item, seen);
        return sum;
      }
      let sum = 32;
      for (const key of Object.keys(value)) sum += 8 + key.length + approximateBytes((value as Record<string, unknown>)[key], seen);
      return sum;
    }
    default:
      return 8;
  }
}
