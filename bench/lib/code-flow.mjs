/**
 * The authorization code flow on the Miniflare Worker:
 *
 * - **Round trip** (sequential, one at a time): `GET /v1/authorize` → the hosted page → `POST` the
 *   sign-in form (a PBKDF2 check) → 302 with the code → `POST /v1/token` (`authorization_code`,
 *   `openid orders:read`: an access token and an ID token). Latency of each step and of the whole,
 *   p50 and p99, on a fresh browser (no session) each time; users taken in turn.
 * - **Code exchange throughput** (`mf-code-exchange-ES256`): `POST /v1/token` with
 *   `grant_type=authorization_code`, client_secret_basic, `orders:read` (one signature: no ID token,
 *   so the ceiling's one signature compares like with like). Codes are single-use, so each run gets
 *   its own, minted by the bench entry's `/__codes` route into real Grant Durable Objects, and the
 *   load client spends each once (`bodiesOnce`): the window ends when the codes do.
 * - **Its ceiling** (`mf-ceiling-code-ES256`): `/__ceiling-code`, one Durable Object `redeem` and one
 *   ES256 signature, on codes minted the same way.
 *
 * - **The peer** (`peer-code-ES256`): node-oidc-provider's `/token` with `authorization_code` for
 *   the ES256 resource, on codes its `/__codes` route mints (a saved Grant and AuthorizationCode per
 *   code, as its interaction flow ends; peer-server.mjs). Its store is the in-process memory
 *   adapter, Warden's a Durable Object per grant: the peer's exchange touches no disk.
 */

import { basicAuth, SCOPE, serverConfig } from "./config.mjs";
import { PEER_RESOURCES } from "./peer.mjs";

export const CODE_CASE = { alg: "ES256", users: 16 };
export const CODE_SERVER = `code-${CODE_CASE.alg.toLowerCase()}`;
export const CODE_CLIENT = "bench-code-client";
/** Nothing listens there: the flow stops at the redirect, as a browser hands the code to the app. */
export const CODE_REDIRECT_URI = "http://127.0.0.1/bench/callback";
const PASSWORD = "Tr0ub4dor-Staple-43";

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
 * A web app (confidential, authorization_code), a server with one rule for it (the reserved `openid`
 * scope named in the rule), a group assigned to the app, and `users` ACTIVE users in the group.
 */
export async function seedCodeFlow(baseUrl, credentials, users = CODE_CASE.users) {
  const group = await admin(baseUrl, credentials, "POST", "/groups", {
    profile: { name: "Code flow users" },
  });
  const config = serverConfig(CODE_CASE.alg, 1, CODE_CLIENT);
  config.server = { ...config.server, id: CODE_SERVER, name: CODE_SERVER };
  const [policy] = config.policies;
  const [rule] = policy.rules;
  rule.conditions = {
    grantTypes: { include: ["authorization_code"] },
    people: { groups: { include: [group.id] } },
    scopes: { include: [SCOPE, "openid"] },
  };
  await admin(baseUrl, credentials, "POST", "/warden/import", {
    clients: [
      {
        client_id: CODE_CLIENT,
        client_name: "Bench web app",
        application_type: "web",
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["authorization_code"],
        redirect_uris: [CODE_REDIRECT_URI],
        client_secrets: [credentials.clientSecret],
      },
    ],
    authorizationServers: [config],
  });
  await admin(baseUrl, credentials, "PUT", `/apps/${CODE_CLIENT}/groups/${group.id}`, {});
  const people = [];
  for (let i = 0; i < users; i++) {
    const login = `code-user-${i}@example.com`;
    const user = await admin(baseUrl, credentials, "POST", "/users?activate=true", {
      profile: { login, email: login, firstName: "Code", lastName: `User ${i}` },
      credentials: { password: { value: PASSWORD } },
      groupIds: [group.id],
    });
    people.push({ id: user.id, login });
  }
  return { people, policyId: policy.id, ruleId: rule.id };
}

