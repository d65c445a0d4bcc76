/**
 * Refresh tokens, /v1/introspect and /v1/revoke against real Grant Durable Objects, the real
 * directory (D1) and real keys (issue 12). Codes are minted through the grant port as /v1/authorize
 * mints them; every other step goes through the Worker. Times are injected through the deps' clock.
 *
 * Covered: issuance only with offline_access and the refresh_token grant type, ROTATE and STATIC,
 * a replay within the leeway answering with the same successor, reuse after the leeway revoking the
 * grant and its access tokens (userinfo 401, introspection inactive), twenty concurrent refreshes of
 * one token, narrowing, another client's token, the idle window, a user deactivated mid-family, the
 * password grant opening a grant, policy evaluated again at refresh, the public client's forms
 * (client_id in the body, Basic without a colon), introspection and revocation of every token kind,
 * and CORS on the new endpoints.
 */

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { base64url } from "jose";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GrantType } from "../../src/config/schemas";
import { createDeps } from "../../src/context";
import { touchIndexedGrant } from "../../src/directory/grant-index";
import type { Env } from "../../src/env";
import { durableGrants } from "../../src/grants/durable-grants";
import { objectIdOfGrantId } from "../../src/grants/grant-id";
import { Grant } from "../../src/grants/grant-object";
import type { AuthorizedRequest } from "../../src/grants/grant-port";
import type { LogMessage, LogQueue } from "../../src/log/event-log";
import { INVALID_REFRESH_TOKEN } from "../../src/oauth/grants/refresh-token";
import { adminRequest, basic, decodeJwt, freshApp, importConfig, ORIGIN, SECRET, uniqueId } from "./helpers";
import { assignUser, type FixtureUser, insertUser, PASSWORD } from "./people-fixtures";

const bindings = env as Env;
const grants = durableGrants(bindings.GRANT);
const REDIRECT = "https://app.example/callback";
const TRUSTED = "https://spa.refresh.example";

interface World {
  serverId: string;
  issuer: string;
  /** Confidential, ROTATE, leeway 30 s. */
  web: string;
  /** Confidential, STATIC. */
  fixed: string;
  /** Public (browser), ROTATE. */
  spa: string;
  /** Confidential, another app of the same user. */
  other: string;
  /** Confidential, without the refresh_token grant. */
  plain: string;
  alice: FixtureUser;
  /** A server whose rule does not allow refresh_token. */
  strictServerId: string;
}
let w: World;

beforeAll(async () => {
  const [serverId, strictServerId] = [uniqueId("rt"), uniqueId("rt-strict")];
  const [web, fixed, spa, other, plain] = ["web", "fixed", "spa", "other", "plain"].map((n) =>
    uniqueId(n),
  ) as [string, string, string, string, string];
  const alice = await insertUser({ name: "alice" });
  await Promise.all([web, fixed, spa, other, plain].map((app) => assignUser(app, alice.id)));
  const server = (id: string, grantTypes: ("authorization_code" | "password" | "refresh_token")[]) => ({
    server: { id, name: id, audiences: ["api://rt"] },
    scopes: [
      { id: "s-read", name: "read", default: true },
      { id: "s-write", name: "write" },
    ],
    policies: [
      {
        id: "p",
        name: "apps",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [
          {
            id: "r",
            name: "users",
            priority: 1,
            conditions: { grantTypes: { include: grantTypes }, scopes: { include: ["*"] } },
            actions: {
              token: {
                accessTokenLifetimeMinutes: 30,
                refreshTokenWindowMinutes: 10,
                refreshTokenLifetimeMinutes: 0,
              },
            },
          },
        ],
      },
    ],
  });
  const confidential = (client_id: string, grant_types: GrantType[], rotation?: "ROTATE" | "STATIC") => ({
    client_id,
    client_name: client_id,
    application_type: "web" as const,
    grant_types,
    redirect_uris: [REDIRECT],
    client_secrets: [SECRET],
    ...(rotation ? { refresh_token: { rotation_type: rotation, leeway: 30 } } : {}),
  });
  await importConfig({
    clients: [
      confidential(web, ["authorization_code", "refresh_token", "password"], "ROTATE"),
      confidential(fixed, ["authorization_code", "refresh_token", "password"], "STATIC"),
      confidential(other, ["authorization_code", "refresh_token"], "ROTATE"),
      confidential(plain, ["authorization_code", "password"]),
      {
        client_id: spa,
        client_name: "spa",
        application_type: "browser",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        redirect_uris: [REDIRECT],
      },
    ],
    authorizationServers: [
      server(serverId, ["authorization_code", "password", "refresh_token"]),
      server(strictServerId, ["authorization_code", "password"]),
    ],
  });
  const origin = await freshApp()(
    adminRequest("POST", "/trustedOrigins", { name: TRUSTED, origin: TRUSTED, scopes: [{ type: "CORS" }] }),
  );
  expect(origin.status).toBe(200);
  w = {
    serverId,
    issuer: `${ORIGIN}/oauth2/${serverId}`,
    web,
    fixed,
    spa,
    other,
    plain,
    alice,
    strictServerId,
  };
});

