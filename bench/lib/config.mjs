/**
 * The configuration every Warden under test is seeded with through `POST /api/v1/warden/import`:
 * one confidential client and, per signing algorithm and rule count, an authorization server whose
 * only policy has that many rules. Every rule but the last grants only `orders:write`, so for a
 * request for `orders:read` each of them passes its grant-type and people conditions and fails on
 * the scope check — the engine walks all of them — and only the last one matches.
 */
import { randomBytes } from "node:crypto";

export const ALGS = ["RS256", "ES256"];
export const RULE_COUNTS = [1, 20, 200];
export const SCOPE = "orders:read";
export const AUDIENCE = "api://bench";

export const serverId = (alg, rules) => `${alg.toLowerCase()}-${rules}`;

/** Credentials for one run: random, so nothing from an earlier run is ever reused. */
export function benchCredentials() {
  return {
    clientId: "bench-client",
    clientSecret: randomBytes(32).toString("base64url"),
    adminToken: randomBytes(32).toString("base64url"),
    keyEncryptionKey: randomBytes(32).toString("base64url"),
  };
}

function rule(index, count) {
  const last = index === count;
  return {
    id: `rule-${index}`,
    name: last ? "matches" : `misses-${index}`,
    priority: index,
    conditions: {
      grantTypes: { include: ["client_credentials"] },
      scopes: { include: last ? [SCOPE, "orders:write"] : ["orders:write"] },
    },
    actions: { token: { accessTokenLifetimeMinutes: 60 } },
  };
}

/** One authorization server's configuration, as the import document (and `ServerConfig`) takes it. */
export function serverConfig(alg, rules, clientId) {
  const id = serverId(alg, rules);
  return {
    server: { id, name: id, audiences: [AUDIENCE], credentials: { signing: { alg } } },
    scopes: [
      { id: "scp-read", name: SCOPE, default: true },
      { id: "scp-write", name: "orders:write" },
    ],
    policies: [
      {
        id: "pol-bench",
        name: "Bench services",
        priority: 1,
        conditions: { clients: { include: [clientId] } },
        rules: Array.from({ length: rules }, (_, i) => rule(i + 1, rules)),
      },
    ],
  };
}

/** The import document: every (algorithm, rule count) pair asked for. */
export function importDocument({ clientId, clientSecret }, pairs) {
  return {
    clients: [
      {
        client_id: clientId,
        client_name: "Bench service",
        application_type: "service",
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["client_credentials"],
        client_secrets: [clientSecret],
      },
    ],
    authorizationServers: pairs.map(({ alg, rules }) => serverConfig(alg, rules, clientId)),
  };
}

export function basicAuth(clientId, secret) {
  const encode = (s) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString("base64")}`;
}

/** The token request the load generator repeats, as Warden and the peer both accept it. */
export function tokenRequest(credentials, extraBody = "") {
  return {
    method: "POST",
    headers: {
      authorization: basicAuth(credentials.clientId, credentials.clientSecret),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: `grant_type=client_credentials&scope=${encodeURIComponent(SCOPE)}${extraBody}`,
  };
}

/** Posts the import document with the admin token; throws with the server's answer on failure. */
export async function seed(baseUrl, credentials, pairs) {
  const res = await fetch(`${baseUrl}/api/v1/warden/import`, {
    method: "POST",
    headers: { Authorization: `SSWS ${credentials.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(importDocument(credentials, pairs)),
  });
  if (!res.ok) throw new Error(`import failed: ${res.status} ${await res.text()}`);
  return res.json();
}
