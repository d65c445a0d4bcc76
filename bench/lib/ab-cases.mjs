/**
 * The cases both A/B commands load (bench/compare.mjs by CPU, bench/instructions.mjs by instruction
 * count): what each sends, given one side's base URL, the run's credentials and its JWKS ETag.
 */
import { breakdownPath, jwksPath, post, tokenPath } from "./cases.mjs";
import { serverId } from "./config.mjs";

export const SERVERS = [
  { alg: "ES256", rules: 20 },
  { alg: "RS256", rules: 20 },
];

/** What each case sends, given one side's base URL, the run's credentials and that side's JWKS ETag. */
export const CASES = {
  floor: (url) => ({ url: `${url}/__floor`, expectStatus: 204 }),
  "ceiling-ES256": (url, c) => post(url, "/__ceiling/ES256", c),
  "ceiling-RS256": (url, c) => post(url, "/__ceiling/RS256", c),
  "token-ES256": (url, c) => post(url, tokenPath("ES256", 20), c),
  "token-RS256": (url, c) => post(url, tokenPath("RS256", 20), c),
  body: (url, c) => post(url, breakdownPath("body"), c),
  grant: (url, c) => post(url, breakdownPath("grant"), c),
  endpoint: (url, c) => post(url, breakdownPath("endpoint"), c),
  jwks: (url) => ({ url: `${url}${jwksPath}`, expectStatus: 200 }),
  "jwks-304": (url, _c, etag) => ({
    url: `${url}${jwksPath}`,
    headers: { "if-none-match": etag },
    expectStatus: 304,
  }),
  discovery: (url) => ({
    url: `${url}/oauth2/${serverId("RS256", 20)}/.well-known/openid-configuration`,
    expectStatus: 200,
  }),
};