type Body = Record<string, unknown> & { error?: string; error_description?: string };
interface Call {
  status: number;
  body: Body;
  headers: Headers;
}

interface PostOptions {
  /** Epoch ms the Worker's clock reads. */
  now?: number;
  /** A confidential client's id (Basic with SECRET), or `{ public: id }` (client_id in the body). */
  client?: string | { public: string } | { header: string };
  issuer?: string;
  origin?: string;
  /** The deps to run with (to read what the request logged); `now` is then ignored. */
  deps?: ReturnType<typeof createDeps>;
}

async function post(path: string, params: Record<string, string>, options: PostOptions = {}): Promise<Call> {
  const client = options.client ?? w.web;
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded" });
  const form = { ...params };
  if (typeof client === "string") headers.set("Authorization", basic(client, SECRET));
  else if ("public" in client) form.client_id = client.public;
  else headers.set("Authorization", client.header);
  if (options.origin) headers.set("Origin", options.origin);
  const deps =
    options.deps ?? (options.now === undefined ? createDeps() : createDeps(() => options.now as number));
  const res = await freshApp(deps)(
    new Request(`${options.issuer ?? w.issuer}${path}`, {
      method: "POST",
      headers,
      body: new URLSearchParams(form).toString(),
    }),
  );
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Body) : {}, headers: res.headers };
}

const token = (params: Record<string, string>, options?: PostOptions) => post("/v1/token", params, options);
const refresh = (refreshToken: string, options?: PostOptions, extra: Record<string, string> = {}) =>
  token({ grant_type: "refresh_token", refresh_token: refreshToken, ...extra }, options);
const introspect = (t: string, options?: PostOptions, hint?: string) =>
  post("/v1/introspect", { token: t, ...(hint ? { token_type_hint: hint } : {}) }, options);
const revoke = (t: string, options?: PostOptions) => post("/v1/revoke", { token: t }, options);

