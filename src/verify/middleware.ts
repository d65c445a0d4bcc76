/**
 * Hono middleware: `wardenAuth` authenticates the request with its bearer token, `requireScopes`
 * authorizes it by scope. Failures are RFC 6750 §3 responses; the typed reason goes to the app's
 * `onError` and to `c.get("authFailure")`, never more detail than the reason to the client.
 */
import type { Context, MiddlewareHandler } from "hono";
import { extractBearer } from "./bearer";
import { JWKS_RETRY_AFTER_FAILURE_SECONDS } from "./defaults";
import { type AuthFailure, TokenVerificationError } from "./errors";
import type { WaitUntil } from "./jwks-source";
import { bearerChallenge, bearerError } from "./rfc6750";
import { createVerifier, type VerifiedToken, type Verifier, type VerifierOptions } from "./verifier";

/**
 * The context variables the middleware sets; put them in your app's `Variables`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { wardenAuth, type WardenVariables } from "warden/verify";
 *
 * const app = new Hono<{ Variables: WardenVariables }>();
 * app.use(async (c, next) => {
 *   await next();
 *   const failure = c.get("authFailure");
 *   if (failure) console.warn("refused", failure.reason);
 * });
 * app.use(
 *   "/orders/*",
 *   wardenAuth({ issuer: "https://warden.example.com/oauth2/default", audience: "api://default" }),
 * );
 * app.get("/orders", (c) => c.json({ subject: c.get("token").subject }));
 * ```
 */
export interface WardenVariables {
  /** The verified access token; set on every request that passed `wardenAuth`. */
  token: VerifiedToken;
  /** Why the request was refused; set only on refused requests, for outer middleware such as logging. */
  authFailure: AuthFailure | undefined;
}

/**
 * A Hono app environment with the middleware's variables and your Worker's bindings `B`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { type WardenEnv, wardenAuth } from "warden/verify";
 *
 * type Bindings = { WARDEN_ISSUER: string };
 *
 * const app = new Hono<WardenEnv<Bindings>>();
 * // Vars only arrive with a request, so the options are a function of the bindings.
 * app.use(
 *   "/orders/*",
 *   wardenAuth<Bindings>((env) => ({ issuer: env.WARDEN_ISSUER, audience: "api://default" })),
 * );
 * app.get("/orders", (c) => c.json({ client: c.get("token").clientId }));
 * ```
 */
export interface WardenEnv<B extends object = object> {
  Bindings: B;
  Variables: WardenVariables;
}

/**
 * {@link VerifierOptions} plus how the middleware answers a refusal.
 *
 * @example
 * ```ts
 * import { type WardenAuthOptions, wardenAuth } from "warden/verify";
 *
 * const options: WardenAuthOptions = {
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 *   realm: "orders",
 *   // Log every refusal; returning nothing keeps the RFC 6750 answer.
 *   onError: (failure) => {
 *     console.warn("refused", failure.reason, failure.error?.message);
 *     return undefined;
 *   },
 * };
 * export const auth = wardenAuth(options);
 * ```
 */
export interface WardenAuthOptions<B extends object = object> extends VerifierOptions {
  /** The `realm` of the challenge (RFC 6750 §3); default: the (first) audience. */
  realm?: string;
  /** Sees every refusal with its typed reason; return a Response to answer differently, or nothing for the RFC 6750 default. */
  onError?: (
    failure: AuthFailure,
    c: Context<WardenEnv<B>>,
  ) => Response | undefined | Promise<Response | undefined>;
}

/**
 * How to refuse the current request, as the `wardenAuth` that ran before on it configured; lets
 * `requireScopes` answer with the same realm and `onError` without being configured again.
 */
type Refuse = (failure: AuthFailure) => Promise<Response>;
const refusals = new WeakMap<Request, Refuse>();

/** Distinct configurations a function-form `wardenAuth` may produce before its memo starts over. */
const MAX_MEMOISED_VERIFIERS = 16;

/**
 * Options may be a function of the Worker's bindings, since vars only arrive with a request. The
 * verifier is created once per distinct configuration and lives as long as the isolate, which is what
 * keeps its JWKS warm. The issuer must come from configuration, never from the request.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { requireScopes, type WardenVariables, wardenAuth } from "warden/verify";
 *
 * const app = new Hono<{ Variables: WardenVariables }>();
 * app.use(
 *   "/orders/*",
 *   wardenAuth({ issuer: "https://warden.example.com/oauth2/default", audience: "api://default" }),
 * );
 * app.get("/orders", requireScopes("orders:read"), (c) => c.json({ client: c.get("token").clientId }));
 * ```
 */
