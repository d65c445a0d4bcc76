/**
 * One error vocabulary per surface: OAuthError for the protocol endpoints (RFC 6749 §5.2), ApiError
 * for everything in Okta's error shape. Each has exactly one serializer; internal reasons never
 * reach the wire.
 */

import type { TraceEntry } from "./policy/trace";

/** RFC 6749 §5.2 error codes, plus the §4.1.2.1 codes a token endpoint can share. */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "access_denied"
  | "server_error"
  | "temporarily_unavailable"
  // RFC 8628 §3.5: the device access token response's own codes.
  | "authorization_pending"
  | "slow_down"
  | "expired_token";

/** HTTP status per code; a Record over the union, so a new code cannot be forgotten here. */
const OAUTH_ERROR_STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  // RFC 6749 §5.2 requires 401 when the client tried HTTP Basic and allows it otherwise; Okta answers
  // 401 either way, and so does Warden.
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  // Okta answers a policy denial on the token endpoint with 400, as RFC 6749 §5.2 asks.
  access_denied: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  // RFC 8628 §3.5: errors of the token response (RFC 6749 §5.2), so 400.
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
};

export interface OAuthErrorOptions {
  /** Why policy evaluation denied: for the audit log and Token Preview, never for the wire. */
  trace?: readonly TraceEntry[];
  /**
   * A status the code's own does not cover: 405 for a method the endpoint does not support
   * (RFC 9110 §15.5.6), still in the endpoint's error shape; 429 for a rate limit (RFC 6585 §4).
   */
  status?: 405 | 429;
  /** Headers the status needs beside the body, e.g. `Retry-After` and `X-Rate-Limit-*` on a 429. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * The longest `error_description` Warden sends: a sentence or two. A bound on the wire format, not a
 * tunable default, so it lives here beside the one sanitiser (src/config sits above this layer).
 */
export const ERROR_DESCRIPTION_MAX_LENGTH = 512;

/** The longest piece of request input echoed in a description (`echo`): enough to recognise it. */
export const ECHO_MAX_LENGTH = 64;

/** How a cut is marked: ASCII, since U+2026 is outside the RFC 6749 §5.2 set. */
const ELLIPSIS = "...";

/**
 * RFC 6749 §5.2: `error_description` is restricted to %x20-21 / %x23-5B / %x5D-7E. Every
 * description goes through here (OAuthError's constructor): double quotes become apostrophes,
 * backslashes slashes, every other code point outside the set one `?` — so CR/LF, U+202E (right-to-
 * left override) or a control character in echoed input never reaches a client, a log line or a
 * header — and the whole is bounded.
 */
export function errorDescription(text: string, maxLength = ERROR_DESCRIPTION_MAX_LENGTH): string {
  const mapped = text
    .replaceAll('"', "'")
    .replaceAll("\\", "/")
    .replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/gu, "?");
  return truncate(mapped, maxLength);
}

/**
 * A value from the request (a grant type, a parameter name, a scope) as a description quotes it:
 * at most `ECHO_MAX_LENGTH` characters, a longer one cut with an ellipsis. The character set is the
 * constructor's job.
 */
export function echo(value: string): string {
  return truncate(value, ECHO_MAX_LENGTH);
}

/** Values from the request as a space-separated list: each echoed, at most `maxItems` of them. */
export function echoList(values: readonly string[], maxItems = 10): string {
  const shown = values.slice(0, maxItems).map(echo);
  return values.length > maxItems ? `${shown.join(" ")} ${ELLIPSIS}` : shown.join(" ");
}

function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  // Code points, not UTF-16 units: a cut never leaves half a surrogate pair behind.
  const points = Array.from(text);
  if (points.length <= maxLength) return text;
  return points.slice(0, maxLength - ELLIPSIS.length).join("") + ELLIPSIS;
}

