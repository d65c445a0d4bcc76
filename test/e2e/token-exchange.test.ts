/**
 * Token exchange (RFC 8693, Okta's on-behalf-of flow) end to end against `npm start`, set up through
 * Okta's own management SDK the way Okta's guide does it: an upstream server A where a web app signs
 * a user in (password grant), a downstream server B that trusts A (`createAssociatedServers`), a
 * service app registered for token exchange, and an access policy rule for the grant type on B. Then
 * openid-client's `genericGrantRequest` exchanges the user's A token at B; jose verifies the result
 * against B's JWKS. A server that does not trust A refuses the same token.
 */
import { randomUUID } from "node:crypto";
import okta from "@okta/okta-sdk-nodejs";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const suffix = randomUUID().slice(0, 8);
const PASSWORD = "Correct-Horse-Battery-7";
const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";

const sdk = new okta.Client({ orgUrl: warden.baseUrl, token: warden.adminToken });
const servers = sdk.authorizationServerApi;
const cleanup: (() => Promise<unknown>)[] = [];

interface App {
  id: string;
  clientId: string;
  clientSecret: string;
}

let upstream: string;
let downstream: string;
let untrusting: string;
let web: App;
let service: App;
let user: { id: string; login: string };

const issuer = (id: string) => `${warden.baseUrl}/oauth2/${id}`;

async function server(name: string, scope: string, rule: { grantTypes: string[]; scopes: string[] }) {
  const created = await servers.createAuthorizationServer({
    authorizationServer: { name: `${name}-${suffix}`, audiences: [`api://${name}-${suffix}`] },
  });
  const authServerId = created.id as string;
  await servers.createOAuth2Scope({ authServerId, oAuth2Scope: { name: scope } });
  const policy = await servers.createAuthorizationServerPolicy({
    authServerId,
    policy: {
      type: "OAUTH_AUTHORIZATION_POLICY",
      name: "all",
      priority: 1,
      conditions: { clients: { include: ["ALL_CLIENTS"] } },
    } as never,
  });
  const policyId = policy.id as string;
  const created_rule = await servers.createAuthorizationServerPolicyRule({
    authServerId,
    policyId,
    policyRule: {
      name: "rule",
      type: "RESOURCE_ACCESS",
      conditions: {
        people: { groups: { include: ["EVERYONE"] } },
        grantTypes: { include: rule.grantTypes },
        scopes: { include: rule.scopes },
      },
    } as never,
  });
  cleanup.push(async () => {
    await servers.deleteAuthorizationServerPolicyRule({
      authServerId,
      policyId,
      ruleId: created_rule.id as string,
    });
    await servers.deleteAuthorizationServerPolicy({ authServerId, policyId });
    await servers.deactivateAuthorizationServer({ authServerId });
    await servers.deleteAuthorizationServer({ authServerId });
  });
  return authServerId;
}

async function app(label: string, type: "web" | "service", grantTypes: string[]): Promise<App> {
  const created = (await sdk.applicationApi.createApplication({
    application: {
      name: "oidc_client",
      label: `${label}-${suffix}`,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
      settings: { oauthClient: { grant_types: grantTypes, application_type: type } },
    } as never,
  })) as unknown as {
    id: string;
    credentials: { oauthClient: { client_id: string; client_secret: string } };
  };
  cleanup.push(async () => {
    await sdk.applicationApi.deactivateApplication({ appId: created.id });
    await sdk.applicationApi.deleteApplication({ appId: created.id });
  });
  const { client_id, client_secret } = created.credentials.oauthClient;
  return { id: created.id, clientId: client_id, clientSecret: client_secret };
}

beforeAll(async () => {
  upstream = await server("upstream", "api1", { grantTypes: ["password"], scopes: ["api1"] });
  downstream = await server("downstream", "api2", { grantTypes: [EXCHANGE], scopes: ["api2"] });
  untrusting = await server("elsewhere", "api2", { grantTypes: [EXCHANGE], scopes: ["api2"] });
  web = await app("web", "web", ["password"]);
  service = await app("api1-service", "service", [EXCHANGE]);

  const login = `obo-${suffix}@example.test`;
  const created = await sdk.userApi.createUser({
    activate: true,
    body: {
      profile: { login, email: login, firstName: "Obo", lastName: "User" },
      credentials: { password: { value: PASSWORD } },
    },
  });
  user = { id: created.id as string, login };
  cleanup.push(async () => {
    await sdk.userApi.deleteUser({ userId: user.id });
    await sdk.userApi.deleteUser({ userId: user.id });
  });
  await sdk.applicationApi.assignUserToApplication({ appId: web.id, appUser: { id: user.id } as never });

  // Okta's Authorization Server Associations API: the downstream server trusts the upstream one.
  const trusted = await servers.createAssociatedServers({
    authServerId: downstream,
    associatedServerMediated: { trusted: [upstream] },
  });
  const ids: (string | undefined)[] = [];
  for await (const s of trusted) ids.push(s?.id);
  expect(ids).toEqual([upstream]);
  cleanup.unshift(() =>
    servers.deleteAssociatedServer({ authServerId: downstream, associatedServerId: upstream }),
  );
}, 120_000);

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

async function client(serverId: string, who: App) {
  return oidc.discovery(
    new URL(issuer(serverId)),
    who.clientId,
    who.clientSecret,
    oidc.ClientSecretBasic(who.clientSecret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
}

async function userAccessToken(): Promise<string> {
  const tokens = await oidc.genericGrantRequest(await client(upstream, web), "password", {
    username: user.login,
    password: PASSWORD,
    scope: "api1",
  });
  return tokens.access_token;
}

describe("on-behalf-of token exchange with openid-client", () => {
  it("the trusted servers list names the upstream server", async () => {
    const listed = [];
    for await (const s of await servers.listAssociatedServersByTrustedType({
      authServerId: downstream,
      trusted: true,
    })) {
      listed.push(s?.id);
    }
    expect(listed).toEqual([upstream]);
  });

  it("the service exchanges the user's upstream token for a downstream token about the same user", async () => {
    const metadata = (await client(downstream, service)).serverMetadata();
    expect(metadata.grant_types_supported).toContain(EXCHANGE);

    const exchanged = await oidc.genericGrantRequest(await client(downstream, service), EXCHANGE, {
      subject_token: await userAccessToken(),
      subject_token_type: ACCESS_TOKEN,
      scope: "api2",
      audience: `api://downstream-${suffix}`,
    });
    expect(exchanged.issued_token_type).toBe(ACCESS_TOKEN);
    expect(exchanged.scope).toBe("api2");
    const { payload } = await jwtVerify(
      exchanged.access_token,
      createRemoteJWKSet(new URL(`${issuer(downstream)}/v1/keys`)),
      { issuer: issuer(downstream), audience: `api://downstream-${suffix}`, algorithms: ["RS256"] },
    );
    expect(payload).toMatchObject({
      sub: user.login,
      uid: user.id,
      cid: service.clientId,
      scp: ["api2"],
      act: { sub: service.clientId },
    });
  });

  it("a server that does not trust the upstream server refuses the token: invalid_grant", async () => {
    const error = await oidc
      .genericGrantRequest(await client(untrusting, service), EXCHANGE, {
        subject_token: await userAccessToken(),
        subject_token_type: ACCESS_TOKEN,
        scope: "api2",
      })
      .then(
        () => new Error("expected the exchange to fail"),
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect((error as oidc.ResponseBodyError).error).toBe("invalid_grant");
  });
});
