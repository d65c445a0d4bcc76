/**
 * CORS for the protocol endpoints a browser app calls with `fetch` (Fetch §3.2 "CORS protocol"), as
 * Okta does it: only for ACTIVE trusted origins with the CORS scope (`/api/v1/trustedOrigins`).
 *
 * - A request without `Origin` (a server-side client) runs the endpoint as it is: no lookup, no
 *   await, no header. The client_credentials path pays one header read.
 * - A preflight (`OPTIONS` with `Access-Control-Request-Method`) from a trusted origin is 204 with
 *   `Access-Control-Allow-Origin` echoing it, the endpoint's methods, the request headers
 *   okta-auth-js and OAuth clients send, and `Access-Control-Max-Age`. From any other origin it is
 *   403 without CORS headers: the browser refuses the request before it is sent (Okta answers an
 *   untrusted preflight with 403 too; UNCONFIRMED beyond reports of its behaviour).
 * - An actual request from a trusted origin gets `Access-Control-Allow-Origin` on its answer,
 *   errors included (the app's onError adds what the endpoint put on the context), so okta-auth-js
 *   can read `invalid_grant`; from an untrusted origin it runs, and the browser hands the page
 *   nothing. Every answer to a request with `Origin` carries `Vary: Origin`.
 * - No `Access-Control-Allow-Credentials`: these endpoints authenticate with the request itself
 *   (client credentials, a bearer token, a code verifier), never with a cookie, so a page has no
 *   reason to send cookies there and the browser then never does. An endpoint that reads the
 *   session cookie cross-origin (Okta's `/api/v1/sessions/me`) opts in with `credentials: true`.
 * - JWKS and discovery are not here: any origin may read them (src/oauth/metadata-response.ts).
 *
 * A trust change reaches the edges within the KV bound (README "Trusted origins and CORS").
 */
import type { Context } from "hono";
import { CORS_MAX_AGE_SECONDS } from "../config/defaults";
import type { AppEnv, BindPorts } from "../context";

type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;

/** What one endpoint allows cross-origin. */
export interface CorsPolicy {
  /** The methods a browser may use, besides the preflight's own OPTIONS. */
  methods: readonly string[];
  /** Whether the browser may send cookies (only an endpoint that reads the session needs them). */
  credentials?: boolean;
}

/** Okta's CORS-enabled OAuth endpoints, for whichever of them the routers mount. */
export const CORS_POLICIES = {
  token: { methods: ["POST"] },
  introspect: { methods: ["POST"] },
  revoke: { methods: ["POST"] },
  userinfo: { methods: ["GET", "POST"] },
  logout: { methods: ["GET", "POST"] },
} as const satisfies Record<string, CorsPolicy>;

/**
 * What a browser app sends: `Authorization` (Basic client auth, a bearer token), `Content-Type`
 * (form-encoded or JSON), `Accept`, okta-auth-js's `X-Okta-User-Agent-Extended`, `DPoP` (RFC 9449).
 */
const ALLOWED_HEADERS =
  "Accept, Authorization, Content-Type, DPoP, X-Okta-User-Agent-Extended, X-Requested-With";

/** What a page may read beyond the CORS-safelisted headers: the challenge and Okta's rate limits. */
const EXPOSED_HEADERS =
  "WWW-Authenticate, X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset, DPoP-Nonce";

/**
 * `handler` answering cross-origin requests under `policy`. A wrapper, not a middleware, for the
 * same reason as `withPorts`: a route with one handler composes no chain (src/oauth/server-context.ts).
 */
export function withCors(bind: BindPorts, policy: CorsPolicy, handler: Handler): Handler {
  // Not an async function: without `Origin` the endpoint's own answer (or promise) is returned as it
  // is, so a server-side client's request pays no promise of this wrapper's (bench/README.md).
  return (c) => {
    const origin = c.req.raw.headers.get("Origin");
    return origin === null ? handler(c) : crossOrigin(bind, policy, handler, c, origin);
  };
}

/** A request with `Origin`: the preflight's answer, or the endpoint's with the CORS headers. */
async function crossOrigin(
  bind: BindPorts,
  policy: CorsPolicy,
  handler: Handler,
  c: Context<AppEnv>,
  origin: string,
): Promise<Response> {
  const trusted = await isTrustedCorsOrigin(bind, c, origin);
  if (c.req.method === "OPTIONS" && c.req.raw.headers.has("Access-Control-Request-Method")) {
    return preflight(trusted ? origin : undefined, policy);
  }
  const headers = trusted ? actualHeaders(origin, policy) : { Vary: "Origin" };
  // Read by the app's onError (src/app.ts) for an answer the endpoint throws.
  c.set("cors", headers);
  return withHeaders(await handler(c), headers);
}

/** Whether `origin` is an ACTIVE trusted origin with the CORS scope; a warm isolate reads memory. */
async function isTrustedCorsOrigin(bind: BindPorts, c: Context<AppEnv>, origin: string): Promise<boolean> {
  // `null` (sandboxed frames, file: pages) is never an origin anyone registered: no lookup at all.
  if (origin === "null" || origin.length > 1024) return false;
  const origins = await bind(c.env).config.trustedOrigins();
  return origins?.cors.has(origin) ?? false;
}

function preflight(origin: string | undefined, policy: CorsPolicy): Response {
  if (origin === undefined) {
    return new Response(null, { status: 403, headers: { Vary: "Origin" } });
  }
  return new Response(null, {
    status: 204,
    headers: {
      ...actualHeaders(origin, policy),
      "Access-Control-Allow-Methods": [...policy.methods, "OPTIONS"].join(", "),
      "Access-Control-Allow-Headers": ALLOWED_HEADERS,
      "Access-Control-Max-Age": String(CORS_MAX_AGE_SECONDS),
    },
  });
}

function actualHeaders(origin: string, policy: CorsPolicy): Record<string, string> {
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    ...(policy.credentials ? { "Access-Control-Allow-Credentials": "true" } : {}),
    Vary: "Origin",
  };
}

/** The CORS headers on `response`; `Vary` is added to, never replaced (RFC 9110 §12.5.5). */
export function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  let target = response;
  try {
    apply(target.headers, headers);
  } catch {
    // Immutable headers (a response from fetch or the cache): a copy takes them.
    target = new Response(response.body, response);
    apply(target.headers, headers);
  }
  return target;
}

function apply(target: Headers, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (name === "Vary") {
      const vary = target.get("Vary");
      if (!vary) target.set("Vary", value);
      else if (!vary.split(",").some((v) => v.trim().toLowerCase() === value.toLowerCase())) {
        target.set("Vary", `${vary}, ${value}`);
      }
    } else {
      target.set(name, value);
    }
  }
}
