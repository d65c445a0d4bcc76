/**
 * The verifier's failure vocabulary: closed string unions, so every consumer (the RFC 6750 mapping,
 * an app's `onError`) handles each reason in an exhaustive `switch`.
 */

/**
 * Why `verify()` refused a token.
 *
 * @example
 * ```ts
 * import type { VerifyFailureReason } from "warden/verify";
 *
 * // Whether a client should get a new token rather than retry with the one it has.
 * export function needsNewToken(reason: VerifyFailureReason): boolean {
 *   switch (reason) {
 *     case "jwks_unavailable":
 *       return false; // ours, not the token's: retry later
 *     default:
 *       return true;
 *   }
 * }
 * ```
 */
export type VerifyFailureReason =
  /** No token at all (RFC 6750 §3.1: answered without an error code). */
  | "missing_token"
  /** Not a compact JWS with a JSON header and JSON-object claims (RFC 7519 §7.2 steps 1–10). */
  | "malformed"
  /** `alg` outside the allow-list, or not the algorithm the key is bound to (RFC 8725 §3.1). */
  | "alg_not_allowed"
  /** The header carries `jwk`, `jku`, `x5u` or `x5c`: key material is never taken from a token (RFC 8725 §3.10). */
  | "key_material_in_header"
  /** No key with the token's `kid` in the issuer's JWKS, even after a refetch (or the refetch is cooling down). */
  | "unknown_kid"
  | "bad_signature"
  | "issuer_mismatch"
  | "audience_mismatch"
  | "expired"
  | "not_yet_valid"
  | "issued_in_future"
  /** Not an access token: wrong `typ` (RFC 9068 §4, RFC 8725 §3.11) or an ID token's claims. */
  | "wrong_token_type"
  | "missing_claim"
  /** A claim is present with the wrong JSON type (e.g. `exp` as a string, `scp` not an array). */
  | "invalid_claim"
  /** The issuer's JWKS could not be obtained and no usable copy is held: not the token's fault. */
  | "jwks_unavailable";

/**
 * Why the middleware refused the request before (or instead of) verifying a token (RFC 6750 §2).
 *
 * @example
 * ```ts
 * import type { AuthFailure, RequestFailureReason } from "warden/verify";
 *
 * const REQUEST_FAILURES: readonly string[] = [
 *   "token_in_query",
 *   "multiple_methods",
 *   "invalid_authorization_header",
 * ] satisfies RequestFailureReason[];
 *
 * // A refusal about how the token was sent, not about the token itself.
 * export const isRequestFailure = (failure: AuthFailure) => REQUEST_FAILURES.includes(failure.reason);
 * ```
 */
export type RequestFailureReason =
  /** RFC 6750 §2.3 tokens in the URI leak into logs and history; Warden's APIs refuse them. */
  | "token_in_query"
  /** RFC 6750 §3.1: more than one method (or more than one token) used to send the token. */
  | "multiple_methods"
  /** An `Authorization: Bearer` header that is not `Bearer <b64token>` (RFC 6750 §2.1). */
  | "invalid_authorization_header";

/**
 * Every reason an app can see from the middleware and the scope guard.
 *
 * @example
 * ```ts
 * import { type AuthFailureReason, bearerError } from "warden/verify";
 *
 * export const statusOf = (reason: AuthFailureReason) => bearerError(reason).status;
 * statusOf("insufficient_scope"); // 403
 * statusOf("expired"); // 401
 * ```
 */
export type AuthFailureReason = VerifyFailureReason | RequestFailureReason | "insufficient_scope";

/**
 * What `verify()` rejects with: a typed `reason` for code, the detail in `message` for logs.
 *
 * @example
 * ```ts
 * import { createVerifier, TokenVerificationError } from "warden/verify";
 *
 * const verifier = createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 * });
 *
 * export async function isValid(jwt: string): Promise<boolean> {
 *   try {
 *     await verifier.verify(jwt);
 *     return true;
 *   } catch (error) {
 *     if (!(error instanceof TokenVerificationError)) throw error;
 *     console.info(error.reason, error.message); // the message carries internal detail: log it, never send it
 *     return false;
 *   }
 * }
 * ```
 */
export class TokenVerificationError extends Error {
  override readonly name = "TokenVerificationError";

  constructor(
    readonly reason: VerifyFailureReason,
    /** Internal detail for logs; never sent to the client (DESIGN §8). */
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
  }
}

/**
 * A refused request as the app sees it: the typed reason, and for scope failures the scopes required.
 *
 * @example
 * ```ts
 * import { type AuthFailure, wardenAuth } from "warden/verify";
 *
 * function logRefusal(failure: AuthFailure): undefined {
 *   const { reason, requiredScopes, error } = failure;
 *   console.warn(JSON.stringify({ reason, requiredScopes, detail: error?.message }));
 *   return undefined; // the RFC 6750 answer
 * }
 * export const auth = wardenAuth({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 *   onError: logRefusal,
 * });
 * ```
 */
export interface AuthFailure {
  reason: AuthFailureReason;
  /** For `insufficient_scope`: every scope the route requires (RFC 6750 §3 `scope`). */
  requiredScopes?: readonly string[];
  /** For token failures: the error `verify()` threw, with its internal detail for logging. */
  error?: TokenVerificationError;
}
