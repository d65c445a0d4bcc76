/**
 * RFC 6750 §3: how each failure reason is answered — status, error code and a description fit for
 * developers. The exhaustive switch means a new reason cannot ship without a deliberate answer.
 */
import type { AuthFailureReason } from "./errors";

/**
 * RFC 6750 §3.1 codes, plus RFC 6749's `temporarily_unavailable` for the one failure that is ours, not the token's.
 *
 * @example
 * ```ts
 * import { type BearerErrorCode, bearerError } from "warden/verify";
 *
 * const code: BearerErrorCode | undefined = bearerError("bad_signature").error; // "invalid_token"
 * ```
 */
export type BearerErrorCode =
  | "invalid_request"
  | "invalid_token"
  | "insufficient_scope"
  | "temporarily_unavailable";

/**
 * How one refusal is answered (RFC 6750 §3): status, error code, and a description fit for developers.
 *
 * @example
 * ```ts
 * import { type BearerError, bearerError } from "warden/verify";
 *
 * // The same answer in another body format, e.g. RFC 9457 problem details.
 * export function problem(answer: BearerError): Response {
 *   const body = { title: answer.error ?? "unauthorized", detail: answer.description, status: answer.status };
 *   return Response.json(body, {
 *     status: answer.status,
 *     headers: { "Content-Type": "application/problem+json" },
 *   });
 * }
 * problem(bearerError("insufficient_scope")); // 403
 * ```
 */
export interface BearerError {
  status: 400 | 401 | 403 | 503;
  /** Absent only for a request without any token (RFC 6750 §3.1). */
  error?: BearerErrorCode;
  description: string;
}

/**
 * The RFC 6750 §3 answer to a refusal reason; {@link bearerErrorResponse} turns it into a Response.
 *
 * @example
 * ```ts
 * import { bearerError } from "warden/verify";
 *
 * const { status, error, description } = bearerError("expired");
 * // 401, "invalid_token", "The access token expired."
 * ```
 */
export function bearerError(reason: AuthFailureReason): BearerError {
  const invalidToken = (description: string): BearerError => ({
    status: 401,
    error: "invalid_token",
    description,
  });
  const invalidRequest = (description: string): BearerError => ({
    status: 400,
    error: "invalid_request",
    description,
  });
  switch (reason) {
    case "missing_token":
      // §3.1: "If the request lacks any authentication information … the resource server SHOULD NOT
      // include an error code or other error information."
      return { status: 401, description: "An access token is required: send Authorization: Bearer <token>." };
    case "malformed":
      return invalidToken("The access token is malformed.");
    case "alg_not_allowed":
      return invalidToken("The access token is signed with an algorithm this API does not accept.");
    case "key_material_in_header":
      return invalidToken(
        "The access token header carries key material or a key URL, which this API never uses.",
      );
    case "unknown_kid":
      return invalidToken("The access token is signed by a key the issuer does not publish.");
    case "bad_signature":
      return invalidToken("The access token signature is invalid.");
    case "issuer_mismatch":
      return invalidToken("The access token was issued by another authorization server.");
    case "audience_mismatch":
      return invalidToken("The access token is not intended for this API.");
    case "expired":
      return invalidToken("The access token expired.");
    case "not_yet_valid":
      return invalidToken("The access token is not valid yet.");
    case "issued_in_future":
      return invalidToken("The access token is issued in the future.");
    case "wrong_token_type":
      return invalidToken("The token is not an access token.");
    case "missing_claim":
      return invalidToken("The access token lacks a required claim.");
    case "invalid_claim":
      return invalidToken("The access token has a claim of the wrong type.");
    case "jwks_unavailable":
      // The token may well be valid: a 401 would make the client discard it and hammer the token
      // endpoint. 503 tells it to retry the same request later (RFC 9110 §15.6.4).
      return {
        status: 503,
        error: "temporarily_unavailable",
        description: "Access tokens cannot be verified right now; retry later.",
      };
    case "token_in_query":
      // §2.3 permits the query parameter but §5.3 advises against it; refusing it keeps tokens out of logs.
      return invalidRequest(
        "Access tokens are not accepted in the query string; use the Authorization header.",
      );
    case "multiple_methods":
      return invalidRequest("The request sends an access token more than once or by more than one method.");
    case "invalid_authorization_header":
      return invalidRequest("The Authorization header is not of the form Bearer <token>.");
    case "insufficient_scope":
      return {
        status: 403,
        error: "insufficient_scope",
        description: "The access token lacks a scope this request requires.",
      };
  }
}

/**
 * The `WWW-Authenticate` value (RFC 6750 §3). Attribute values are quoted-strings restricted to
 * %x20-21 / %x23-5B / %x5D-7E; anything else is replaced, so no value can break out of its quotes.
 */
export function bearerChallenge(params: {
  realm?: string | undefined;
  error?: BearerErrorCode | undefined;
  description?: string | undefined;
  scope?: readonly string[] | undefined;
}): string {
  const attrs: string[] = [];
  if (params.realm !== undefined) attrs.push(`realm="${quotable(params.realm)}"`);
  if (params.error !== undefined) attrs.push(`error="${params.error}"`);
  if (params.description !== undefined) attrs.push(`error_description="${quotable(params.description)}"`);
  if (params.scope !== undefined && params.scope.length > 0)
    attrs.push(`scope="${quotable(params.scope.join(" "))}"`);
  return attrs.length > 0 ? `Bearer ${attrs.join(", ")}` : "Bearer";
}

function quotable(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "?");
}
