/**
 * The keyset an authorization server's key vault publishes to KV: the public JWKS plus the signing
 * keys sealed under the key-encryption key. Edges pick the signing key by time from what they hold,
 * so a scheduled switch from ACTIVE to NEXT needs no coordination (DESIGN §5).
 */
import type { JWK } from "jose";
import type { SigningAlg } from "../config/schemas";
import type { RotationSchedule, ScheduledKey } from "./schedule";

/** A signing key as edges need it: when it starts signing, and its private JWK. */
export interface SealedSigningKey {
  kid: string;
  alg: SigningAlg;
  /** Epoch seconds from which this key signs; null while a MANUAL NEXT key waits for keyRotate. */
  activatesAt: number | null;
  /** Creation order, which breaks a tie between keys activated in the same second. */
  sequence: number;
  privateJwk: JWK;
}

/** What `keyset/{serverId}` in KV holds. */
export interface PublishedKeyset {
  serverId: string;
  /** Increases with every publication; part of the sealing AAD so old blobs cannot be replayed under a new version. */
  version: number;
  publishedAt: number;
  /** The schedule and every live key's dates: edges derive JWKS cache lifetimes from them. */
  schedule: RotationSchedule;
  keys: ScheduledKey[];
  /** Public keys only: NEXT, ACTIVE and retained EXPIRED. */
  jwks: { keys: JWK[] };
  sealed: { iv: string; ciphertext: string };
}

/** Edges choose the signing key exactly as the vault does. */
export { activeKey as selectSigningKey } from "./schedule";

/** RFC 7517 public members per key type; anything else (d, p, q, dp, dq, qi, oth, k) never leaves the vault. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ["kty", "n", "e"],
  EC: ["kty", "crv", "x", "y"],
  OKP: ["kty", "crv", "x"],
};

export function publicJwk(jwk: JWK, kid: string, alg: SigningAlg): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ""];
  if (!members) throw new Error(`unsupported key type ${jwk.kty}`);
  const source = jwk as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const m of members) if (source[m] !== undefined) out[m] = source[m];
  return { ...(out as JWK), alg, kid, use: "sig" };
}
