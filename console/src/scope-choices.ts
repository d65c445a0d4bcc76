/**
 * The scopes a claim condition, a rule or a previewed request may name: the server's own, and the
 * OpenID Connect scopes every server honours whether or not it lists them (DESIGN §3; Okta's system
 * scopes; the server accepts them in claim conditions, rules and token requests:
 * src/config/schemas.ts, src/policy/evaluate.ts). The console's one copy of the list.
 * test/unit/console-preview.test.ts holds this list equal to the server's `RESERVED_SCOPES`.
 */
export const OIDC_SCOPES = [
  "openid",
  "profile",
  "email",
  "address",
  "phone",
  "offline_access",
  "device_sso",
] as const;

/** The server's scope names in its order, then the OIDC scopes it does not list itself. */
export function scopeChoices(serverScopes: readonly { name: string }[]): string[] {
  const names = serverScopes.map((s) => s.name);
  return [...names, ...OIDC_SCOPES.filter((s) => !names.includes(s))];
}
