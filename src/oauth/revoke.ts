/**
 * `/oauth2/{as}/v1/revoke` (RFC 7009), Okta's semantics: 200 with an empty body for every
 * well-formed request from an authenticated client (§2.2: an invalid or unknown token, or another
 * client's, is not an error the caller may learn about), and a client revokes only its own tokens.
 *
 * - A refresh token (any generation of its family, the holder proved by its secret) ends its grant
 *   (§2.1: "the authorization server SHOULD also invalidate all access tokens based on the same
 *   authorization grant"): the family and every access token naming the grant.
 * - An access token of a grant object (`jti` `AT.<grant id>.…`) is revoked on its own, as Okta
 *   does: the grant records its `jti` until it expires, so userinfo and introspection refuse it,
 *   and the user's refresh token keeps working. An access token without a grant object
 *   (client_credentials, a password grant without `offline_access`) is a self-contained JWT with
 *   nowhere to record it: it stays valid until `exp` (README "Refresh tokens, introspection and
 *   revocation"). ID tokens are not revocable (nothing accepts them as credentials here).
 * `token_type_hint` is honoured as a hint only (§2.1): every kind is tried.
 */
import type { Context } from "hono";
import { TOKEN_REQUEST_MAX_BYTES } from "../config/defaults";
import type { AppEnv } from "../context";
import { grantIdOfJti } from "../grants/grant-id";
import { withRateLimitHeaders } from "../http/rate-limit";
import { afterResponse } from "../log/after-response";
import { clientActor, EVENT_TYPES, requestInfo, serverTarget } from "../log/event";
import { endpointClient, refuseSecretsInUrl } from "./endpoint-client";
import { readFormBody } from "./form-body";
import { methodNotAllowed, requiredToken, thisServersAccessToken } from "./introspect";

export function revokeEndpoint() {
  return async (c: Context<AppEnv>): Promise<Response> => {
    refuseSecretsInUrl(c.req.url);
    if (c.req.method !== "POST") return methodNotAllowed("revocation");
    const params = await readFormBody(c.req.raw, TOKEN_REQUEST_MAX_BYTES);
    const { client, quota } = await endpointClient(c, params, `${c.get("issuer")}/v1/revoke`);
    const token = requiredToken(params.get("token"));
    const revoked =
      token.split(".").length === 3
        ? await revokeAccessToken(c, token, client.client_id)
        : await revokeRefreshToken(c, token, client.client_id);
    if (revoked) {
      record(c, client.client_id, revoked);
      afterResponse(c, c.get("ports").log);
    }
    const response = new Response(null, {
      status: 200,
      headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
    });
    return withRateLimitHeaders(response, quota, c.get("ports").clock());
  };
}

async function revokeAccessToken(c: Context<AppEnv>, token: string, clientId: string) {
  const ports = c.get("ports");
  const nowMs = ports.clock();
  const facts = await thisServersAccessToken(c, token, nowMs);
  if (!facts || facts.clientId !== clientId) return undefined;
  const grantId = grantIdOfJti(facts.tokenId);
  if (grantId === undefined) return undefined;
  await ports.grants.revokeAccessToken(grantId, facts.tokenId, facts.expiresAt * 1000, nowMs);
  return "access_token" as const;
}

async function revokeRefreshToken(c: Context<AppEnv>, token: string, clientId: string) {
  const ports = c.get("ports");
  // The object checks the secret and that the token is this client's at this server; anything else
  // changes nothing (and is not logged: RFC 7009 §2.2 answers 200 all the same).
  const owner = { serverId: c.get("snapshot").server.id, clientId };
  const ended = await ports.grants.revokeRefresh(token, owner, ports.clock());
  if (ended === undefined) return undefined;
  await ports.grantIndex.markRevoked(ended, ports.clock());
  return "refresh_token" as const;
}

/** Okta's `app.oauth2.as.token.revoke`, for a token this client could revoke. */
function record(c: Context<AppEnv>, clientId: string, kind: "access_token" | "refresh_token") {
  const serverId = c.get("snapshot").server.id;
  c.get("ports").log.record({
    eventType: EVENT_TYPES.tokenRevoke,
    displayMessage: "OAuth2 token revocation request",
    actor: clientActor(clientId),
    outcome: { result: "SUCCESS" },
    target: [serverTarget(serverId)],
    request: requestInfo(c.req.raw.headers),
    debugData: { tokenType: kind, clientId },
  });
}
