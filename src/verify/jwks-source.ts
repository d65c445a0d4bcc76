/**
 * The issuer's JWKS as this isolate holds it: in memory, in the Cache API for the other isolates of
 * the location, and from the network only when its `Cache-Control` says so or a token names a key
 * the set lacks. Invariants:
 * - freshness comes from the response (see `freshness.ts`), so a verifier that caches for `max-age`
 *   already holds every key that can sign in that window (DESIGN §5);
 * - an unknown `kid` triggers at most one network refetch per cooldown window;
 * - an outage (network error, timeout, non-2xx) keeps the last good set for its `stale-if-error`;
 * - a set is replaced only by one the server produced later, so a slow reload that completes after a
 *   newer one never wins;
 * - the response is untrusted input: bounded in size however it is framed, and reached only over TLS
 *   redirects (`jwks-fetch.ts`).
 *
 * Concurrent verifications share values, never promises. The Workers runtime binds a promise's I/O to
 * the request that created it: a request awaiting another request's in-flight fetch or Cache API read
 * can hang or fail once that request ends ("Cannot perform I/O on behalf of a different request"; see
 * src/config/isolate-cache.ts). So every caller awaits only work it started itself, and what callers
 * share is the held set, the time of the last unknown-kid refetch, and a claim on the one refresh at a
 * time — a value that expires after the fetch timeout, so a claim left by a cancelled request cannot
 * stop refreshes. A caller that finds the claim taken or the cooldown window spent answers from the
 * set held (within its `stale-if-error`, so the revocation bound is unchanged); only a caller holding
 * no usable set at all (a cold isolate) loads for itself regardless. Node has no such rule, but one
 * design serves both runtimes.
 */
import { JWKS_MAX_BYTES, JWKS_MAX_REDIRECTS } from "./defaults";
import { type Freshness, freshnessOf } from "./freshness";
import { fetchFollowingTlsRedirects, type JwksFetch, readBoundedBody } from "./jwks-fetch";
import { type Algorithm, importKeySet, type KeySet, type VerificationKey } from "./key-set";

export interface JwksSourceOptions {
  jwksUri: string;
  /** The algorithm allow-list: keys bound to anything else are dropped on import. */
  algorithms: readonly Algorithm[];
  fetch: JwksFetch;
  /** Resolved on first use: Workers allow touching the Cache API only while handling a request. */
  cache: () => Cache | null;
  /** Epoch milliseconds. */
  now: () => number;
  kidRefetchCooldownMs: number;
  retryAfterFailureMs: number;
  timeoutMs: number;
}

export type KeyLookup =
  | { kind: "found"; key: VerificationKey }
  /** The key named `kid` is bound to another algorithm (RFC 8725 §3.1), or no key carries `alg`. */
  | { kind: "alg_mismatch" }
  | { kind: "unknown_kid" }
  | { kind: "unavailable" };

/** Lets a background revalidation outlive the request that started it (Workers' `ctx.waitUntil`). */
export type WaitUntil = (promise: Promise<unknown>) => void;

interface HeldSet {
  keys: KeySet;
  /** The document as received, for the Cache API copy. */
  body: string;
  etag: string | undefined;
  cacheControl: string | null;
  freshness: Freshness;
  /** Start order of the network request that produced it (0: read from the Cache API); breaks `asOf` ties. */
  seq: number;
}

/** Response headers of the Cache API copy; the times are absolute, so any isolate can judge the copy. */
const H = {
  asOf: "x-warden-verify-as-of",
  freshUntil: "x-warden-verify-fresh-until",
  revalidateUntil: "x-warden-verify-revalidate-until",
  usableUntil: "x-warden-verify-usable-until",
  etag: "x-warden-verify-etag",
  cacheControl: "x-warden-verify-cache-control",
} as const;

export class JwksSource {
  private held: HeldSet | undefined;
  /** The refresh in progress, if any, as a value: which caller claimed it and until when the claim stands. */
  private claim: { id: number; until: number } | undefined;
  private claims = 0;
  private seq = 0;
  private lastKidRefetchAt = Number.NEGATIVE_INFINITY;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private readonly cacheKey: string;
  private resolvedCache: Cache | null | undefined;

  constructor(private readonly options: JwksSourceOptions) {
    // A key of our own next to the JWKS URL: never the URL itself, which the authorization server's
    // edge cache may hold in its own format.
    const url = new URL(options.jwksUri);
    url.searchParams.set("warden-verify-cache", "jwks-v1");
    this.cacheKey = url.toString();
  }

  private get cache(): Cache | null {
    if (this.resolvedCache === undefined) this.resolvedCache = this.options.cache();
    return this.resolvedCache;
  }

