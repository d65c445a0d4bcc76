/**
 * One JWKS request, as untrusted input: redirects followed by hand so that every hop is re-checked
 * for TLS (fetch's own `follow` would take an https JWKS URL to plain http without a word), and the
 * body read against a byte limit as it arrives — Content-Length may be absent, and for a compressed
 * response it counts the encoded bytes while fetch hands out the decoded ones.
 */
import { readBoundedText } from "../http/bounded-body";
import { isTlsOrLoopback } from "../http/tls-url";

export type JwksFetch = (input: string, init: RequestInit) => Promise<Response>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A JWKS request failed in a way the caller treats as an outage (keep the last good set). */
export class JwksFetchError extends Error {
  override readonly name = "JwksFetchError";
}

/** The final response after at most `maxRedirects` hops, each to an https (or loopback http) URL. */
export async function fetchFollowingTlsRedirects(
  fetch: JwksFetch,
  url: string,
  init: RequestInit,
  maxRedirects: number,
): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await fetch(current, { ...init, redirect: "manual" });
    if (!REDIRECT_STATUSES.has(res.status)) return res;
    await res.body?.cancel();
    const location = res.headers.get("location");
    if (hop >= maxRedirects) throw new JwksFetchError(`more than ${maxRedirects} redirects`);
    if (!location) throw new JwksFetchError(`${res.status} without Location`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new JwksFetchError("redirect to an invalid URL");
    }
    if (!isTlsOrLoopback(next))
      throw new JwksFetchError(`redirect to ${next.protocol} refused: keys need TLS`);
    current = next.toString();
  }
}

/** The body as UTF-8 text, refused once more than `maxBytes` have arrived or are declared. */
export async function readBoundedBody(res: Response, maxBytes: number): Promise<string> {
  const body = await readBoundedText(res, maxBytes);
  if (body.ok) return body.text;
  throw new JwksFetchError(body.reason === "too_large" ? "JWKS too large" : "JWKS is not UTF-8");
}
