/**
 * The edge's keys: the published keyset read from KV through the isolate cache, its signing keys
 * unsealed and imported once per isolate. The signing key is chosen by time at every request, so the
 * scheduled ACTIVE → NEXT switch happens everywhere at the same instant with no coordination.
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
import { type PublishedKeyset, selectSigningKey } from "./keyset";
import { importKeyEncryptionKey, unseal } from "./seal";

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  activatesAt: number;
  key: CryptoKey;
}

interface LoadedKeyset {
  published: PublishedKeyset;
  /** Unsealed on first use: JWKS requests never pay for it. */
  signing?: Promise<SigningKey[]>;
}

export class KeyStore {
  private readonly keysets: IsolateCache<LoadedKeyset>;
  private kek?: { secret: string; key: Promise<CryptoKey> };

  constructor(now?: () => number) {
    this.keysets = new IsolateCache({
      ttlMs: KEYSET_CACHE_TTL_SECONDS * 1000,
      negativeTtlMs: NEGATIVE_CACHE_TTL_SECONDS * 1000,
      maxEntries: ISOLATE_CACHE_MAX_ENTRIES,
      ...(now ? { now } : {}),
    });
  }

  async published(kv: KVNamespace, serverId: string): Promise<PublishedKeyset | undefined> {
    return (await this.load(kv, serverId))?.published;
  }

  /** The key that signs at `now` (epoch seconds), or undefined when the server has none yet. */
  async signingKey(
    kv: KVNamespace,
    kekSecret: string,
    serverId: string,
    now: number,
  ): Promise<SigningKey | undefined> {
    const loaded = await this.load(kv, serverId);
    if (!loaded) return undefined;
    if (!loaded.signing) {
      // A failed unseal (wrong key-encryption key, corrupt blob) must not stick for the cache TTL.
      const signing = this.importSigningKeys(loaded.published, kekSecret);
      loaded.signing = signing;
      signing.catch(() => {
        if (loaded.signing === signing) loaded.signing = undefined;
      });
    }
    return selectSigningKey(await loaded.signing, now);
  }

  private load(kv: KVNamespace, serverId: string): Promise<LoadedKeyset | undefined> {
    return this.keysets.get(serverId, async () => {
      const published = await kv.get<PublishedKeyset>(kvKeys.keyset(serverId), "json");
      return published ? { published } : undefined;
    });
  }

  private async importSigningKeys(published: PublishedKeyset, kekSecret: string): Promise<SigningKey[]> {
    if (this.kek?.secret !== kekSecret)
      this.kek = { secret: kekSecret, key: importKeyEncryptionKey(kekSecret) };
    const sealed = await unseal(published.sealed, await this.kek.key, published.serverId, published.version);
    return Promise.all(
      sealed.map(async (k) => ({
        kid: k.kid,
        alg: k.alg,
        activatesAt: k.activatesAt,
        key: (await importJWK(k.privateJwk, k.alg)) as CryptoKey,
      })),
    );
  }
}
