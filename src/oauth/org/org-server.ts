/**
 * Okta's org authorization server at the token endpoint (`POST /oauth2/v1/token`): client credentials
 * only, authenticated with private_key_jwt only (as Okta requires for its org server), for okta.*
 * scopes an admin granted the client. The token is Okta's org access token: `iss` and `aud` are the
 * org URL, `ver` 1, `cid`, `scp`, `sub` = the client id, one hour. No policies, claims or hooks.
 */
import { rightsOfRoles } from "../../config/admin-roles";
import { ORG_ACCESS_TOKEN_LIFETIME_SECONDS, ORG_KEYS_ID, TOKEN_ID_BYTES } from "../../config/defaults";
import { randomToken } from "../../crypto/secrets";
import { echoList, OAuthError } from "../../errors";
import { buildAccessToken } from "../../tokens/access-token";
import type { TokenAuthority, TokenDecision } from "../authority";
import type { GrantRequest } from "../grants/grant";
import { grantOrgScopes } from "./scopes";

export function orgServer(issuer: string): TokenAuthority<TokenDecision> {
  return {
    serverId: ORG_KEYS_ID,
    keysetId: ORG_KEYS_ID,
    issuer,
    grantTypes: ["client_credentials"],
    assertionAudiences: [`${issuer}/oauth2/v1/token`, issuer],

    checkAuthMethod(method) {
      if (method !== "private_key_jwt") {
        throw new OAuthError(
          "invalid_client",
          "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
        );
      }
    },

    decide: (request) => ({
      scopes: grantUserScopes(request, grantOrgScopes(request.client, request.requestedScopes)),
      trace: [],
    }),

    buildClaims: (request, decision, now) => ({
      token: buildAccessToken({
        profile: "okta",
        issuer,
        audiences: [issuer],
        clientId: request.client.client_id,
        subject: request.client.client_id,
        scopes: decision.scopes,
        issuedAt: now,
        lifetimeSeconds: ORG_ACCESS_TOKEN_LIFETIME_SECONDS,
        jti: `AT.${randomToken(TOKEN_ID_BYTES)}`,
      }),
      claimFailures: [],
    }),

    applyHook: async (_request, _decision, token) => token,
  };
}

/**
 * For a user's grant (the admin console's sign-in), the scopes the app may have must also be within
 * what the user's admin roles give, and only while the user is ACTIVE (README "Admin roles"): all
 * of them, or `invalid_scope` naming the rest, as the client check answers. The management API
 * narrows the token again at each request, so a role removed later takes effect there at once.
 */
export function grantUserScopes<S extends string>(request: Pick<GrantRequest, "subject">, scopes: S[]): S[] {
  const subject = request.subject;
  if (!subject) return scopes;
  const rights = new Set<string>(
    subject.user.status === "ACTIVE" ? rightsOfRoles(subject.adminRoles ?? []) : [],
  );
  const missing = scopes.filter((s) => !rights.has(s));
  if (missing.length > 0) {
    throw new OAuthError(
      "invalid_scope",
      `The following scopes were requested, but the user's admin roles do not grant them: ${echoList(missing)}`,
    );
  }
  return scopes;
}