async function userinfo(accessToken: string) {
  const res = await freshApp()(
    new Request(`${w.issuer}/v1/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } }),
  );
  return res.status;
}

async function pkce() {
  const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url.encode(new Uint8Array(digest)) };
}

/** A signed-in code flow with `offline_access`: the token response (access, ID and refresh tokens). */
async function signIn(
  client = w.web,
  scopes = ["openid", "offline_access", "read", "write"],
  options: { now?: number; public?: boolean } = {},
): Promise<Body & { access_token: string; refresh_token: string }> {
  const { verifier, challenge } = await pkce();
  const request: AuthorizedRequest = {
    serverId: w.serverId,
    clientId: client,
    redirectUri: REDIRECT,
    codeChallenge: challenge,
    nonce: "n-123",
    scopes,
    userId: w.alice.id,
    authTime: Math.floor((options.now ?? Date.now()) / 1000) - 5,
    amr: ["pwd"],
    sessionId: undefined,
    decision: {
      policyId: "p",
      ruleId: "r",
      accessTokenLifetimeSeconds: 1800,
      refreshTokenLifetimeMinutes: 0,
      refreshTokenWindowMinutes: 10,
    },
  };
  const code = await grants.issueCode(request, options.now ?? Date.now());
  const res = await token(
    { grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier },
    { now: options.now, client: options.public ? { public: client } : client },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Body & { access_token: string; refresh_token: string };
}

function expectInvalidRefresh(call: Call) {
  expect(call.status, JSON.stringify(call.body)).toBe(400);
  // Byte for byte: okta-auth-js matches this text to drop its stored tokens.
  expect(call.body).toEqual({
    error: "invalid_grant",
    error_description: "The refresh token is invalid or expired.",
  });
  expect(INVALID_REFRESH_TOKEN).toBe("The refresh token is invalid or expired.");
}

describe("refresh tokens: issuance", () => {
  it("the code flow with offline_access returns a refresh token naming the code's grant", async () => {
    const body = await signIn();
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(body.scope).toBe("openid offline_access read write");
    const grantId = body.refresh_token.slice(0, 43);
    expect(decodeJwt(body.access_token).payload.jti).toMatch(new RegExp(`^AT\\.${grantId}\\.`));
    const facts = await grants.describe(grantId, Date.now());
    expect(facts).toMatchObject({
      grantId,
      status: "ACTIVE",
      serverId: w.serverId,
      clientId: w.web,
      userId: w.alice.id,
      scopes: ["openid", "offline_access", "read", "write"],
      refresh: { rotation: "ROTATE" },
    });
    expect(facts?.refresh?.expiresAt).toBe((facts?.refresh?.issuedAt ?? 0) + 10 * 60_000);
  });

  it("no offline_access, no refresh token", async () => {
    const body = await signIn(w.web, ["openid", "read"]);
    expect(body.refresh_token).toBeUndefined();
  });

  it("a client without the refresh_token grant may not be granted offline_access (invalid_scope)", async () => {
    const res = await token(
      { grant_type: "password", username: w.alice.login, password: PASSWORD, scope: "offline_access read" },
      { client: w.plain },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_scope");
  });

  it("the password grant with offline_access opens a grant: its tokens name it, and it refreshes", async () => {
    const res = await token({
      grant_type: "password",
      username: w.alice.login,
      password: PASSWORD,
      scope: "openid offline_access read",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rt = res.body.refresh_token as string;
    const grantId = rt.slice(0, 43);
    expect(decodeJwt(res.body.access_token as string).payload.jti).toMatch(new RegExp(`^AT\\.${grantId}\\.`));
    expect((await grants.describe(grantId, Date.now()))?.status).toBe("ACTIVE");
    const next = await refresh(rt);
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(decodeJwt(next.body.access_token as string).payload.jti).toMatch(
      new RegExp(`^AT\\.${grantId}\\.`),
    );
    expect(decodeJwt(next.body.id_token as string).payload.amr).toEqual(["pwd"]);
  });
});

describe("refresh tokens: rotation", () => {
  it("ROTATE: a new refresh token, a new access token naming the same grant, an ID token without nonce", async () => {
    const first = await signIn();
    const res = await refresh(first.refresh_token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const rt = res.body.refresh_token as string;
    expect(rt).not.toBe(first.refresh_token);
    expect(rt.slice(0, 43)).toBe(first.refresh_token.slice(0, 43));
    expect(res.body.scope).toBe("openid offline_access read write");
    expect(decodeJwt(res.body.access_token as string).payload.jti).toMatch(
      new RegExp(`^AT\\.${rt.slice(0, 43)}\\.`),
    );
    const id = decodeJwt(res.body.id_token as string).payload;
    expect(id.nonce).toBeUndefined();
    expect(id.auth_time).toBe(decodeJwt(first.id_token as string).payload.auth_time);
    expect(await userinfo(res.body.access_token as string)).toBe(200);
  });

  it("STATIC: the same refresh token, every time", async () => {
    const first = await signIn(w.fixed);
    for (let i = 0; i < 3; i++) {
      const res = await refresh(first.refresh_token, { client: w.fixed });
      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toBe(first.refresh_token);
    }
  });

  it("a replay within the leeway answers with the same successor; a later one is reuse and ends the grant", async () => {
    const t0 = Date.now();
    const first = await signIn(w.web, undefined, { now: t0 });
    const a = await refresh(first.refresh_token, { now: t0 + 1000 });
    const b = await refresh(first.refresh_token, { now: t0 + 20_000 });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.refresh_token).toBe(a.body.refresh_token);
    expect(b.body.access_token).not.toBe(a.body.access_token);

    // 30 s after the rotation (leeway 30): reuse.
    expectInvalidRefresh(await refresh(first.refresh_token, { now: t0 + 31_000 }));
    // The whole grant: the successor, and every access token naming the grant.
    expectInvalidRefresh(await refresh(a.body.refresh_token as string, { now: t0 + 32_000 }));
    expect(await userinfo(a.body.access_token as string)).toBe(401);
    expect(await userinfo(first.access_token)).toBe(401);
    expect((await introspect(b.body.access_token as string)).body).toEqual({ active: false });
    expect((await introspect(a.body.refresh_token as string)).body).toEqual({ active: false });
    expect((await grants.describe(first.refresh_token.slice(0, 43), Date.now()))?.status).toBe("REVOKED");
  });

  it("reuse is logged as app.oauth2.as.token.detect_reuse; a forged token logs nothing", async () => {
    const t0 = Date.now();
    const first = await signIn(w.web, undefined, { now: t0 });
    expect((await refresh(first.refresh_token, { now: t0 })).status).toBe(200);
    const deps = createDeps(() => t0 + 60_000);
    const sent: LogMessage[] = [];
    const queue: LogQueue = {
      sendBatch: async (messages) => void sent.push(...Array.from(messages, (m) => m.body)),
    };
    expectInvalidRefresh(await refresh(`${first.refresh_token.slice(0, 44)}${"C".repeat(43)}`, { deps }));
    await deps.log.flush(queue, true);
    expect(sent.filter((m) => m.event.eventType === "app.oauth2.as.token.detect_reuse")).toEqual([]);
    expectInvalidRefresh(await refresh(first.refresh_token, { deps }));
    await deps.log.flush(queue, true);
    const reuse = sent.filter((m) => m.event.eventType === "app.oauth2.as.token.detect_reuse");
    expect(reuse).toHaveLength(1);
    expect(reuse[0]?.event).toMatchObject({
      severity: "WARN",
      outcome: { result: "FAILURE", reason: "REFRESH_TOKEN_REUSE" },
      actor: { id: w.web },
    });
  });

  it("twenty concurrent refreshes of one token: every one answers with the one successor", async () => {
    const first = await signIn();
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(first.refresh_token)));
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const successors = new Set(results.map((r) => r.body.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as [string];
    expect(successor).not.toBe(first.refresh_token);
    // Exactly one live member of the family: the successor; the presented token is no longer it.
    expect((await introspect(successor)).body.active).toBe(true);
    expect((await introspect(first.refresh_token)).body).toEqual({ active: false });
    const next = await refresh(successor);
    expect(next.status).toBe(200);
  });

  it("scope may narrow, never widen; a refused widening rotates nothing", async () => {
    const first = await signIn();
    const wide = await refresh(first.refresh_token, {}, { scope: "read admin" });
    expect(wide.status).toBe(400);
    expect(wide.body.error).toBe("invalid_scope");
    const narrow = await refresh(first.refresh_token, {}, { scope: "offline_access read" });
    expect(narrow.status, JSON.stringify(narrow.body)).toBe(200);
    expect(narrow.body.scope).toBe("offline_access read");
    expect(decodeJwt(narrow.body.access_token as string).payload.scp).toEqual(["offline_access", "read"]);
    expect(narrow.body.id_token).toBeUndefined();
  });

  it("the idle window: unused for refreshTokenWindowMinutes, the token is invalid", async () => {
    const t0 = Date.now();
    const first = await signIn(w.web, undefined, { now: t0 });
    const kept = await refresh(first.refresh_token, { now: t0 + 9 * 60_000 });
    expect(kept.status).toBe(200);
    expectInvalidRefresh(await refresh(kept.body.refresh_token as string, { now: t0 + 19 * 60_000 + 1 }));
  });

  it("another client cannot use a refresh token, and its attempt revokes nothing", async () => {
    const first = await signIn();
    expectInvalidRefresh(await refresh(first.refresh_token, { client: w.other }));
    expect((await refresh(first.refresh_token)).status).toBe(200);
  });

  it("a forged secret on a real grant id is invalid and revokes nothing", async () => {
    const first = await signIn();
    const forged = `${first.refresh_token.slice(0, 44)}${"A".repeat(43)}`;
    expectInvalidRefresh(await refresh(forged));
    for (const junk of ["x", "a.b", "x".repeat(5000)]) expectInvalidRefresh(await refresh(junk));
    expect((await refresh(first.refresh_token)).status).toBe(200);
  });

  it("a user deactivated mid-family: the refresh fails and the grant ends", async () => {
    const bob = await insertUser({ name: "bob" });
    await assignUser(w.web, bob.id);
    const res = await token({
      grant_type: "password",
      username: bob.login,
      password: PASSWORD,
      scope: "offline_access read",
    });
    expect(res.status).toBe(200);
    await bindings.DIRECTORY.prepare("UPDATE users SET status = 'DEPROVISIONED' WHERE id = ?")
      .bind(bob.id)
      .run();
    expectInvalidRefresh(await refresh(res.body.refresh_token as string));
    expect((await grants.describe((res.body.refresh_token as string).slice(0, 43), Date.now()))?.status).toBe(
      "REVOKED",
    );
  });

  it("policy is evaluated again at refresh: a rule without refresh_token denies it", async () => {
    const strict = `${ORIGIN}/oauth2/${w.strictServerId}`;
    const res = await token(
      { grant_type: "password", username: w.alice.login, password: PASSWORD, scope: "offline_access read" },
      { issuer: strict },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const denied = await refresh(res.body.refresh_token as string, { issuer: strict });
    expect(denied.status, JSON.stringify(denied.body)).toBe(400);
    expect(denied.body.error).toBe("access_denied");
    // A token of one server is nothing at another.
    expectInvalidRefresh(await refresh(res.body.refresh_token as string));
  });

  it("a restarted object (a fresh instance over the same storage) continues the family: nothing lives in memory", async () => {
    const first = await signIn();
    const a = await refresh(first.refresh_token);
    const grantId = first.refresh_token.slice(0, 43);
    const stub = bindings.GRANT.get(bindings.GRANT.idFromString(objectIdOfGrantId(grantId) as string));
    await runInDurableObject(stub, async (_instance, state) => {
      const restarted = new Grant(state, bindings);
      const replay = await restarted.refresh(
        first.refresh_token.slice(44),
        { serverId: w.serverId, clientId: w.web, scopes: undefined },
        Date.now(),
      );
      expect(replay).toMatchObject({ ok: true, secret: (a.body.refresh_token as string).slice(44) });
    });
    expect((await refresh(a.body.refresh_token as string)).status).toBe(200);
  });

  it("a public client refreshes with its client_id alone", async () => {
    const first = await signIn(w.spa, undefined, { public: true });
    const res = await refresh(first.refresh_token, { client: { public: w.spa } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
  });
});

describe("/v1/introspect", () => {
  it("an access token: Okta's fields", async () => {
    const body = await signIn();
    const res = await introspect(body.access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const at = decodeJwt(body.access_token).payload;
    expect(res.body).toEqual({
      active: true,
      scope: "openid offline_access read write",
      username: w.alice.login,
      exp: at.exp,
      iat: at.iat,
      sub: w.alice.login,
      aud: "api://rt",
      iss: w.issuer,
      jti: at.jti,
      token_type: "Bearer",
      client_id: w.web,
      uid: w.alice.id,
    });
  });

  it("an ID token and a refresh token", async () => {
    const body = await signIn();
    const id = await introspect(body.id_token as string, {}, "id_token");
    expect(id.body).toMatchObject({
      active: true,
      sub: w.alice.id,
      aud: w.web,
      iss: w.issuer,
      client_id: w.web,
    });
    const rt = await introspect(body.refresh_token, {}, "refresh_token");
    expect(rt.body).toMatchObject({
      active: true,
      scope: "openid offline_access read write",
      username: w.alice.login,
      sub: w.alice.login,
      token_type: "refresh_token",
      client_id: w.web,
      uid: w.alice.id,
      iss: w.issuer,
    });
    // A wrong hint only costs a second look.
    expect((await introspect(body.access_token, {}, "refresh_token")).body.active).toBe(true);
  });

  it("another client's tokens, and anything else, are {active:false}", async () => {
    const body = await signIn();
    for (const t of [body.access_token, body.id_token as string, body.refresh_token]) {
      expect((await introspect(t, { client: w.other })).body).toEqual({ active: false });
    }
    for (const t of ["garbage", "a.b.c", `${body.refresh_token.slice(0, 44)}${"B".repeat(43)}`]) {
      expect((await introspect(t)).body).toEqual({ active: false });
    }
  });

  it("a public client in okta-auth-js's form: Basic base64(client_id), no colon", async () => {
    const body = await signIn(w.spa, undefined, { public: true });
    const res = await introspect(body.access_token, { client: { header: `Basic ${btoa(w.spa)}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.active).toBe(true);
    // The same form naming a confidential client is a failed authentication.
    const refused = await introspect(body.access_token, { client: { header: `Basic ${btoa(w.web)}` } });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("invalid_client");
  });

  it("refuses: no client, a wrong secret, no token, GET, a repeated parameter", async () => {
    const body = await signIn();
    expect((await introspect(body.access_token, { client: { header: basic(w.web, "wrong") } })).status).toBe(
      401,
    );
    const none = await freshApp()(
      new Request(`${w.issuer}/v1/introspect`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: `token=${body.access_token}`,
      }),
    );
    expect(none.status).toBe(401);
    const missing = await post("/v1/introspect", {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("invalid_request");
    const get = await freshApp()(new Request(`${w.issuer}/v1/introspect`));
    expect(get.status).toBe(405);
    const twice = await freshApp()(
      new Request(`${w.issuer}/v1/introspect`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basic(w.web, SECRET) },
        body: "token=a&token=b",
      }),
    );
    expect(twice.status).toBe(400);
  });
});

