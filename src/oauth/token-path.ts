/**
 * Okta's token endpoints: the org server's `/oauth2/v1/token` and every custom server's
 * `/oauth2/{as}/v1/token`, as Hono's router sees a request's path (one segment for `{as}`, no
 * trailing slash: the app's routes are strict).
 */
const TOKEN_PATH = /^\/oauth2\/(?:[^/]+\/)?v1\/token$/;

export function isTokenPath(path: string): boolean {
  return TOKEN_PATH.test(path);
}