export class OAuthError extends Error {
  /** Why policy evaluation denied: for the audit log and Token Preview, never for the wire. */
  readonly trace: readonly TraceEntry[] | undefined;
  /** The RFC 6749 §5.2 `error_description`, already in its character set and bounded. */
  readonly description: string;
  readonly #status: number | undefined;
  readonly #headers: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly code: OAuthErrorCode,
    description: string,
    options: OAuthErrorOptions = {},
  ) {
    const safe = errorDescription(description);
    super(safe);
    this.description = safe;
    this.trace = options.trace;
    this.#status = options.status;
    this.#headers = options.headers;
  }

  get status(): number {
    return this.#status ?? OAUTH_ERROR_STATUS[this.code];
  }

  /**
   * The RFC 6749 §5.2 error response; §5.1 forbids caching any token endpoint response. `headers`
   * are what the status needs beside the body, e.g. `Allow` on a 405.
   */
  getResponse(init: { headers?: Readonly<Record<string, string>> } = {}): Response {
    const headers = new Headers({
      ...this.#headers,
      ...init.headers,
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
      Pragma: "no-cache",
    });
    // The challenge names the HTTP authentication scheme the token endpoint supports (RFC 6749 §5.2).
    if (this.code === "invalid_client") headers.set("WWW-Authenticate", 'Basic realm="warden"');
    return new Response(JSON.stringify({ error: this.code, error_description: this.description }), {
      status: this.status,
      headers,
    });
  }
}

/** Okta's error codes for the cases Warden reports in Okta's shape. */
export type ApiErrorCode =
  | "E0000001" // API validation failed
  | "E0000003" // The request body was not well-formed
  | "E0000004" // Authentication failed
  | "E0000005" // Invalid session
  | "E0000006" // You do not have permission to perform the requested action
  | "E0000007" // Not found
  | "E0000009" // Internal Server Error
  | "E0000011" // Invalid token provided
  | "E0000016" // Activation failed because the user is already active
  | "E0000022" // The endpoint does not support the provided HTTP method
  | "E0000031" // Invalid search criteria (a system-log `filter` that does not parse)
  | "E0000032" // Unlock is not allowed for this user
  | "E0000033" // Can't specify a search query and filter in the same request
  | "E0000038" // This operation is not allowed in the user's current status
  | "E0000047" // API call exceeded rate limit
  | "E0000060" // Unsupported operation (a write to the built-in Everyone group)
  | "E0000090"; // Duplicate role assignment exception

const API_ERROR_STATUS: Record<ApiErrorCode, number> = {
  E0000001: 400,
  E0000003: 400,
  E0000004: 401,
  E0000005: 403,
  E0000006: 403,
  E0000007: 404,
  E0000009: 500,
  E0000011: 401,
  E0000016: 403,
  E0000022: 405,
  E0000031: 400,
  E0000032: 403,
  E0000033: 400,
  E0000038: 403,
  E0000047: 429,
  E0000060: 400,
  E0000090: 409,
};

export interface ApiErrorCause {
  errorSummary: string;
}

export class ApiError extends Error {
  /** `headers`: what the status needs beside the body, e.g. `Allow` on a 405 (RFC 9110 §15.5.6). */
  constructor(
    readonly code: ApiErrorCode,
    readonly summary: string,
    readonly causes: ApiErrorCause[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(summary);
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }

  /**
   * Okta's error body: `{errorCode, errorSummary, errorLink, errorId, errorCauses[]}`. `headers`
   * add to (and override) the error's own, e.g. a 401's or 403's `WWW-Authenticate` challenge.
   */
  getResponse(init: { headers?: Readonly<Record<string, string>> } = {}): Response {
    const body = {
      errorCode: this.code,
      errorSummary: this.summary,
      errorLink: this.code,
      errorId: `oae${randomId()}`,
      errorCauses: this.causes,
    };
    const headers = new Headers({
      ...(this.status === 401 ? { "WWW-Authenticate": 'SSWS realm="warden"' } : {}),
      ...this.headers,
      ...init.headers,
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
    });
    return new Response(JSON.stringify(body), { status: this.status, headers });
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