export function wardenAuth<B extends object = object>(
  options: WardenAuthOptions<B> | ((bindings: B) => WardenAuthOptions<B>),
): MiddlewareHandler<WardenEnv<B>> {
  const verifiers = new Map<string, Verifier>();
  const verifierFor = (resolved: WardenAuthOptions<B>): Verifier => {
    const key = JSON.stringify([
      resolved.issuer,
      resolved.audience,
      resolved.algorithms,
      resolved.profile,
      resolved.clockToleranceSeconds,
      resolved.kidRefetchCooldownSeconds,
      resolved.requiredClaims,
      resolved.jwksUri,
    ]);
    let verifier = verifiers.get(key);
    if (!verifier) {
      if (verifiers.size >= MAX_MEMOISED_VERIFIERS) verifiers.clear();
      verifier = createVerifier(resolved);
      verifiers.set(key, verifier);
    }
    return verifier;
  };
  // The static form builds (and validates) its verifier at once, so misconfiguration fails at startup.
  const fixed = typeof options === "function" ? undefined : verifierFor(options);

  return async (c, next) => {
    const resolved = typeof options === "function" ? options(c.env) : options;
    const verifier = fixed ?? verifierFor(resolved);
    const realm = resolved.realm ?? firstAudience(resolved.audience);
    const refuse: Refuse = async (failure) => {
      c.set("authFailure", failure);
      const custom = await resolved.onError?.(failure, c);
      return custom ?? bearerErrorResponse(failure, realm);
    };
    refusals.set(c.req.raw, refuse);

    const extracted = extractBearer(c.req.raw);
    if (!extracted.ok) return refuse({ reason: extracted.reason });
    let token: VerifiedToken;
    try {
      token = await verifier.verify(extracted.token, { waitUntil: waitUntilOf(c) });
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      return refuse({ reason: error.reason, error });
    }
    c.set("token", token);
    await next();
  };
}

/**
 * Lets the request through only if the token grants every listed scope (RFC 6750 §3.1
 * `insufficient_scope`, answered 403 with the required scopes in the challenge). Works for both
 * profiles: the verifier normalises `scp` and `scope` into `token.scopes`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { requireScopes, type WardenVariables, wardenAuth } from "warden/verify";
 *
 * const app = new Hono<{ Variables: WardenVariables }>();
 * app.use(
 *   "/orders/*",
 *   wardenAuth({ issuer: "https://warden.example.com/oauth2/default", audience: "api://default" }),
 * );
 * app.get("/orders", requireScopes("orders:read"), (c) => c.json([]));
 * // Without orders:write: 403, WWW-Authenticate: Bearer …, error="insufficient_scope", scope="orders:write"
 * app.post("/orders", requireScopes("orders:write"), (c) => c.body(null, 201));
 * ```
 */
export function requireScopes(...required: string[]): MiddlewareHandler<WardenEnv> {
  // RFC 6749 §3.3 scope-token: one or more of %x21 / %x23-5B / %x5D-7E.
  if (required.length === 0 || !required.every((s) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
    throw new TypeError("requireScopes needs one or more scope tokens");
  }
  return async (c, next) => {
    const token = c.get("token") as VerifiedToken | undefined;
    const refuse = refusals.get(c.req.raw);
    // Failing closed: a guard without authentication in front of it is a bug, not a 401.
    if (!token || !refuse) throw new Error("requireScopes must run after wardenAuth");
    const granted = new Set(token.scopes);
    if (!required.every((s) => granted.has(s)))
      return refuse({ reason: "insufficient_scope", requiredScopes: required });
    await next();
  };
}

/**
 * The RFC 6750 answer to a refusal: status, challenge, and a JSON body with the same error.
 *
 * @example
 * ```ts
 * import { bearerErrorResponse, createVerifier, TokenVerificationError } from "warden/verify";
 *
 * const verifier = createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 * });
 *
 * export async function handle(request: Request): Promise<Response> {
 *   try {
 *     const token = await verifier.verify(request.headers.get("Authorization")?.replace(/^Bearer /, ""));
 *     return Response.json({ client: token.clientId });
 *   } catch (error) {
 *     if (!(error instanceof TokenVerificationError)) throw error;
 *     // e.g. 401, WWW-Authenticate: Bearer realm="api://default", error="invalid_token", …
 *     return bearerErrorResponse({ reason: error.reason, error }, "api://default");
 *   }
 * }
 * ```
 */
export function bearerErrorResponse(failure: AuthFailure, realm?: string): Response {
  const { status, error, description } = bearerError(failure.reason);
  const headers = new Headers({ "Content-Type": "application/json", "Cache-Control": "no-store" });
  if (status === 503) {
    // Not an authentication failure, so no challenge; the client should retry the same token.
    headers.set("Retry-After", String(JWKS_RETRY_AFTER_FAILURE_SECONDS));
  } else {
    // RFC 6750 §3.1: a request without credentials gets the bare challenge, no "other error information".
    const detail = error ? { error, description } : {};
    headers.set("WWW-Authenticate", bearerChallenge({ realm, ...detail, scope: failure.requiredScopes }));
  }
  const body = error ? { error, error_description: description } : { error_description: description };
  return new Response(JSON.stringify(body), { status, headers });
}

function firstAudience(audience: string | readonly string[]): string | undefined {
  return typeof audience === "string" ? audience : audience[0];
}

/** Hono throws when there is no ExecutionContext (Node, tests); then revalidation simply runs unattended. */
function waitUntilOf(c: Context): WaitUntil | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined;
  }
}
