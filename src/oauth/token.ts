/**
 * `POST /oauth2/{as}/v1/token`, as a list of named steps. Everything before signing reads only
 * isolate memory on a warm isolate (DESIGN §1), but for `private_key_jwt`'s one replay check and
 * the call to a rule's token inline hook.
 */
import type { Context } from "hono";
import { TOKEN_REQUEST_MAX_BYTES } from "../config/defaults";
import type { AppEnv, Deps } from "../context";
import { OAuthError, oauthErrorResponse } from "../errors";
import { applyTokenInlineHook } from "../hooks/token-hook";
import { signToken } from "../tokens/sign";
import { authenticateClient, presentedCredentials } from "./client-auth";
import { recordClaimFailures, recordDenials } from "./denial-log";
import { readFormBody } from "./form-body";
import { clientCredentialsGrant } from "./grants/client-credentials";
import { parseScopeParam } from "./scope-param";
import { tokenResponse } from "./token-response";

/** Grants this endpoint implements; discovery advertises exactly these. */
export const SUPPORTED_GRANT_TYPES = ["client_credentials"] as const;

export function tokenEndpoint(deps: Deps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    if (c.req.method !== "POST") return tokenMethodNotAllowed();
    const now = Math.floor(deps.now() / 1000);
    const snapshot = c.get("snapshot");

    const params = await readFormBody(c.req.raw, TOKEN_REQUEST_MAX_BYTES);
    const grantType = requireGrantType(params.get("grant_type"));
    const presented = presentedCredentials(c.req.header("Authorization"), params);
    const client = await authenticateClient(presented, {
      config: deps.config,
      clientKeys: deps.clientKeys,
      env: c.env,
      audiences: [`${c.get("issuer")}/v1/token`, c.get("issuer")],
      now,
    });
    const requestedScopes = parseScopeParam(params.get("scope"));
    const { token, decision, claimFailures } = recordDenials(
      snapshot.server.id,
      client.client_id,
      grantType,
      () => runGrant(grantType, { client, requestedScopes, snapshot, issuer: c.get("issuer"), now }),
    );
    recordClaimFailures(snapshot.server.id, client.client_id, claimFailures);
    const claims = await applyTokenInlineHook({
      token,
      decision,
      client,
      grantType,
      requestedScopes,
      snapshot,
      issuer: c.get("issuer"),
      request: c.req.raw,
      env: c.env,
      config: deps.config,
      now,
    });
    const key = await deps.keys.signingKey(c.env, snapshot.server.id, now);
    if (!key)
      throw new OAuthError("temporarily_unavailable", "The authorization server has no signing key yet.");
    const accessToken = await signToken(claims, key);

    const payload = claims.payload as { iat: number; exp: number; scp?: string[]; scope?: string };
    return tokenResponse({
      token_type: "Bearer",
      expires_in: payload.exp - payload.iat,
      access_token: accessToken,
      scope: payload.scope ?? payload.scp?.join(" ") ?? "",
    });
  };
}

/**
 * RFC 9110 §15.5.6: a method the token endpoint does not support is a 405 naming the one it does
 * (`Allow: POST`, RFC 6749 §3.2), in the endpoint's own error shape.
 */
export function tokenMethodNotAllowed(): Response {
  const res = oauthErrorResponse(
    new OAuthError("invalid_request", "The token endpoint accepts only POST requests."),
  );
  const headers = new Headers(res.headers);
  headers.set("Allow", "POST");
  return new Response(res.body, { status: 405, headers });
}

type SupportedGrantType = (typeof SUPPORTED_GRANT_TYPES)[number];

function requireGrantType(value: string | undefined): SupportedGrantType {
  if (value === undefined) throw new OAuthError("invalid_request", "The 'grant_type' parameter is missing.");
  if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(value)) {
    throw new OAuthError("unsupported_grant_type", `The grant type '${value}' is not supported.`);
  }
  return value as SupportedGrantType;
}

function runGrant(grantType: SupportedGrantType, input: Parameters<typeof clientCredentialsGrant>[0]) {
  switch (grantType) {
    case "client_credentials":
      return clientCredentialsGrant(input);
  }
}