  async getKey(kid: string, alg: string, waitUntil?: WaitUntil): Promise<KeyLookup> {
    let set = await this.usableSet(waitUntil);
    if (!set) return { kind: "unavailable" };

    if (!set.keys.hasKid(kid)) {
      // A key published after our copy was taken (emergency rotation): refetch, but at most once per
      // cooldown window, so a flood of made-up kids cannot turn into a flood of JWKS requests. The
      // window is spent before the first await: of concurrent misses exactly one refetches, and the
      // others answer from the set held instead of waiting on its request.
      const now = this.options.now();
      if (now - this.lastKidRefetchAt >= this.options.kidRefetchCooldownMs) {
        this.lastKidRefetchAt = now;
        // Even while another caller revalidates: that request may predate the new key, and is not
        // ours to wait on. Its claim stands; a free claim is taken.
        await this.refresh(false, this.claimRefresh(now));
        set = this.held ?? set;
      }
      if (!set.keys.hasKid(kid)) {
        // The default allow-list is the algorithms the JWKS keys carry: name the precise failure
        // (an empty set, every key revoked, is simply an unknown kid).
        const carried = set.keys.algorithms();
        return carried.size > 0 && !carried.has(alg as Algorithm)
          ? { kind: "alg_mismatch" }
          : { kind: "unknown_kid" };
      }
    }
    const key = set.keys.find(kid, alg);
    return key ? { kind: "found", key } : { kind: "alg_mismatch" };
  }

  /** The set to verify with now, refreshing first when its freshness (or lack of one) demands. */
  private async usableSet(waitUntil?: WaitUntil): Promise<HeldSet | undefined> {
    // Nothing usable in memory (a cold isolate): another isolate of the location may have stored one.
    if (!this.usable() && this.cache) await withTimeout(this.readCache(), this.options.timeoutMs);
    const now = this.options.now();
    const held = this.held;
    if (held && now < held.freshness.freshUntil) return held;

    const backingOff = now - this.lastFailureAt < this.options.retryAfterFailureMs;
    if (held && now < held.freshness.usableUntil) {
      const claim = backingOff ? undefined : this.claimRefresh(now);
      if (now < held.freshness.revalidateUntil) {
        // RFC 5861 §3: serve the stale set now, revalidate behind the response. Without `waitUntil`
        // Workers may cancel the refresh with the response; its claim then lapses with the timeout.
        if (claim !== undefined) waitUntil?.(this.refresh(true, claim));
        return held;
      }
      // Past stale-while-revalidate, the set is used without a refresh of our own only through an
      // outage (RFC 5861 §4): while backing off after a failure, or while another caller's refresh,
      // bounded by the timeout, is in flight.
      if (claim === undefined) return held;
      await this.refresh(true, claim);
      return this.usable();
    }
    // No usable set: this caller's own bounded load, whatever other callers are doing.
    if (backingOff) return undefined;
    await this.refresh(false); // the Cache API was just consulted
    return this.usable();
  }

  /** The held set while it may still be used (RFC 5861 §4 `stale-if-error` at the latest). */
  private usable(): HeldSet | undefined {
    const held = this.held;
    return held && this.options.now() < held.freshness.usableUntil ? held : undefined;
  }

  /** Takes the one refresh slot unless another caller holds a claim that still stands. */
  private claimRefresh(now: number): number | undefined {
    if (this.claim && now < this.claim.until) return undefined;
    const id = ++this.claims;
    this.claim = { id, until: now + this.options.timeoutMs };
    return id;
  }

  /**
   * This caller's own refresh, awaited by this caller only; its outcome reaches the others as values
   * (the held set, the failure time). It waits at most the timeout: a hung request is abandoned, and
   * its late answer is judged by `adopt` like any other.
   */
  private async refresh(cacheFirst: boolean, claim?: number): Promise<void> {
    try {
      const ok = await withTimeout(this.load(cacheFirst), this.options.timeoutMs);
      if (!ok) this.lastFailureAt = this.options.now();
    } catch {
      this.lastFailureAt = this.options.now();
    } finally {
      if (claim !== undefined && this.claim?.id === claim) this.claim = undefined;
    }
  }

  /** Resolves true when a usable answer arrived (200 or 304); throws on an outage. */
  private async load(cacheFirst: boolean): Promise<boolean> {
    if (cacheFirst && this.cache) {
      // Another isolate of this location may already have refreshed the set.
      await this.readCache();
      const held = this.held;
      if (held && this.options.now() < held.freshness.freshUntil) return true;
    }
    await this.fetchNetwork();
    return true;
  }

