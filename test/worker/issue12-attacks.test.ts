/**
 * Issue 12 attacked as a stranger would, inside workerd with real Grant Durable Objects, the real
 * directory (D1) and real keys: each attack is one test, named for what it tries, asserting what the
 * server does and that nothing changed that should not have. Companion of refresh-tokens.test.ts,
 * token-management.test.ts, grant-revocation.test.ts, device.test.ts and token-exchange.test.ts
 * (what they already cover is not repeated here).
 *
 *   - tokens of one kind presented as another: refresh token ↔ code ↔ device code ↔ access token;
 *   - another client, a public client, and the Basic-without-colon form on a confidential client;
 *   - 50 concurrent refreshes of one token (issue 12: one successor, the leeway rule);
 *   - reuse after the leeway: every access token of the family inactive, the index row REVOKED;
 *   - directory writes through the management API mid-family: deactivation, unassignment;
 *   - the D1 index where the family is born: Okta's token list, DELETE, /v1/revoke;
 *   - token exchange with an untrusted server's token, an ID token, a refresh token, a revoked grant;
 *   - huge, repeated and non-UTF-8 parameters on /v1/introspect, /v1/revoke, /v1/device/authorize.
 */

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { base64url } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TOKEN_REQUEST_MAX_BYTES } from "../../src/config/defaults";
import type { GrantType } from "../../src/config/schemas";
import { createDeps } from "../../src/context";
import type { Env } from "../../src/env";
import { durableGrants } from "../../src/grants/durable-grants";
import { objectIdOfGrantId } from "../../src/grants/grant-id";
import { Grant } from "../../src/grants/grant-object";
import type { AuthorizedRequest } from "../../src/grants/grant-port";
import {
  adminCall,
  adminRequest,
  basic,
  decodeJwt,
  freshApp,
  importConfig,
  ORIGIN,
  SECRET,
  uniqueId,
} from "./helpers";
import { assignUser, type FixtureUser, insertUser, PASSWORD } from "./people-fixtures";

const bindings = env as Env;
const grants = durableGrants(bindings.GRANT);
const REDIRECT = "https://app.example/callback";
const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";
const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const INVALID_REFRESH = {
  error: "invalid_grant",
  error_description: "The refresh token is invalid or expired.",
};

interface World {
  serverId: string;
  issuer: string;
  /** A server that `serverId` does not trust. */
  strangerIssuer: string;
  /** Confidential, ROTATE, leeway 30 s. */
  web: string;
  /** Confidential, another app. */
  other: string;
  /** Public (browser), ROTATE. */
  spa: string;
  /** Public native, device_code + refresh_token. */
  tv: string;
  /** Confidential service, token exchange. */
  svc: string;
}
let w: World;

beforeAll(async () => {
  const [serverId, strangerId] = [uniqueId("atk"), uniqueId("atk-stranger")];
  const [web, other, spa, tv, svc] = ["web", "other", "spa", "tv", "svc"].map((n) => uniqueId(n)) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const server = (id: string) => ({
    server: { id, name: id, audiences: [`api://${id}`] },
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
            conditions: {
              grantTypes: {
                include: ["authorization_code", "password", "refresh_token", DEVICE, EXCHANGE] as GrantType[],
              },
              scopes: { include: ["*"] },
            },
            actions: {
              token: {
                accessTokenLifetimeMinutes: 30,
                refreshTokenWindowMinutes: 60,
                refreshTokenLifetimeMinutes: 0,
              },
            },
          },
        ],
      },
    ],
  });
  const confidential = (client_id: string) => ({
    client_id,
    client_name: client_id,
    application_type: "web" as const,
    grant_types: ["authorization_code", "refresh_token", "password"] as GrantType[],
    redirect_uris: [REDIRECT],
    client_secrets: [SECRET],
    refresh_token: { rotation_type: "ROTATE" as const, leeway: 30 },
  });
  await importConfig({
    clients: [
      confidential(web),
      confidential(other),
      {
        client_id: spa,
        client_name: "spa",
        application_type: "browser",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        redirect_uris: [REDIRECT],
      },
      {
        client_id: tv,
        client_name: "tv",
        application_type: "native",
        token_endpoint_auth_method: "none",
        grant_types: [DEVICE, "refresh_token"] as GrantType[],
      },
      {
        client_id: svc,
        client_name: "svc",
        application_type: "service",
        grant_types: [EXCHANGE] as GrantType[],
        client_secrets: [SECRET],
      },
    ],
    authorizationServers: [server(serverId), server(strangerId)],
  });
  w = {
    serverId,
    issuer: `${ORIGIN}/oauth2/${serverId}`,
    strangerIssuer: `${ORIGIN}/oauth2/${strangerId}`,
    web,
    other,
    spa,
    tv,
    svc,
  };
});

