/**
 * A small TTL cache in isolate memory, the reason the warm token path does no I/O (DESIGN §1).
 * Bounded in entries (oldest evicted first), and caches misses briefly so unknown ids cannot turn
 * every request into a KV read.
 *
 * It shares values, never promises: the Workers runtime binds a promise's I/O to the request that
 * started it, and a request awaiting another request's in-flight load can hang or fail once that
 * request ends ("Cannot perform I/O on behalf of a different request"). So concurrent misses on a
 * cold isolate each load, and the last to finish fills the entry.
 */
export class IsolateCache<T> {
  private readonly entries = new Map<string, { value: T | undefined; expires: number }>();

  constructor(
    private readonly options: {
      ttlMs: number;
      negativeTtlMs: number;
      maxEntries: number;
      now?: () => number;
    },
  ) {}

  /** `ttlMs` overrides the cache's TTL for a value loaded by this call. */
  async get(key: string, load: () => Promise<T | undefined>, ttlMs?: number): Promise<T | undefined> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = await load();
    this.set(key, value, now, ttlMs);
    return value;
  }

  private set(key: string, value: T | undefined, now: number, ttlMs = this.options.ttlMs): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const ttl = value === undefined ? Math.min(this.options.negativeTtlMs, ttlMs) : ttlMs;
    this.entries.set(key, { value, expires: now + ttl });
  }
}
