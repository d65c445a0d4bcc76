/**
 * Keys must arrive over TLS (RFC 8414 §2 `jwks_uri`, RFC 7517 §8: the JWKS's integrity rests on
 * it); plain http only for a local development server on a loopback address.
 */
export function isTlsOrLoopback(url: URL): boolean {
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return url.protocol === "https:" || (url.protocol === "http:" && loopback);
}
