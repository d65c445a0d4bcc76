/**
 * The two cookies of the hosted sign-in: `sid` (the session) and the CSRF secret a sign-in form is
 * bound to. Both HttpOnly (no script reads them), SameSite=Lax (not sent on cross-site subrequests or
 * POSTs, yet sent when the user follows a link to /v1/authorize), Path=/.
 *
 * On https both carry Secure and the `__Host-` prefix (RFC 6265bis §4.1.3.2): the browser then
 * refuses any such cookie set with a Domain or from plain http, so a sibling subdomain or a network
 * attacker cannot plant a session or a CSRF secret (cookie tossing / session fixation). Plain http
 * (local development only) cannot use the prefix.
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";

export type CookieKind = "session" | "csrf";

const NAMES: Record<CookieKind, string> = { session: "sid", csrf: "warden_csrf" };

export function cookieName(kind: CookieKind, secure: boolean): string {
  return secure ? `__Host-${NAMES[kind]}` : NAMES[kind];
}

/** Whether the request reached Warden over https (the URL the Worker sees; Cloudflare terminates TLS). */
export function isSecure(url: string): boolean {
  return url.startsWith("https:");
}

export function readCookie(c: Context, kind: CookieKind): string | undefined {
  const value = getCookie(c, cookieName(kind, isSecure(c.req.url)));
  return value === undefined || value === "" ? undefined : value;
}

/**
 * A `Set-Cookie` value. Session cookies (no Max-Age) for both: the server decides when a session
 * ends; the browser forgetting the cookie at exit only ends it sooner.
 */
export function setCookie(kind: CookieKind, value: string, secure: boolean): string {
  return [
    `${cookieName(kind, secure)}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

export function clearCookie(kind: CookieKind, secure: boolean): string {
  return `${setCookie(kind, "", secure)}; Max-Age=0`;
}
