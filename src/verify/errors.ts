/**
 * The verifier's failure vocabulary: closed string unions, so every consumer (the RFC 6750 mapping,
 * an app's `onError`) handles each reason in an exhaustive `switch`.
 */

/** Why `verify()` refused a token. */
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

/** Why the middleware refused the request before (or instead of) verifying a token (RFC 6750 §2). */
export type RequestFailureReason =
  /** RFC 6750 §2.3 tokens in the URI leak into logs and history; Warden's APIs refuse them. */
  | "token_in_query"
  /** RFC 6750 §3.1: more than one method (or more than one token) used to send the token. */
  | "multiple_methods"
  /** An `Authorization: Bearer` header that is not `Bearer <b64token>` (RFC 6750 §2.1). */
  | "invalid_authorization_header";

/** Every reason an app can see from the middleware and the scope guard. */
export type AuthFailureReason = VerifyFailureReason | RequestFailureReason | "insufficient_scope";

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

/** A refused request as the app sees it: the typed reason, and for scope failures the scopes required. */
export interface AuthFailure {
  reason: AuthFailureReason;
  /** For `insufficient_scope`: every scope the route requires (RFC 6750 §3 `scope`). */
  requiredScopes?: readonly string[];
  /** For token failures: the error `verify()` threw, with its internal detail for logging. */
  error?: TokenVerificationError;
}