  private async fetchNetwork(): Promise<void> {
    const seq = ++this.seq;
    const requestedAt = this.options.now();
    const previous = this.held;
    const headers = new Headers({ Accept: "application/jwk-set+json, application/json" });
    // RFC 9110 §13.1.2: revalidate the set we hold; an unchanged JWKS costs a 304 and no parsing.
    if (previous?.etag) headers.set("If-None-Match", previous.etag);
    const res = await fetchFollowingTlsRedirects(
      this.options.fetch,
      this.options.jwksUri,
      { method: "GET", headers, signal: AbortSignal.timeout(this.options.timeoutMs) },
      JWKS_MAX_REDIRECTS,
    );

    if (res.status === 304 && previous?.etag) {
      await res.body?.cancel();
      // RFC 9111 §4.3.4: a 304 updates the stored response's headers; without Cache-Control of its
      // own it keeps the stored one.
      const merged = new Headers(res.headers);
      if (!merged.has("cache-control") && previous.cacheControl)
        merged.set("cache-control", previous.cacheControl);
      const freshness = freshnessOf(merged, requestedAt);
      const current = this.held;
      // Only if what we hold is still the representation the server just confirmed.
      if (current && current.etag === previous.etag && newer({ freshness, seq }, current)) {
        this.held = { ...current, freshness, seq, cacheControl: merged.get("cache-control") };
        await this.writeCache(this.held);
      }
      return;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`JWKS answered ${res.status}`);
    }
    const body = await readBoundedBody(res, JWKS_MAX_BYTES);
    const keys = await importKeySet(JSON.parse(body), this.options.algorithms);
    const candidate: HeldSet = {
      keys,
      body,
      etag: res.headers.get("etag") ?? undefined,
      cacheControl: res.headers.get("cache-control"),
      freshness: freshnessOf(res.headers, requestedAt),
      seq,
    };
    if (this.adopt(candidate)) await this.writeCache(candidate);
  }

  /** Replaces the held set only with one the server produced later. */
  private adopt(candidate: HeldSet): boolean {
    if (this.held && !newer(candidate, this.held)) return false;
    this.held = candidate;
    return true;
  }

  private async readCache(): Promise<void> {
    const cache = this.cache;
    if (!cache) return;
    try {
      const res = await cache.match(this.cacheKey);
      if (!res) return;
      const [asOf, freshUntil, revalidateUntil, usableUntil] = [
        H.asOf,
        H.freshUntil,
        H.revalidateUntil,
        H.usableUntil,
      ].map((name) => Number(res.headers.get(name) ?? Number.NaN)) as [number, number, number, number];
      // Only copies this module wrote carry these times; anything else under the key is ignored.
      if (![asOf, freshUntil, revalidateUntil, usableUntil].every((t) => Number.isFinite(t) && t > 0)) {
        await res.body?.cancel();
        return;
      }
      const freshness: Freshness = { asOf, freshUntil, revalidateUntil, usableUntil, storable: true };
      if (this.held && freshness.asOf <= this.held.freshness.asOf) {
        await res.body?.cancel();
        return;
      }
      const body = await res.text();
      const keys = await importKeySet(JSON.parse(body), this.options.algorithms);
      this.adopt({
        keys,
        body,
        etag: res.headers.get(H.etag) ?? undefined,
        cacheControl: res.headers.get(H.cacheControl),
        freshness,
        seq: 0,
      });
    } catch {
      // A broken cache entry is a cache miss.
    }
  }

  private async writeCache(set: HeldSet): Promise<void> {
    const cache = this.cache;
    if (!cache || !set.freshness.storable) return;
    const ttl = Math.ceil((set.freshness.usableUntil - this.options.now()) / 1000);
    if (ttl <= 0) return;
    try {
      // Another isolate may have stored a newer set meanwhile; never overwrite it with an older one.
      const existing = await cache.match(this.cacheKey);
      if (existing) {
        await existing.body?.cancel();
        if (Number(existing.headers.get(H.asOf)) > set.freshness.asOf) return;
      }
      const headers = new Headers({
        "Content-Type": "application/json",
        // The Cache API drops the entry once the set is no longer usable even through an outage.
        "Cache-Control": `public, max-age=${ttl}`,
        [H.asOf]: String(set.freshness.asOf),
        [H.freshUntil]: String(set.freshness.freshUntil),
        [H.revalidateUntil]: String(set.freshness.revalidateUntil),
        [H.usableUntil]: String(set.freshness.usableUntil),
      });
      if (set.etag) headers.set(H.etag, set.etag);
      if (set.cacheControl) headers.set(H.cacheControl, set.cacheControl);
      await cache.put(this.cacheKey, new Response(set.body, { headers }));
    } catch {
      // The Cache API is an optimisation; the in-memory set stands.
    }
  }
}

function newer(a: Pick<HeldSet, "freshness" | "seq">, b: Pick<HeldSet, "freshness" | "seq">): boolean {
  return a.freshness.asOf > b.freshness.asOf || (a.freshness.asOf === b.freshness.asOf && a.seq > b.seq);
}

/** Resolves true if `promise` settles in time, false after `ms`; rejections pass through. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
