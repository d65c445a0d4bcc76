/**
 * Which okta.* scopes the org authorization server grants a client: exactly those requested, each of
 * which must be an okta.* scope Warden knows and granted to the client by an admin (Okta's scope
 * grants). Pure. There are no default scopes and no partial grants: anything else is `invalid_scope`,
 * as Okta answers.
 */
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
