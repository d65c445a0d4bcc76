/**
 * Management API authentication and authorization, as Okta does it:
 * - `Authorization: SSWS <token>`: the bootstrap token from the `ADMIN_API_TOKEN` secret, full access,
 *   or a managed API token (`/api/v1/api-tokens`), limited by the rights recorded on it;
 * - `Authorization: Bearer <access token>` from the org authorization server (`/oauth2/v1/token`),
 *   verified here against the org keyset the edge already holds, and limited by its okta.* scopes.
 * A `…read` scope allows GET (and HEAD), a `…manage` scope also allows writes. A missing or bad
 * credential is 401 E0000011; a valid token without the route's scope is 403 E0000006.
 *
 * The caller's rights go on the context (`admin`), for the writes that must not hand out more than
 * the caller holds (DESIGN §8: API tokens, client grants and credentials; src/config/rights.ts).
 *
 * A bearer token minted for a user (it carries Okta's `uid`: the admin console's) acts for that user:
 * its scopes are narrowed at every request to the app's grants and to what the user's admin roles
 * give *now* (read from D1: one query), so removing a role, or suspending, deactivating or deleting
 * the admin, takes effect at the next request. A user that is gone or not ACTIVE is a 401; an ACTIVE
 * one without the rights is a 403, a READ_ONLY_ADMIN's write whatever its token says (README "Admin
 * roles").
 *
 * Rate limits (README "Rate limits"): an address over its failed-authentication limit is refused
 * with 429 E0000047 before any credential is looked at, and every 401 counts against it (and carries
 * that budget's `X-Rate-Limit-*` headers); an authenticated caller's requests — 403s included — are
 * counted globally per caller, with Okta's `X-Rate-Limit-*` headers on every answer, errors too.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { rightsOfRoles } from "../config/admin-roles";
import { ORG_KEYS_ID } from "../config/defaults";
import type { RevocationView } from "../config/revocation-pulse";
import { type AdminCaller, ALL_RIGHTS, holds, intersect, minimal, type Rights } from "../config/rights";
import { type Client, OKTA_SCOPES, type OktaScope } from "../config/schemas";
import type { AppEnv, BindPorts, Deps } from "../context";
import { hashSecret, secretMatchesAny } from "../crypto/secrets";
import { adminStanding } from "../directory/admin-roles";
import { ApiError } from "../errors";
import { type RateLimitVerdict, rateLimitHeaders, withRateLimitHeaders } from "../http/rate-limit";
import { verifyOrgAccessToken } from "../oauth/org/access-token";
import { clientAddress } from "../oauth/rate-limit";
import { inBackground } from "../oauth/server-context";
import { extractBearer } from "../verify/bearer";
import { bearerChallenge, bearerError } from "../verify/rfc6750";
import { type ApiTokenCache, apiTokenCache, isWellFormedApiToken } from "./api-token-check";

const REALM = "warden";

/** `bind`: the protocol ports, for the revocation pulse the bearer path checks as the token endpoint does. */
export function requireAdmin(deps: Deps, bind: BindPorts) {
  const tokens = apiTokenCache(deps);
  return createMiddleware<AppEnv>(async (c, next) => {
    const limits = deps.rateLimits.source(c.env);
    const ip = clientAddress(c.req.raw);
    // Before anything else: a guessing address costs one map lookup, and no Durable Object call.
    const refused = limits.authFailures.refusal(ip);
    if (refused) return tooManyRequests(refused, deps.now());
    const principal = await authenticate(deps, bind, tokens, c);
    if (principal instanceof Response) {
      // Every 401 counts against the address; its headers show what is left of that budget.
      const failures = await limits.authFailures.failed(ip);
      return failures ? withRateLimitHeaders(principal, failures, deps.now()) : principal;
    }
    // Every authenticated request counts, the ones refused for want of a scope too (as Okta's do).
    const verdict = await limits.management(callerKey(principal));
    if (!verdict.allowed) return tooManyRequests(verdict, deps.now());
    // The path the router routes (`c.req.path`: Hono decodes `%72oles` to `roles` before matching),
    // never the raw URL's: otherwise `/users/{id}/%72oles` reaches the Role Assignment API with
    // only okta.users.* scopes.
    const denied = authorize(principal, c.req.method, c.req.path);
    if (denied) return withRateLimitHeaders(denied, verdict, deps.now());
    c.set("admin", principal);
    // What a route throws is answered by the app's onError (src/app.ts), which adds these headers.
    c.set("rateLimit", verdict);
    await next();
    withRateLimitHeaders(c.res, verdict, deps.now());
  });
}