/** What `/v1/authorize` binds into a code once the user signed in and the rule matched. */
function authorizedRequest(seeded, user, nowS) {
  return {
    serverId: CODE_SERVER,
    clientId: CODE_CLIENT,
    redirectUri: CODE_REDIRECT_URI,
    scopes: [SCOPE],
    userId: user.id,
    authTime: nowS,
    amr: ["pwd"],
    decision: { policyId: seeded.policyId, ruleId: seeded.ruleId, accessTokenLifetimeSeconds: 3600 },
  };
}

/** `count` fresh codes, spread over the users, from the bench entry's `/__codes` route. */
async function mintCodes(baseUrl, seeded, count) {
  const perUser = Math.ceil(count / seeded.people.length);
  const nowS = Math.floor(Date.now() / 1000);
  const batches = await Promise.all(
    seeded.people.map(async (user) => {
      const res = await fetch(`${baseUrl}/__codes/${CODE_SERVER}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ count: perUser, request: authorizedRequest(seeded, user, nowS) }),
      });
      if (!res.ok) throw new Error(`minting codes: ${res.status} ${await res.text()}`);
      return res.json();
    }),
  );
  // Interleaved, so consecutive requests touch different users, as real traffic does.
  const codes = [];
  for (let i = 0; i < perUser; i++) for (const batch of batches) if (batch[i]) codes.push(batch[i]);
  return codes.slice(0, count);
}

const exchangeBody = (code) =>
  `grant_type=authorization_code&code=${encodeURIComponent(code)}` +
  `&redirect_uri=${encodeURIComponent(CODE_REDIRECT_URI)}&client_id=${CODE_CLIENT}`;

/**
 * How many codes a run may spend. Minting is slow on Miniflare (each Grant is a new Durable Object,
 * a SQLite file on disk: ~100 a second here), so a run gets what it can spend at the rate its case
 * last reached, plus a margin; the first (preflight, warm-up) get a small fixed set. The load client
 * sends each once (`bodiesOnce`), so a run that outpaces its codes ends its window early instead of
 * replaying one.
 */
export const CODE_LOAD = { warmupMs: 150, firstCodes: 300, margin: 1.6, maxCodes: 5000 };

function codeBudget(observedRps, load) {
  if (!observedRps) return CODE_LOAD.firstCodes;
  const seconds = (CODE_LOAD.warmupMs + load.durationMs) / 1000;
  return Math.min(CODE_LOAD.maxCodes, Math.ceil(observedRps * seconds * CODE_LOAD.margin) + 16);
}

/** The two load cases: Warden's code exchange and its ceiling, on codes minted before each run. */
export function codeExchangeCases(mf, credentials, seeded) {
  const issuer = `${mf.baseUrl}/oauth2/${CODE_SERVER}`;
  const headers = {
    authorization: basicAuth(CODE_CLIENT, credentials.clientSecret),
    "content-type": "application/x-www-form-urlencoded",
  };
  const load = (profileLoad) => ({ connections: profileLoad.connections, warmupMs: CODE_LOAD.warmupMs });
  /** Each case sizes its own codes by the fastest rate it has reached so far. */
  const sized = () => {
    let rps = 0;
    return {
      prepare: async (profileLoad) => {
        const bodies = (await mintCodes(mf.baseUrl, seeded, codeBudget(rps, profileLoad))).map(exchangeBody);
        return { body: bodies[0], bodies, bodiesOnce: true };
      },
      observe: (result) => {
        if (result.requests > 0) rps = Math.max(rps, result.rps);
      },
    };
  };
  return [
    {
      ...sized(),
      id: `mf-code-exchange-${CODE_CASE.alg}`,
      kind: "token-code",
      runtime: "miniflare",
      alg: CODE_CASE.alg,
      label: `code exchange ${CODE_CASE.alg} (authorization_code, a fresh code each request)`,
      verify: { issuer, jwksUrl: `${issuer}/v1/keys` },
      load,
      target: { url: `${issuer}/v1/token`, method: "POST", headers, expectStatus: 200, cpuPids: mf.pids },
    },
    {
      id: `mf-ceiling-code-${CODE_CASE.alg}`,
      kind: "ceiling-code",
      runtime: "miniflare",
      alg: CODE_CASE.alg,
      ...sized(),
      label: `ceiling: one Grant redeem + one ${CODE_CASE.alg} signature`,
      load,
      target: {
        url: `${mf.baseUrl}/__ceiling-code/${CODE_CASE.alg}/${CODE_SERVER}`,
        method: "POST",
        headers,
        expectStatus: 200,
        cpuPids: mf.pids,
      },
    },
  ];
}

/** node-oidc-provider's code exchange, ES256, on codes it minted before each run. */
export function peerCodeCase(peer, credentials) {
  const resource = PEER_RESOURCES[CODE_CASE.alg];
  let rps = 0;
  return {
    id: `peer-code-${CODE_CASE.alg}`,
    kind: "peer-code",
    runtime: "node",
    alg: CODE_CASE.alg,
    label: `node-oidc-provider code exchange ${CODE_CASE.alg}`,
    verify: { issuer: peer.baseUrl, jwksUrl: `${peer.baseUrl}/jwks` },
    prepare: async (profileLoad) => {
      const res = await fetch(`${peer.baseUrl}/__codes`, {
        method: "POST",
        body: JSON.stringify({ count: codeBudget(rps, profileLoad), resource }),
      });
      if (!res.ok) throw new Error(`peer codes: ${res.status} ${await res.text()}`);
      const bodies = (await res.json()).map(
        (code) =>
          `grant_type=authorization_code&code=${encodeURIComponent(code)}` +
          `&redirect_uri=${encodeURIComponent(CODE_REDIRECT_URI)}`,
      );
      return { body: bodies[0], bodies, bodiesOnce: true };
    },
    observe: (result) => {
      if (result.requests > 0) rps = Math.max(rps, result.rps);
    },
    load: (profileLoad) => ({ connections: profileLoad.connections, warmupMs: CODE_LOAD.warmupMs }),
    target: {
      url: `${peer.baseUrl}/token`,
      method: "POST",
      headers: {
        authorization: basicAuth(CODE_CLIENT, credentials.clientSecret),
        "content-type": "application/x-www-form-urlencoded",
      },
      expectStatus: 200,
      cpuPids: peer.pids,
    },
  };
}

/** The code exchange against its ceiling, from the cases' summaries (same run, same isolate). */
export function codeExchangeSummary(summaries) {
  const real = summaries.find((c) => c.id === `mf-code-exchange-${CODE_CASE.alg}`);
  const ceiling = summaries.find((c) => c.id === `mf-ceiling-code-${CODE_CASE.alg}`);
  const peer = summaries.find((c) => c.id === `peer-code-${CODE_CASE.alg}`);
  if (!real || !ceiling) return undefined;
  const pick = (c) => ({ rps: c.rps, cpuMsPerRequest: c.cpuMsPerRequest, p50: c.p50Ms, p99: c.p99Ms });
  return {
    exchange: pick(real),
    ceiling: pick(ceiling),
    ofCeilingByThroughput: real.rps && ceiling.rps ? real.rps / ceiling.rps : null,
    ofCeilingByCpu:
      real.cpuMsPerRequest && ceiling.cpuMsPerRequest ? ceiling.cpuMsPerRequest / real.cpuMsPerRequest : null,
    ...(peer
      ? {
          peer: pick(peer),
          vsPeerByThroughput: real.rps && peer.rps ? real.rps / peer.rps : null,
          vsPeerByCpu:
            real.cpuMsPerRequest && peer.cpuMsPerRequest ? peer.cpuMsPerRequest / real.cpuMsPerRequest : null,
        }
      : {}),
  };
}

/** A browser without JavaScript: a cookie jar, redirects on Warden's origin followed. */
class Browser {
  cookies = new Map();

  async request(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return res;
  }
}

function unescapeHtml(s) {
  return s
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** The hosted page's form: its action and hidden fields, read as a browser would submit them. */
function readForm(html) {
  const form = /<form\b[^>]*\bmethod="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  const action = form && /\baction="([^"]*)"/.exec(form[0])?.[1];
  if (!form || action == null) throw new Error(`no sign-in form in: ${html.slice(0, 300)}`);
  const hidden = {};
  for (const [input] of form[1].matchAll(/<input\b[^>]*>/g)) {
    if (!/\btype="hidden"/.test(input)) continue;
    const name = /\bname="([^"]*)"/.exec(input)?.[1];
    if (name) hidden[unescapeHtml(name)] = unescapeHtml(/\bvalue="([^"]*)"/.exec(input)?.[1] ?? "");
  }
  return { action: unescapeHtml(action), hidden };
}

/** One whole flow for `user`; the milliseconds of each step. Throws on any unexpected answer. */
async function oneRoundTrip(baseUrl, credentials, user, i) {
  const browser = new Browser();
  const issuer = `${baseUrl}/oauth2/${CODE_SERVER}`;
  const authorizeUrl =
    `${issuer}/v1/authorize?` +
    new URLSearchParams({
      client_id: CODE_CLIENT,
      redirect_uri: CODE_REDIRECT_URI,
      response_type: "code",
      scope: `openid ${SCOPE}`,
      state: `s-${i}`,
      nonce: `n-${i}`,
    });
  const t0 = performance.now();
  const page = await browser.request(authorizeUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize: ${page.status} ${html.slice(0, 200)}`);
  const t1 = performance.now();
  const form = readForm(html);
  const signedIn = await browser.request(new URL(form.action, authorizeUrl).toString(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...form.hidden, username: user.login, password: PASSWORD }),
  });
  await signedIn.text();
  const location = signedIn.headers.get("location") ?? "";
  const code = location.startsWith(CODE_REDIRECT_URI) ? new URL(location).searchParams.get("code") : null;
  if (signedIn.status !== 302 || !code)
    throw new Error(`sign-in: ${signedIn.status} ${location.slice(0, 200)}`);
  const t2 = performance.now();
  const token = await fetch(`${issuer}/v1/token`, {
    method: "POST",
    headers: {
      authorization: basicAuth(CODE_CLIENT, credentials.clientSecret),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: `grant_type=authorization_code&code=${encodeURIComponent(code)}&redirect_uri=${encodeURIComponent(CODE_REDIRECT_URI)}`,
  });
  const tokens = await token.json();
  if (token.status !== 200 || !tokens.id_token)
    throw new Error(`token: ${token.status} ${JSON.stringify(tokens)}`);
  const t3 = performance.now();
  return { authorizeMs: t1 - t0, signInMs: t2 - t1, tokenMs: t3 - t2, totalMs: t3 - t0 };
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
}

/**
 * `runs` sequential round trips after `warmup` unmeasured ones; p50 and p99 of each step. (With
 * fewer than 100 samples p99 is the slowest one.)
 */
export async function roundTrips(baseUrl, credentials, seeded, { runs, warmup }) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const sample = await oneRoundTrip(baseUrl, credentials, seeded.people[i % seeded.people.length], i);
    if (i >= warmup) samples.push(sample);
  }
  const stats = (key) => ({
    p50: quantile(
      samples.map((s) => s[key]),
      0.5,
    ),
    p99: quantile(
      samples.map((s) => s[key]),
      0.99,
    ),
  });
  return {
    runs,
    total: stats("totalMs"),
    authorize: stats("authorizeMs"),
    signIn: stats("signInMs"),
    token: stats("tokenMs"),
  };
}
