/**
 * Okta's org authorization server at the token endpoint (`POST /oauth2/v1/token`) and at sign-in
 * (`/oauth2/v1/authorize`, src/signin/servers.ts). Its tokens are Okta's org tokens: `iss` and `aud`
 * are the org URL, `ver` 1, `cid`, `scp`, one hour; no policies, custom claims or hooks.
 *
 * - client_credentials: authenticated with private_key_jwt only (as Okta requires for its org
 *   server), for okta.* scopes an admin granted the client; `sub` = the client id.
 * - authorization_code: a user signed in through the hosted page (the admin console of issue 14
 *   signs admins in this way). Any assigned user of an app with the grant type gets the OIDC scopes
 *   it asks for (the org server has no access policies); okta.* scopes need the user's admin rights
 *   (`userOktaScopes`). `sub` = the login, `uid` = the user id, an ID token beside it for `openid`.
 *   The scopes were decided at /v1/authorize and are not evaluated again at the exchange (Okta).
 */

import { rightsOfRoles } from "../../config/admin-roles";
import {
  ID_TOKEN_LIFETIME_SECONDS,
  ORG_ACCESS_TOKEN_LIFETIME_SECONDS,
  ORG_KEYS_ID,
  TOKEN_ID_BYTES,
} from "../../config/defaults";
import type { Client, OktaScope } from "../../config/schemas";
import type { Ports } from "../../context";
import { randomToken } from "../../crypto/secrets";
import type { TokenSubject } from "../../directory/directory";
import { echoList, OAuthError } from "../../errors";
import { grantAccessTokenJti } from "../../grants/grant-id";
import { buildAccessToken } from "../../tokens/access-token";
import { accessTokenHash, buildIdToken, orgIdpId } from "../../tokens/id-token";
import type { TokenAuthority, TokenDecision } from "../authority";
import type { GrantRequest } from "../grants/grant";
import { grantOrgScopes, grantOrgUserScopes } from "./scopes";

/** The grant types Okta's org server answers here. */
const ORG_GRANT_TYPES = ["client_credentials", "authorization_code"] as const;

export function orgServer(issuer: string): TokenAuthority<TokenDecision> {
  return {
    serverId: ORG_KEYS_ID,
    keysetId: ORG_KEYS_ID,
    issuer,
    grantTypes: ORG_GRANT_TYPES,
    assertionAudiences: [`${issuer}/oauth2/v1/token`, issuer],

    checkAuthMethod(method, grantType) {
      // Okta: a service app's own tokens from the org server need a key, never a shared secret. A
      // user's code is exchanged with whatever the app registered (PKCE alone for a public app).
      if (grantType === "client_credentials" && method !== "private_key_jwt") {
        throw new OAuthError(
          "invalid_client",
          "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
        );
      }
    },

    decide(request) {
      // The code carries what /v1/authorize granted (Okta evaluates at authentication only).
      if (request.authorized) return { scopes: [...request.authorized.request.scopes], trace: [] };
      return {
        scopes: grantUserScopes(request, grantOrgScopes(request.client, request.requestedScopes)),
        trace: [],
      };
    },

    buildClaims(request, decision, now) {
      const { client, subject, authorized } = request;
      const token = buildAccessToken({
        profile: "okta",
        issuer,
        audiences: [issuer],
        clientId: client.client_id,
        // Okta: a user token's `sub` is the login, `uid` the user id; a client's names the client.
        subject: subject ? subject.user.profile.login : client.client_id,
        userId: subject?.user.id,
        scopes: decision.scopes,
        issuedAt: now,
        lifetimeSeconds: ORG_ACCESS_TOKEN_LIFETIME_SECONDS,
        // A token from a grant object names it, so that revoking the grant revokes the token
        // wherever the grant is asked (userinfo): src/grants/grant-id.ts.
        jti: authorized
          ? grantAccessTokenJti(authorized.grantId, randomToken(TOKEN_ID_BYTES))
          : `AT.${randomToken(TOKEN_ID_BYTES)}`,
      });
      if (authorized) token.payload.auth_time = authorized.request.authTime;
      return { token, claimFailures: [] };
    },

    async buildIdToken(request, decision, { accessToken, alg, now }) {
      const { subject, client, authorized } = request;
      // OIDC Core §3.1.2.1: an ID token only for a user who signed in, and only with `openid`.
      if (!subject || !authorized || !decision.scopes.includes("openid")) return undefined;
      return buildIdToken(
        {
          issuer,
          clientId: client.client_id,
          user: subject.user,
          scopes: decision.scopes,
          issuedAt: now,
          lifetimeSeconds: ID_TOKEN_LIFETIME_SECONDS,
          jti: `ID.${randomToken(TOKEN_ID_BYTES)}`,
          amr: authorized.request.amr,
          idp: await orgIdpId(new URL(issuer).origin),
          authTime: authorized.request.authTime,
          nonce: authorized.request.nonce,
          atHash: await accessTokenHash(accessToken, alg),
        },
        "thin",
      );
    },

    applyHook: async (_request, _decision, token) => token,
  };
}

/**
 * What the org server grants `subject` signing in to `client` at /v1/authorize: OIDC scopes, and
 * okta.* scopes only as far as `userOktaScopes` allows. Throws `invalid_scope`.
 */
export function decideOrgSignIn(
  ports: Ports,
  client: Client,
  subject: TokenSubject,
  requested: readonly string[],
): Promise<string[]> {
  return grantOrgUserScopes(client, requested, (okta) => userOktaScopes(ports, client, subject, okta));
}

/**
 * The okta.* scopes a user's token may carry at /v1/authorize: Okta gives the intersection of the
 * scopes granted to the app (checked before, src/oauth/org/scopes.ts) and the user's admin
 * permissions — here the user's admin roles (`grantUserScopes`): all of them, or `invalid_scope`.
 */
export async function userOktaScopes(
  _ports: Ports,
  _client: Client,
  subject: TokenSubject,
  requested: readonly OktaScope[],
): Promise<readonly OktaScope[]> {
  return grantUserScopes({ subject }, [...requested]);
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