/** Whose budget a management API request spends: one per bootstrap token, API token, client or admin user. */
function callerKey(principal: AdminCaller): string {
  switch (principal.type) {
    case "BOOTSTRAP":
      return "bootstrap";
    case "API_TOKEN":
      return `token:${principal.id}`;
    case "CLIENT":
      return `client:${principal.id}`;
    case "USER":
      return `user:${principal.id}`;
  }
}

/** Okta's 429: E0000047 with the rate-limit headers and RFC 6585 §4's `Retry-After`. */
function tooManyRequests(verdict: RateLimitVerdict, now: number): Response {
  return new ApiError("E0000047", "API call exceeded rate limit due to too many requests.").getResponse({
    headers: rateLimitHeaders(verdict, now),
  });
}

/** Who is calling, with the rights they hold; or the 401 response. */
async function authenticate(
  deps: Deps,
  bind: BindPorts,
  tokens: ApiTokenCache,
  c: Context<AppEnv>,
): Promise<AdminCaller | Response> {
  // RFC 6750 §2.3's query form is refused whatever else the request carries, before any token is
  // looked at: it has leaked into logs already, and the client should learn that (Okta ignores it).
  if (new URL(c.req.url).searchParams.has("access_token")) {
    return unauthorized(
      bearerChallenge({
        realm: REALM,
        error: "invalid_request",
        description: bearerError("token_in_query").description,
      }),
    );
  }
  const header = c.req.header("Authorization");
  if (header && /^Bearer(?: |$)/i.test(header)) {
    const revocations = bind(c.env).revocations;
    const freshen = () => revocations.keepFresh((task) => inBackground(c, task));
    return bearerPrincipal(deps, revocations, freshen, c.req.raw, c.env, c.get("orgUrl"));
  }
  const match = header ? /^SSWS +(\S+) *$/i.exec(header) : null;
  // Okta answers a browser without a session with 403 E0000005; an API client without a token is
  // better served by RFC 9110's 401 with a challenge.
  if (!match?.[1]) return unauthorized(`SSWS realm="${REALM}", ${bearerChallenge({ realm: REALM })}`);
  const configured = c.env.ADMIN_API_TOKEN;
  // An unset secret must never match an empty or guessed token. Otherwise a managed API token
  // (`/api/v1/api-tokens`), checked with the control plane and briefly cached in this isolate.
  const bootstrap = Boolean(configured) && (await secretMatchesAny(match[1], [await hashSecret(configured)]));
  // Every route, including any `requiredScopes` does not list yet.
  if (bootstrap) return { type: "BOOTSTRAP", rights: ALL_RIGHTS };
  // Not the shape of a token Warden issues: refused without asking the control plane.
  if (!isWellFormedApiToken(match[1])) return unauthorized(`SSWS realm="${REALM}"`);
  const token = await tokens.check(c.env, match[1], deps.now(), bind(c.env).revocations, (task) =>
    inBackground(c, task),
  );
  if (!token) return unauthorized(`SSWS realm="${REALM}"`);
  if (token.rights === null) {
    // Created before tokens recorded their rights: it would otherwise act with full power.
    return unauthorized(`SSWS realm="${REALM}"`, [
      {
        errorSummary:
          "This API token was created before API tokens recorded their rights; create a new one and revoke this one.",
      },
    ]);
  }
  return { type: "API_TOKEN", id: token.id, rights: token.rights };
}

