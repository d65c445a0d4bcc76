/**
 * The user-code index of device authorization (RFC 8628 §3.3) in D1 (migrations/0006_device_codes.sql):
 * the one lookup the device flow needs, from the code a person types on `/activate` to the Grant
 * Durable Object that holds the device grant. The grant itself decides everything (pending, decided,
 * expired); a row here only points at it, and a stale row points at a grant that says "no".
 *
 * Codes are stored as HMAC-SHA-256 under a key derived from the key-encryption key (HKDF label
 * USER_CODE_KEY_LABEL), not as plain SHA-256: a code has only ~34.6 bits, so an unkeyed digest would
 * be reversed by enumeration from a copy of the table.
 */
import { base64url } from "jose";
import { DEVICE_USER_CODE_SWEEP } from "../config/defaults";
import { DerivedKeyCache, deriveHmacKey } from "../crypto/derived-keys";

export const USER_CODE_KEY_LABEL = "warden device user code v1";

export interface UserCodeIndex {
  /**
   * Points `userCode` (canonical, src/grants/device-authorization.ts) at `grantId` until `expiresAt`.
   * False when a live grant holds the code already: the caller draws another.
   */
  register(userCode: string, grantId: string, expiresAt: number, nowMs: number): Promise<boolean>;
  /** The grant a live `userCode` points at. */
  find(userCode: string, nowMs: number): Promise<string | undefined>;
  /** Forgets `userCode`: a code is single use (RFC 8628 §3.3 "the user code ... once"). */
  forget(userCode: string): Promise<void>;
}

export function userCodeKeyCache(): DerivedKeyCache {
  return new DerivedKeyCache((material) => deriveHmacKey(material, USER_CODE_KEY_LABEL));
}

const encoder = new TextEncoder();

async function codeHash(key: CryptoKey, userCode: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(userCode))));
}

export function d1UserCodes(db: D1Database, key: () => Promise<CryptoKey>): UserCodeIndex {
  return {
    async register(userCode, grantId, expiresAt, nowMs) {
      const hash = await codeHash(await key(), userCode);
      // An expired row under the same code is taken over; a live one is not (`changes` stays 0).
      // A few expired rows go with each new one, so the table needs no scheduled sweep.
      const [insert] = await db.batch([
        db
          .prepare(
            `INSERT INTO device_user_codes (code_hash, grant_id, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (code_hash) DO UPDATE SET grant_id = excluded.grant_id, expires_at = excluded.expires_at
             WHERE device_user_codes.expires_at <= ?4`,
          )
          .bind(hash, grantId, expiresAt, nowMs),
        db
          .prepare(
            `DELETE FROM device_user_codes WHERE code_hash IN
             (SELECT code_hash FROM device_user_codes WHERE expires_at <= ?1 LIMIT ?2)`,
          )
          .bind(nowMs, DEVICE_USER_CODE_SWEEP),
      ]);
      return (insert?.meta.changes ?? 0) === 1;
    },
    async find(userCode, nowMs) {
      const row = await db
        .prepare("SELECT grant_id FROM device_user_codes WHERE code_hash = ?1 AND expires_at > ?2")
        .bind(await codeHash(await key(), userCode), nowMs)
        .first<{ grant_id: string }>();
      return row?.grant_id;
    },
    async forget(userCode) {
      await db
        .prepare("DELETE FROM device_user_codes WHERE code_hash = ?1")
        .bind(await codeHash(await key(), userCode))
        .run();
    },
  };
}
