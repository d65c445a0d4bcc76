/**
 * The load cases, one object each: what to request, where, and what it is compared with. `kind`
 * drives the report; `target` is what the load client sends.
 */
import { ALGS, RULE_COUNTS, serverId, tokenRequest } from "./config.mjs";
import { PEER_RESOURCES } from "./peer.mjs";

export const BREAKDOWN = { alg: "ES256", rules: 20, steps: ["body", "auth", "grant", "endpoint"] };
export const JWKS_SERVER = serverId("RS256", 20);
const DEV_RULES = 20;

export const tokenPath = (alg, rules) => `/oauth2/${serverId(alg, rules)}/v1/token`;
export const breakdownPath = (step) => `/__breakdown/${serverId(BREAKDOWN.alg, BREAKDOWN.rules)}/${step}`;
export const jwksPath = `/oauth2/${JWKS_SERVER}/v1/keys`;
/** The bench entry's JWKS, precomputed and answered before Warden's router (see ceiling-entry.ts). */
export const precomputedJwksPath = `/__jwks/${JWKS_SERVER}`;

/** How preflight checks a case's token: signature against the issuer's published keys, and claims. */
function wardenVerify(baseUrl, alg, rules) {
  const issuer = `${baseUrl}/oauth2/${serverId(alg, rules)}`;
  return { issuer, jwksUrl: `${issuer}/v1/keys` };
}

/** The bench's token request to `path`, answered 200. */
export function post(baseUrl, path, credentials, extraBody) {
  return { url: `${baseUrl}${path}`, ...tokenRequest(credentials, extraBody), expectStatus: 200 };
}

/** Warden on Miniflare, through the direct socket and (for two cases) Miniflare's entry socket. */
export function miniflareCases(mf, credentials, etags) {
  const cpuPids = mf.pids;
  const cases = [
    {
      id: "mf-floor",
      kind: "floor",
      runtime: "miniflare",
      label: "empty response (runtime floor)",
      target: { url: `${mf.baseUrl}/__floor`, expectStatus: 204, cpuPids },
    },
  ];
  for (const alg of ALGS) {
    cases.push({
      id: `mf-ceiling-${alg}`,
      kind: "ceiling",
      runtime: "miniflare",
      alg,
      label: `ceiling ${alg} (sign a fixed payload)`,
      target: { ...post(mf.baseUrl, `/__ceiling/${alg}`, credentials), cpuPids },
    });
    for (const rules of RULE_COUNTS) {
      cases.push({
        id: `mf-token-${alg}-${rules}`,
        kind: "token",
        runtime: "miniflare",
        alg,
        rules,
        label: `token endpoint ${alg}, ${rules} rule${rules === 1 ? "" : "s"}`,
        verify: wardenVerify(mf.baseUrl, alg, rules),
        target: { ...post(mf.baseUrl, tokenPath(alg, rules), credentials), cpuPids },
      });
    }
  }
  for (const step of BREAKDOWN.steps) {
    cases.push({
      id: `mf-breakdown-${step}`,
      kind: "breakdown",
      runtime: "miniflare",
      alg: BREAKDOWN.alg,
      rules: BREAKDOWN.rules,
      step,
      label: `breakdown: up to '${step}', then sign`,
      target: {
        ...post(mf.baseUrl, breakdownPath(step), credentials),
        cpuPids,
      },
    });
  }
  cases.push(
    {
      id: "mf-jwks",
      kind: "jwks",
      runtime: "miniflare",
      label: "JWKS (warm)",
      target: { url: `${mf.baseUrl}${jwksPath}`, expectStatus: 200, cpuPids },
    },
    {
      id: "mf-jwks-304",
      kind: "jwks-304",
      runtime: "miniflare",
      label: "JWKS with If-None-Match (304)",
      target: {
        url: `${mf.baseUrl}${jwksPath}`,
        headers: { "if-none-match": etags.warden },
        expectStatus: 304,
        cpuPids,
      },
    },
    {
      id: "mf-jwks-precomputed",
      kind: "jwks-alternative",
      runtime: "miniflare",
      label: "reference: precomputed JWKS answered before Warden's router",
      target: { url: `${mf.baseUrl}${precomputedJwksPath}`, expectStatus: 200, cpuPids },
    },
    {
      id: "mf-jwks-precomputed-304",
      kind: "jwks-alternative",
      runtime: "miniflare",
      label: "reference: the same with If-None-Match (304)",
      target: {
        url: `${mf.baseUrl}${precomputedJwksPath}`,
        headers: { "if-none-match": etags.precomputed },
        expectStatus: 304,
        cpuPids,
      },
    },
    {
      id: "mf-entry-floor",
      kind: "floor",
      runtime: "miniflare-entry",
      label: "empty response, through Miniflare's entry Worker",
      target: { url: `${mf.entryUrl}/__floor`, expectStatus: 204, cpuPids },
    },
    {
      id: `mf-entry-token-ES256-${DEV_RULES}`,
      kind: "token",
      runtime: "miniflare-entry",
      alg: "ES256",
      rules: DEV_RULES,
      label: `token endpoint ES256, ${DEV_RULES} rules, through Miniflare's entry Worker`,
      verify: wardenVerify(mf.entryUrl, "ES256", DEV_RULES),
      target: { ...post(mf.entryUrl, tokenPath("ES256", DEV_RULES), credentials), cpuPids },
    },
  );
  return cases;
}

/** node-oidc-provider: the same client_credentials request, plus the resource indicator. */
export function peerCases(peer, credentials) {
  return ALGS.map((alg) => ({
    id: `peer-${alg}`,
    kind: "peer",
    runtime: "node",
    alg,
    label: `node-oidc-provider ${alg}`,
    verify: { issuer: peer.baseUrl, jwksUrl: `${peer.baseUrl}/jwks` },
    target: {
      ...post(peer.baseUrl, "/token", credentials, `&resource=${encodeURIComponent(PEER_RESOURCES[alg])}`),
      cpuPids: peer.pids,
    },
  }));
}

/** Warden under `wrangler dev` (npm start): the figures a developer sees locally. */
export function wranglerDevCases(dev, credentials) {
  return [
    ...ALGS.map((alg) => ({
      id: `dev-token-${alg}-${DEV_RULES}`,
      kind: "token",
      runtime: "wrangler-dev",
      alg,
      rules: DEV_RULES,
      label: `token endpoint ${alg}, ${DEV_RULES} rules (wrangler dev)`,
      verify: wardenVerify(dev.baseUrl, alg, DEV_RULES),
      target: { ...post(dev.baseUrl, tokenPath(alg, DEV_RULES), credentials), cpuPgid: dev.pgid },
    })),
    {
      id: "dev-jwks",
      kind: "jwks",
      runtime: "wrangler-dev",
      label: "JWKS (warm, wrangler dev)",
      target: { url: `${dev.baseUrl}${jwksPath}`, expectStatus: 200, cpuPgid: dev.pgid },
    },
  ];
}

/** Every (algorithm, rule count) server a runtime needs seeded. */
export const MINIFLARE_SERVERS = ALGS.flatMap((alg) => RULE_COUNTS.map((rules) => ({ alg, rules })));
export const DEV_SERVERS = ALGS.map((alg) => ({ alg, rules: DEV_RULES }));
