/**
 * The two keys that protect a published keyset, derived from the key-encryption key (the
 * `KEY_ENCRYPTION_KEY` secret) with HKDF-SHA-256 (RFC 5869) under distinct labels: one seals the
 * signing keys (AES-256-GCM, seal.ts), the other authenticates the whole KV record (HMAC-SHA-256,
 * keyset-record.ts). So no key serves two uses: neither is the secret itself (which inline hooks use
 * directly, src/hooks/published-hook.ts), and HKDF reads the secret only as input keying material.
 * The secret is 32 uniformly random bytes, so no salt is needed (RFC 5869 §3.1).
 */
import { base64url } from "jose";

export interface KeysetKeys {
  seal: CryptoKey;
  mac: CryptoKey;
}

const encoder = new TextEncoder();

/** Labels name the record format they belong to: a new format derives new keys. */
const SEAL_INFO = "warden keyset/2 seal";
const MAC_INFO = "warden keyset/2 mac";

export async function deriveKeysetKeys(secret: string): Promise<KeysetKeys> {
  const raw = base64url.decode(secret);
  if (raw.byteLength !== 32) throw new Error("KEY_ENCRYPTION_KEY must be 32 bytes, base64url-encoded");
  const ikm = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey"]);
  const hkdf = (info: string) => ({
    name: "HKDF",
    hash: "SHA-256",
    salt: new Uint8Array(0),
    info: encoder.encode(info),
  });
  const [seal, mac] = await Promise.all([
    crypto.subtle.deriveKey(hkdf(SEAL_INFO), ikm, { name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]),
    crypto.subtle.deriveKey(hkdf(MAC_INFO), ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, [
      "sign",
      "verify",
    ]),
  ]);
  return { seal, mac };
}
