/**
 * Okta's management-API scopes ("OAuth 2.0 scopes for Okta APIs") that Warden's org authorization
 * server can grant: `…read` allows GET only, `…manage` also writes. Only resources Warden has or is
 * building are listed; anything else is not an okta.* scope here.
 *
 * A module of its own, without zod, so that the protocol endpoints (discovery, the org server) can
 * read the list without building every configuration schema at start-up (DESIGN §10).
 */
export const OKTA_SCOPES = [
  "okta.apiTokens.manage",
  "okta.apiTokens.read",
  "okta.apps.manage",
  "okta.apps.read",
  "okta.authorizationServers.manage",
  "okta.authorizationServers.read",
  "okta.groups.manage",
  "okta.groups.read",
  "okta.inlineHooks.manage",
  "okta.inlineHooks.read",
  "okta.logs.read",
  // Admin role assignments (`/api/v1/users/{userId}/roles`): Okta's scopes for its Role Assignment API.
  "okta.roles.manage",
  "okta.roles.read",
  "okta.trustedOrigins.manage",
  "okta.trustedOrigins.read",
  "okta.users.manage",
  "okta.users.read",
] as const;
