/**
 * The resource owner password grant (RFC 6749 §4.3) end to end against `npm start`, set up the way an
 * Okta admin would, through Okta's own management SDK: a custom server with a scope and a GROUPS
 * claim, an app whose grant types include `password`, groups A and B with users, the app assigned to
 * both groups, and one rule that admits group A only. Then real clients ask for tokens: openid-client
 * (`genericGrantRequest`) and a plain form post. A's user gets a token (verified with jose against
 * the JWKS); B's user is refused by the policy; wrong password, unknown user and locked user get
 * one and the same `invalid_grant`; an unassigned user is refused; Token Preview with `userId` agrees
 * with every real answer and names the people condition in its trace.
 */
import { randomUUID } from "node:crypto";
import okta from "@okta/okta-sdk-nodejs";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { basicAuth } from "./warden";

const warden = inject("warden");
const suffix = randomUUID().slice(0, 8);
const PASSWORD = "Correct-Horse-Battery-7";
const SCOPE = "inventory:read";
const AUDIENCE = `api://pw-${suffix}`;
/** Okta's texts (okta-developer-docs, OAuth 2.0 error codes). */
const INVALID_GRANT = { error: "invalid_grant", error_description: "The credentials provided were invalid." };
const POLICY_DENIED = {
  error: "access_denied",
  error_description: "Policy evaluation failed for this request, please check the policy configurations.",
};
const NOT_ASSIGNED = {
  error: "access_denied",
  error_description: "User is not assigned to the client application.",
};

const sdk = new okta.Client({ orgUrl: warden.baseUrl, token: warden.adminToken });
const cleanup: (() => Promise<unknown>)[] = [];

interface Person {
  id: string;
  login: string;
}
interface World {
  authServerId: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  groupA: { id: string; name: string };
  groupB: { id: string; name: string };
  /** In A. */
  alice: Person;
  /** In B. */
  bob: Person;
  /** In A; locked by the test. */
  lena: Person;
  /** In neither group, and not assigned directly: not assigned to the app. */
  uma: Person;
}
let world: World;

async function person(name: string, groupIds: string[]): Promise<Person> {
  const login = `${name}-${suffix}@example.test`;
  const user = await sdk.userApi.createUser({
    activate: true,
    body: {
      profile: { login, email: login, firstName: name, lastName: "Pw" },
      credentials: { password: { value: PASSWORD } },
      groupIds,
    },
  });
  const userId = user.id as string;
  cleanup.push(async () => {
    await sdk.userApi.deleteUser({ userId });
    await sdk.userApi.deleteUser({ userId });
  });
  return { id: userId, login };
}

beforeAll(async () => {
  const servers = sdk.authorizationServerApi;
  const server = await servers.createAuthorizationServer({
    authorizationServer: { name: `pw-${suffix}`, audiences: [AUDIENCE] },
  });
  const authServerId = server.id as string;
  cleanup.push(async () => {
    await servers.deactivateAuthorizationServer({ authServerId });
    await servers.deleteAuthorizationServer({ authServerId });
  });
  await servers.createOAuth2Scope({ authServerId, oAuth2Scope: { name: SCOPE, _default: true } });
  await servers.createOAuth2Claim({
    authServerId,
    oAuth2Claim: {
      name: "groups",
      claimType: "RESOURCE",
      valueType: "GROUPS",
      group_filter_type: "REGEX",
      value: ".*",
      alwaysIncludeInToken: true,
      conditions: { scopes: [] },
    } as never,
  });

  const app = (await sdk.applicationApi.createApplication({
    application: {
      name: "oidc_client",
      label: `pw-app-${suffix}`,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
      settings: { oauthClient: { grant_types: ["password"], application_type: "web" } },
    } as never,
  })) as unknown as {
    id: string;
    credentials: { oauthClient: { client_id: string; client_secret: string } };
  };
  const { client_id: clientId, client_secret: clientSecret } = app.credentials.oauthClient;
  cleanup.push(async () => {
    await sdk.applicationApi.deactivateApplication({ appId: app.id });
    await sdk.applicationApi.deleteApplication({ appId: app.id });
  });

  const group = async (name: string) => {
    const g = await sdk.groupApi.createGroup({ group: { profile: { name: `${name} ${suffix}` } } });
    cleanup.push(() => sdk.groupApi.deleteGroup({ groupId: g.id as string }));
    return { id: g.id as string, name: g.profile?.name as string };
  };
  const groupA = await group("Group A");
  const groupB = await group("Group B");
  for (const g of [groupA, groupB]) {
    await sdk.applicationApi.assignGroupToApplication({ appId: app.id, groupId: g.id });
  }
  const [alice, bob, lena, uma] = [
    await person("alice", [groupA.id]),
    await person("bob", [groupB.id]),
    await person("lena", [groupA.id]),
    await person("uma", []),
  ];

  // The policy for the app: one rule, for group A, by the password grant. Nothing admits group B.
  const policy = await servers.createAuthorizationServerPolicy({
    authServerId,
    policy: {
      type: "OAUTH_AUTHORIZATION_POLICY",
      name: "people",
      priority: 1,
      conditions: { clients: { include: [clientId] } },
    } as never,
  });
  const policyId = policy.id as string;
  const rule = await servers.createAuthorizationServerPolicyRule({
    authServerId,
    policyId,
    policyRule: {
      name: "group A by password",
      type: "RESOURCE_ACCESS",
      conditions: {
        people: { groups: { include: [groupA.id] } },
        grantTypes: { include: ["password"] },
        scopes: { include: [SCOPE] },
      },
      actions: { token: { accessTokenLifetimeMinutes: 15 } },
    } as never,
  });
  cleanup.push(async () => {
    await servers.deleteAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id as string });
    await servers.deleteAuthorizationServerPolicy({ authServerId, policyId });
  });

  world = {
    authServerId,
    issuer: `${warden.baseUrl}/oauth2/${authServerId}`,
    clientId,
    clientSecret,
    groupA,
    groupB,
    alice,
    bob,
    lena,
    uma,
  };
}, 120_000);

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

