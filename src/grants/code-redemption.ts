/**
 * What one redemption of an authorization code does to its grant, pure: the Grant Durable Object
 * (src/grants/grant-object.ts) runs it inside one storage transaction, and in-memory ports (the unit
 * tier) run the same rules. Secrets arrive already hashed, so the step itself never awaits.
 */
import { base64url } from "jose";
import { AUTHORIZATION_CODE_MAX_REFUSALS, REDEEMED_GRANT_RETENTION_SECONDS } from "../config/defaults";
import { timingSafeEqual } from "../crypto/secrets";
import type { AuthorizedRequest, CodePresentation, CodeRedemption } from "./grant-port";

/** CODE: issued, not redeemed; ACTIVE: redeemed, its tokens stand; REVOKED: nothing it issued stands. */
export type GrantStatus = "CODE" | "ACTIVE" | "REVOKED";

export interface GrantState {
  request: AuthorizedRequest;
  /** base64url SHA-256 of the code's secret; the secret itself is never stored (DESIGN §8). */
  codeHash: string;
  /** Epoch ms. */
  codeExpiresAt: number;
  /** Presentations with the right secret refused so far (AUTHORIZATION_CODE_MAX_REFUSALS). */
  refusals: number;
  status: GrantStatus;
  /** Epoch ms: when the grant may be forgotten (nothing it issued is usable after). */
  expiresAt: number;
}

/** A presentation as the grant sees it: the code's secret and the verifier hashed. */
export interface HashedPresentation extends Omit<CodePresentation, "codeVerifier"> {
  codeHash: string;
  /** base64url(SHA-256(code_verifier)): the S256 challenge it answers (RFC 7636 §4.6). */
  verifierChallenge: string | undefined;
}

/** A redemption as the grant sees it; the port adds the grant's id, which the object does not know. */
export type ObjectRedemption =
  | { ok: true; request: AuthorizedRequest }
  | Extract<CodeRedemption, { ok: false }>;

const INVALID: ObjectRedemption = { ok: false, reason: "invalid" };

/**
 * The outcome, and the grant's next state when it changes (undefined: unchanged). RFC 6749 §4.1.2:
 * a code is used once; a second use revokes the grant and so every token issued from it.
 */
export function redeemCode(
  state: GrantState | undefined,
  presented: HashedPresentation,
  nowMs: number,
): { outcome: ObjectRedemption; next?: GrantState } {
  // Only the holder of the code's secret can redeem or replay it: the grant id alone (it is in every
  // access token's `jti`) must never let a stranger revoke someone's grant.
  if (!state || !sameHash(state.codeHash, presented.codeHash)) return { outcome: INVALID };
  switch (state.status) {
    case "REVOKED":
      return { outcome: INVALID };
    case "ACTIVE":
      return { outcome: INVALID, next: { ...state, status: "REVOKED" } };
    case "CODE":
      break;
  }
  if (nowMs >= state.codeExpiresAt) return { outcome: INVALID };
  const refusal = refusalOf(state.request, presented);
  if (refusal) {
    const refusals = state.refusals + 1;
    const status = refusals >= AUTHORIZATION_CODE_MAX_REFUSALS ? "REVOKED" : "CODE";
    return { outcome: { ok: false, reason: refusal }, next: { ...state, refusals, status } };
  }
  return {
    outcome: { ok: true, request: state.request },
    next: { ...state, status: "ACTIVE", expiresAt: nowMs + REDEEMED_GRANT_RETENTION_SECONDS * 1000 },
  };
}

/**
 * Why a presentation with the right secret is refused, in RFC 6749 §4.1.3's order: the code must be
 * this server's and this client's (else it is as good as unknown to the caller), the redirect URI
 * exactly the authorization request's, and the verifier must answer the S256 challenge (RFC 7636
 * §4.6). A verifier for a code issued without a challenge is refused too: accepting it would let a
 * client believe PKCE protected a code it did not (the downgrade OAuth 2.1 §4.1.3 closes).
 */
function refusalOf(
  request: AuthorizedRequest,
  presented: HashedPresentation,
): "invalid" | "redirect_uri_mismatch" | "pkce_failed" | undefined {
  if (request.serverId !== presented.serverId || request.clientId !== presented.clientId) return "invalid";
  if (request.redirectUri !== presented.redirectUri) return "redirect_uri_mismatch";
  if (request.codeChallenge === undefined) {
    return presented.verifierChallenge === undefined ? undefined : "pkce_failed";
  }
  if (presented.verifierChallenge === undefined) return "pkce_failed";
  return sameHash(request.codeChallenge, presented.verifierChallenge) ? undefined : "pkce_failed";
}

/** Whether a grant's tokens stand at `nowMs`. */
export function grantStands(state: GrantState | undefined, nowMs: number): boolean {
  return state?.status === "ACTIVE" && nowMs < state.expiresAt;
}

/** Constant-time comparison of two base64url digests; a malformed one matches nothing. */
function sameHash(a: string, b: string): boolean {
  try {
    return timingSafeEqual(base64url.decode(a), base64url.decode(b));
  } catch {
    return false;
  }
}