/**
 * One warm isolate for every call (its per-client rate-limit counters report every tenth request, as
 * in production: a cold isolate per call would spend the client's budget ten times faster), its clock
 * set per call when a test injects one.
 */
let clockOverride: number | undefined;
const app = freshApp(createDeps(() => clockOverride ?? Date.now()));

type Body = Record<string, unknown> & { error?: string; error_description?: string };
interface Call {
  status: number;
  body: Body;
}

interface PostOptions {
  now?: number;
  /** A confidential client's id (Basic with SECRET), `{ public }` (client_id in the body), or a raw header. */
  client?: string | { public: string } | { header: string };
  issuer?: string;
  /** A raw body, sent as is instead of the form. */
  rawBody?: string;
}

async function post(path: string, params: Record<string, string>, options: PostOptions = {}): Promise<Call> {
  const client = options.client ?? w.web;
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded" });
  const form = { ...params };
  if (typeof client === "string") headers.set("Authorization", basic(client, SECRET));
  else if ("public" in client) form.client_id = client.public;
  else headers.set("Authorization", client.header);
  clockOverride = options.now;
  const res = await app(
    new Request(`${options.issuer ?? w.issuer}${path}`, {
      method: "POST",
      headers,
      body: options.rawBody ?? new URLSearchParams(form).toString(),
    }),
  );
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
}

const token = (params: Record<string, string>, options?: PostOptions) => post("/v1/token", params, options);
const refresh = (rt: string, options?: PostOptions, extra: Record<string, string> = {}) =>
  token({ grant_type: "refresh_token", refresh_token: rt, ...extra }, options);
const introspect = (t: string, options?: PostOptions) => post("/v1/introspect", { token: t }, options);
const revoke = (t: string, options?: PostOptions) => post("/v1/revoke", { token: t }, options);