/** A plain form post, as any HTTP client would send it (RFC 6749 §4.3.2, client_secret_basic). */
async function formPost(params: Record<string, string>) {
  const res = await fetch(`${world.issuer}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: basicAuth(world.clientId, world.clientSecret),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "password", scope: SCOPE, ...params }),
  });
  return {
    status: res.status,
    cacheControl: res.headers.get("cache-control"),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function openidClient() {
  return oidc.discovery(
    new URL(world.issuer),
    world.clientId,
    world.clientSecret,
    oidc.ClientSecretBasic(world.clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
}

/** openid-client's error as `{status, error, error_description}` (oauth4webapi's ResponseBodyError). */
async function openidClientError(username: string, password: string) {
  const error = await oidc
    .genericGrantRequest(await openidClient(), "password", { username, password, scope: SCOPE })
    .then(
      () => new Error("expected the grant to fail"),
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(oidc.ResponseBodyError);
  const { status, error: code, error_description } = error as oidc.ResponseBodyError;
  return { status, body: { error: code, error_description } };
}

async function verified(accessToken: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${world.issuer}/v1/keys`)), {
    issuer: world.issuer,
    audience: AUDIENCE,
    algorithms: ["RS256"],
  });
  return payload;
}

async function preview(userId: string) {
  const res = await fetch(
    `${warden.baseUrl}/api/v1/authorizationServers/${world.authServerId}/tokenPreview`,
    {
      method: "POST",
      headers: { Authorization: `SSWS ${warden.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ clientId: world.clientId, grantType: "password", userId, scopes: [SCOPE] }),
    },
  );
  expect(res.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the preview's JSON, asserted field by field below.
  return (await res.json()) as any;
}

describe("password grant: openid-client and a plain form post", () => {
  it("discovery lists the password grant", async () => {
    const metadata = (await openidClient()).serverMetadata();
    expect(metadata.grant_types_supported).toContain("password");
    expect(metadata.token_endpoint).toBe(`${world.issuer}/v1/token`);
  });

  it("a user in group A gets the user's token from openid-client, verified against the JWKS", async () => {
    const tokens = await oidc.genericGrantRequest(await openidClient(), "password", {
      username: world.alice.login,
      password: PASSWORD,
      scope: SCOPE,
    });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.expires_in).toBe(15 * 60);
    expect(tokens.scope).toBe(SCOPE);
    expect(tokens).not.toHaveProperty("refresh_token");
    const payload = await verified(tokens.access_token);
    // Okta's user access token: sub = login, uid = the user id (okta-user-flows.md, DESIGN §4).
    expect(payload).toMatchObject({
      ver: 1,
      sub: world.alice.login,
      uid: world.alice.id,
      cid: world.clientId,
      scp: [SCOPE],
    });
    expect((payload.groups as string[]).slice().sort()).toEqual(["Everyone", world.groupA.name].sort());
  });

  it("the same from a plain form post, with the login in another case", async () => {
    const res = await formPost({ username: world.alice.login.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.cacheControl).toBe("no-store");
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: SCOPE });
    const payload = await verified(res.body.access_token as string);
    expect(payload).toMatchObject({ sub: world.alice.login, uid: world.alice.id, cid: world.clientId });
  });

  it("a user in group B is refused by the policy, in both clients", async () => {
    const viaForm = await formPost({ username: world.bob.login, password: PASSWORD });
    expect(viaForm).toMatchObject({ status: 400, body: POLICY_DENIED, cacheControl: "no-store" });
    expect(await openidClientError(world.bob.login, PASSWORD)).toEqual({ status: 400, body: POLICY_DENIED });
  });

  it("an unassigned user with the right password is told so; nobody else is", async () => {
    expect(await formPost({ username: world.uma.login, password: PASSWORD })).toMatchObject({
      status: 400,
      body: NOT_ASSIGNED,
    });
    // With a wrong password the same user learns nothing about the assignment.
    expect(await formPost({ username: world.uma.login, password: "Wrong-Horse-1" })).toMatchObject({
      status: 400,
      body: INVALID_GRANT,
    });
  });

  it("wrong password, unknown user, SQL in the username and a locked user: one answer", async () => {
    const same = { status: 400, body: INVALID_GRANT };
    expect(await openidClientError(world.alice.login, "Wrong-Horse-1")).toEqual(same);
    expect(await openidClientError(`nobody-${suffix}@example.test`, PASSWORD)).toEqual(same);
    for (const username of [`' OR 1=1 --`, `${world.alice.login}' --`, `${world.alice.login}%`]) {
      expect(await formPost({ username, password: PASSWORD }), username).toMatchObject(same);
    }

    // A username that is not UTF-8 once decoded is a malformed body (RFC 6749 Appendix B), refused
    // before any attempt: it says nothing about the login it was spliced onto.
    const raw = await fetch(`${world.issuer}/v1/token`, {
      method: "POST",
      headers: {
        Authorization: basicAuth(world.clientId, world.clientSecret),
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: `grant_type=password&username=%FF%FE${encodeURIComponent(world.alice.login)}&password=${PASSWORD}`,
    });
    expect({ status: raw.status, body: await raw.json() }).toEqual({
      status: 400,
      body: { error: "invalid_request", error_description: "The request body is not valid UTF-8." },
    });

    // Ten consecutive failures lock the account (Okta's default lockout policy).
    for (let i = 0; i < 10; i++) {
      expect(await formPost({ username: world.lena.login, password: `Wrong-Horse-${i}` })).toMatchObject(
        same,
      );
    }
    expect((await sdk.userApi.getUser({ userId: world.lena.id })).status).toBe("LOCKED_OUT");
    // The right password now gets the very same answer, from both clients.
    expect(await formPost({ username: world.lena.login, password: PASSWORD })).toMatchObject(same);
    expect(await openidClientError(world.lena.login, PASSWORD)).toEqual(same);
    // Unlocked through Okta's SDK, the user signs in again.
    await sdk.userApi.unlockUser({ userId: world.lena.id });
    const after = await formPost({ username: world.lena.login, password: PASSWORD });
    expect(after.status).toBe(200);
    expect(await verified(after.body.access_token as string)).toMatchObject({ uid: world.lena.id });
  });

  it("a malformed request costs no attempt: missing password, oversized body", async () => {
    expect(await formPost({ username: world.alice.login })).toMatchObject({
      status: 400,
      body: { error: "invalid_request" },
    });
    const huge = await formPost({ username: world.alice.login, password: "x".repeat(64 * 1024) });
    expect(huge).toMatchObject({
      status: 400,
      body: { error: "invalid_request", error_description: "The request body exceeds 16384 bytes." },
    });
    expect((await sdk.userApi.getUser({ userId: world.alice.id })).status).toBe("ACTIVE");
  });
});

describe("Token Preview with a user agrees with the real answers", () => {
  it("ALLOW for group A: the token the real request gets, and the rule matched", async () => {
    const previewed = await preview(world.alice.id);
    expect(previewed.result).toBe("ALLOW");
    const real = await formPost({ username: world.alice.login, password: PASSWORD });
    const payload = await verified(real.body.access_token as string);
    const volatile = { iat: expect.any(Number), exp: expect.any(Number), jti: expect.any(String) };
    expect({ ...previewed.accessToken.payload, ...volatile }).toEqual({ ...payload, ...volatile });
    expect(previewed.trace).toContainEqual(
      expect.objectContaining({ kind: "rule", name: "group A by password", outcome: "matched" }),
    );
  });

  it("DENY for group B: the same error, and a trace naming the people condition", async () => {
    const previewed = await preview(world.bob.id);
    expect(previewed).toMatchObject({ result: "DENY", error: POLICY_DENIED });
    expect(previewed.trace).toContainEqual(
      expect.objectContaining({ kind: "rule", name: "group A by password", reason: "user_not_included" }),
    );
  });

  it("DENY for the unassigned user and the same invalid_grant for a locked one", async () => {
    expect(await preview(world.uma.id)).toMatchObject({ result: "DENY", error: NOT_ASSIGNED });
    const lockedLogin = `locked-${suffix}@example.test`;
    const locked = await person("locked", [world.groupA.id]);
    expect(locked.login).toBe(lockedLogin);
    for (let i = 0; i < 10; i++) await formPost({ username: lockedLogin, password: `Wrong-Horse-${i}` });
    expect(await preview(locked.id)).toMatchObject({ result: "DENY", error: INVALID_GRANT });
  });
});
