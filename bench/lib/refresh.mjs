/**
 * The refresh_token grant and introspection (issue 12) on the Miniflare Worker, against their
 * ceilings and node-oidc-provider:
 *
 * - **Seeding, through the real path**: two web apps (`authorization_code` + `refresh_token`), one
 *   ROTATE and one STATIC (leeway 30 s), a server whose one rule allows both grants and
 *   `orders:read offline_access` for a group of users. Codes are minted by the bench entry's
 *   `/__codes` exactly as `/v1/authorize` mints them once a user signed in (lib/code-flow.mjs), and
 *   each is exchanged at the real `/v1/token` with `offline_access`: that exchange is where Warden
 *   gives the grant's Durable Object its refresh family and indexes it in D1. One family per code.
 * - **Many families** (`mf-refresh-many-*`): each request refreshes a different family, in turn
 *   over all of them. STATIC: the token never changes, so the bodies are fixed. ROTATE: the load
 *   client chains (lib/load-client.mjs `chain`): a request takes the family that waited longest,
 *   sends its latest token and keeps the successor the answer carries; the latest tokens go on to
 *   the next run.
 * - **One hot family** (`mf-refresh-hot-*`): STATIC, every request the same token (one Durable
 *   Object serializes them all). ROTATE cannot share one family across concurrent requests without
 *   presenting rotated tokens (within the leeway a replay gets the same successor, after it the
 *   family is revoked), so its hot case is one family per connection, each chained.
 * - **Ceilings** (`mf-ceiling-refresh-*`): the bench entry's `/__ceiling-refresh`: one Grant `refresh`
 *   (the same transaction) and one ES256 signature, on the same families.
 * - **The peer** (`peer-refresh-*`): node-oidc-provider's `refresh_token` grant on refresh tokens its
 *   `/__refresh` route minted (a Grant with `offline_access` and the resource's scope, a
 *   RefreshToken bound to it); ROTATE chained the same way. Its store is in-process memory.
 * - **Introspection** (`mf-introspect-*`): `/v1/introspect` with client_secret_basic for the access
 *   tokens and refresh tokens of the STATIC families; the ceilings (`/__ceiling-introspect*`) are
 *   one signature check and one Grant `isActive` for an access token, one Grant
 *   `introspectRefresh` for a refresh token.
 *
 * Every refresh asks for `orders:read offline_access` (no `openid`): one signature per answer, as
 * the ceiling signs once.
 */

import { CODE_REDIRECT_URI } from "./code-flow.mjs";
import { basicAuth, SCOPE, serverConfig } from "./config.mjs";
import { PEER_RESOURCES } from "./peer.mjs";

export const REFRESH_CASE = { alg: "ES256", users: 16 };
export const REFRESH_SERVER = `refresh-${REFRESH_CASE.alg.toLowerCase()}`;
export const REFRESH_CLIENTS = { STATIC: "bench-refresh-static", ROTATE: "bench-refresh-rotate" };
const ROTATIONS = ["STATIC", "ROTATE"];
const SCOPES = [SCOPE, "offline_access"];
const PASSWORD = "Tr0ub4dor-Staple-43";
/** Families set aside for the one checked request of each chained case (it rotates its token). */
const SPARES = 3;
/** Code exchanges in flight while seeding (the Worker's one thread does the work anyway). */
const SEED_PARALLEL = 8;