async function userinfo(accessToken: string): Promise<number> {
  clockOverride = undefined;
  const res = await app(
    new Request(`${w.issuer}/v1/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } }),
  );
  await res.body?.cancel();
  return res.status;
}

/** A fresh ACTIVE user assigned to the web and public apps. */
async function person(name = "mallory-target"): Promise<FixtureUser> {
  const user = await insertUser({ name });
  for (const app of [w.web, w.spa, w.other, w.tv]) await assignUser(app, user.id);
  return user;
}

type Tokens = Body & { access_token: string; refresh_token: string; id_token?: string };

/** The code flow, as /v1/authorize leaves it (a code minted through the grant port) then /v1/token. */
async function codeFlow(
  user: FixtureUser,
  options: { client?: string; scopes?: string[]; now?: number; public?: boolean } = {},
): Promise<Tokens & { code: string; verifier: string }> {
  const client = options.client ?? w.web;
  const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url.encode(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  const now = options.now ?? Date.now();
  const request: AuthorizedRequest = {
    serverId: w.serverId,
    clientId: client,
    redirectUri: REDIRECT,
    codeChallenge: challenge,
    nonce: "n-1",
    scopes: options.scopes ?? ["openid", "offline_access", "read", "write"],
    userId: user.id,
    authTime: Math.floor(now / 1000) - 5,
    amr: ["pwd"],
    sessionId: undefined,
    decision: {
      policyId: "p",
      ruleId: "r",
      accessTokenLifetimeSeconds: 1800,
      refreshTokenLifetimeMinutes: 0,
      refreshTokenWindowMinutes: 60,
    },
  };
  const code = await grants.issueCode(request, now);
  const res = await token(
    { grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier },
    { now: options.now, client: options.public ? { public: client } : client },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { ...(res.body as Tokens), code, verifier };
}

const grantOf = (rt: string) => rt.slice(0, 43);

async function indexRow(grantId: string) {
  return bindings.DIRECTORY.prepare("SELECT id, status FROM grant_index WHERE grant_id = ?1")
    .bind(grantId)
    .first<{ id: string; status: string }>();
}

async function deviceCode(client = w.tv): Promise<string> {
  const res = await post(
    "/v1/device/authorize",
    { scope: "openid offline_access read" },
    { client: { public: client } },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.device_code as string;
}

describe("a token of one kind presented as another", () => {
  it("a refresh token as an authorization code: refused as a code, and the grant is not revoked as a replay", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const res = await token({
      grant_type: "authorization_code",
      code: t.refresh_token,
      redirect_uri: REDIRECT,
      code_verifier: t.verifier,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: "invalid_grant",
      error_description: "The authorization code is invalid or has expired.",
    });
    expect((await grants.describe(grantOf(t.refresh_token), Date.now()))?.status).toBe("ACTIVE");
    expect((await refresh(t.refresh_token)).status).toBe(200);
  });

  it("an authorization code as a refresh token: invalid, and it rotates nothing", async () => {
    const user = await person();
    const t = await codeFlow(user);
    expect(await refresh(t.code)).toEqual({ status: 400, body: INVALID_REFRESH });
    expect((await introspect(t.refresh_token)).body.active).toBe(true);
    expect((await refresh(t.refresh_token)).status).toBe(200);
  });

  it("a device code as a refresh token and as an authorization code; a refresh token as a device code", async () => {
    const code = await deviceCode();
    expect(await refresh(code, { client: { public: w.tv } })).toEqual({ status: 400, body: INVALID_REFRESH });
    // The SPA may use the code grant: a device code there is no code.
    const asCode = await token(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: "v".repeat(43) },
      { client: { public: w.spa } },
    );
    expect(asCode.status).toBe(400);
    expect(asCode.body.error).toBe("invalid_grant");
    // The device code is untouched: still pending for its own client.
    const poll = await token({ grant_type: DEVICE, device_code: code }, { client: { public: w.tv } });
    expect(poll.body.error).toBe("authorization_pending");

    const user = await person();
    const t = await codeFlow(user);
    const asDevice = await token(
      { grant_type: DEVICE, device_code: t.refresh_token },
      { client: { public: w.tv } },
    );
    expect(asDevice.status).toBe(400);
    expect(asDevice.body.error).toBe("invalid_grant");
    expect((await refresh(t.refresh_token)).status).toBe(200);
  });

  it("an access token or an ID token as a refresh token; a refresh token at another server", async () => {
    const user = await person();
    const t = await codeFlow(user);
    expect(await refresh(t.access_token)).toEqual({ status: 400, body: INVALID_REFRESH });
    expect(await refresh(t.id_token as string)).toEqual({ status: 400, body: INVALID_REFRESH });
    expect(await refresh(t.refresh_token, { issuer: w.strangerIssuer })).toEqual({
      status: 400,
      body: INVALID_REFRESH,
    });
    expect((await introspect(t.refresh_token, { issuer: w.strangerIssuer })).body).toEqual({ active: false });
    // The grant's own client at another server's /v1/revoke: 200 (RFC 7009 §2.2), and nothing ends.
    expect((await revoke(t.refresh_token, { issuer: w.strangerIssuer })).status).toBe(200);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("ACTIVE");
    expect((await refresh(t.refresh_token)).status).toBe(200);
  });
});

describe("another client", () => {
  it("cannot refresh, introspect or revoke a token it was not issued, and its tries change nothing", async () => {
    const user = await person();
    const t = await codeFlow(user);
    for (const client of [w.other, { public: w.spa }] as const) {
      expect(await refresh(t.refresh_token, { client })).toEqual({ status: 400, body: INVALID_REFRESH });
      for (const kind of [t.access_token, t.refresh_token, t.id_token as string]) {
        expect((await introspect(kind, { client })).body).toEqual({ active: false });
        expect((await revoke(kind, { client })).status).toBe(200);
      }
    }
    expect(await userinfo(t.access_token)).toBe(200);
    expect((await introspect(t.access_token)).body.active).toBe(true);
    expect((await refresh(t.refresh_token)).status).toBe(200);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("ACTIVE");
  });

  it("a public client's Basic-without-colon form names only a public client: a confidential one is 401", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const header = `Basic ${btoa(w.web)}`;
    for (const path of ["/v1/introspect", "/v1/revoke"]) {
      const res = await post(path, { token: t.refresh_token }, { client: { header } });
      expect(res.status, path).toBe(401);
      expect(res.body.error).toBe("invalid_client");
    }
    expect((await refresh(t.refresh_token)).status).toBe(200);
  });

  it("a public client reads only its own tokens: the SPA sees its own, not the web app's", async () => {
    const user = await person();
    const mine = await codeFlow(user, { client: w.spa, public: true });
    const theirs = await codeFlow(user);
    const spa = { public: w.spa };
    expect((await introspect(mine.refresh_token, { client: spa })).body.active).toBe(true);
    expect((await introspect(mine.access_token, { client: spa })).body.active).toBe(true);
    expect((await introspect(theirs.access_token, { client: spa })).body).toEqual({ active: false });
    expect((await introspect(theirs.refresh_token, { client: spa })).body).toEqual({ active: false });
  });
});

describe("replay races", () => {
  it("50 concurrent refreshes of one token: all answer the one successor; after the leeway the old one is reuse", async () => {
    const user = await person();
    const t0 = Date.now();
    const t = await codeFlow(user, { now: t0 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => refresh(t.refresh_token, { now: t0 + 1000 })),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const successors = new Set(results.map((r) => r.body.refresh_token as string));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as [string];
    expect(successor).not.toBe(t.refresh_token);
    // Exactly one live member: the successor; the presented token introspects inactive.
    expect((await introspect(successor, { now: t0 + 2000 })).body.active).toBe(true);
    expect((await introspect(t.refresh_token, { now: t0 + 2000 })).body).toEqual({ active: false });
    const accessTokens = new Set(results.map((r) => r.body.access_token as string));
    expect(accessTokens.size).toBe(50);

    // 31 s after the rotation, the rotated-out token is reuse: the grant ends.
    expect(await refresh(t.refresh_token, { now: t0 + 32_000 })).toEqual({
      status: 400,
      body: INVALID_REFRESH,
    });
    expect(await refresh(successor, { now: t0 + 33_000 })).toEqual({ status: 400, body: INVALID_REFRESH });
    for (const at of [...accessTokens].slice(0, 5)) {
      expect((await introspect(at)).body).toEqual({ active: false });
      expect(await userinfo(at)).toBe(401);
    }
  });

  it("a replay within the leeway may not widen the scope the first presentation kept", async () => {
    const user = await person();
    const t0 = Date.now();
    const t = await codeFlow(user, { now: t0, scopes: ["openid", "offline_access", "read"] });
    const first = await refresh(t.refresh_token, { now: t0 + 1000 }, { scope: "offline_access read" });
    expect(first.status).toBe(200);
    const wide = await refresh(t.refresh_token, { now: t0 + 2000 }, { scope: "offline_access read write" });
    expect(wide.status).toBe(400);
    expect(wide.body.error).toBe("invalid_scope");
    // The refused widening was no reuse: the successor still works.
    expect((await refresh(first.body.refresh_token as string, { now: t0 + 3000 })).status).toBe(200);
  });

  it("revoke and refresh racing: once /v1/revoke answers, no refresh of the family succeeds", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const [, ...raced] = await Promise.all([
      revoke(t.refresh_token),
      ...Array.from({ length: 10 }, () => refresh(t.refresh_token)),
    ]);
    const winners = raced.filter((r) => r.status === 200).map((r) => r.body.refresh_token as string);
    expect(new Set(winners).size).toBeLessThanOrEqual(1);
    for (const rt of [t.refresh_token, ...winners]) {
      expect(await refresh(rt)).toEqual({ status: 400, body: INVALID_REFRESH });
      expect((await introspect(rt)).body).toEqual({ active: false });
    }
    expect(await userinfo(t.access_token)).toBe(401);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("REVOKED");
  });
});

describe("reuse after the leeway", () => {
  it("every access token of every generation is inactive at introspection and userinfo; the index row is REVOKED", async () => {
    const user = await person();
    const t0 = Date.now();
    const t = await codeFlow(user, { now: t0 });
    const a = await refresh(t.refresh_token, { now: t0 + 1000 });
    const b = await refresh(a.body.refresh_token as string, { now: t0 + 2000 });
    expect(b.status).toBe(200);
    const access = [t.access_token, a.body.access_token as string, b.body.access_token as string];
    for (const at of access) expect((await introspect(at)).body.active).toBe(true);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("ACTIVE");

    // `t.refresh_token` is retired (two rotations ago): reuse at once, whatever the leeway.
    expect(await refresh(t.refresh_token, { now: t0 + 3000 })).toEqual({
      status: 400,
      body: INVALID_REFRESH,
    });
    for (const at of access) {
      expect((await introspect(at)).body).toEqual({ active: false });
      expect(await userinfo(at)).toBe(401);
    }
    expect(await refresh(b.body.refresh_token as string)).toEqual({ status: 400, body: INVALID_REFRESH });
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("REVOKED");
  });
});

describe("a Durable Object restart mid-family (nothing lives in memory)", () => {
  it("after two rotations a fresh instance over the same storage still knows the retired token: reuse ends the grant", async () => {
    // refresh-tokens.test.ts restarts within the leeway (the sealed successor survives); this one
    // restarts after the previous token was retired, and after the revocation.
    const user = await person();
    const t = await codeFlow(user);
    const a = await refresh(t.refresh_token);
    const b = await refresh(a.body.refresh_token as string);
    expect(b.status).toBe(200);
    const stub = bindings.GRANT.get(
      bindings.GRANT.idFromString(objectIdOfGrantId(grantOf(t.refresh_token)) as string),
    );
    const presented = { serverId: w.serverId, clientId: w.web, scopes: undefined };
    await runInDurableObject(stub, async (_instance, state) => {
      const restarted = new Grant(state, bindings);
      expect(await restarted.refresh(t.refresh_token.slice(44), presented, Date.now())).toMatchObject({
        ok: false,
        reason: "reuse",
      });
    });
    await runInDurableObject(stub, async (_instance, state) => {
      const again = new Grant(state, bindings);
      expect(await again.isActive(Date.now())).toBe(false);
      expect(await again.refresh((b.body.refresh_token as string).slice(44), presented, Date.now())).toEqual({
        ok: false,
        reason: "invalid",
      });
    });
    expect(await userinfo(b.body.access_token as string)).toBe(401);
  });
});

describe("directory writes through the management API, mid-family", () => {
  it("POST /users/{id}/lifecycle/deactivate: refresh invalid, every token inactive, the index row REVOKED", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const a = await refresh(t.refresh_token);
    expect(a.status).toBe(200);
    const res = await adminCall("POST", `/users/${user.id}/lifecycle/deactivate`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await refresh(a.body.refresh_token as string)).toEqual({ status: 400, body: INVALID_REFRESH });
    for (const at of [t.access_token, a.body.access_token as string]) {
      expect((await introspect(at)).body).toEqual({ active: false });
      expect(await userinfo(at)).toBe(401);
    }
    expect((await introspect(a.body.refresh_token as string)).body).toEqual({ active: false });
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("REVOKED");
  });

  it("a deactivated user's access tokens without a family are inactive at introspection too, as at userinfo", async () => {
    // Found by this file: introspection of an access token checked its signature and its grant but
    // not its user, so a token from a grant without a refresh family (not in the index, so not swept)
    // or from no grant at all read active:true after deactivation while userinfo answered 401.
    const user = await person();
    const noFamily = await codeFlow(user, { scopes: ["openid", "read"] });
    expect(noFamily.refresh_token).toBeUndefined();
    const password = await token({
      grant_type: "password",
      username: user.login,
      password: PASSWORD,
      scope: "read",
    });
    expect(password.status).toBe(200);
    const plain = password.body.access_token as string;
    for (const at of [noFamily.access_token, plain]) expect((await introspect(at)).body.active).toBe(true);
    expect((await introspect(noFamily.id_token as string)).body.active).toBe(true);

    expect((await adminCall("POST", `/users/${user.id}/lifecycle/deactivate`)).status).toBe(200);
    expect(await userinfo(noFamily.access_token)).toBe(401);
    for (const t of [noFamily.access_token, plain, noFamily.id_token as string]) {
      expect((await introspect(t)).body).toEqual({ active: false });
    }
  });

  it("DELETE /apps/{app}/users/{user}: the unassigned user's family ends at once", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const res = await adminCall("DELETE", `/apps/${w.web}/users/${user.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(await refresh(t.refresh_token)).toEqual({ status: 400, body: INVALID_REFRESH });
    expect((await introspect(t.refresh_token)).body).toEqual({ active: false });
    expect((await introspect(t.access_token)).body).toEqual({ active: false });
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("REVOKED");
  });
});

