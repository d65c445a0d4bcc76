/**
 * The edge's check of a managed SSWS token (`/api/v1/api-tokens`). Admin requests are not the hot
 * path, so the check is a control-plane RPC; a positive answer is kept in isolate memory for
 * API_TOKEN_CACHE_TTL_SECONDS to spare repeated calls. Revocation therefore takes effect at once in
 * the isolate that revoked the token (it drops its entry and those of every token minted from it)
 * and, through the revocation pulse, within REVOCATION_BOUND_SECONDS everywhere else: a cached
 * acceptance is used only while no token of its chain, nor the client at its root, shows as revoked
 * in the pulse (README "Rights never grow"). The answer carries the token's rights as the control
 * plane computes them (recorded at creation, narrowed to what the owner holds now), so any other
 * change to the owner's rights reaches other isolates within the TTL.
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
import type { RevocationView } from "../config/revocation-pulse";
import type { Rights } from "../config/rights";
import type { Deps } from "../context";
import type { VerifiedApiToken } from "../control-plane/control-plane";
import { hashSecret } from "../crypto/secrets";
import type { Env } from "../env";
import { controlPlane } from "./control-plane-client";

interface Entry {
  id: string;
  /** Null for a token created before tokens recorded rights (refused by the caller). */
  rights: Rights | null;
  /** Epoch ms: the earlier of the cache TTL and the earliest expiry along the token's chain. */
  until: number;
  /** The token's id and those of the tokens it was minted from; the client at the chain's root. */
  dependsOn: VerifiedApiToken["dependsOn"];
}

/** What a cached acceptance is checked against: the revocation pulse this isolate holds. */
export type ApiTokenRevocations = Pick<RevocationView, "isRevoked" | "keepFresh">;

/**
 * One isolate's verdicts. An acceptance depends on every token of the chain the token was minted
 * from and on the client at its root: it is dropped when any of them is revoked here (`forget`) or
 * shows as revoked in the pulse (revoked elsewhere: within REVOCATION_BOUND_SECONDS), and then the
 * control plane is asked again.
 */
export class ApiTokenCache {
  /** Keyed by the token's SHA-256, so the isolate holds no token value. */
  readonly #verified = new Map<string, Entry>();
  /** SHA-256 of values the control plane refused → until when (epoch ms) they are refused here. */
  readonly #refused = new Map<string, number>();

  /** The live managed API token with this value (its id and rights), or undefined. */
  async check(
    env: Env,
    token: string,
    now: number,
    revocations: ApiTokenRevocations,
    waitUntil: (task: Promise<unknown>) => void,
  ): Promise<Pick<VerifiedApiToken, "id" | "rights"> | undefined> {
    const key = await hashSecret(token);
    const cached = this.#verified.get(key);
    if (cached && cached.until > now) {
      // Only a cached acceptance needs the pulse: a control-plane answer is authoritative already.
      await revocations.keepFresh(waitUntil);
      if (!revokedIn(revocations, cached.dependsOn)) return { id: cached.id, rights: cached.rights };
    }
    this.#verified.delete(key);
    const refusedUntil = this.#refused.get(key);
    if (refusedUntil !== undefined && refusedUntil > now) return undefined;
    this.#refused.delete(key);
    const record = await controlPlane(env).verifyApiToken(token);
    if (!record) {
      if (this.#refused.size >= ISOLATE_CACHE_MAX_ENTRIES) this.#refused.clear();
      this.#refused.set(key, now + API_TOKEN_NEGATIVE_CACHE_TTL_SECONDS * 1000);
      return undefined;
    }
    const expiry = record.expiresAt ? Date.parse(record.expiresAt) : Number.POSITIVE_INFINITY;
    if (this.#verified.size >= ISOLATE_CACHE_MAX_ENTRIES) this.#verified.clear();
    this.#verified.set(key, {
      id: record.id,
      rights: record.rights,
      until: Math.min(now + API_TOKEN_CACHE_TTL_SECONDS * 1000, expiry),
      dependsOn: record.dependsOn,
    });
    return { id: record.id, rights: record.rights };
  }

  /**
   * Called after a revocation through this isolate: the acceptance of that token, and of every token
   * minted from it (directly or further down), ends now.
   */
  forget(id: string): void {
    for (const [key, entry] of this.#verified) {
      if (entry.dependsOn.apiTokens.includes(id)) this.#verified.delete(key);
    }
  }
}

function revokedIn(revocations: ApiTokenRevocations, dependsOn: Entry["dependsOn"]): boolean {
  if (dependsOn.client !== undefined && revocations.isRevoked("client", dependsOn.client)) return true;
  return dependsOn.apiTokens.some((id) => revocations.isRevoked("apiToken", id));
}

/**
 * `00` and the base64url of API_TOKEN_BYTES random bytes (src/control-plane/api-token-store.ts):
 * anything else was never issued by Warden, and is refused without a Durable Object call.
 */
const API_TOKEN_SHAPE = new RegExp(`^00[A-Za-z0-9_-]{${Math.ceil((API_TOKEN_BYTES * 4) / 3)}}$`);

export function isWellFormedApiToken(value: string): boolean {
  return API_TOKEN_SHAPE.test(value);
}

/** One cache per isolate: `Deps` is created once per isolate (a test's fresh app is a new one). */
const caches = new WeakMap<Deps, ApiTokenCache>();

export function apiTokenCache(deps: Deps): ApiTokenCache {
  let cache = caches.get(deps);
  if (!cache) {
    cache = new ApiTokenCache();
    caches.set(deps, cache);
  }
  return cache;
}