async function admin(baseUrl, credentials, method, path, body) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { Authorization: `SSWS ${credentials.adminToken}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** The apps, server, group and users (through the management API), then `families` per rotation. */
export async function seedRefresh(baseUrl, credentials, { families, connections }) {
  const group = await admin(baseUrl, credentials, "POST", "/groups", {
    profile: { name: "Refresh users" },
  });
  const config = serverConfig(REFRESH_CASE.alg, 1, REFRESH_CLIENTS.STATIC);
  config.server = { ...config.server, id: REFRESH_SERVER, name: REFRESH_SERVER };
  const [policy] = config.policies;
  policy.conditions = { clients: { include: Object.values(REFRESH_CLIENTS) } };
  const [rule] = policy.rules;
  rule.conditions = {
    grantTypes: { include: ["authorization_code", "refresh_token"] },
    people: { groups: { include: [group.id] } },
    scopes: { include: SCOPES },
  };
  // Unlimited lifetime, a week's idle window (Okta's default): no family ends during the run.
  rule.actions = {
    token: {
      accessTokenLifetimeMinutes: 60,
      refreshTokenLifetimeMinutes: 0,
      refreshTokenWindowMinutes: 10080,
    },
  };
  await admin(baseUrl, credentials, "POST", "/warden/import", {
    clients: ROTATIONS.map((rotation) => ({
      client_id: REFRESH_CLIENTS[rotation],
      client_name: `Bench ${rotation} app`,
      application_type: "web",
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code", "refresh_token"],
      redirect_uris: [CODE_REDIRECT_URI],
      client_secrets: [credentials.clientSecret],
      refresh_token: { rotation_type: rotation, leeway: 30 },
    })),
    authorizationServers: [config],
  });
  for (const clientId of Object.values(REFRESH_CLIENTS))
    await admin(baseUrl, credentials, "PUT", `/apps/${clientId}/groups/${group.id}`, {});
  const people = [];
  for (let i = 0; i < REFRESH_CASE.users; i++) {
    const login = `refresh-user-${i}@example.com`;
    const user = await admin(baseUrl, credentials, "POST", "/users?activate=true", {
      profile: { login, email: login, firstName: "Refresh", lastName: `User ${i}` },
      credentials: { password: { value: PASSWORD } },
      groupIds: [group.id],
    });
    people.push(user.id);
  }
  const seeded = { policyId: policy.id, ruleId: rule.id, people };
  const out = {};
  for (const rotation of ROTATIONS) {
    // ROTATE: the pool, one family per connection for the hot case, and the checked requests' spares.
    const count = families + (rotation === "ROTATE" ? connections + SPARES : 0);
    out[rotation] = await openFamilies(baseUrl, credentials, seeded, rotation, count);
  }
  return out;
}

/** `count` families of `rotation`'s app: codes minted as /v1/authorize does, each exchanged at /v1/token. */
async function openFamilies(baseUrl, credentials, seeded, rotation, count) {
  const clientId = REFRESH_CLIENTS[rotation];
  const nowS = Math.floor(Date.now() / 1000);
  const perUser = Math.ceil(count / seeded.people.length);
  const batches = await Promise.all(
    seeded.people.map(async (userId) => {
      const res = await fetch(`${baseUrl}/__codes/${REFRESH_SERVER}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          count: perUser,
          request: {
            serverId: REFRESH_SERVER,
            clientId,
            redirectUri: CODE_REDIRECT_URI,
            scopes: SCOPES,
            userId,
            authTime: nowS,
            amr: ["pwd"],
            decision: {
              policyId: seeded.policyId,
              ruleId: seeded.ruleId,
              accessTokenLifetimeSeconds: 3600,
              refreshTokenLifetimeMinutes: 0,
              refreshTokenWindowMinutes: 10080,
            },
          },
        }),
      });
      if (!res.ok) throw new Error(`minting codes: ${res.status} ${await res.text()}`);
      return res.json();
    }),
  );
  const codes = [];
  for (let i = 0; i < perUser; i++) for (const batch of batches) if (batch[i]) codes.push(batch[i]);
  const issuer = `${baseUrl}/oauth2/${REFRESH_SERVER}`;
  const headers = {
    authorization: basicAuth(clientId, credentials.clientSecret),
    "content-type": "application/x-www-form-urlencoded",
  };
  const tokens = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${issuer}/v1/token`, {
        method: "POST",
        headers,
        body:
          `grant_type=authorization_code&code=${encodeURIComponent(codes[i])}` +
          `&redirect_uri=${encodeURIComponent(CODE_REDIRECT_URI)}`,
      });
      const body = await res.json();
      if (res.status !== 200 || !body.refresh_token)
        throw new Error(`code exchange with offline_access: ${res.status} ${JSON.stringify(body)}`);
      tokens[i] = { refreshToken: body.refresh_token, accessToken: body.access_token };
    }
  };
  await Promise.all(Array.from({ length: SEED_PARALLEL }, worker));
  return tokens;
}

/** node-oidc-provider's refresh tokens for `clientId`, from its `/__refresh` route. */
export async function seedPeerRefresh(peer, rotation, count) {
  const res = await fetch(`${peer.baseUrl}/__refresh`, {
    method: "POST",
    body: JSON.stringify({
      count,
      resource: PEER_RESOURCES[REFRESH_CASE.alg],
      clientId: REFRESH_CLIENTS[rotation],
    }),
  });
  if (!res.ok) throw new Error(`peer refresh tokens: ${res.status} ${await res.text()}`);
  return res.json();
}

const REFRESH_PREFIX = "grant_type=refresh_token&refresh_token=";
const refreshBody = (token) => REFRESH_PREFIX + encodeURIComponent(token);

export const refreshTokenPath = `/oauth2/${REFRESH_SERVER}/v1/token`;

/** One STATIC refresh of `token` (the CPU profile's request). */
export function refreshRequest(credentials, token) {
  return {
    method: "POST",
    headers: {
      authorization: basicAuth(REFRESH_CLIENTS.STATIC, credentials.clientSecret),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: refreshBody(token),
  };
}

/**
 * A chained pool: the load client gets the latest tokens and hands back the newest (ROTATE). Cases
 * that share a pool share this holder, so a token rotated by one is the one the next presents.
 */
function chainedPool(tokens) {
  const pool = { tokens };
  return {
    prepare: async () => ({ chain: { tokens: pool.tokens, prefix: REFRESH_PREFIX, field: "refresh_token" } }),
    observe: (result) => {
      if (result.chainTokens) pool.tokens = result.chainTokens;
      // Kept out of latest.json: they are secrets of the run, and many.
      delete result.chainTokens;
    },
  };
}

/** The refresh and introspection load cases; `warden` and `peer` are the seeded tokens. */
export function refreshCases(mf, peer, credentials, warden, peerTokens, { families, connections }) {
  const issuer = `${mf.baseUrl}/oauth2/${REFRESH_SERVER}`;
  const verify = { issuer, jwksUrl: `${issuer}/v1/keys` };
  const peerVerify = { issuer: peer.baseUrl, jwksUrl: `${peer.baseUrl}/jwks` };
  const form = "application/x-www-form-urlencoded";
  const headersOf = (rotation) => ({
    authorization: basicAuth(REFRESH_CLIENTS[rotation], credentials.clientSecret),
    "content-type": form,
  });
  const alg = REFRESH_CASE.alg;
  const common = { runtime: "miniflare", alg };
  const mfTarget = (url, rotation) => ({
    url,
    method: "POST",
    headers: headersOf(rotation),
    expectStatus: 200,
    cpuPids: mf.pids,
  });
  const tokenUrl = `${issuer}/v1/token`;
  const ceilingUrl = (rotation) =>
    `${mf.baseUrl}/__ceiling-refresh/${alg}/${REFRESH_SERVER}/${REFRESH_CLIENTS[rotation]}`;

  const fixed = warden.STATIC.slice(0, families);
  const staticBodies = fixed.map((t) => refreshBody(t.refreshToken));
  const rotating = warden.ROTATE.map((t) => t.refreshToken);
  const manyRotate = chainedPool(rotating.slice(0, families));
  const hotRotate = chainedPool(rotating.slice(families, families + connections));
  const [spareReal, spareCeiling, spareHot] = rotating.slice(families + connections);
  const peerRotate = chainedPool(peerTokens.ROTATE.slice(0, families));
  const peerSpare = peerTokens.ROTATE[families];

  return [
    {
      ...common,
      id: "mf-refresh-many-STATIC",
      kind: "token-refresh",
      rotation: "STATIC",
      label: `refresh_token grant, STATIC, ${families} families in turn`,
      verify,
      target: { ...mfTarget(tokenUrl, "STATIC"), body: staticBodies[0], bodies: staticBodies },
    },
    {
      ...common,
      id: "mf-ceiling-refresh-many-STATIC",
      kind: "ceiling-refresh",
      rotation: "STATIC",
      label: "ceiling: one Grant refresh + one ES256 signature, STATIC, the same families",
      target: { ...mfTarget(ceilingUrl("STATIC"), "STATIC"), body: staticBodies[0], bodies: staticBodies },
    },
    {
      ...common,
      ...manyRotate,
      id: "mf-refresh-many-ROTATE",
      kind: "token-refresh",
      rotation: "ROTATE",
      label: `refresh_token grant, ROTATE, ${families} families in turn (each request carries its family's latest token)`,
      verify,
      target: { ...mfTarget(tokenUrl, "ROTATE"), body: refreshBody(spareReal) },
    },
    {
      ...common,
      ...manyRotate,
      id: "mf-ceiling-refresh-many-ROTATE",
      kind: "ceiling-refresh",
      rotation: "ROTATE",
      label: "ceiling: one Grant refresh + one ES256 signature, ROTATE, the same families",
      target: { ...mfTarget(ceilingUrl("ROTATE"), "ROTATE"), body: refreshBody(spareCeiling) },
    },
    {
      ...common,
      id: "mf-refresh-hot-STATIC",
      kind: "token-refresh",
      rotation: "STATIC",
      hot: true,
      label: "refresh_token grant, STATIC, one hot family (every request the same token)",
      verify,
      target: { ...mfTarget(tokenUrl, "STATIC"), body: staticBodies[0] },
    },
    {
      ...common,
      id: "mf-ceiling-refresh-hot-STATIC",
      kind: "ceiling-refresh",
      rotation: "STATIC",
      hot: true,
      label: "ceiling: one Grant refresh + one ES256 signature, STATIC, the same hot family",
      target: { ...mfTarget(ceilingUrl("STATIC"), "STATIC"), body: staticBodies[0] },
    },
    {
      ...common,
      ...hotRotate,
      id: "mf-refresh-hot-ROTATE",
      kind: "token-refresh",
      rotation: "ROTATE",
      hot: true,
      label: `refresh_token grant, ROTATE, one family per connection (${connections}), chained`,
      verify,
      // Its checked request spends a spare: the hot families' tokens stay with the load client.
      target: { ...mfTarget(tokenUrl, "ROTATE"), body: refreshBody(spareHot) },
    },
    {
      id: "peer-refresh-many-STATIC",
      kind: "peer-refresh",
      runtime: "node",
      alg,
      rotation: "STATIC",
      label: `node-oidc-provider refresh_token, not rotating, ${families} grants in turn`,
      verify: peerVerify,
      target: {
        url: `${peer.baseUrl}/token`,
        method: "POST",
        headers: headersOf("STATIC"),
        body: refreshBody(peerTokens.STATIC[0]),
        bodies: peerTokens.STATIC.slice(0, families).map(refreshBody),
        expectStatus: 200,
        cpuPids: peer.pids,
      },
    },
    {
      ...peerRotate,
      id: "peer-refresh-many-ROTATE",
      kind: "peer-refresh",
      runtime: "node",
      alg,
      rotation: "ROTATE",
      label: `node-oidc-provider refresh_token, rotating, ${families} grants in turn (chained)`,
      verify: peerVerify,
      target: {
        url: `${peer.baseUrl}/token`,
        method: "POST",
        headers: headersOf("ROTATE"),
        body: refreshBody(peerSpare),
        expectStatus: 200,
        cpuPids: peer.pids,
      },
    },
    {
      id: "peer-refresh-hot-STATIC",
      kind: "peer-refresh",
      runtime: "node",
      alg,
      rotation: "STATIC",
      hot: true,
      label: "node-oidc-provider refresh_token, not rotating, one hot grant",
      verify: peerVerify,
      target: {
        url: `${peer.baseUrl}/token`,
        method: "POST",
        headers: headersOf("STATIC"),
        body: refreshBody(peerTokens.STATIC[0]),
        expectStatus: 200,
        cpuPids: peer.pids,
      },
    },
    ...introspectionCases(mf, fixed, { issuer, mfTarget }),
  ];
}

