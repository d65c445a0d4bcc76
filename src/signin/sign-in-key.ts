/**
 * The key that seals pending sign-ins (src/signin/transaction.ts): HMAC-SHA-256 under its own HKDF
 * label, so it serves no other use of the key-encryption key (src/crypto/derived-keys.ts).
 */
import { DerivedKeyCache, deriveHmacKey } from "../crypto/derived-keys";

export const SIGN_IN_KEY_LABEL = "warden sign-in transaction mac v1";

export function signInKeyCache(): DerivedKeyCache {
  return new DerivedKeyCache((material) => deriveHmacKey(material, SIGN_IN_KEY_LABEL));
}