describe("the D1 index, where the family is born (src/oauth/refresh-issuance.ts)", () => {
  it("a code flow with offline_access is listed in Okta's OAuth2RefreshToken shape; DELETE ends it", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const path = `/users/${user.id}/clients/${w.web}/tokens`;
    const list = await adminCall("GET", path);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    const [row] = list.body as Record<string, unknown>[];
    expect(row).toMatchObject({
      id: expect.stringMatching(/^oar/),
      status: "ACTIVE",
      clientId: w.web,
      userId: user.id,
      issuer: w.issuer,
      scopes: ["openid", "offline_access", "read", "write"],
    });
    expect(row?.created).toEqual(expect.any(String));
    expect(row?._links).toMatchObject({ self: { href: `${ORIGIN}/api/v1${path}/${row?.id}` } });
    expect((await indexRow(grantOf(t.refresh_token)))?.id).toBe(row?.id);

    const deleted = await adminCall("DELETE", `${path}/${row?.id}`);
    expect(deleted.status).toBe(204);
    expect(await refresh(t.refresh_token)).toEqual({ status: 400, body: INVALID_REFRESH });
    expect((await introspect(t.refresh_token)).body).toEqual({ active: false });
    expect((await introspect(t.access_token)).body).toEqual({ active: false });
    expect((await adminCall("GET", path)).body).toEqual([]);
  });

  it("/v1/revoke of a refresh token marks the row REVOKED; of an access token leaves it ACTIVE", async () => {
    const user = await person();
    const t = await codeFlow(user);
    expect((await revoke(t.access_token)).status).toBe(200);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("ACTIVE");
    expect((await refresh(t.refresh_token)).status).toBe(200);
    expect((await revoke(t.refresh_token)).status).toBe(200);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("REVOKED");
    expect((await adminCall("GET", `/users/${user.id}/clients/${w.web}/tokens`)).body).toEqual([]);
  });
});

