/**
 * Finding the access token in a request (RFC 6750 §2). Only the `Authorization` header is accepted
 * (§2.1); a token in the query string (§2.3) is refused rather than ignored, since it has already
 * leaked into logs and the client should learn that. The form-body method (§2.2) is not read: an API
 * middleware must not consume request bodies.
 */
import type { RequestFailureReason } from "./errors";

export type BearerExtraction =
  | { ok: true; token: string }
  | { ok: false; reason: "missing_token" | RequestFailureReason };

/** RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
const CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME = /^Bearer(?: |$)/i;

export function extractBearer(request: Request): BearerExtraction {
  const inQuery = new URL(request.url).searchParams.has("access_token");
  const authorization = request.headers.get("authorization");

  // Several Authorization fields arrive joined by commas (RFC 9110 §5.3); commas cannot occur in a
  // b64token, so a comma next to a Bearer credential means more than one credential was sent.
  const credentials = authorization?.split(",").map((c) => c.trim()) ?? [];
  const bearers = credentials.filter((c) => SCHEME.test(c));
  if (bearers.length > 0 && (credentials.length > 1 || inQuery))
    return { ok: false, reason: "multiple_methods" };
  if (inQuery) return { ok: false, reason: "token_in_query" };

  const [bearer] = bearers;
  // No Bearer credentials (no header, or another scheme such as Basic): RFC 6750 §3.1's "lacks any
  // authentication information".
  if (bearer === undefined) return { ok: false, reason: "missing_token" };
  const match = CREDENTIALS.exec(bearer);
  if (!match?.[1]) return { ok: false, reason: "invalid_authorization_header" };
  return { ok: true, token: match[1] };
}
