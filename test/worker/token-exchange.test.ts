/**
 * Token exchange (RFC 8693, Okta's on-behalf-of flow) on the real control plane, KV, D1 and key
 * vaults: a user token from the password grant of server A exchanged at server B, which trusts A
 * (through Okta's associatedServers API), and refused at C, which does not; policy with and without
 * the grant type; the exchanged token's claims, verified with B's published JWKS; the trust list's
 * own rules (a server that exists, not itself, a trusted server not deletable); and Token Preview for
 * every grant type.
 */
import { env } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { GrantType, ImportDocument, ServerConfigInput } from "../../src/config/schemas";

/** Server configs as written (defaults filled by the import). */
const servers = (...configs: ServerConfigInput[]) => configs as ImportDocument["authorizationServers"];

import { TOKEN_EXCHANGE_MAX_ACT_DEPTH } from "../../src/config/defaults";
import type { Env } from "../../src/env";
import { actDepth } from "../../src/oauth/subject-token";
import {
  adminCall,
  adminRequest,
  basic,
  decodeJwt,
  freshApp,
  importConfig,
  ORIGIN,
  orgAccessToken,
  SECRET,
  seedOrgClient,
  tokenRequest,
  uniqueId,
} from "./helpers";
import { assignUser, insertUser, PASSWORD, type PeopleWorld, seedPeople } from "./people-fixtures";
import { tokenPreview } from "./preview-fixtures";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const DEVICE = "urn:ietf:params:oauth:grant-type:device_code";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const INVALID_SUBJECT = "The 'subject_token' is invalid or has expired.";

let a: PeopleWorld;
let b: string;
let c: string;
/** B's twin without an exchange rule (only client_credentials): policy refuses the grant type. */
let noRule: string;
let svc: string;
let native: string;

const issuer = (id: string) => `${ORIGIN}/oauth2/${id}`;

function exchangeServer(id: string, contractors: string, withExchangeRule = true): ServerConfigInput {
  return {
    server: { id, name: id, audiences: [`api://${id}`] },
    scopes: [
      { id: "s-down", name: "downstream" },
      { id: "s-other", name: "other" },
    ],
    policies: [
      {
        id: "p",
        name: "downstream",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [
          ...(withExchangeRule
            ? [
                {
                  id: "r-exchange",
                  name: "on behalf of",
                  priority: 1,
                  conditions: {
                    people: { groups: { include: ["EVERYONE"], exclude: [contractors] } },
                    grantTypes: { include: [EXCHANGE as GrantType] },
                    scopes: { include: ["downstream"] },
                  },
                  actions: { token: { accessTokenLifetimeMinutes: 10 } },
                },
              ]
            : []),
          {
            id: "r-users",
            name: "users",
            priority: 2,
            conditions: {
              grantTypes: {
                include: ["authorization_code", "refresh_token", "password", DEVICE] as GrantType[],
              },
              scopes: { include: ["downstream"] },
            },
          },
          {
            id: "r-cc",
            name: "services",
            priority: 3,
            conditions: {
              grantTypes: { include: ["client_credentials"] as const },
              scopes: { include: ["other"] },
            },
          },
        ],
      },
    ],
  };
}