describe("the D1 index follows the grant when a code replay ends it", () => {
  it("the code redeemed again after its family was born: the grant ends, and the row says REVOKED", async () => {
    // Found by this file: a replay revoked the grant's object (RFC 6749 §4.1.2) but left its index
    // row ACTIVE, so Okta's token list showed a dead token as live.
    const user = await person();
    const t = await codeFlow(user);
    const replay = await token({
      grant_type: "authorization_code",
      code: t.code,
      redirect_uri: REDIRECT,
      code_verifier: t.verifier,
    });
    expect(replay.body.error).toBe("invalid_grant");
    expect(await refresh(t.refresh_token)).toEqual({ status: 400, body: INVALID_REFRESH });
    expect((await introspect(t.access_token)).body).toEqual({ active: false });
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("REVOKED");
    expect((await adminCall("GET", `/users/${user.id}/clients/${w.web}/tokens`)).body).toEqual([]);
  });

  it("a forged secret on a live grant's id marks nothing: the row stays ACTIVE, so a sweep still finds it", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const forged = `${grantOf(t.refresh_token)}.${"A".repeat(43)}`;
    const res = await token({
      grant_type: "authorization_code",
      code: forged,
      redirect_uri: REDIRECT,
      code_verifier: t.verifier,
    });
    expect(res.body.error).toBe("invalid_grant");
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("ACTIVE");
    expect((await refresh(t.refresh_token)).status).toBe(200);
    // …and the deactivation sweep still ends it.
    expect((await adminCall("POST", `/users/${user.id}/lifecycle/deactivate`)).status).toBe(200);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("REVOKED");
  });
});