describe("/v1/revoke", () => {
  it("a refresh token ends its grant: the family and every access token", async () => {
    const body = await signIn();
    const res = await revoke(body.refresh_token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expectInvalidRefresh(await refresh(body.refresh_token));
    expect((await introspect(body.access_token)).body).toEqual({ active: false });
    expect(await userinfo(body.access_token)).toBe(401);
  });

  it("an access token is revoked on its own: the refresh token keeps working", async () => {
    const body = await signIn();
    expect((await revoke(body.access_token)).status).toBe(200);
    expect((await introspect(body.access_token)).body).toEqual({ active: false });
    expect(await userinfo(body.access_token)).toBe(401);
    const next = await refresh(body.refresh_token);
    expect(next.status).toBe(200);
    expect((await introspect(next.body.access_token as string)).body.active).toBe(true);
  });

  it("another client's token: 200, and nothing is revoked", async () => {
    const body = await signIn();
    expect((await revoke(body.refresh_token, { client: w.other })).status).toBe(200);
    expect((await revoke(body.access_token, { client: w.other })).status).toBe(200);
    expect((await introspect(body.access_token)).body.active).toBe(true);
    expect((await refresh(body.refresh_token)).status).toBe(200);
  });

  it("unknown tokens are 200; no token is 400; no client is 401", async () => {
    for (const t of ["garbage", "a.b.c", "x".repeat(5000)]) expect((await revoke(t)).status).toBe(200);
    expect((await post("/v1/revoke", {})).status).toBe(400);
    expect((await revoke("garbage", { client: { header: basic(w.web, "wrong") } })).status).toBe(401);
  });

  it("a public client revokes its own refresh token in the Basic-without-colon form", async () => {
    const body = await signIn(w.spa, undefined, { public: true });
    expect((await revoke(body.refresh_token, { client: { header: `Basic ${btoa(w.spa)}` } })).status).toBe(
      200,
    );
    expectInvalidRefresh(await refresh(body.refresh_token, { client: { public: w.spa } }));
  });
});

describe("CORS on /v1/introspect and /v1/revoke", () => {
  for (const path of ["/v1/introspect", "/v1/revoke"]) {
    it(`${path}: a trusted origin's preflight and request; an untrusted preflight is refused`, async () => {
      const preflight = (origin: string) =>
        freshApp()(
          new Request(`${w.issuer}${path}`, {
            method: "OPTIONS",
            headers: { Origin: origin, "Access-Control-Request-Method": "POST" },
          }),
        );
      const ok = await preflight(TRUSTED);
      expect(ok.status).toBe(204);
      expect(ok.headers.get("Access-Control-Allow-Origin")).toBe(TRUSTED);
      expect(ok.headers.get("Access-Control-Allow-Methods")).toBe("POST, OPTIONS");
      expect((await preflight("https://evil.example")).status).toBe(403);
      const body = await signIn(w.spa, undefined, { public: true });
      const res = await post(
        path,
        { token: body.access_token },
        { client: { public: w.spa }, origin: TRUSTED },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(TRUSTED);
    });
  }
});

describe("secrets in the query string of /v1/introspect and /v1/revoke are refused, not read as missing", () => {
  const inQuery = (path: string, name: string, value: string) =>
    `${path}?${new URLSearchParams({ [name]: value }).toString()}`;

  for (const path of ["/v1/introspect", "/v1/revoke"]) {
    it(`${path}: a token in the query is a 400 naming it, and the token is untouched`, async () => {
      const body = await signIn();
      for (const t of [body.refresh_token, body.access_token]) {
        // Also when the body carries the same token: the URL has leaked it already.
        for (const form of [{}, { token: t }] as Record<string, string>[]) {
          const res = await post(inQuery(path, "token", t), form);
          expect(res.status, JSON.stringify(res.body)).toBe(400);
          expect(res.body).toEqual({
            error: "invalid_request",
            error_description:
              "The 'token' parameter is not accepted in the query string; send it in the request body.",
          });
        }
      }
      // Nothing was revoked by the refused revocations.
      expect((await introspect(body.access_token)).body.active).toBe(true);
      expect((await refresh(body.refresh_token)).status).toBe(200);
    });

    it(`${path}: client_secret and client_assertion in the query are refused before any client lookup`, async () => {
      for (const name of ["client_secret", "client_assertion"]) {
        // Even with a wrong secret in the URL and none in the header: a 400 about the URL, not a 401.
        const res = await post(
          inQuery(path, name, SECRET),
          { token: "garbage" },
          {
            client: { public: w.web },
          },
        );
        expect(res.status, name).toBe(400);
        expect(res.body.error_description).toBe(
          `The '${name}' parameter is not accepted in the query string; send it in the request body.`,
        );
      }
    });

    it(`${path}: a GET with a token in the query learns why, not only that POST is needed`, async () => {
      const res = await freshApp()(new Request(`${w.issuer}${inQuery(path, "token", "a.b.c")}`));
      expect(res.status).toBe(400);
      expect(((await res.json()) as Body).error_description).toContain("query string");
      // Without a secret in the URL, a GET is still the 405 it was.
      const plain = await freshApp()(new Request(`${w.issuer}${path}?token_type_hint=refresh_token`));
      expect(plain.status).toBe(405);
    });

    it(`${path}: other query parameters are ignored, as before (only the body is the request)`, async () => {
      const body = await signIn();
      const res = await post(`${path}?token_type_hint=refresh_token&tokens=x&Token=y`, {
        token: body.access_token,
      });
      expect(res.status).toBe(200);
    });
  }
});

describe("the grant index tells the truth about idle families (lists, lastUpdated)", () => {
  // The world's rule: a 10-minute window, no absolute lifetime; the index's slack is then 5 minutes
  // (half the window, under GRANT_INDEX_IDLE_SLACK_MS).
  const MIN = 60_000;
  // Each test its own app: the world's apps have spent their token budgets by now.
  let app = "";
  beforeEach(async () => {
    app = uniqueId("idle");
    await importConfig({
      clients: [
        {
          client_id: app,
          client_name: app,
          application_type: "web",
          grant_types: ["authorization_code", "refresh_token"],
          redirect_uris: [REDIRECT],
          client_secrets: [SECRET],
          refresh_token: { rotation_type: "ROTATE", leeway: 0 },
        },
      ],
    });
    await assignUser(app, w.alice.id);
  });
  const tokensPath = () => `/users/${w.alice.id}/clients/${app}/tokens`;
  const admin = async (path: string, at: number) => {
    const res = await freshApp(createDeps(() => at))(adminRequest("GET", path));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & Body[] };
  };
  const listed = async (tokenId: string, at: number) =>
    (await admin(tokensPath(), at)).body.some((t) => t.id === tokenId);
  const stub = (refreshToken: string) => {
    const objectId = objectIdOfGrantId(refreshToken.split(".")[0] ?? "") ?? "";
    return bindings.GRANT.get(bindings.GRANT.idFromString(objectId));
  };
  const row = (refreshToken: string) =>
    bindings.DIRECTORY.prepare(
      "SELECT id, last_updated, idle_expires_at FROM grant_index WHERE grant_id = ?1",
    )
      .bind(refreshToken.split(".")[0])
      .first<{ id: string; last_updated: number; idle_expires_at: number | null }>();

  it("a family nobody uses leaves the lists (and GET by id) once its window and the slack are past", async () => {
    const t0 = Date.now();
    const first = await signIn(app, undefined, { now: t0 });
    const indexed = await row(first.refresh_token);
    expect(indexed?.idle_expires_at).toBe(t0 + 15 * MIN);
    const id = indexed?.id ?? "";
    expect(await listed(id, t0 + 14 * MIN)).toBe(true);
    // The object refuses it from minute 10; the index, written ahead by the slack, from minute 15.
    expectInvalidRefresh(await refresh(first.refresh_token, { client: app, now: t0 + 10 * MIN + 1 }));
    expect(await listed(id, t0 + 15 * MIN)).toBe(false);
    expect((await admin(`${tokensPath()}/${id}`, t0 + 15 * MIN)).status).toBe(404);
    // Nor does its app show among the user's apps holding tokens.
    const apps = (await admin(`/users/${w.alice.id}/clients`, t0 + 15 * MIN)).body.map((c) => c.client_id);
    expect(apps).not.toContain(app);
    // A DELETE still takes it (its access tokens may outlive the family), and a revoked row reads
    // REVOKED by id, as before.
    const del = await freshApp(createDeps(() => t0 + 16 * MIN))(
      adminRequest("DELETE", `${tokensPath()}/${id}`),
    );
    expect(del.status).toBe(204);
    const revoked = await admin(`${tokensPath()}/${id}`, t0 + 16 * MIN);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("REVOKED");
  });

  it("a refresh moves lastUpdated and the idle end forward, through the object's alarm, at most once per slack", async () => {
    const t0 = Date.now();
    const first = await signIn(app, undefined, { now: t0 });
    const id = (await row(first.refresh_token))?.id ?? "";
    // Minute 6: the family now ends at 16, past the index's 15: a touch is queued and the alarm writes it.
    const second = await refresh(first.refresh_token, { client: app, now: t0 + 6 * MIN });
    expect(second.status).toBe(200);
    await runDurableObjectAlarm(stub(first.refresh_token));
    expect(await row(first.refresh_token)).toEqual({
      id,
      last_updated: t0 + 6 * MIN,
      idle_expires_at: t0 + 21 * MIN,
    });
    const shown = await admin(`${tokensPath()}/${id}`, t0 + 20 * MIN);
    expect(shown.status).toBe(200);
    expect(shown.body.status).toBe("ACTIVE");
    expect(shown.body.lastUpdated).toBe(new Date(t0 + 6 * MIN).toISOString());
    expect(await listed(id, t0 + 20 * MIN)).toBe(true);

    // Minute 7: still inside what the index holds: no D1 write at all.
    const third = await refresh(second.body.refresh_token as string, { client: app, now: t0 + 7 * MIN });
    expect(third.status).toBe(200);
    await runDurableObjectAlarm(stub(first.refresh_token));
    expect((await row(first.refresh_token))?.last_updated).toBe(t0 + 6 * MIN);

    // Unused since minute 7, the object refuses it from minute 17; the index stops listing it at 21.
    expect(await listed(id, t0 + 21 * MIN)).toBe(false);
    expect((await admin(`${tokensPath()}/${id}`, t0 + 21 * MIN)).status).toBe(404);
  });

  it("a queued touch keeps its alarm due, whatever refreshes follow before it fires", async () => {
    const t0 = Date.now();
    const first = await signIn(app, undefined, { now: t0 });
    const second = await refresh(first.refresh_token, { client: app, now: t0 + 6 * MIN });
    // Not due itself; its deletion schedule must not push the queued touch's alarm to the deletion.
    const third = await refresh(second.body.refresh_token as string, {
      client: app,
      now: t0 + 6 * MIN + 30_000,
    });
    expect(third.status).toBe(200);
    const { pending, alarm } = await runInDurableObject(
      stub(first.refresh_token),
      async (_o: Grant, state) => ({
        pending: state.storage.sql
          .exec("SELECT 1 FROM index_touch WHERE pending_idle_end IS NOT NULL")
          .toArray().length,
        alarm: await state.storage.getAlarm(),
      }),
    );
    // Either the alarm has fired already (nothing pending) or it is due now, not at the deletion.
    if (pending > 0) expect(alarm ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(Date.now());
    await runDurableObjectAlarm(stub(first.refresh_token));
    expect((await row(first.refresh_token))?.last_updated).toBe(t0 + 6 * MIN);
  });

  it("a touch never moves the row backward, nor revives a revoked one", async () => {
    const t0 = Date.now();
    const first = await signIn(app, undefined, { now: t0 });
    const grantId = first.refresh_token.split(".")[0] ?? "";
    expect(await touchIndexedGrant(bindings.DIRECTORY, grantId, t0 - MIN, t0)).toBe(true);
    expect(await row(first.refresh_token)).toMatchObject({
      last_updated: t0,
      idle_expires_at: t0 + 15 * MIN,
    });
    expect((await revoke(first.refresh_token, { client: app })).status).toBe(200);
    expect(await touchIndexedGrant(bindings.DIRECTORY, grantId, t0 + MIN, t0 + 60 * MIN)).toBe(false);
    const after = await row(first.refresh_token);
    expect(after?.idle_expires_at).toBe(t0 + 15 * MIN);
  });

  it("a row indexed before idle ends were kept (NULL) is listed, and its family's next use fills it in", async () => {
    const t0 = Date.now();
    const first = await signIn(app, undefined, { now: t0 });
    const grantId = first.refresh_token.split(".")[0] ?? "";
    // As a family born before migration 0009 and this object's index_touch table would be.
    await bindings.DIRECTORY.prepare("UPDATE grant_index SET idle_expires_at = NULL WHERE grant_id = ?1")
      .bind(grantId)
      .run();
    await runInDurableObject(stub(first.refresh_token), async (_o: Grant, state) => {
      state.storage.sql.exec("DELETE FROM index_touch");
    });
    const id = (await row(first.refresh_token))?.id ?? "";
    expect(await listed(id, t0 + 60 * MIN)).toBe(true);
    expect((await refresh(first.refresh_token, { client: app, now: t0 + MIN })).status).toBe(200);
    await runDurableObjectAlarm(stub(first.refresh_token));
    expect(await row(first.refresh_token)).toMatchObject({
      last_updated: t0 + MIN,
      idle_expires_at: t0 + 16 * MIN,
    });
  });
});
