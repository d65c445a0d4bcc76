/**
 * The edge's keys: the published keyset read through isolate memory, then the colo's Cache API, then
 * KV; its signing keys unsealed and imported once per isolate. The signing key is chosen by time at
 * every request, so the scheduled ACTIVE → NEXT switch happens everywhere at the same instant with no
 * coordination. A new keyset (rotation, revocation) reaches an isolate within KV's propagation plus
 * two keyset TTLs (Cache API, then isolate).
 *
 * An isolate never goes back: KV replicas and the colo cache can hand out a keyset older than one
 * this isolate already held (a lagging replica, another isolate's stale copy), and the older one may
 * still let a since-revoked key sign. The highest version seen per server wins.
 */
import { importJWK } from "jose";
import {
  ISOLATE_CACHE_MAX_ENTRIES,
  KEYSET_CACHE_TTL_SECONDS,
  NEGATIVE_CACHE_TTL_SECONDS,
} from "../config/defaults";
import { IsolateCache } from "../config/isolate-cache";
import { kvKeys } from "../config/kv-keys";
import type { SigningAlg } from "../config/schemas";
import { keysetTtlSeconds, type PropagationVars } from "../config/vars";
import { type PublishedKeyset, selectSigningKey } from "./keyset";
import { importKeyEncryptionKey, unseal } from "./seal";

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  activatesAt: number | null;
  sequence: number;
  key: CryptoKey;
}

interface LoadedKeyset {
  published: PublishedKeyset;
  /**
   * Unsealed on first use, so JWKS requests never pay for it. A value, not a promise: concurrent
   * first requests each unseal (see src/config/isolate-cache.ts for why promises are not shared).
   */
  signing?: SigningKey[];
}

/** The bindings the key store reads. */
export interface KeySource extends PropagationVars {
  CONFIG: KVNamespace;
  KEY_ENCRYPTION_KEY: string;
}

/** The edge's keys as protocol code reads them: a port, bound to the bindings once per request. */
export interface KeysetSource {
  published(serverId: string): Promise<PublishedKeyset | undefined>;
  /** The key that signs at `now` (epoch seconds), or undefined when the server has none yet. */
  signingKey(serverId: string, now: number): Promise<SigningKey | undefined>;
}

/** The Cache API is per colo and not a binding: a cold isolate reads it before KV. */
const CACHE_ORIGIN = "https://keysets.warden.internal";

export class KeyStore {
  private readonly keysets: IsolateCache<LoadedKeyset>;
  /** The newest keyset this isolate has held per server, whatever the TTL cache says. */
  private readonly newest = new Map<string, LoadedKeyset>();
  private kek?: { secret: string; key: CryptoKey };

  constructor(now: () => number = Date.now) {
    this.keysets = new IsolateCache({
      ttlMs: KEYSET_CACHE_TTL_SECONDS * 1000,
      negativeTtlMs: NEGATIVE_CACHE_TTL_SECONDS * 1000,
      maxEntries: ISOLATE_CACHE_MAX_ENTRIES,
      now,
    });
  }

  /** This store read through `env`'s bindings: what protocol code is handed instead of them. */
  source(env: KeySource): KeysetSource {
    return {
      published: (serverId) => this.published(env, serverId),
      signingKey: (serverId, now) => this.signingKey(env, serverId, now),
    };
  }

  async published(env: KeySource, serverId: string): Promise<PublishedKeyset | undefined> {
    return (await this.load(env, serverId))?.published;
  }

  /** The key that signs at `now` (epoch seconds), or undefined when the server has none yet. */
  async signingKey(env: KeySource, serverId: string, now: number): Promise<SigningKey | undefined> {
    const loaded = await this.load(env, serverId);
    if (!loaded) return undefined;
    // A failed unseal (wrong key-encryption key, corrupt blob) throws and stores nothing, so it does
    // not stick for the cache TTL.
    loaded.signing ??= await this.importSigningKeys(loaded.published, env.KEY_ENCRYPTION_KEY);
    return selectSigningKey(loaded.signing, now);
  }

  private load(env: KeySource, serverId: string): Promise<LoadedKeyset | undefined> {
    const ttlSeconds = keysetTtlSeconds(env);
    return this.keysets.get(serverId, () => this.loadNewest(env, serverId, ttlSeconds), ttlSeconds * 1000);
  }

  /**
   * The colo's copy, or KV's when there is none or it is older than what this isolate held; then
   * whichever of those and the held one is newest. The held object is kept when it wins, so its
   * unsealed keys are not imported again.
   */
  private async loadNewest(
    env: KeySource,
    serverId: string,
    ttlSeconds: number,
  ): Promise<LoadedKeyset | undefined> {
    const held = this.newest.get(serverId);
    const floor = held?.published.version ?? 0;
    let published = await this.fromCacheApi(serverId);
    if (!published || published.version < floor) {
      const fromKv = await this.fromKv(env, serverId, ttlSeconds, published?.version);
      if (fromKv && (!published || fromKv.version > published.version)) published = fromKv;
    }
    if (!published) {
      // A keyset gone from KV (and the colo cache) is a deleted server: nothing to keep.
      this.newest.delete(serverId);
      return undefined;
    }
    if (held && held.published.version >= published.version) return held;
    const loaded: LoadedKeyset = { published };
    this.newest.delete(serverId);
    if (this.newest.size >= ISOLATE_CACHE_MAX_ENTRIES) {
      const oldest = this.newest.keys().next();
      if (!oldest.done) this.newest.delete(oldest.value);
    }
    this.newest.set(serverId, loaded);
    return loaded;
  }

  /** `cachedVersion`: what the colo cache holds, which a copy from a lagging KV replica must not replace. */
  private async fromKv(
    env: KeySource,
    serverId: string,
    ttlSeconds: number,
    cachedVersion: number | undefined,
  ): Promise<PublishedKeyset | undefined> {
    const raw = await env.CONFIG.get(kvKeys.keyset(serverId));
    if (raw === null) return undefined;
    const published = JSON.parse(raw) as PublishedKeyset;
    const cache = coloCache();
    if (cache && (cachedVersion === undefined || published.version > cachedVersion)) {
      // Best effort: a failed put only costs the next cold isolate a KV read.
      await cache
        .put(
          `${CACHE_ORIGIN}/${encodeURIComponent(serverId)}`,
          new Response(raw, {
            headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${ttlSeconds}` },
          }),
        )
        .catch(() => undefined);
    }
    return published;
  }

  private async fromCacheApi(serverId: string): Promise<PublishedKeyset | undefined> {
    const hit = await coloCache()
      ?.match(`${CACHE_ORIGIN}/${encodeURIComponent(serverId)}`)
      .catch(() => undefined);
    return hit ? ((await hit.json()) as PublishedKeyset) : undefined;
  }

  private async importSigningKeys(published: PublishedKeyset, kekSecret: string): Promise<SigningKey[]> {
    if (this.kek?.secret !== kekSecret)
      this.kek = { secret: kekSecret, key: await importKeyEncryptionKey(kekSecret) };
    const sealed = await unseal(published.sealed, this.kek.key, published.serverId, published.version);
    return Promise.all(
      sealed.map(async (k) => ({
        kid: k.kid,
        alg: k.alg,
        activatesAt: k.activatesAt,
        sequence: k.sequence,
        key: (await importJWK(k.privateJwk, k.alg)) as CryptoKey,
      })),
    );
  }
}

function coloCache(): Cache | undefined {
  return typeof caches === "undefined" ? undefined : (caches as unknown as { default?: Cache }).default;
}