beforeAll(async () => {
  a = await seedPeople();
  b = uniqueId("xb");
  c = uniqueId("xc");
  noRule = uniqueId("xn");
  svc = uniqueId("svc");
  native = uniqueId("native");
  await importConfig({
    clients: [
      {
        client_id: svc,
        client_name: "downstream service",
        application_type: "service",
        grant_types: [EXCHANGE, "client_credentials"],
        client_secrets: [SECRET],
      },
      {
        client_id: native,
        client_name: "every user grant",
        application_type: "native",
        grant_types: ["authorization_code", "refresh_token", "password", DEVICE, EXCHANGE],
        redirect_uris: ["https://app.test/cb"],
        client_secrets: [SECRET],
      },
    ],
    authorizationServers: servers(
      exchangeServer(b, a.contractors),
      exchangeServer(c, a.contractors),
      exchangeServer(noRule, a.contractors, false),
    ),
  });
  await assignUser(native, a.alice.id);
  // B and the rule-less twin trust A through Okta's API; C trusts nobody.
  for (const id of [b, noRule]) {
    const added = await adminCall("POST", `/authorizationServers/${id}/associatedServers`, {
      trusted: [a.serverId],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.map((s: { id: string }) => s.id)).toEqual([a.serverId]);
  }
});

afterEach(() => vi.restoreAllMocks());

async function passwordToken(login: string): Promise<string> {
  const res = await freshApp()(
    tokenRequest(
      a.issuer,
      { grant_type: "password", username: login, password: PASSWORD, scope: "public" },
      { authorization: basic(a.clientId, SECRET) },
    ),
  );
  const body = (await res.json()) as { access_token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token;
}

async function exchange(subjectToken: string, at: string, extra: Record<string, string> = {}) {
  const res = await freshApp()(
    tokenRequest(
      issuer(at),
      {
        grant_type: EXCHANGE,
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN,
        scope: "downstream",
        ...extra,
      },
      { authorization: basic(svc, SECRET) },
    ),
  );
  // biome-ignore lint/suspicious/noExplicitAny: tests read the token response field by field.
  return { status: res.status, body: (await res.json()) as any };
}

describe("token exchange between two servers", () => {
  it("Alice's token of A, exchanged at B: her token for B's audience, acted on by the service", async () => {
    const { status, body } = await exchange(await passwordToken(a.alice.login), b);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({
      token_type: "Bearer",
      issued_token_type: ACCESS_TOKEN,
      scope: "downstream",
      expires_in: 600,
    });
    const keys = await (await freshApp()(new Request(`${issuer(b)}/v1/keys`))).json();
    const { payload, protectedHeader } = await jwtVerify(
      body.access_token,
      createLocalJWKSet(keys as Parameters<typeof createLocalJWKSet>[0]),
      { issuer: issuer(b), audience: `api://${b}` },
    );
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({
      ver: 1,
      sub: a.alice.login,
      uid: a.alice.id,
      cid: svc,
      scp: ["downstream"],
      act: { sub: svc },
    });
    expect(payload.exp).toBe((payload.iat as number) + 600);
  });

  it("refused at C, which does not trust A", async () => {
    const { status, body } = await exchange(await passwordToken(a.alice.login), c);
    expect({ status, ...body }).toEqual({
      status: 400,
      error: "invalid_grant",
      error_description: INVALID_SUBJECT,
    });
  });

  it("policy: a server with no rule for token exchange denies it; an excluded group is denied", async () => {
    const token = await passwordToken(a.alice.login);
    expect((await exchange(token, noRule)).body.error).toBe("access_denied");
    // Bob is a contractor: B's exchange rule excludes his group.
    expect((await exchange(await passwordToken(a.bob.login), b)).body.error).toBe("access_denied");
    // A scope the exchange rule does not grant.
    expect((await exchange(token, b, { scope: "other" })).body.error).toBe("access_denied");
  });

  it("a user suspended after the subject token was issued: invalid_grant", async () => {
    const user = await insertUser({ name: "erin" });
    await assignUser(a.clientId, user.id);
    const token = await passwordToken(user.login);
    expect((await exchange(token, b)).status).toBe(200);
    await (env as Env).DIRECTORY.prepare("UPDATE users SET status = 'SUSPENDED' WHERE id = ?1")
      .bind(user.id)
      .run();
    expect((await exchange(token, b)).body).toEqual({
      error: "invalid_grant",
      error_description: INVALID_SUBJECT,
    });
  });

  it("A's client_credentials token: no user to act for", async () => {
    const res = await freshApp()(
      tokenRequest(
        a.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(a.clientId, SECRET) },
      ),
    );
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await exchange(access_token, b)).body.error).toBe("invalid_grant");
  });

  it("the delegation chain is capped: each re-exchange nests `act` one level, past the cap invalid_request", async () => {
    // B trusts itself: its own exchanged token can be exchanged there again, as a loop of services would.
    let token = await passwordToken(a.alice.login);
    let expected: Record<string, unknown> | undefined;
    for (let depth = 1; depth <= TOKEN_EXCHANGE_MAX_ACT_DEPTH; depth++) {
      const { status, body } = await exchange(token, b);
      expect(status, `depth ${depth}: ${JSON.stringify(body)}`).toBe(200);
      expected = { sub: svc, ...(expected ? { act: expected } : {}) };
      expect(decodeJwt(body.access_token).payload.act).toEqual(expected);
      token = body.access_token;
    }
    // The token that names TOKEN_EXCHANGE_MAX_ACT_DEPTH actors is good for what it is, not for another hop.
    const refused = await exchange(token, b);
    expect(refused).toEqual({
      status: 400,
      body: {
        error: "invalid_request",
        error_description: `The 'subject_token' was exchanged too many times: its delegation chain ('act') is ${TOKEN_EXCHANGE_MAX_ACT_DEPTH} deep, and an exchanged token may name at most ${TOKEN_EXCHANGE_MAX_ACT_DEPTH} actors.`,
      },
    });
    // Another exchanging client changes nothing: the depth is the token's, whoever presents it.
    const other = await freshApp()(
      tokenRequest(
        issuer(b),
        { grant_type: EXCHANGE, subject_token: token, subject_token_type: ACCESS_TOKEN, scope: "downstream" },
        { authorization: basic(native, SECRET) },
      ),
    );
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("actDepth counts object levels only, iteratively", () => {
    expect(actDepth(undefined)).toBe(0);
    expect(actDepth({ sub: "a" })).toBe(1);
    expect(actDepth({ sub: "a", act: "not an object" })).toBe(1);
    expect(actDepth({ sub: "a", act: { sub: "b", act: [] } })).toBe(2);
    let deep: Record<string, unknown> = { sub: "z" };
    for (let i = 0; i < 10_000; i++) deep = { sub: `${i}`, act: deep };
    expect(actDepth(deep)).toBe(10_001);
  });

  it("discovery lists the grant type", async () => {
    const res = await freshApp()(new Request(`${issuer(b)}/.well-known/oauth-authorization-server`));
    const doc = (await res.json()) as { grant_types_supported: string[] };
    expect(doc.grant_types_supported).toContain(EXCHANGE);
  });
});

describe("trusted servers (Okta's associatedServers)", () => {
  it("lists the trusted servers, and the others with trusted=false", async () => {
    const trusted = await adminCall("GET", `/authorizationServers/${b}/associatedServers?trusted=true`);
    expect(trusted.status).toBe(200);
    expect(trusted.body.map((s: { id: string }) => s.id)).toEqual([a.serverId]);
    expect(trusted.body[0]).toMatchObject({ issuer: a.issuer, status: "ACTIVE" });
    const others = await adminCall(
      "GET",
      `/authorizationServers/${b}/associatedServers?trusted=false&q=${encodeURIComponent(c)}`,
    );
    expect(others.body.map((s: { id: string }) => s.id)).toEqual([c]);
    expect(
      (await adminCall("GET", `/authorizationServers/${b}/associatedServers?trusted=maybe`)).status,
    ).toBe(400);
  });

  it("refuses a server that does not exist, the server itself, and a body without `trusted`", async () => {
    const path = `/authorizationServers/${c}/associatedServers`;
    const unknown = await adminCall("POST", path, { trusted: ["no-such-server"] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain("does not exist");
    expect((await adminCall("POST", path, { trusted: [c] })).status).toBe(400);
    expect((await adminCall("POST", path, {})).status).toBe(400);
    expect((await adminCall("POST", path, { trusted: "x" })).status).toBe(400);
    expect(
      (await adminCall("POST", "/authorizationServers/nope/associatedServers", { trusted: [b] })).status,
    ).toBe(404);
    // Nothing was written: C still trusts nobody.
    const listed = await adminCall("GET", path);
    expect(listed.body).toEqual([]);
  });

  it("reading takes okta.authorizationServers.read, changing .manage: a read-only token changes nothing", async () => {
    const reader = await seedOrgClient(["okta.authorizationServers.read"]);
    const token = await orgAccessToken(reader, "okta.authorizationServers.read");
    const path = `/authorizationServers/${c}/associatedServers`;
    const app = freshApp();
    expect((await app(adminRequest("GET", path, undefined, `Bearer ${token}`))).status).toBe(200);
    const refused = await app(adminRequest("POST", path, { trusted: [a.serverId] }, `Bearer ${token}`));
    expect(refused.status).toBe(403);
    expect(
      (
        await app(
          adminRequest(
            "DELETE",
            `/authorizationServers/${b}/associatedServers/${a.serverId}`,
            undefined,
            `Bearer ${token}`,
          ),
        )
      ).status,
    ).toBe(403);
    expect((await adminCall("GET", path)).body).toEqual([]);
    expect((await adminCall("GET", `/authorizationServers/${b}/associatedServers`)).body).toHaveLength(1);
  });

  it("a trusted server cannot be deleted until the trust is removed; removing it ends exchanges", async () => {
    const trustee = uniqueId("xt");
    const truster = uniqueId("xr");
    await importConfig({
      authorizationServers: servers(
        { server: { id: trustee, name: trustee, audiences: ["api://t"] } },
        { ...exchangeServer(truster, a.contractors), trustedServers: [trustee, a.serverId] },
      ),
    });
    expect((await adminCall("POST", `/authorizationServers/${trustee}/lifecycle/deactivate`)).status).toBe(
      204,
    );
    const refused = await adminCall("DELETE", `/authorizationServers/${trustee}`);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain(`trusted by authorization server '${truster}'`);

    const token = await passwordToken(a.alice.login);
    expect((await exchange(token, truster)).status).toBe(200);
    expect(
      (await adminCall("DELETE", `/authorizationServers/${truster}/associatedServers/${a.serverId}`)).status,
    ).toBe(204);
    expect((await exchange(token, truster)).body.error).toBe("invalid_grant");
    expect(
      (await adminCall("DELETE", `/authorizationServers/${truster}/associatedServers/${a.serverId}`)).status,
    ).toBe(404);

    expect(
      (await adminCall("DELETE", `/authorizationServers/${truster}/associatedServers/${trustee}`)).status,
    ).toBe(204);
    expect((await adminCall("DELETE", `/authorizationServers/${trustee}`)).status).toBe(204);
  });
});

interface Preview {
  result: "ALLOW" | "DENY";
  error?: Record<string, unknown>;
  accessToken?: { payload: Record<string, unknown> };
  rule?: { id: string };
  trace: { kind: string; id: string; outcome: string; reason?: string }[];
}

async function preview(body: Record<string, unknown>): Promise<Preview> {
  const res = await tokenPreview(b, body);
  const json = (await res.json()) as Preview;
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
}

describe("Token Preview for every grant type", () => {
  it("client_credentials, and each user grant as policy evaluates it with that grant type", async () => {
    const cc = await preview({ clientId: svc, grantType: "client_credentials", scopes: ["other"] });
    expect(cc).toMatchObject({ result: "ALLOW", rule: { id: "r-cc" } });
    for (const grantType of ["password", "authorization_code", "refresh_token", DEVICE]) {
      const p = await preview({ clientId: native, grantType, userId: a.alice.id, scopes: ["downstream"] });
      expect({ grantType, result: p.result, rule: p.rule?.id }).toEqual({
        grantType,
        result: "ALLOW",
        rule: "r-users",
      });
      expect(p.accessToken?.payload).toMatchObject({ uid: a.alice.id, sub: a.alice.login, cid: native });
      expect(p.accessToken?.payload.act).toBeUndefined();
    }
    const exchanged = await preview({
      clientId: svc,
      grantType: EXCHANGE,
      userId: a.alice.id,
      scopes: ["downstream"],
    });
    expect(exchanged).toMatchObject({ result: "ALLOW", rule: { id: "r-exchange" } });
    expect(exchanged.accessToken?.payload).toMatchObject({
      uid: a.alice.id,
      sub: a.alice.login,
      cid: svc,
      act: { sub: svc },
      scp: ["downstream"],
    });
  });

  it("denials: an excluded user, an unassigned user, a client not registered for the grant, an inactive user", async () => {
    const bob = await preview({
      clientId: svc,
      grantType: EXCHANGE,
      userId: a.bob.id,
      scopes: ["downstream"],
    });
    expect(bob).toMatchObject({ result: "DENY", error: { error: "access_denied" } });
    expect(bob.trace.find((t) => t.id === "r-exchange")?.reason).toBe("group_excluded");
    // Dave is not assigned to the native app: a user grant that signs in to it refuses him.
    const dave = await preview({ clientId: native, grantType: "authorization_code", userId: a.dave.id });
    expect(dave).toMatchObject({
      result: "DENY",
      error: { error: "access_denied", error_description: "User is not assigned to the client application." },
    });
    // An exchange does not ask for an assignment to the exchanging app.
    expect(
      (await preview({ clientId: svc, grantType: EXCHANGE, userId: a.dave.id, scopes: ["downstream"] }))
        .result,
    ).toBe("ALLOW");
    const unregistered = await preview({
      clientId: svc,
      grantType: "authorization_code",
      userId: a.alice.id,
    });
    expect(unregistered.error?.error).toBe("unauthorized_client");
    const suspended = await preview({ clientId: svc, grantType: EXCHANGE, userId: a.suspended.id });
    expect(suspended.error).toEqual({ error: "invalid_grant", error_description: INVALID_SUBJECT });
  });

  it("a user grant without a userId, or client_credentials with one: 400", async () => {
    for (const body of [
      { clientId: svc, grantType: EXCHANGE },
      { clientId: native, grantType: "refresh_token" },
      { clientId: svc, grantType: "client_credentials", userId: a.alice.id },
      { clientId: svc, grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", userId: a.alice.id },
    ]) {
      const res = await tokenPreview(b, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });
});
