/**
 * Introspection (RFC 7662) end to end against `npm start`, from oauth4webapi, as a resource server
 * or an app would ask (issue 12: "introspection from oauth4webapi"). Set up the way an Okta admin
 * would, through Okta's own management SDK: a custom server, a confidential app with the password
 * and refresh_token grants (ROTATE, leeway 0), a user assigned to it, one rule for both grants. The
 * tokens come from a plain password-grant form post (oauth4webapi has no password grant); from then
 * on oauth4webapi does everything: discovery (the document must name the introspection and
 * revocation endpoints), `introspectionRequest` of an access token and of a refresh token (Okta's
 * fields), `refreshTokenGrantRequest` (the rotated-out token reads inactive), reuse ending the grant
 * (every token inactive), `revocationRequest`, and another client's view of the tokens.
 */
import { randomUUID } from "node:crypto";
import okta from "@okta/okta-sdk-nodejs";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { basicAuth } from "./warden";

const warden = inject("warden");
const suffix = randomUUID().slice(0, 8);
const PASSWORD = "Correct-Horse-Battery-7";
const SCOPE = "inventory:read";
const AUDIENCE = `api://introspect-${suffix}`;
/** `npm start` serves plain HTTP on loopback: oauth4webapi refuses that unless told. */
const insecure = { [oauth.allowInsecureRequests]: true } as const;

const sdk = new okta.Client({ orgUrl: warden.baseUrl, token: warden.adminToken });
const cleanup: (() => Promise<unknown>)[] = [];

interface App {
  appId: string;
  client: oauth.Client;
  auth: oauth.ClientAuth;
  secret: string;
}
interface World {
  as: oauth.AuthorizationServer;
  issuer: string;
  app: App;
  /** A second app of the same server, for "another client's token". */
  other: App;
  userId: string;
  login: string;
}
let world: World;

async function createApp(label: string): Promise<App> {
  const app = (await sdk.applicationApi.createApplication({
    application: {
      name: "oidc_client",
      label: `${label}-${suffix}`,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
      settings: {
        oauthClient: {
          grant_types: ["password", "refresh_token"],
          application_type: "web",
          // Leeway 0: a rotated-out token presented again is reuse at once.
          refresh_token: { rotation_type: "ROTATE", leeway: 0 },
        },
      },
    } as never,
  })) as unknown as {
    id: string;
    credentials: { oauthClient: { client_id: string; client_secret: string } };
  };
  cleanup.push(async () => {
    await sdk.applicationApi.deactivateApplication({ appId: app.id });
    await sdk.applicationApi.deleteApplication({ appId: app.id });
  });
  const { client_id, client_secret } = app.credentials.oauthClient;
  return {
    appId: app.id,
    client: { client_id },
    auth: oauth.ClientSecretBasic(client_secret),
    secret: client_secret,
  };
}

beforeAll(async () => {
  const servers = sdk.authorizationServerApi;
  const server = await servers.createAuthorizationServer({
    authorizationServer: { name: `introspect-${suffix}`, audiences: [AUDIENCE] },
  });
  const authServerId = server.id as string;
  cleanup.push(async () => {
    await servers.deactivateAuthorizationServer({ authServerId });
    await servers.deleteAuthorizationServer({ authServerId });
  });
  await servers.createOAuth2Scope({ authServerId, oAuth2Scope: { name: SCOPE } });
  const app = await createApp("introspect-app");
  const other = await createApp("introspect-other");

  const login = `ines-${suffix}@example.test`;
  const user = await sdk.userApi.createUser({
    activate: true,
    body: {
      profile: { login, email: login, firstName: "Ines", lastName: "Introspect" },
      credentials: { password: { value: PASSWORD } },
    },
  });
  const userId = user.id as string;
  cleanup.push(async () => {
    await sdk.userApi.deleteUser({ userId });
    await sdk.userApi.deleteUser({ userId });
  });
  for (const { appId } of [app, other]) {
    await sdk.applicationApi.assignUserToApplication({ appId, appUser: { id: userId } as never });
  }

  const policy = await servers.createAuthorizationServerPolicy({
    authServerId,
    policy: {
      type: "OAUTH_AUTHORIZATION_POLICY",
      name: "apps",
      priority: 1,
      conditions: { clients: { include: ["ALL_CLIENTS"] } },
    } as never,
  });
  const policyId = policy.id as string;
  const rule = await servers.createAuthorizationServerPolicyRule({
    authServerId,
    policyId,
    policyRule: {
      name: "password and refresh",
      type: "RESOURCE_ACCESS",
      conditions: {
        people: { groups: { include: ["EVERYONE"] } },
        grantTypes: { include: ["password", "refresh_token"] },
        scopes: { include: ["*"] },
      },
      actions: { token: { accessTokenLifetimeMinutes: 15 } },
    } as never,
  });
  cleanup.push(async () => {
    await servers.deleteAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id as string });
    await servers.deleteAuthorizationServerPolicy({ authServerId, policyId });
  });

  const issuer = new URL(`${warden.baseUrl}/oauth2/${authServerId}`);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  world = { as, issuer: issuer.href, app, other, userId, login };
}, 120_000);

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

