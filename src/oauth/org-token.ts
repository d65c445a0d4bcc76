/**
 * `POST /oauth2/v1/token` of the org authorization server, as a list of named steps: client
 * credentials only, authenticated with private_key_jwt only (as Okta requires for its org server),
 * for okta.* scopes an admin granted the client. The token is Okta's org access token: `iss` and
 * `aud` are the org URL, `ver` 1, `cid`, `scp`, `sub` = the client id, one hour.
 */
import type { Context } from "hono";
import {
  ORG_ACCESS_TOKEN_LIFETIME_SECONDS,
  ORG_KEYS_ID,
  TOKEN_ID_BYTES,
  TOKEN_REQUEST_MAX_BYTES,
} from "../config/defaults";
import type { AppEnv, Deps } from "../context";
import { randomToken } from "../crypto/secrets";
import { OAuthError } from "../errors";
import { buildAccessToken } from "../tokens/access-token";
import { signToken } from "../tokens/sign";
import { authenticateClient, presentedCredentials } from "./client-auth";
import { readFormBody } from "./form-body";
import { grantOrgScopes } from "./org-scopes";
import { parseScopeParam } from "./scope-param";
import { orgUrl } from "./server-context";
import { tokenMethodNotAllowed } from "./token";
import { tokenResponse } from "./token-response";

export function orgTokenEndpoint(deps: Deps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    if (c.req.method !== "POST") return tokenMethodNotAllowed();
    const now = Math.floor(deps.now() / 1000);
    const issuer = orgUrl(c.env.ORG_URL, c.req.url);

    const params = await readFormBody(c.req.raw, TOKEN_REQUEST_MAX_BYTES);
    requireClientCredentials(params.get("grant_type"));
    const presented = presentedCredentials(c.req.header("Authorization"), params);
    if (presented.method !== "private_key_jwt") {
      throw new OAuthError(
        "invalid_client",
        "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
      );
    }
    const client = await authenticateClient(presented, {
      config: deps.config,
      clientKeys: deps.clientKeys,
      env: c.env,
      audiences: [`${issuer}/oauth2/v1/token`, issuer],
      now,
    });
    if (!client.grant_types.includes("client_credentials")) {
      throw new OAuthError(
        "unauthorized_client",
        "The client is not authorized to use the provided grant type.",
      );
    }
    const scopes = grantOrgScopes(client, parseScopeParam(params.get("scope")));
    const claims = buildAccessToken({
      profile: "okta",
      issuer,
      audiences: [issuer],
      clientId: client.client_id,
      subject: client.client_id,
      scopes,
      issuedAt: now,
      lifetimeSeconds: ORG_ACCESS_TOKEN_LIFETIME_SECONDS,
      jti: `AT.${randomToken(TOKEN_ID_BYTES)}`,
    });
    const key = await deps.keys.signingKey(c.env, ORG_KEYS_ID, now);
    if (!key)
      throw new OAuthError("temporarily_unavailable", "The authorization server has no signing key yet.");
    return tokenResponse({
      token_type: "Bearer",
      expires_in: ORG_ACCESS_TOKEN_LIFETIME_SECONDS,
      access_token: await signToken(claims, key),
      scope: scopes.join(" "),
    });
  };
}

function requireClientCredentials(value: string | undefined): void {
  if (value === undefined) throw new OAuthError("invalid_request", "The 'grant_type' parameter is missing.");
  if (value !== "client_credentials") {
    throw new OAuthError("unsupported_grant_type", `The grant type '${value}' is not supported.`);
  }
}
