/**
 * The console's fixed settings. It is a public OAuth client of the org authorization server
 * (README "Admin console"): `npm start` registers it under this id, with the redirect URI
 * `<origin>/admin/callback` and the okta.* grants below.
 */
export const CONSOLE_CLIENT_ID = "warden-admin-console";

/** Where the org server sends the code back to, and where sign-out lands (both registered). */
export const callbackUri = (): string => `${location.origin}/admin/callback`;
export const signedOutUri = (): string => `${location.origin}/admin/signed-out`;

/**
 * What a SUPER_ADMIN's console asks for. The org server grants a user's okta.* request only when every
 * scope is within the user's roles (`invalid_scope` otherwise, README "The org authorization server
 * signs users in"), so a READ_ONLY_ADMIN is asked again for {@link READ_SCOPES}.
 */
export const MANAGE_SCOPES = ["okta.authorizationServers.manage"] as const;
export const READ_SCOPES = ["okta.authorizationServers.read"] as const;

/** The scope that opens the screens' writes (servers, their scopes). */
export const SERVERS_MANAGE = "okta.authorizationServers.manage";