/** The password grant as a plain form post (RFC 6749 §4.3.2); oauth4webapi takes over from here. */
async function signIn(): Promise<Tokens> {
  const res = await fetch(`${world.issuer}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: basicAuth(world.app.client.client_id, world.app.secret),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: "password",
      username: world.login,
      password: PASSWORD,
      scope: `offline_access ${SCOPE}`,
    }),
  });
  const body = (await res.json()) as Tokens;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.refresh_token).toEqual(expect.any(String));
  return body;
}

async function introspect(token: string, hint?: string, app: App = world.app) {
  const res = await oauth.introspectionRequest(world.as, app.client, app.auth, token, {
    ...insecure,
    ...(hint ? { additionalParameters: { token_type_hint: hint } } : {}),
  });
  return oauth.processIntrospectionResponse(world.as, app.client, res);
}

async function refresh(refreshToken: string) {
  const res = await oauth.refreshTokenGrantRequest(
    world.as,
    world.app.client,
    world.app.auth,
    refreshToken,
    insecure,
  );
  return oauth.processRefreshTokenResponse(world.as, world.app.client, res);
}

describe("introspection from oauth4webapi", () => {
  it("discovery names the introspection and revocation endpoints under the issuer", () => {
    expect(world.as.introspection_endpoint).toBe(`${world.issuer}/v1/introspect`);
    expect(world.as.revocation_endpoint).toBe(`${world.issuer}/v1/revoke`);
  });

  it("an access token and a refresh token: active, with Okta's fields", async () => {
    const tokens = await signIn();
    const access = await introspect(tokens.access_token, "access_token");
    expect(access).toMatchObject({
      active: true,
      token_type: "Bearer",
      client_id: world.app.client.client_id,
      scope: `offline_access ${SCOPE}`,
      sub: world.login,
      username: world.login,
      uid: world.userId,
      iss: world.issuer,
      aud: AUDIENCE,
      jti: expect.stringMatching(/^AT\./),
    });
    expect(access.exp).toBeGreaterThan(access.iat as number);

    const rt = await introspect(tokens.refresh_token, "refresh_token");
    expect(rt).toMatchObject({
      active: true,
      token_type: "refresh_token",
      client_id: world.app.client.client_id,
      scope: `offline_access ${SCOPE}`,
      username: world.login,
      uid: world.userId,
      iss: world.issuer,
    });
    // A wrong hint only costs a second look (RFC 7662 §2.1).
    expect((await introspect(tokens.refresh_token, "access_token")).active).toBe(true);
  });

  it("another client of the same server sees neither token", async () => {
    const tokens = await signIn();
    expect(await introspect(tokens.access_token, undefined, world.other)).toEqual({ active: false });
    expect(await introspect(tokens.refresh_token, undefined, world.other)).toEqual({ active: false });
  });

  it("after a refresh the rotated-out token is inactive; its reuse ends the grant and every token reads inactive", async () => {
    const tokens = await signIn();
    const next = await refresh(tokens.refresh_token);
    expect(next.refresh_token).toEqual(expect.any(String));
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect((await introspect(next.refresh_token as string)).active).toBe(true);
    expect(await introspect(tokens.refresh_token)).toEqual({ active: false });

    // Leeway 0: the rotated-out token presented again is reuse (Okta's exact text).
    const reuse = await refresh(tokens.refresh_token).catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(oauth.ResponseBodyError);
    expect(reuse).toMatchObject({
      error: "invalid_grant",
      error_description: "The refresh token is invalid or expired.",
    });
    for (const t of [tokens.access_token, next.access_token, next.refresh_token as string]) {
      expect(await introspect(t)).toEqual({ active: false });
    }
  });

  it("revocationRequest of the refresh token: it and the grant's access token read inactive", async () => {
    const tokens = await signIn();
    const res = await oauth.revocationRequest(
      world.as,
      world.app.client,
      world.app.auth,
      tokens.refresh_token,
      insecure,
    );
    await oauth.processRevocationResponse(res);
    expect(await introspect(tokens.refresh_token)).toEqual({ active: false });
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
  });
});
