/**
 * The edge's check of a managed SSWS token (`/api/v1/api-tokens`). Admin requests are not the hot
 * path, so the check is a control-plane RPC; a positive answer is kept in isolate memory for
 * API_TOKEN_CACHE_TTL_SECONDS to spare repeated calls. Revocation therefore takes effect at once in
 * the isolate that revoked the token (it drops its entry) and within that TTL everywhere else. The
 * answer carries the token's
 * rights as the control plane computes them (recorded at creation, narrowed to what the owner holds
 * now), so a change to the owner's rights also reaches other isolates within that TTL.
 *
 * Failures are made cheap (README "Rate limits"): a value that is not the shape of a token Warden
 * issues never reaches the control plane (`isWellFormedApiToken`), and a well-formed one the control
 * plane refused is remembered for API_TOKEN_NEGATIVE_CACHE_TTL_SECONDS. That cannot delay a new
 * token: its 256-bit value was never presented before it existed. It can delay, by that TTL, a token
 * that becomes good again (its owning client re-activated).
 */
import {
  API_TOKEN_BYTES,
  API_TOKEN_CACHE_TTL_SECONDS,
  API_TOKEN_NEGATIVE_CACHE_TTL_SECONDS,
  ISOLATE_CACHE_MAX_ENTRIES,
} from "../config/defaults";
import type { Rights } from "../config/rights";
import type { VerifiedApiToken } from "../control-plane/control-plane";
import { hashSecret } from "../crypto/secrets";
import type { Env } from "../env";
import { controlPlane } from "./control-plane-client";

interface Entry {
  id: string;
  /** Null for a token created before tokens recorded rights (refused by the caller). */
  rights: Rights | null;
  /** Epoch ms: the earlier of the cache TTL and the token's own expiry. */
  until: number;
}

/** Keyed by the token's SHA-256, so the isolate holds no token value. */
const verified = new Map<string, Entry>();
/** SHA-256 of values the control plane refused → until when (epoch ms) they are refused here. */
const refused = new Map<string, number>();

/**
 * `00` and the base64url of API_TOKEN_BYTES random bytes (src/control-plane/api-token-store.ts):
 * anything else was never issued by Warden, and is refused without a Durable Object call.
 */
const API_TOKEN_SHAPE = new RegExp(`^00[A-Za-z0-9_-]{${Math.ceil((API_TOKEN_BYTES * 4) / 3)}}$`);

export function isWellFormedApiToken(value: string): boolean {
  return API_TOKEN_SHAPE.test(value);
}

/** The live managed API token with this value (its id and rights), or undefined. */
export async function checkApiToken(
  env: Env,
  token: string,
  now: number,
): Promise<Pick<VerifiedApiToken, "id" | "rights"> | undefined> {
  const key = await hashSecret(token);
  const cached = verified.get(key);
  if (cached && cached.until > now) return { id: cached.id, rights: cached.rights };
  verified.delete(key);
  const refusedUntil = refused.get(key);
  if (refusedUntil !== undefined && refusedUntil > now) return undefined;
  refused.delete(key);
  const record = await controlPlane(env).verifyApiToken(token);
  if (!record) {
    if (refused.size >= ISOLATE_CACHE_MAX_ENTRIES) refused.clear();
    refused.set(key, now + API_TOKEN_NEGATIVE_CACHE_TTL_SECONDS * 1000);
    return undefined;
  }
  const expiry = record.expiresAt ? Date.parse(record.expiresAt) : Number.POSITIVE_INFINITY;
  if (verified.size >= ISOLATE_CACHE_MAX_ENTRIES) verified.clear();
  verified.set(key, {
    id: record.id,
    rights: record.rights,
    until: Math.min(now + API_TOKEN_CACHE_TTL_SECONDS * 1000, expiry),
  });
  return { id: record.id, rights: record.rights };
}

/** Called after a revocation through this isolate: its cached acceptance ends now. */
export function forgetApiToken(id: string): void {
  for (const [key, entry] of verified) if (entry.id === id) verified.delete(key);
}