function introspectionCases(mf, fixed, { issuer, mfTarget }) {
  const accessBodies = fixed.map((t) => `token=${t.accessToken}&token_type_hint=access_token`);
  const refreshBodies = fixed.map(
    (t) => `token=${encodeURIComponent(t.refreshToken)}&token_type_hint=refresh_token`,
  );
  const common = { runtime: "miniflare", alg: REFRESH_CASE.alg };
  const many = (bodies) => ({ body: bodies[0], bodies });
  return [
    {
      ...common,
      id: "mf-introspect-access",
      kind: "introspect",
      label: `/v1/introspect, access tokens (${fixed.length} grants in turn)`,
      target: { ...mfTarget(`${issuer}/v1/introspect`, "STATIC"), ...many(accessBodies) },
    },
    {
      ...common,
      id: "mf-ceiling-introspect-access",
      kind: "ceiling-introspect",
      label: "ceiling: one ES256 signature check + one Grant isActive, the same tokens",
      target: {
        ...mfTarget(`${mf.baseUrl}/__ceiling-introspect/${REFRESH_SERVER}`, "STATIC"),
        ...many(accessBodies),
      },
    },
    {
      ...common,
      id: "mf-introspect-refresh",
      kind: "introspect",
      label: `/v1/introspect, refresh tokens (${fixed.length} families in turn)`,
      target: { ...mfTarget(`${issuer}/v1/introspect`, "STATIC"), ...many(refreshBodies) },
    },
    {
      ...common,
      id: "mf-ceiling-introspect-refresh",
      kind: "ceiling-introspect",
      label: "ceiling: one Grant introspectRefresh, the same tokens",
      target: { ...mfTarget(`${mf.baseUrl}/__ceiling-introspect-refresh`, "STATIC"), ...many(refreshBodies) },
    },
  ];
}