/** The 403 when `principal` lacks a scope the route needs; undefined when it may go on. */
function authorize(principal: AdminCaller, method: string, path: string): Response | undefined {
  switch (principal.type) {
    case "BOOTSTRAP":
      return undefined;
    case "API_TOKEN":
      // Revoking oneself never widens anything, so a token needs no scope for it.
      if (method === "DELETE" && path === "/api/v1/api-tokens/current") return undefined;
      return missingScopes(principal.rights, method, path) ? forbidden() : undefined;
    case "USER": {
      // A new token would not help when the user's roles are what falls short: no challenge, and
      // the causes say what is required (the console shows them).
      const required = missingScopes(principal.rights, method, path);
      if (!required) return undefined;
      return new ApiError(
        "E0000006",
        "You do not have permission to perform the requested action",
        required.map((scope) => ({
          errorSummary: `requires ${scope}, which the token or the user's admin roles do not give`,
        })),
      ).getResponse();
    }
    case "CLIENT": {
      const required = missingScopes(principal.rights, method, path);
      if (!required) return undefined;
      return forbidden({
        "WWW-Authenticate": bearerChallenge({
          realm: REALM,
          error: "insufficient_scope",
          description: "The access token provided does not contain the required scopes.",
          scope: required,
        }),
      });
    }
  }
}

/** The bearer token's principal when it is valid and from an active client; its scopes are checked by `authorize`. */
async function bearerPrincipal(
  deps: Deps,
  revocations: Pick<RevocationView, "isRevoked">,
  /**
   * Brings the revocation pulse up to date (a cold isolate's first read may ask the control plane).
   * Called only once the token has verified: a malformed or forged token must never reach the
   * control-plane Durable Object (issue 13 item 3), and only a verified one has a client to look up.
   */
  freshen: () => Promise<void> | undefined,
  request: Request,
  env: AppEnv["Bindings"],
  /** The org server's issuer (src/admin/org-origin.ts): never the request's `Host` in a deployment. */
  issuer: string,
): Promise<Response | AdminCaller> {
  const extracted = extractBearer(request);
  if (!extracted.ok) {
    return unauthorized(bearerChallenge({ realm: REALM, error: "invalid_request" }));
  }
  const now = Math.floor(deps.now() / 1000);
  const keyset = await deps.keys.published(env, ORG_KEYS_ID);
  const verdict = keyset
    ? await verifyOrgAccessToken(extracted.token, keyset, issuer, now)
    : ({ ok: false, reason: "unknown_kid" } as const);
  // A deactivated (or deleted) client's tokens stop working within the revocation pulse's bound
  // (10 s), whatever the client record this isolate or KV still holds (src/config/revocations.ts).
  if (verdict.ok) await freshen();
  const client = verdict.ok ? await deps.config.client(env, verdict.facts.clientId) : undefined;
  if (!verdict.ok || client?.status !== "ACTIVE" || revocations.isRevoked("client", client.client_id)) {
    return unauthorized(
      bearerChallenge({
        realm: REALM,
        error: "invalid_token",
        description: "The access token is invalid or has expired.",
      }),
    );
  }

  const rights = minimal(OKTA_SCOPES.filter((s) => verdict.facts.scopes.includes(s)));
  const { userId, subject } = verdict.facts;
  if (userId === undefined) return { type: "CLIENT", id: verdict.facts.clientId, rights };
  const held = await userRights(env, userId, client);
  if (!held) {
    return unauthorized(
      bearerChallenge({
        realm: REALM,
        error: "invalid_token",
        description: "The access token is invalid or has expired.",
      }),
    );
  }
  return {
    type: "USER",
    id: userId,
    login: subject,
    clientId: client.client_id,
    rights: intersect(rights, held),
  };
}

/**
 * What a user's token may do at most, read now: what its app was granted (an app losing a grant
 * takes it from its users' tokens too) and what the user's admin roles give. Undefined when the user
 * is gone or not ACTIVE (Okta: a suspended or deactivated admin holds no rights), so its token is
 * refused as a deactivated client's is.
 */
