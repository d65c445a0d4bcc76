/**
 * Keys derived from the key-encryption key (the `KEY_ENCRYPTION_KEY` secret) with HKDF-SHA-256
 * (RFC 5869), one label per use: sealing keysets, authenticating keyset records, authenticating
 * config records, sealing inline hook secrets. So no key serves two uses, and the secret itself is
 * never a key: HKDF reads it only as input keying material. The secret is 32 uniformly random bytes,
 * so no salt is needed (RFC 5869 §3.1).
 *
 * Here, below `config/`, because the edge's config store (config/) and the key vault (keys/) both
 * derive from it (scripts/check-layers.mjs).
 */
import { base64url } from "jose";

const encoder = new TextEncoder();

/** The secret as HKDF input keying material; throws when it is not 32 bytes of base64url. */
export async function keyEncryptionKeyMaterial(secret: string): Promise<CryptoKey> {
  const raw = base64url.decode(secret);
  if (raw.byteLength !== 32) throw new Error("KEY_ENCRYPTION_KEY must be 32 bytes, base64url-encoded");
  return crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey"]);
}

function hkdf(label: string) {
  return { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode(label) };
}

/** An HMAC-SHA-256 key (sign and verify) for `label`. */
export function deriveHmacKey(material: CryptoKey, label: string): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    hkdf(label),
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/** An AES-256-GCM key (encrypt and decrypt) for `label`. */
export function deriveAesGcmKey(material: CryptoKey, label: string): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(hkdf(label), material, { name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
}

/**
 * One derived key per isolate and secret. It holds the key, never a promise: the Workers runtime
 * binds a promise's I/O to the request that made it (src/config/isolate-cache.ts), so concurrent first
 * requests each derive and the last to finish fills it. A failed derivation is not kept.
 */
export class DerivedKeyCache {
  #held?: { secret: string; key: CryptoKey };

  constructor(private readonly derive: (material: CryptoKey) => Promise<CryptoKey>) {}

  async get(secret: string): Promise<CryptoKey> {
    const held = this.#held;
    if (held?.secret === secret) return held.key;
    const key = await this.derive(await keyEncryptionKeyMaterial(secret));
    this.#held = { secret, key };
    return key;
  }
}
