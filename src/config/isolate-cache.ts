/**
 * A small TTL cache in isolate memory, the reason the warm token path does no I/O (DESIGN §1).
 * Bounded in entries (oldest evicted first), caches misses briefly so unknown ids cannot turn every
 * request into a KV read, and shares one in-flight load between concurrent cold requests.
 */
export class IsolateCache<T> {
  private readonly entries = new Map<string, { value: T | undefined; expires: number }>();
  private readonly loading = new Map<string, Promise<T | undefined>>();

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
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = load()
      .then((value) => {
        this.set(key, value, now, ttlMs);
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
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