const pick = (c) =>
  c && { rps: c.rps, cpuMsPerRequest: c.cpuMsPerRequest, p50: c.p50Ms, p99: c.p99Ms, errors: c.errors };
const ratio = (a, b) => (a != null && b ? a / b : null);

/** Each refresh case against its ceiling and the peer's matching case; introspection against its ceilings. */
export function refreshSummary(summaries) {
  const byId = new Map(summaries.map((c) => [c.id, c]));
  const rows = [
    ["many-STATIC", "mf-ceiling-refresh-many-STATIC", "peer-refresh-many-STATIC"],
    ["many-ROTATE", "mf-ceiling-refresh-many-ROTATE", "peer-refresh-many-ROTATE"],
    ["hot-STATIC", "mf-ceiling-refresh-hot-STATIC", "peer-refresh-hot-STATIC"],
    ["hot-ROTATE", undefined, undefined],
  ].flatMap(([which, ceilingId, peerId]) => {
    const real = byId.get(`mf-refresh-${which}`);
    if (!real) return [];
    const ceiling = ceilingId && byId.get(ceilingId);
    const peer = peerId && byId.get(peerId);
    return [
      {
        case: which,
        warden: pick(real),
        ceiling: pick(ceiling),
        peer: pick(peer),
        ofCeilingByThroughput: ceiling ? ratio(real.rps, ceiling.rps) : null,
        ofCeilingByCpu: ceiling ? ratio(ceiling.cpuMsPerRequest, real.cpuMsPerRequest) : null,
        vsPeerByThroughput: peer ? ratio(real.rps, peer.rps) : null,
        vsPeerByCpu: peer ? ratio(peer.cpuMsPerRequest, real.cpuMsPerRequest) : null,
      },
    ];
  });
  const introspection = ["access", "refresh"].flatMap((which) => {
    const real = byId.get(`mf-introspect-${which}`);
    const ceiling = byId.get(`mf-ceiling-introspect-${which}`);
    if (!real) return [];
    return [
      {
        case: which,
        warden: pick(real),
        ceiling: pick(ceiling),
        ofCeilingByThroughput: ceiling ? ratio(real.rps, ceiling.rps) : null,
        ofCeilingByCpu: ceiling ? ratio(ceiling.cpuMsPerRequest, real.cpuMsPerRequest) : null,
      },
    ];
  });
  return rows.length || introspection.length ? { refresh: rows, introspection } : undefined;
}
