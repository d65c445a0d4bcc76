/**
 * The password grant as a load case (`mf-token-password-ES256-20`), beside client_credentials on the
 * same Miniflare: one authorization server shaped like `es256-20` (19 rules that pass their grant-type
 * and people checks and fail on scope, then the match), every rule for the `password` grant and the
 * group `Bench users`; a confidential client registered for `password`, with that group assigned;
 * `users` ACTIVE users in the group, each with a real PBKDF2 hash, made through Okta's Users API.
 *
 * Requests take the users in turn: one username's sign-ins are limited to 40 per 10 s per location
 * (README "Rate limits"), and a deployment signs in many people, not one person many times.
 */
import { basicAuth, SCOPE, serverConfig } from "./config.mjs";

export const PASSWORD_CASE = { alg: "ES256", rules: 20, users: 16 };
export const PASSWORD_SERVER = `pw-${PASSWORD_CASE.alg.toLowerCase()}-${PASSWORD_CASE.rules}`;
export const PASSWORD_CLIENT = "bench-password-client";
const PASSWORD = "Tr0ub4dor-Staple-42";
export const passwordTokenPath = `/oauth2/${PASSWORD_SERVER}/v1/token`;

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

/**
 * Seeds the case through the management API, in the order its references need: the group, then
 * the import (client, server, rules naming the group), the group's assignment to the client, the
 * users. Returns the logins.
 */
export async function seedPasswordGrant(baseUrl, credentials, users = PASSWORD_CASE.users) {
  const group = await admin(baseUrl, credentials, "POST", "/groups", { profile: { name: "Bench users" } });
  const config = serverConfig(PASSWORD_CASE.alg, PASSWORD_CASE.rules, PASSWORD_CLIENT);
  config.server = { ...config.server, id: PASSWORD_SERVER, name: PASSWORD_SERVER };
  for (const policy of config.policies) {
    for (const rule of policy.rules) {
      rule.conditions = {
        ...rule.conditions,
        grantTypes: { include: ["password"] },
        people: { groups: { include: [group.id] } },
      };
    }
  }
  await admin(baseUrl, credentials, "POST", "/warden/import", {
    clients: [
      {
        client_id: PASSWORD_CLIENT,
        client_name: "Bench password app",
        application_type: "web",
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["password"],
        client_secrets: [credentials.clientSecret],
      },
    ],
    authorizationServers: [config],
  });
  await admin(baseUrl, credentials, "PUT", `/apps/${PASSWORD_CLIENT}/groups/${group.id}`, {});
  const logins = [];
  for (let i = 0; i < users; i++) {
    const login = `bench-user-${i}@example.com`;
    await admin(baseUrl, credentials, "POST", "/users?activate=true", {
      profile: { login, email: login, firstName: "Bench", lastName: `User ${i}` },
      credentials: { password: { value: PASSWORD } },
      groupIds: [group.id],
    });
    logins.push(login);
  }
  return { logins };
}

/** The token request of the case, one body per user (the load client takes them in turn). */
export function passwordTokenRequest(credentials, logins) {
  const bodies = logins.map(
    (username) =>
      `grant_type=password&username=${encodeURIComponent(username)}&password=${encodeURIComponent(PASSWORD)}` +
      `&scope=${encodeURIComponent(SCOPE)}`,
  );
  return {
    method: "POST",
    headers: {
      authorization: basicAuth(PASSWORD_CLIENT, credentials.clientSecret),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: bodies[0],
    bodies,
  };
}

/**
 * The load this case needs. A password-grant token costs ~70 ms of CPU on the isolate's one thread,
 * so 8 connections would queue ~0.6 s per request: a 2-second window would count a handful of
 * answers while its CPU includes the work of every request in flight at its edges. Two connections
 * keep the isolate busy (one request runs while the other's answer travels), and the window is
 * stretched so that it holds ~50 tokens in a full run; the edges then move the CPU per token by a few
 * per cent.
 */
export const PASSWORD_LOAD = { connections: 2, windowFactor: 2 };

/** The load case, on the Miniflare Worker's direct socket. */
export function passwordCase(mf, credentials, logins) {
  const issuer = `${mf.baseUrl}/oauth2/${PASSWORD_SERVER}`;
  return {
    id: `mf-token-password-${PASSWORD_CASE.alg}-${PASSWORD_CASE.rules}`,
    kind: "token-password",
    runtime: "miniflare",
    alg: PASSWORD_CASE.alg,
    rules: PASSWORD_CASE.rules,
    label: `token endpoint ${PASSWORD_CASE.alg}, ${PASSWORD_CASE.rules} rules, password grant (${logins.length} users in turn)`,
    verify: { issuer, jwksUrl: `${issuer}/v1/keys` },
    load: (base) => ({
      connections: PASSWORD_LOAD.connections,
      durationMs: base.durationMs * PASSWORD_LOAD.windowFactor,
    }),
    target: {
      url: `${mf.baseUrl}${passwordTokenPath}`,
      ...passwordTokenRequest(credentials, logins),
      expectStatus: 200,
      cpuPids: mf.pids,
    },
  };
}
