/**
 * The two keys that protect a published keyset, derived from the key-encryption key (the
 * `KEY_ENCRYPTION_KEY` secret) with HKDF-SHA-256 under distinct labels (src/crypto/derived-keys.ts):
 * one seals the signing keys (AES-256-GCM, seal.ts), the other authenticates the whole KV record
 * (HMAC-SHA-256, keyset-record.ts). Config records and inline hook secrets have labels of their own
 * (src/config/config-record.ts, src/hooks/published-hook.ts), so no key serves two uses.
 */
import { deriveAesGcmKey, deriveHmacKey, keyEncryptionKeyMaterial } from "../crypto/derived-keys";

export interface KeysetKeys {
  seal: CryptoKey;
  mac: CryptoKey;
}

/** Labels name the record format they belong to: a new format derives new keys. */
const SEAL_INFO = "warden keyset/2 seal";
const MAC_INFO = "warden keyset/2 mac";

export async function deriveKeysetKeys(secret: string): Promise<KeysetKeys> {
  const ikm = await keyEncryptionKeyMaterial(secret);
  const [seal, mac] = await Promise.all([deriveAesGcmKey(ikm, SEAL_INFO), deriveHmacKey(ikm, MAC_INFO)]);
  return { seal, mac };
}
