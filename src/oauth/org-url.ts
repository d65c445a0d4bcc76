/**
 * The org URL every issuer is built from (Okta's ORG_URL issuer mode): the org's origin, custom
 * servers' issuers `{orgUrl}/oauth2/{id}` and the org server's issuer itself.
 *
 * The issuer never follows the `Host` header outside local development (DESIGN §8): otherwise a
 * deployment reachable on workers.dev and a custom domain has two issuers, and `Host: evil.example`
 * mints tokens that claim `iss: http://evil.example/…`. So:
 * - `ORG_URL` set (an absolute http(s) URL): that, whatever the request says;
 * - unset in local development (`npm start`, the test tiers): the request's origin, only when its
 *   host is a loopback name (`localhost`, `127.0.0.1`, `[::1]`);
 * - anything else fails closed: no issuer, so no token, metadata or bearer verification.
 */
import type { ProtocolSettings } from "../config/vars";
import { OAuthError } from "../errors";

export type OrgUrlSettings = Pick<ProtocolSettings, "orgUrl" | "localDevelopment">;

/** Why a request has no org URL: the operator's to fix, logged once per isolate. */
export type OrgUrlFailure = "unset" | "invalid" | "not_loopback";

export type OrgUrlResult = { ok: true; url: string } | { ok: false; reason: OrgUrlFailure };

/** The one answer on the wire, whatever the reason: the log says which. */
export const ISSUER_NOT_CONFIGURED = "The issuer is not configured (ORG_URL).";

/** Host names local development may build an issuer from (URL serialization: IPv6 in brackets). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function resolveOrgUrl(settings: OrgUrlSettings, requestUrl: string): OrgUrlResult {
  if (settings.orgUrl !== undefined && settings.orgUrl.trim() !== "") return configured(settings.orgUrl);
  if (!settings.localDevelopment) return { ok: false, reason: "unset" };
  const origin = originOf(requestUrl);
  return LOOPBACK_HOSTS.has(hostOf(origin))
    ? { ok: true, url: origin }
    : { ok: false, reason: "not_loopback" };
}

/** The org URL for a protocol endpoint, or its RFC 6749 §5.2 `server_error`: a misconfiguration, not the client's. */
export function requireOrgUrl(settings: OrgUrlSettings, requestUrl: string): string {
  const result = resolveOrgUrl(settings, requestUrl);
  if (result.ok) return result.url;
  logOrgUrlFailure(result.reason);
  throw new OAuthError("server_error", ISSUER_NOT_CONFIGURED);
}

const LOG: Record<OrgUrlFailure, string> = {
  unset:
    "ORG_URL is not set: every issuer fails closed outside local development (README: Deploying for real)",
  invalid: "ORG_URL is not an absolute http(s) URL: every issuer fails closed",
  not_loopback:
    "ORG_URL is not set: local development builds issuers only for localhost, 127.0.0.1 and [::1]; a request for another host was refused",
};
const logged = new Set<OrgUrlFailure>();

/** Logs a failure once per isolate and reason: every request fails the same way until it is fixed. */
export function logOrgUrlFailure(reason: OrgUrlFailure): void {
  if (logged.has(reason)) return;
  logged.add(reason);
  console.error(LOG[reason]);
}

/**
 * The configured value, normalized (trailing slashes dropped) and checked once per value: it is the
 * same string on every request of an isolate, and the token path should not parse a URL each time.
 */
let lastConfigured: { value: string; result: OrgUrlResult } | undefined;

function configured(value: string): OrgUrlResult {
  if (lastConfigured?.value === value) return lastConfigured.result;
  const url = value.trim().replace(/\/+$/, "");
  let result: OrgUrlResult;
  try {
    const parsed = new URL(url);
    const absolute = (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.host !== "";
    result =
      absolute && !parsed.username && !parsed.password && !parsed.search && !parsed.hash
        ? { ok: true, url }
        : { ok: false, reason: "invalid" };
  } catch {
    result = { ok: false, reason: "invalid" };
  }
  lastConfigured = { value, result };
  return result;
}

/** The host of an origin (`scheme://host[:port]`), IPv6 addresses keeping their brackets. */
function hostOf(origin: string): string {
  const authority = origin.slice(origin.indexOf("//") + 2);
  if (authority.startsWith("[")) return authority.slice(0, authority.indexOf("]") + 1);
  const colon = authority.indexOf(":");
  return colon < 0 ? authority : authority.slice(0, colon);
}

/**
 * The origin of an absolute http(s) URL, as `new URL(url).origin` gives it, without parsing the URL
 * on every request. A request's URL is already in the WHATWG serialization (scheme and host
 * lower-cased, default port dropped), so its origin is everything before the path's first '/'.
 * Anything else — credentials in the authority, no path — goes through the parser.
 */
function originOf(url: string): string {
  const scheme = url.startsWith("https://") ? 8 : url.startsWith("http://") ? 7 : -1;
  const pathStart = scheme < 0 ? -1 : url.indexOf("/", scheme);
  if (pathStart < 0) return new URL(url).origin;
  const origin = url.slice(0, pathStart);
  return origin.includes("@") ? new URL(url).origin : origin;
}
