/**
 * The edge's keys: the published keyset read through isolate memory, then the colo's Cache API, then
 * KV; its signing keys unsealed and imported once per isolate. The signing key is chosen by time at
 * every request, so the scheduled ACTIVE → NEXT switch happens everywhere at the same instant with no
 * coordination. A new keyset (rotation, revocation) reaches an isolate within KV's propagation plus
 * two keyset TTLs (Cache API, then isolate).
 *
 * Nothing of a record is used before its MAC holds for the server asked for (keyset-record.ts): not
 * its JWKS (served, and trusted for org tokens by the management API), not its schedule, not its
 * sealed keys. A record that fails is logged, never kept in the isolate or the colo cache, and never
 * replaces or removes a keyset this isolate holds; the isolate then asks the server's key vault for
 * the authenticated record (`recover`), at most once per cooldown, which is how records published
 * before they were authenticated are replaced after an upgrade. With no authenticated keyset the
 * server has none: JWKS and discovery answer 503, the token endpoint 503, the admin API refuses org
 * tokens.
 *
 * An isolate never goes back: KV replicas and the colo cache can hand out a keyset older than one
 * this isolate already held (a lagging replica, another isolate's stale copy), and the older one may
 * still let a since-revoked key sign. The highest version seen per server wins.
 */
import {
  ISOLATE_CACHE_MAX_ENTRIES,
  KEYSET_CACHE_TTL_SECONDS,
  KEYSET_RECOVERY_COOLDOWN_SECONDS,
  NEGATIVE_CACHE_TTL_SECONDS,
} from "../config/defaults";
import { IsolateCache } from "../config/isolate-cache";
import { kvKeys } from "../config/kv-keys";
import type { SigningAlg } from "../config/schemas";
import { keysetTtlSeconds, type PropagationVars } from "../config/vars";
import { importSigningKey } from "./import-signing-key";
import type { KeyVault } from "./key-vault";
import { type PublishedKeyset, type SealedSigningKey, selectSigningKey } from "./keyset";
import { deriveKeysetKeys, type KeysetKeys } from "./keyset-keys";
import { type KeysetRejection, openKeysetRecord } from "./keyset-record";
import { unseal } from "./seal";

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  activatesAt: number | null;
  sequence: number;
  key: CryptoKey;
}

/** A key of the keyset, imported only once it is the one that signs (`key`). */
type KeyEntry = Omit<SigningKey, "key"> & { key?: CryptoKey };

interface LoadedKeyset {
  published: PublishedKeyset;
  /**
   * Unsealed on first use, so JWKS requests never pay for it, and each key imported only when it is
   * the one that signs: a cold isolate imports one private key, not every key of the set (an RSA
   * import costs milliseconds). No private JWK is kept: a key that starts signing later is unsealed
   * again then. Values, not promises: concurrent first requests each unseal (see
   * src/config/isolate-cache.ts for why promises are not shared).
   */
  signing?: KeyEntry[];
}

/** The bindings the key store reads. */
export interface KeySource extends PropagationVars {
  CONFIG: KVNamespace;
  KEY_ENCRYPTION_KEY: string;
  /** Called only to recover from an unauthenticated record, never on a request that finds a good one. */
  KEY_VAULT: DurableObjectNamespace<KeyVault>;
}

/** The edge's keys as protocol code reads them: a port, bound to the bindings once per request. */
export interface KeysetSource {
  /** The authenticated keyset, or undefined when the server has none (yet, or none that verifies). */
  published(serverId: string): Promise<PublishedKeyset | undefined>;
  /** The key that signs at `now` (epoch seconds), or undefined when the server has none usable. */
  signingKey(serverId: string, now: number): Promise<SigningKey | undefined>;
}

/** The Cache API is per colo and not a binding: a cold isolate reads it before KV. */
const CACHE_ORIGIN = "https://keysets.warden.internal";

type KeysetOrigin = "cache" | "kv" | "vault";

/** A KV read: the authenticated keyset, nothing there, or a record that failed authentication. */
type KvRead = { keyset: PublishedKeyset } | "absent" | "rejected";

