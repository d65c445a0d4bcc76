/**
 * `/oauth2/{as}/v1/introspect` (RFC 7662), Okta's fields: `active, scope, username, exp, iat, sub,
 * aud, iss, jti, token_type, client_id, uid`, and `{"active":false}` for anything else.
 *
 * - The caller authenticates as at the token endpoint, or as a public client in okta-auth-js's form
 *   (src/oauth/endpoint-client.ts), with the token endpoint's rate limits.
 * - A client introspects only tokens issued to it (Okta: a token's client introspects it): another
 *   client's token reads `{"active":false}`, as if unknown (RFC 7662 §2.2 lets the server refuse to
 *   tell, and §4 warns against token scanning by other clients).
 * - Access tokens: this server's signature, `iss`, `aud`, `exp`; when the `jti` names a grant, the
 *   grant must still stand and the token not have been revoked on its own (src/grants/); a user's
 *   token, only while the user is ACTIVE (as at userinfo).
 * - ID tokens: this server's signature, `iss`, `aud` the caller, `exp` (src/oauth/own-id-token.ts),
 *   and the user ACTIVE.
 * - Refresh tokens: the grant's Durable Object answers (its family's current token, live), and the
 *   user must still be ACTIVE.
 * `token_type_hint` (RFC 7662 §2.1) orders the attempts; a wrong hint only costs a second look.
 */
import type { Context } from "hono";
import { TOKEN_REQUEST_MAX_BYTES } from "../config/defaults";
import type { AppEnv } from "../context";
import { OAuthError } from "../errors";
import { grantIdOfJti } from "../grants/grant-id";
import { withRateLimitHeaders } from "../http/rate-limit";
import { endpointClient, refuseSecretsInUrl } from "./endpoint-client";
import { readFormBody } from "./form-body";
import { verifyOwnAccessToken } from "./org/access-token";
import { verifyOwnIdToken } from "./own-id-token";

type Body = Record<string, unknown> & { active: boolean };
const INACTIVE: Body = { active: false };

export function introspectEndpoint() {
  return async (c: Context<AppEnv>): Promise<Response> => {
    refuseSecretsInUrl(c.req.url);
    if (c.req.method !== "POST") return methodNotAllowed("introspection");
    const params = await readFormBody(c.req.raw, TOKEN_REQUEST_MAX_BYTES);
    const { client, quota } = await endpointClient(c, params, `${c.get("issuer")}/v1/introspect`);
    const token = requiredToken(params.get("token"));
    const body = await introspect(c, token, params.get("token_type_hint"), client.client_id);
    const response = new Response(JSON.stringify(body), {
      status: 200,
      // RFC 7662 §4: an introspection response describes a live credential: no cache may keep it.
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" },
    });
    return withRateLimitHeaders(response, quota, c.get("ports").clock());
  };
}

async function introspect(c: Context<AppEnv>, token: string, hint: string | undefined, clientId: string) {
  // A refresh token is `<grant id>.<secret>` (one dot); a JWT has two.
  if (token.split(".").length !== 3) return introspectRefresh(c, token, clientId);
  const order = hint === "id_token" ? [idToken, accessToken] : [accessToken, idToken];
  for (const look of order) {
    const body = await look(c, token, clientId);
    if (body) return body;
  }
  return INACTIVE;
}

/**
 * An access token this very server issued (its keys, issuer, audiences and token profile), valid at
 * `nowMs`: its facts, or undefined. Introspection and revocation read tokens the same way.
 */
export async function thisServersAccessToken(c: Context<AppEnv>, token: string, nowMs: number) {
  const snapshot = c.get("snapshot");
  const keyset = await c.get("ports").keys.published(snapshot.server.id);
  if (!keyset) return undefined;
  const verdict = await verifyOwnAccessToken(
    token,
    keyset,
    { issuer: c.get("issuer"), audiences: snapshot.server.audiences, profile: snapshot.server.tokenProfile },
    Math.floor(nowMs / 1000),
  );
  return verdict.ok ? verdict.facts : undefined;
}