async function userRights(
  env: AppEnv["Bindings"],
  userId: string,
  client: Client,
): Promise<Rights | undefined> {
  const standing = await adminStanding(env.DIRECTORY, userId);
  if (standing?.status !== "ACTIVE") return undefined;
  const granted = minimal(OKTA_SCOPES.filter((s) => client.grants?.some((g) => g.scopeId === s)));
  return intersect(granted, rightsOfRoles(standing.roles));
}

/** The route's required scopes when `rights` do not cover them all (or no scope opens the route). */
function missingScopes(rights: Rights, method: string, path: string): readonly OktaScope[] | undefined {
  const required = requiredScopes(method, path);
  return required?.every((scope) => holds(rights, scope)) ? undefined : (required ?? []);
}

function unauthorized(challenge: string, causes: { errorSummary: string }[] = []): Response {
  return new ApiError("E0000011", "Invalid token provided", causes).getResponse({
    headers: { "WWW-Authenticate": challenge },
  });
}

function forbidden(headers: Record<string, string> = {}): Response {
  return new ApiError("E0000006", "You do not have permission to perform the requested action").getResponse({
    headers,
  });
}

/** Management API resources by their first path segment under `/api/v1`, and the okta.* scope family of each. */
const RESOURCE_SCOPES: Record<string, { read: OktaScope; manage?: OktaScope }> = {
  authorizationServers: {
    read: "okta.authorizationServers.read",
    manage: "okta.authorizationServers.manage",
  },
  apps: { read: "okta.apps.read", manage: "okta.apps.manage" },
  "api-tokens": { read: "okta.apiTokens.read", manage: "okta.apiTokens.manage" },
  users: { read: "okta.users.read", manage: "okta.users.manage" },
  groups: { read: "okta.groups.read", manage: "okta.groups.manage" },
  inlineHooks: { read: "okta.inlineHooks.read", manage: "okta.inlineHooks.manage" },
  logs: { read: "okta.logs.read" },
  trustedOrigins: { read: "okta.trustedOrigins.read", manage: "okta.trustedOrigins.manage" },
};

/** The whole configuration: servers, apps, inline hooks and trusted origins. */
const BULK_SCOPES = {
  read: [
    "okta.authorizationServers.read",
    "okta.apps.read",
    "okta.inlineHooks.read",
    "okta.trustedOrigins.read",
  ],
  manage: [
    "okta.authorizationServers.manage",
    "okta.apps.manage",
    "okta.inlineHooks.manage",
    "okta.trustedOrigins.manage",
  ],
} as const satisfies Record<string, readonly OktaScope[]>;

/**
 * Every okta.* scope a request needs, or undefined when no scope grants it (a route not listed here is
 * closed to bearer tokens until it is). GET and HEAD read; any other method writes.
 */
export function requiredScopes(method: string, path: string): readonly OktaScope[] | undefined {
  const rest = path.replace(/^\/api\/v1(?=\/)/, "");
  const read = method === "GET" || method === "HEAD";
  // The whole-configuration endpoints read or write servers, clients and inline hooks at once.
  if (rest === "/warden/import") {
    return method === "POST" ? BULK_SCOPES.manage : undefined;
  }
  if (rest === "/warden/export") return read ? BULK_SCOPES.read : undefined;
  // Okta's Role Assignment API lives under a user, but is guarded by its own scopes: managing users
  // never makes anyone an admin.
  if (/^\/users\/[^/]+\/roles(?:\/|$)/.test(rest)) {
    return [read ? "okta.roles.read" : "okta.roles.manage"];
  }
  const segment = rest.split("/")[1] ?? "";
  if (!Object.hasOwn(RESOURCE_SCOPES, segment)) return undefined;
  const family = RESOURCE_SCOPES[segment];
  const scope = read ? family?.read : family?.manage;
  return scope ? [scope] : undefined;
}
