/**
 * Origins and the URIs an app registers, checked the way browsers and RFCs see them. Pure, no zod:
 * the schemas (schemas.ts) call these, and so can the edge without loading a schema.
 *
 * - A trusted origin is an origin (RFC 6454 §4: scheme, host, port) and nothing else, in the
 *   serialization a browser sends in its `Origin` header (RFC 6454 §6.2, Fetch §3.2): lower-case
 *   scheme and host, no default port, no path. Stored that way, the edge compares the header with a
 *   set lookup, never parsing it. Okta's schemes: http, https, ftp, and Ionic 2's and Capacitor's
 *   `ionic://` and `capacitor://` (mobile web views send those as their origin).
 * - A redirect URI is absolute and has no fragment (RFC 6749 §3.1.2); web and browser apps redirect
 *   over https, or plain http to a loopback host only; native apps may also use a private-use scheme
 *   (RFC 8252 §7.1) or a loopback http URI (§7.3). Schemes that run code or read local data in a
 *   browser (`javascript:`, `data:`, `file:`, …) are refused for every app.
 */

export const TRUSTED_ORIGIN_SCHEMES: readonly string[] = ["http:", "https:", "ftp:", "ionic:", "capacitor:"];

/** Schemes that are never a place to send a code or a user: they run script or read local data. */
const FORBIDDEN_REDIRECT_SCHEMES: ReadonlySet<string> = new Set([
  "javascript:",
  "data:",
  "file:",
  "vbscript:",
  "blob:",
  "about:",
  "filesystem:",
]);

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

export type Checked = { ok: true; value: string } | { ok: false; message: string };

/** RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function parse(value: string): URL | undefined {
  // No white space or control characters anywhere: URL parsing would strip some of them silently.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\s\x00-\x1f\x7f]/.test(value) || !SCHEME.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * The origin `value` names, serialized as a browser sends it, or why it is not one. A trailing `/`
 * is accepted (admins paste it); anything else after the authority is refused, not dropped.
 */
export function canonicalOrigin(value: string): Checked {
  const url = parse(value);
  if (!url) return { ok: false, message: "must be an absolute origin, e.g. https://app.example.com" };
  const scheme = url.protocol.toLowerCase();
  if (!TRUSTED_ORIGIN_SCHEMES.includes(scheme)) {
    return { ok: false, message: "must use http, https, ftp, ionic or capacitor" };
  }
  if (url.username || url.password) return { ok: false, message: "must not contain credentials" };
  if (!url.host) return { ok: false, message: "must name a host" };
  if (url.host.includes("*")) return { ok: false, message: "must not contain a wildcard" };
  if ((url.pathname !== "" && url.pathname !== "/") || url.search || url.hash || value.endsWith("?")) {
    return { ok: false, message: "must be an origin only: no path, query or fragment" };
  }
  // Special schemes (http, https, ftp) have their host lower-cased and default port dropped by the
  // URL parser already; ionic and capacitor are opaque to it, so their host is lower-cased here.
  return { ok: true, value: `${scheme}//${url.host.toLowerCase()}` };
}

/** What kind of app a redirect URI is checked for: native apps may use private-use schemes. */
export type RedirectAudience = "web" | "native";

/** Why `value` cannot be a redirect (or logout redirect, or login initiation) URI, if it cannot. */
export function redirectUriProblem(value: string, audience: RedirectAudience): string | undefined {
  const url = parse(value);
  if (!url) return "must be an absolute URI";
  if (value.includes("#")) return "must not contain a fragment (RFC 6749 §3.1.2)";
  const scheme = url.protocol.toLowerCase();
  if (FORBIDDEN_REDIRECT_SCHEMES.has(scheme)) return `must not use the ${scheme} scheme`;
  if (url.username || url.password) return "must not contain credentials";
  if (url.host.includes("*") || url.pathname.includes("*")) return "must not contain a wildcard";
  if (scheme === "https:") return url.host ? undefined : "must name a host";
  if (scheme === "http:") {
    // RFC 8252 §8.3 and OAuth 2.0 Security BCP §4.1.1: plain http only where it never leaves the machine.
    return LOOPBACK_HOSTS.has(url.hostname.toLowerCase())
      ? undefined
      : "must use https (http only for localhost, 127.0.0.1 or [::1])";
  }
  if (audience === "native") {
    // RFC 8252 §7.1: a private-use scheme, at least one period (reverse domain name) recommended;
    // Okta takes any custom scheme, and so does Warden, since an app store name is not ours to check.
    return undefined;
  }
  return "must use https (http only for localhost, 127.0.0.1 or [::1]); custom schemes are for native apps";
}
