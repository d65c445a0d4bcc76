/**
 * Which okta.* scopes the org authorization server grants a client (client_credentials): exactly those requested, each of
 * which must be an okta.* scope Warden knows and granted to the client by an admin (Okta's scope
 * grants). Pure. There are no default scopes and no partial grants: anything else is `invalid_scope`,
 * as Okta answers.
 */
import { RESERVED_SCOPES } from "../../config/defaults";
import { OKTA_SCOPES } from "../../config/okta-scopes";
import type { Client, OktaScope } from "../../config/schemas";
import { echoList, OAuthError } from "../../errors";

const KNOWN: ReadonlySet<string> = new Set(OKTA_SCOPES);

export function grantOrgScopes(client: Client, requested: readonly string[]): OktaScope[] {
  if (requested.length === 0) {
    throw new OAuthError(
      "invalid_scope",
      "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
    );
  }
  // Okta's org authorization server has no custom scopes.
  const unknown = requested.filter((s) => !KNOWN.has(s));
  if (unknown.length > 0) {
    throw new OAuthError("invalid_scope", "Custom scopes are not allowed for this request");
  }
  const granted = new Set((client.grants ?? []).map((g) => g.scopeId));
  const missing = requested.filter((s) => !granted.has(s as OktaScope));
  if (missing.length > 0) {
    throw new OAuthError(
      "invalid_scope",
      `The following scopes were requested, but not granted to the client: ${echoList(missing)}`,
    );
  }
  return requested as OktaScope[];
}

const OIDC: ReadonlySet<string> = new Set(RESERVED_SCOPES);

/**
 * Scopes no user grant at the org server is given yet: `offline_access` asks for a refresh token
 * (OIDC Core §11), which the org server does not issue. Refused rather than dropped, so a client
 * never believes it holds what it does not (as the custom servers do: src/oauth/custom-server.ts).
 */
const NOT_YET_ISSUED: ReadonlySet<string> = new Set(["offline_access"]);

/**
 * Which scopes the org server grants a user signing in to `client` (authorization_code). Okta's org
 * server has no access policies: every assigned user of an app with the grant type gets the OIDC
 * scopes it asks for. okta.* scopes must have been granted to the app by an admin (as for
 * client_credentials) and are then the user's admin rights' to give (`oktaScopes`,
 * src/oauth/org/org-server.ts). Pure but for `oktaScopes`; throws `invalid_scope` for anything
 * else, naming it.
 */
export async function grantOrgUserScopes(
  client: Client,
  requested: readonly string[],
  oktaScopes: (requested: readonly OktaScope[]) => Promise<readonly OktaScope[]>,
): Promise<string[]> {
  if (requested.length === 0) {
    throw new OAuthError(
      "invalid_scope",
      "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
    );
  }
  const unknown = requested.filter((s) => !OIDC.has(s) && !KNOWN.has(s));
  if (unknown.length > 0) {
    throw new OAuthError("invalid_scope", "Custom scopes are not allowed for this request");
  }
  const unissued = requested.filter((s) => NOT_YET_ISSUED.has(s));
  if (unissued.length > 0) {
    throw new OAuthError(
      "invalid_scope",
      `The following scopes are not allowed for authorization_code: ${echoList(unissued)} (Warden does not issue refresh tokens at the org authorization server).`,
    );
  }
  const okta = requested.filter((s) => KNOWN.has(s)) as OktaScope[];
  if (okta.length > 0) {
    const granted = new Set((client.grants ?? []).map((g) => g.scopeId));
    const missing = okta.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      throw new OAuthError(
        "invalid_scope",
        `The following scopes were requested, but not granted to the client: ${echoList(missing)}`,
      );
    }
  }
  const allowed = new Set<string>(okta.length > 0 ? await oktaScopes(okta) : []);
  return requested.filter((s) => OIDC.has(s) || allowed.has(s));
}
