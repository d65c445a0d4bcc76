/**
 * One request per case before any load: the answer must have the expected status, and a token must
 * be a JWT of the expected algorithm that verifies against its issuer's published keys — so every
 * case measures real, valid work.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { AUDIENCE } from "./config.mjs";

const TOKEN_KINDS = new Set([
  "ceiling",
  "token",
  "token-password",
  "breakdown",
  "peer",
  "token-code",
  "ceiling-code",
  "token-refresh",
  "ceiling-refresh",
  "peer-refresh",
]);
/** Introspection answers 200 for anything: the checked request must find its token active. */
const INTROSPECTION_KINDS = new Set(["introspect", "ceiling-introspect"]);

export async function preflight(benchCase) {
  const { url, method = "GET", headers, body, expectStatus } = benchCase.target;
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  if (res.status !== expectStatus) {
    throw new Error(`${benchCase.id}: expected ${expectStatus}, got ${res.status}: ${text.slice(0, 300)}`);
  }
  if (INTROSPECTION_KINDS.has(benchCase.kind) && JSON.parse(text).active !== true)
    throw new Error(`${benchCase.id}: the token is not active: ${text.slice(0, 300)}`);
  if (!TOKEN_KINDS.has(benchCase.kind)) return;
  const token = JSON.parse(text).access_token;
  const { alg } = decodeProtectedHeader(token);
  if (alg !== benchCase.alg)
    throw new Error(`${benchCase.id}: signed with ${alg}, expected ${benchCase.alg}`);
  if (!benchCase.verify) return;
  const jwks = await (await fetch(benchCase.verify.jwksUrl)).json();
  await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: benchCase.verify.issuer,
    audience: AUDIENCE,
    algorithms: [benchCase.alg],
  });
}

/** The ETag a JWKS answer carries, for the If-None-Match case. */
export async function etagOf(url) {
  const res = await fetch(url);
  await res.text();
  const etag = res.headers.get("etag");
  if (!etag) throw new Error(`${url} answered without an ETag`);
  return etag;
}
