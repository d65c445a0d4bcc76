/**
 * Rate limiting in Okta's manner: a fixed window per key, and the three `X-Rate-Limit-*` headers on
 * the answers. Pure: every method takes `now` (epoch ms); nothing here reads a binding.
 *
 * `FixedWindowCounter` is one counter per key in isolate memory (or inside a Durable Object, where it
 * is exact). `LocationLimiter` puts it in front of Cloudflare's rate-limiting binding, which counts per
 * Cloudflare location but answers only `{ success }`: the isolate's counter gives Limit / Remaining /
 * Reset (for this isolate's view, so Remaining is approximate: other isolates of the location spend
 * the same budget), and the binding is the location's authority. The binding may count in units of
 * several requests (its wrangler.toml limit is the limit divided by the unit): a key's request that
 * starts a new unit pays for the whole unit in advance with one `limit({ key })` call, so the first
 * request of a window always asks, and the warm path asks once per unit. (`limit()`'s `delta` option
 * would do the same, but not every runtime takes it: Miniflare's emulation in the test tier refuses it.)
 * A key the binding refuses stays refused in this isolate until its window ends.
 */

/** What a limiter decided for one request. */
export interface RateLimitVerdict {
  allowed: boolean;
  /** The ceiling for the current window (`X-Rate-Limit-Limit`). */
  limit: number;
  /** Requests left in the current window, as this counter sees it (`X-Rate-Limit-Remaining`). */
  remaining: number;
  /** When the window resets: UTC epoch seconds (`X-Rate-Limit-Reset`, as Okta sends it). */
  reset: number;
}

/** A limit: so many requests per window of so many seconds. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

/**
 * Okta's headers on every answer a limit applies to; on a refusal also RFC 6585 §4's `Retry-After`
 * (RFC 9110 §10.2.3, seconds).
 */
export function rateLimitHeaders(verdict: RateLimitVerdict, now: number): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Rate-Limit-Limit": String(verdict.limit),
    "X-Rate-Limit-Remaining": String(verdict.remaining),
    "X-Rate-Limit-Reset": String(verdict.reset),
  };
  if (!verdict.allowed) headers["Retry-After"] = String(retryAfterSeconds(verdict, now));
  return headers;
}

/** Whole seconds until the window resets, at least 1. */
export function retryAfterSeconds(verdict: RateLimitVerdict, now: number): number {
  return Math.max(1, verdict.reset - Math.floor(now / 1000));
}

/**
 * The key an address is counted under: an IPv4 address itself, an IPv6 address its /64. One
 * subscriber is routinely given a whole /64 (RFC 7934 §4), so counting each IPv6 address apart would
 * let one client rotate through 2^64 of them and never reach a per-address limit.
 */