describe("narrow admin rights on Okta's token API never reach a wider admin", () => {
  async function sswsWith(scopes: string[]): Promise<string> {
    const res = await adminCall("POST", "/api-tokens", { name: `t-${crypto.randomUUID()}`, scopes });
    expect(res.status).toBe(201);
    return `SSWS ${res.body.token}`;
  }
  async function callAs(auth: string, method: string, path: string) {
    clockOverride = undefined;
    const res = await app(adminRequest(method, path, undefined, auth));
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  it("okta.users.manage cannot revoke a SUPER_ADMIN's tokens (as it cannot change the account); a full caller can", async () => {
    // Found by this file: src/admin/user-roles.ts guarded a role holder's account and lifecycle
    // but not the DELETEs of Okta's token API under the same user, so a user admin could sign a
    // super admin out of every app.
    const admin = await person("super");
    expect((await adminCall("POST", `/users/${admin.id}/roles`, { type: "SUPER_ADMIN" })).status).toBe(201);
    const t = await codeFlow(admin);
    const tokenId = (await indexRow(grantOf(t.refresh_token)))?.id;
    const narrow = await sswsWith(["okta.users.manage"]);
    const base = `/users/${admin.id}/clients/${w.web}/tokens`;
    for (const path of [base, `${base}/${tokenId}`]) {
      const refused = await callAs(narrow, "DELETE", path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.errorCode).toBe("E0000006");
    }
    // Reading stays open to users.manage (it grants users.read); nothing was revoked.
    expect((await callAs(narrow, "GET", base)).status).toBe(200);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("ACTIVE");
    expect((await refresh(t.refresh_token)).status).toBe(200);

    // A plain user's tokens: users.manage is enough.
    const plain = await person();
    const p = await codeFlow(plain);
    expect((await callAs(narrow, "DELETE", `/users/${plain.id}/clients/${w.web}/tokens`)).status).toBe(204);
    expect(await refresh(p.refresh_token)).toEqual({ status: 400, body: INVALID_REFRESH });
    // The bootstrap token (every right) revokes the admin's.
    expect((await adminCall("DELETE", base)).status).toBe(204);
    expect((await indexRow(grantOf(t.refresh_token)))?.status).toBe("REVOKED");
  });
});

describe("token exchange: subject tokens that must not be exchanged", () => {
  const exchange = (subject: string) =>
    token(
      { grant_type: EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, scope: "read" },
      { client: w.svc },
    );
  const refused = {
    error: "invalid_grant",
    error_description: "The 'subject_token' is invalid or has expired.",
  };

  it("this server's own access token is exchanged (the control)", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const res = await exchange(t.access_token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(decodeJwt(res.body.access_token as string).payload.act).toEqual({ sub: w.svc });
  });

  it("an untrusted server's token, an ID token, a refresh token, a revoked grant's token, junk", async () => {
    const user = await person();
    const stranger = await token(
      { grant_type: "password", username: user.login, password: PASSWORD, scope: "read" },
      { issuer: w.strangerIssuer },
    );
    expect(stranger.status).toBe(200);
    const t = await codeFlow(user);
    expect(await exchange(stranger.body.access_token as string)).toEqual({ status: 400, body: refused });
    expect(await exchange(t.id_token as string)).toEqual({ status: 400, body: refused });
    expect(await exchange(t.refresh_token)).toEqual({ status: 400, body: refused });
    expect(await exchange("x".repeat(5000))).toEqual({ status: 400, body: refused });
    // An access token whose grant a /v1/revoke of its refresh token ended.
    expect((await revoke(t.refresh_token)).status).toBe(200);
    expect(await exchange(t.access_token)).toEqual({ status: 400, body: refused });
    // A refresh token declared as one is not a type this server exchanges.
    const typed = await token(
      {
        grant_type: EXCHANGE,
        subject_token: t.refresh_token,
        subject_token_type: "urn:ietf:params:oauth:token-type:refresh_token",
      },
      { client: w.svc },
    );
    expect(typed.status).toBe(400);
    expect(typed.body.error).toBe("invalid_request");
  });
});

describe("huge, repeated and non-UTF-8 parameters: a 400 in OAuth's format, nothing written", () => {
  const paths = ["/v1/introspect", "/v1/revoke", "/v1/device/authorize"] as const;

  it("a body over the limit, a repeated parameter, bytes that are not UTF-8", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const rt = encodeURIComponent(t.refresh_token);
    const bodies = [
      `token=${rt}&scope=read&pad=${"a".repeat(TOKEN_REQUEST_MAX_BYTES)}`,
      `token=${rt}&token=${rt}`,
      `token=${rt}&token_type_hint=%FF%FE&scope=%FF`,
      `token=${rt}&scope=read&scope=write`,
    ];
    for (const path of paths) {
      for (const rawBody of bodies) {
        const res = await post(path, {}, { rawBody });
        expect(res.status, `${path} ${rawBody.slice(0, 60)}`).toBe(400);
        expect(res.body.error, path).toBe("invalid_request");
        expect(Object.keys(res.body).sort()).toEqual(["error", "error_description"]);
      }
    }
    // Nothing was revoked by the refused /v1/revoke calls.
    expect((await introspect(t.refresh_token)).body.active).toBe(true);
    expect((await refresh(t.refresh_token)).status).toBe(200);
  });

  it("a token of 15 KB, a token with a NUL, a token with 3 or 300 dots: inactive, and a revoke changes nothing", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const junk = [
      "A".repeat(15 * 1024),
      `${grantOf(t.refresh_token)}.\u0000`,
      `${t.refresh_token}.x.y`,
      ".".repeat(300),
      `${t.access_token}x`,
      t.refresh_token.toLowerCase(),
    ];
    for (const j of junk) {
      expect((await introspect(j)).body).toEqual({ active: false });
      expect((await revoke(j)).status).toBe(200);
      expect(await refresh(j)).toEqual({ status: 400, body: INVALID_REFRESH });
    }
    expect((await introspect(t.refresh_token)).body.active).toBe(true);
    expect((await introspect(t.access_token)).body.active).toBe(true);
  });

  it("a refresh_token over the limit or not UTF-8 at /v1/token: 400 invalid_request, the family untouched", async () => {
    const user = await person();
    const t = await codeFlow(user);
    const raw = [
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(t.refresh_token)}&x=${"b".repeat(TOKEN_REQUEST_MAX_BYTES)}`,
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(t.refresh_token)}&scope=%C3%28`,
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(t.refresh_token)}&refresh_token=x`,
    ];
    for (const rawBody of raw) {
      const res = await post("/v1/token", {}, { rawBody });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_request");
    }
    // None of them reached the grant: the token has not rotated (it is still the current one).
    expect((await introspect(t.refresh_token)).body.active).toBe(true);
  });
});
