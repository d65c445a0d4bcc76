/**
 * The console's fixed settings. It is a public OAuth client of the org authorization server
 * (README "Admin console"): `npm start` registers it under this id, with the redirect URI
 * `<origin>/admin/callback` and the okta.* grants below.
 */
export const CONSOLE_CLIENT_ID = "warden-admin-console";

/** Where the org server sends the code back to, and where sign-out lands (both registered). */
export const callbackUri = (): string => `${location.origin}/admin/callback`;
export const signedOutUri = (): string => `${location.origin}/admin/signed-out`;

/** The management API's resources the console's screens read and (with `…manage`) change. */
export const RESOURCES = ["authorizationServers", "apps", "users", "groups", "inlineHooks"] as const;
export type Resource = (typeof RESOURCES)[number];

/** What any admin's console reads and never writes. */
const ALWAYS_READ = ["okta.logs.read", "okta.roles.read"] as const;

/**
 * What a SUPER_ADMIN's console asks for: every resource's `…manage` (which covers its `…read`), the
 * system log and users' admin roles (read only: assigning a role needs every right it gives, more
 * than the console's token holds, so roles are assigned with the API). The org server grants a user's okta.* request only when every scope is within the
 * user's roles (`invalid_scope` otherwise, README "The org authorization server signs users in"), so
 * a READ_ONLY_ADMIN is asked again for {@link READ_SCOPES}.
 */
export const MANAGE_SCOPES = [...RESOURCES.map((r) => `okta.${r}.manage`), ...ALWAYS_READ] as const;
export const READ_SCOPES = [...RESOURCES.map((r) => `okta.${r}.read`), ...ALWAYS_READ] as const;

/** The scope that opens a resource's writes. */
export const manageScope = (resource: Resource): string => `okta.${resource}.manage`;

/** The scope that opens the server screens' writes (servers, their scopes, claims, policies, keys). */
export const SERVERS_MANAGE = manageScope("authorizationServers");