export function addressKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const halves = ip.toLowerCase().split("::");
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length > 1 && halves[1] ? halves[1].split(":") : [];
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) stands for two groups.
  const rightGroups = right.reduce((n, group) => n + (group.includes(".") ? 2 : 1), 0);
  const zeros = halves.length > 1 ? Array(Math.max(0, 8 - left.length - rightGroups)).fill("0") : [];
  const groups = [...left, ...zeros, ...right].slice(0, 4);
  return `${groups.map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/**
 * Sets the headers on a response whose headers may be changed (one this Worker built). `Retry-After`
 * only on a 429: on any other answer (a 401 that used up an address's failure budget) RFC 9110
 * §10.2.3 gives it no meaning; the next request gets the 429 that carries it.
 */
export function withRateLimitHeaders(response: Response, verdict: RateLimitVerdict, now: number): Response {
  // Set one by one, with no intermediate object or copied verdict: every token answer passes here.
  const headers = response.headers;
  headers.set("X-Rate-Limit-Limit", String(verdict.limit));
  headers.set("X-Rate-Limit-Remaining", String(verdict.remaining));
  headers.set("X-Rate-Limit-Reset", String(verdict.reset));
  if (response.status === 429 && !verdict.allowed) {
    headers.set("Retry-After", String(retryAfterSeconds(verdict, now)));
  }
  return response;
}

interface Window {
  /** The window's index: floor(now / window length). */
  index: number;
  count: number;
  /** Requests not yet reported to the location's binding, in the binding's units. */
  owed: number;
  /** The location's binding refused this key in this window. */
  refused: boolean;
}

/**
 * Fixed windows aligned to the epoch (as the binding's are), one per key. At most `maxKeys` keys are
 * held; past that the oldest-inserted goes, so a flood of new keys costs bounded memory (and can only
 * forget counts of keys nobody has used for longest).
 */
export class FixedWindowCounter {
  readonly #windows = new Map<string, Window>();

  constructor(
    readonly rule: RateLimitRule,
    readonly maxKeys: number,
  ) {}

  /** Counts one request for `key` and says whether it is within the limit. */
  hit(key: string, now: number): RateLimitVerdict {
    const window = this.#current(key, now, true);
    window.count += 1;
    return this.#verdict(window, window.count <= this.rule.limit && !window.refused);
  }

  /** The verdict for `key` as its window stands now, counting nothing (a key never counted: all left). */
  peek(key: string, now: number): RateLimitVerdict {
    const window = this.#current(key, now, false);
    if (window) return this.#verdict(window, !window.refused && window.count < this.rule.limit);
    const index = Math.floor(now / (this.rule.windowSeconds * 1000));
    return this.#verdict({ index, count: 0, owed: 0, refused: false }, true);
  }

  /** Whether `key` is over its limit now, without counting anything; undefined when it is not. */
  refusal(key: string, now: number): RateLimitVerdict | undefined {
    const window = this.#current(key, now, false);
    if (!window) return undefined;
    return window.refused || window.count >= this.rule.limit ? this.#verdict(window, false) : undefined;
  }

  /** The window of `key` (created when `create`), reset when a new one has begun. */
  window(key: string, now: number): Window {
    return this.#current(key, now, true);
  }

  /** The verdict for `window` as it stands. */
  verdictOf(window: Window, allowed: boolean): RateLimitVerdict {
    return this.#verdict(window, allowed);
  }

  #current(key: string, now: number, create: true): Window;
  #current(key: string, now: number, create: boolean): Window | undefined;
  #current(key: string, now: number, create: boolean): Window | undefined {
    const index = Math.floor(now / (this.rule.windowSeconds * 1000));
    let window = this.#windows.get(key);
    if (window && window.index !== index) {
      window.index = index;
      window.count = 0;
      window.owed = 0;
      window.refused = false;
    }
    if (!window && create) {
      if (this.#windows.size >= this.maxKeys) {
        const oldest = this.#windows.keys().next().value;
        if (oldest !== undefined) this.#windows.delete(oldest);
      }
      window = { index, count: 0, owed: 0, refused: false };
      this.#windows.set(key, window);
    }
    return window;
  }

  #verdict(window: Window, allowed: boolean): RateLimitVerdict {
    return {
      allowed,
      limit: this.rule.limit,
      remaining: Math.max(0, this.rule.limit - window.count),
      reset: (window.index + 1) * this.rule.windowSeconds,
    };
  }
}

/** The shape of Cloudflare's rate-limiting binding (`[[ratelimits]]` in wrangler.toml). */
export interface LocationCounter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** Floating-point slack when a unit's share of requests is summed (0.1 ten times is not quite 1). */
const EPSILON = 1e-9;

export interface LocationLimiterOptions {
  /** The limit this limiter enforces (per isolate exactly, per location through the binding). */
  rule: RateLimitRule;
  /**
   * The binding, when there is one. Absent (a test tier or a bench without `[[ratelimits]]`), the
   * isolate's counter alone decides.
   */
  binding?: LocationCounter | undefined;
  /**
   * The limit the binding is configured with in wrangler.toml, in its units. Each request costs
   * `bindingLimit / rule.limit` units, so the binding refuses at `rule.limit` requests per window,
   * also when a Worker var changed `rule.limit`.
   */
  bindingLimit: number;
  maxKeys: number;
}

/** An isolate-local fixed window in front of the location's binding (see the file comment). */
export class LocationLimiter {
  readonly #counter: FixedWindowCounter;
  readonly #options: LocationLimiterOptions;
  /** The binding's units per request. */
  readonly #cost: number;

  constructor(options: LocationLimiterOptions) {
    this.#options = options;
    this.#counter = new FixedWindowCounter(options.rule, options.maxKeys);
    this.#cost = options.bindingLimit / options.rule.limit;
  }

  get rule(): RateLimitRule {
    return this.#options.rule;
  }

  /**
   * Counts one request for `key`. A promise only when the binding is consulted: the warm path of a
   * key between reports does no I/O and allocates no promise.
   */
  hit(key: string, now: number): RateLimitVerdict | Promise<RateLimitVerdict> {
    const window = this.#counter.window(key, now);
    window.count += 1;
    if (window.refused || window.count > this.#options.rule.limit) {
      return this.#counter.verdictOf(window, false);
    }
    const binding = this.#options.binding;
    if (binding) {
      window.owed += this.#cost;
      if (window.owed > EPSILON) return this.#report(binding, key, window);
    }
    return this.#counter.verdictOf(window, true);
  }

  /** Whether `key` is refused now, counting nothing and asking nobody (a failure limiter's check). */
  refusal(key: string, now: number): RateLimitVerdict | undefined {
    return this.#counter.refusal(key, now);
  }

  /** `key`'s verdict as this isolate sees it now, counting nothing and asking nobody. */
  peek(key: string, now: number): RateLimitVerdict {
    return this.#counter.peek(key, now);
  }

  async #report(binding: LocationCounter, key: string, window: Window): Promise<RateLimitVerdict> {
    // Whole units, paid in advance: the requests after this one until the unit is spent ask nobody.
    const units = Math.ceil(window.owed - EPSILON);
    window.owed -= units;
    let success: boolean;
    try {
      const outcomes = await Promise.all(Array.from({ length: units }, () => binding.limit({ key })));
      success = outcomes.every((outcome) => outcome.success);
    } catch (error) {
      // The binding is a safeguard: when it fails, this isolate's own count still holds the limit.
      console.warn("rate limit binding failed", error instanceof Error ? error.message : String(error));
      success = true;
    }
    if (!success) window.refused = true;
    return this.#counter.verdictOf(window, success);
  }
}