async function accessToken(c: Context<AppEnv>, token: string, clientId: string): Promise<Body | undefined> {
  const ports = c.get("ports");
  const nowMs = ports.clock();
  const facts = await thisServersAccessToken(c, token, nowMs);
  if (!facts) return undefined;
  if (facts.clientId !== clientId) return INACTIVE;
  const grantId = grantIdOfJti(facts.tokenId);
  if (grantId !== undefined && !(await ports.grants.isActive(grantId, nowMs, facts.tokenId))) return INACTIVE;
  // Okta's profile names the user by `uid`; RFC 9068's by `sub`, which is the client's own id on a
  // client_credentials token (src/oauth/custom-server.ts).
  const userId =
    facts.profile === "okta" ? facts.userId : facts.subject !== facts.clientId ? facts.subject : undefined;
  if (userId !== undefined && !(await userStands(c, userId, clientId))) return INACTIVE;
  const user = facts.userId !== undefined || facts.profile === "rfc9068";
  return {
    active: true,
    scope: facts.scopes.join(" "),
    // Okta's `username`: the user's login, which is an okta-profile token's `sub`; else the client.
    ...(user && facts.profile === "okta" ? { username: facts.subject } : {}),
    exp: facts.expiresAt,
    iat: facts.issuedAt,
    sub: facts.subject,
    aud: facts.audience.length === 1 ? facts.audience[0] : facts.audience,
    iss: facts.issuer,
    jti: facts.tokenId,
    token_type: "Bearer",
    client_id: facts.clientId,
    ...(facts.userId !== undefined ? { uid: facts.userId } : {}),
  };
}

async function idToken(c: Context<AppEnv>, token: string, clientId: string): Promise<Body | undefined> {
  const ports = c.get("ports");
  const keyset = await ports.keys.published(c.get("snapshot").server.id);
  if (!keyset) return undefined;
  const facts = await verifyOwnIdToken(
    token,
    keyset,
    { issuer: c.get("issuer"), clientId },
    Math.floor(ports.clock() / 1000),
  );
  if (!facts) return undefined;
  if (!(await userStands(c, facts.sub, clientId))) return INACTIVE;
  return {
    active: true,
    ...(facts.preferredUsername !== undefined ? { username: facts.preferredUsername } : {}),
    exp: facts.exp,
    iat: facts.iat,
    sub: facts.sub,
    aud: facts.aud,
    iss: facts.iss,
    jti: facts.jti,
    token_type: "id_token",
    client_id: clientId,
    uid: facts.sub,
  };
}

/**
 * Whether the token's user is still ACTIVE. RFC 7662 §2.2: `active` says whether the token is
 * "currently active"; Okta ends a user's tokens on deactivation, suspension and deletion
 * (okta-user-flows.md, Refresh tokens), and userinfo already refuses them (src/oauth/userinfo.ts).
 * The directory writes revoke only the grants in the D1 index, those with a refresh family: without
 * this check a token from a grant without one (a code flow without `offline_access`, the password
 * grant) introspected `active: true` after its user was deactivated.
 */
async function userStands(c: Context<AppEnv>, userId: string, clientId: string): Promise<boolean> {
  const subject = await c.get("ports").directory.subject(userId, clientId);
  return subject?.user.status === "ACTIVE";
}

async function introspectRefresh(c: Context<AppEnv>, token: string, clientId: string): Promise<Body> {
  const ports = c.get("ports");
  const snapshot = c.get("snapshot");
  const facts = await ports.grants.introspectRefresh(token, ports.clock());
  if (!facts || facts.request.clientId !== clientId || facts.request.serverId !== snapshot.server.id) {
    return INACTIVE;
  }
  const subject = await ports.directory.subject(facts.request.userId, clientId);
  if (subject?.user.status !== "ACTIVE") return INACTIVE;
  const login = subject.user.profile.login;
  return {
    active: true,
    scope: facts.scopes.join(" "),
    username: login,
    exp: Math.floor(facts.expiresAt / 1000),
    iat: Math.floor(facts.issuedAt / 1000),
    sub: snapshot.server.tokenProfile === "rfc9068" ? subject.user.id : login,
    aud: snapshot.server.audiences.length === 1 ? snapshot.server.audiences[0] : snapshot.server.audiences,
    iss: c.get("issuer"),
    token_type: "refresh_token",
    client_id: clientId,
    uid: subject.user.id,
  };
}

/** RFC 7662 §2.1 / RFC 7009 §2.1: `token` is REQUIRED. */
export function requiredToken(token: string | undefined): string {
  if (token === undefined || token === "") {
    throw new OAuthError("invalid_request", "The 'token' parameter is missing.");
  }
  return token;
}

/** RFC 9110 §15.5.6, in the endpoint's own error shape. */
export function methodNotAllowed(what: string): Response {
  return new OAuthError("invalid_request", `The ${what} endpoint accepts only POST requests.`, {
    status: 405,
  }).getResponse({ headers: { Allow: "POST" } });
}