export class KeyStore {
  private readonly keysets: IsolateCache<LoadedKeyset>;
  /** The newest keyset this isolate has held per server, whatever the TTL cache says. */
  private readonly newest = new Map<string, LoadedKeyset>();
  /** When this isolate last asked a server's vault to recover its record (epoch ms). */
  private readonly recoveries = new Map<string, number>();
  private derived?: { secret: string; keys: KeysetKeys };

  constructor(private readonly now: () => number = Date.now) {
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

  /** The key that signs at `now` (epoch seconds), or undefined when the server has none usable. */
  async signingKey(env: KeySource, serverId: string, now: number): Promise<SigningKey | undefined> {
    const loaded = await this.load(env, serverId);
    if (!loaded) return undefined;
    try {
      let sealed: SealedSigningKey[] | undefined;
      if (!loaded.signing) {
        sealed = await this.unsealKeys(loaded.published, serverId, env.KEY_ENCRYPTION_KEY);
        loaded.signing = sealed.map(({ kid, alg, activatesAt, sequence }) => ({
          kid,
          alg,
          activatesAt,
          sequence,
        }));
      }
      const chosen = selectSigningKey(loaded.signing, now);
      if (!chosen || chosen.key) return chosen as SigningKey | undefined;
      sealed ??= await this.unsealKeys(loaded.published, serverId, env.KEY_ENCRYPTION_KEY);
      const jwk = sealed.find((k) => k.kid === chosen.kid)?.privateJwk;
      if (!jwk) throw new Error("a published keyset changed under its unsealed keys");
      chosen.key = await importSigningKey(jwk, chosen.alg);
      return chosen as SigningKey;
    } catch (error) {
      // The MAC held, so this is not a forged record; still nothing can sign. Nothing is stored,
      // so it does not stick for the cache TTL; the token endpoint answers 503.
      logKeysetProblem("keyset.unseal_failed", serverId, {
        error: error instanceof Error ? error.name : "unknown",
      });
      return undefined;
    }
  }

  private load(env: KeySource, serverId: string): Promise<LoadedKeyset | undefined> {
    const ttlSeconds = keysetTtlSeconds(env);
    return this.keysets.get(serverId, () => this.loadNewest(env, serverId, ttlSeconds), ttlSeconds * 1000);
  }

  /**
   * The colo's copy, or KV's when there is none or it is older than what this isolate held; the
   * vault's when KV's failed authentication; then whichever of those and the held one is newest.
   * The held object is kept when it wins, so its unsealed keys are not imported again.
   */
  private async loadNewest(
    env: KeySource,
    serverId: string,
    ttlSeconds: number,
  ): Promise<LoadedKeyset | undefined> {
    const held = this.newest.get(serverId);
    const floor = held?.published.version ?? 0;
    const mac = await this.macKey(env.KEY_ENCRYPTION_KEY, serverId);
    if (!mac) return undefined;
    let published = await this.fromCacheApi(serverId, mac);
    let rejected = false;
    if (!published || published.version < floor) {
      const fromKv = await this.fromKv(env, serverId, mac, ttlSeconds, published?.version);
      if (fromKv === "rejected") rejected = true;
      else if (fromKv !== "absent" && (!published || fromKv.keyset.version > published.version))
        published = fromKv.keyset;
    }
    if (rejected && (!published || published.version < floor)) {
      const recovered = await this.recover(env, serverId, mac, ttlSeconds);
      if (recovered && (!published || recovered.version > published.version)) published = recovered;
    }
    if (!published) {
      // An unauthenticated record neither replaces nor removes what this isolate held.
      if (rejected) return held;
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
    mac: CryptoKey,
    ttlSeconds: number,
    cachedVersion: number | undefined,
  ): Promise<KvRead> {
    const raw = await env.CONFIG.get(kvKeys.keyset(serverId));
    if (raw === null) return "absent";
    const opened = await openKeysetRecord(raw, serverId, mac);
    if (!opened.ok) {
      logRejected(serverId, "kv", opened.reason);
      return "rejected";
    }
    if (cachedVersion === undefined || opened.keyset.version > cachedVersion) {
      await toCacheApi(serverId, raw, ttlSeconds);
    }
    return { keyset: opened.keyset };
  }

  private async fromCacheApi(serverId: string, mac: CryptoKey): Promise<PublishedKeyset | undefined> {
    const cache = coloCache();
    const url = cacheUrl(serverId);
    const raw = await cache
      ?.match(url)
      .then((hit) => hit?.text())
      .catch(() => undefined);
    if (raw === undefined) return undefined;
    const opened = await openKeysetRecord(raw, serverId, mac);
    if (opened.ok) return opened.keyset;
    logRejected(serverId, "cache", opened.reason);
    // Not read again by every cold isolate of this colo; the next KV read puts a good copy back.
    await cache?.delete(url).catch(() => undefined);
    return undefined;
  }

  /**
   * Asks the server's key vault for its authenticated record, at most once per cooldown per server
   * in this isolate; the vault also puts it back in KV. Undefined when the cooldown has not passed,
   * the vault holds no server, cannot be reached, or its answer does not verify here (this isolate's
   * key-encryption key differs from the vault's).
   */
  private async recover(
    env: KeySource,
    serverId: string,
    mac: CryptoKey,
    ttlSeconds: number,
  ): Promise<PublishedKeyset | undefined> {
    const now = this.now();
    const last = this.recoveries.get(serverId);
    if (last !== undefined && now - last < KEYSET_RECOVERY_COOLDOWN_SECONDS * 1000) return undefined;
    this.recoveries.delete(serverId);
    if (this.recoveries.size >= ISOLATE_CACHE_MAX_ENTRIES) {
      const oldest = this.recoveries.keys().next();
      if (!oldest.done) this.recoveries.delete(oldest.value);
    }
    this.recoveries.set(serverId, now);
    let raw: string | undefined;
    try {
      raw = await env.KEY_VAULT.get(env.KEY_VAULT.idFromName(serverId)).republish();
    } catch (error) {
      logKeysetProblem("keyset.recovery_failed", serverId, {
        error: error instanceof Error ? error.message : "unknown",
      });
      return undefined;
    }
    if (raw === undefined) return undefined;
    const opened = await openKeysetRecord(raw, serverId, mac);
    if (!opened.ok) {
      logRejected(serverId, "vault", opened.reason);
      return undefined;
    }
    console.warn(JSON.stringify({ event: "keyset.recovered", serverId, version: opened.keyset.version }));
    await toCacheApi(serverId, raw, ttlSeconds);
    return opened.keyset;
  }

  /** The MAC key, derived once per isolate; undefined (logged) when the secret is not a valid key. */
  private async macKey(secret: string, serverId: string): Promise<CryptoKey | undefined> {
    const keys = await this.keysetKeys(secret).catch(() => undefined);
    if (!keys) logKeysetProblem("keyset.bad_key_encryption_key", serverId, {});
    return keys?.mac;
  }

  private async keysetKeys(secret: string): Promise<KeysetKeys> {
    if (this.derived?.secret !== secret) this.derived = { secret, keys: await deriveKeysetKeys(secret) };
    return this.derived.keys;
  }

  /** `serverId`: the one asked for (and authenticated), never one read from the record. */
  private async unsealKeys(
    published: PublishedKeyset,
    serverId: string,
    kekSecret: string,
  ): Promise<SealedSigningKey[]> {
    const { seal } = await this.keysetKeys(kekSecret);
    return unseal(published.sealed, seal, serverId, published.version);
  }
}

function cacheUrl(serverId: string): string {
  return `${CACHE_ORIGIN}/${encodeURIComponent(serverId)}`;
}

/** Only records that verified are stored. Best effort: a failed put only costs the next cold isolate a KV read. */
async function toCacheApi(serverId: string, raw: string, ttlSeconds: number): Promise<void> {
  await coloCache()
    ?.put(
      cacheUrl(serverId),
      new Response(raw, {
        headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${ttlSeconds}` },
      }),
    )
    .catch(() => undefined);
}

/** Structured, and never with the record's content. */
function logRejected(serverId: string, origin: KeysetOrigin, reason: KeysetRejection): void {
  console.warn(JSON.stringify({ event: "keyset.rejected", serverId, origin, reason }));
}

function logKeysetProblem(event: string, serverId: string, detail: Record<string, unknown>): void {
  console.error(JSON.stringify({ event, serverId, ...detail }));
}

function coloCache(): Cache | undefined {
  return typeof caches === "undefined" ? undefined : (caches as unknown as { default?: Cache }).default;
}
