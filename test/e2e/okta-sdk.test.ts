/**
 * Okta's own management SDK, `@okta/okta-sdk-nodejs`, pointed at Warden (`orgUrl` = Warden's
 * origin), unchanged: the authorization-server APIs end to end, with an SSWS token and with
 * `authorizationMode: 'PrivateKey'` (private_key_jwt at `/oauth2/v1/token`).
 */
import { randomUUID } from "node:crypto";
import okta from "@okta/okta-sdk-nodejs";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";
import { describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const suffix = randomUUID().slice(0, 8);

/** Every item of an SDK collection, following its `Link: rel="next"` pages. */
async function all<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of collection) if (item !== null) items.push(item);
  return items;
}

async function token(issuer: string, clientId: string, secret: string, scope: string) {
  const res = await fetch(`${issuer}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("@okta/okta-sdk-nodejs with an SSWS token", () => {
  const client = new okta.Client({ orgUrl: warden.baseUrl, token: warden.adminToken });
  const servers = client.authorizationServerApi;

  it("creates, reads, updates and deletes a server with its scopes, claims, policies and rules", async () => {
    const server = await servers.createAuthorizationServer({
      authorizationServer: {
        name: `sdk-${suffix}`,
        description: "created by the Okta SDK",
        audiences: [`api://sdk-${suffix}`],
      },
    });
    const authServerId = server.id as string;
    expect(server).toMatchObject({
      name: `sdk-${suffix}`,
      status: "ACTIVE",
      issuer: `${warden.baseUrl}/oauth2/${authServerId}`,
      credentials: { signing: { rotationMode: "AUTO", use: "sig" } },
    });
    expect(server.credentials?.signing?.lastRotated).toBeInstanceOf(Date);

    const listed = await all(await servers.listAuthorizationServers({ q: `sdk-${suffix}` }));
    expect(listed.map((s) => s.id)).toEqual([authServerId]);
    const replaced = await servers.replaceAuthorizationServer({
      authServerId,
      authorizationServer: { ...server, description: "updated by the Okta SDK" },
    });
    expect(replaced.description).toBe("updated by the Okta SDK");
    expect((await servers.getAuthorizationServer({ authServerId })).description).toBe(
      "updated by the Okta SDK",
    );

    // Scopes and claims.
    const scope = await servers.createOAuth2Scope({
      authServerId,
      // The SDK's models name Okta's `default` field `_default`.
      oAuth2Scope: { name: "inventory:read", description: "Read the inventory", _default: true },
    });
    expect(scope).toMatchObject({ name: "inventory:read", _default: true, system: false });
    const scopeId = scope.id as string;
    await servers.replaceOAuth2Scope({
      authServerId,
      scopeId,
      oAuth2Scope: { ...scope, description: "Read all of the inventory" },
    });
    expect((await servers.getOAuth2Scope({ authServerId, scopeId })).description).toBe(
      "Read all of the inventory",
    );
    expect((await all(await servers.listOAuth2Scopes({ authServerId }))).map((s) => s.name)).toEqual([
      "inventory:read",
    ]);

    const claim = await servers.createOAuth2Claim({
      authServerId,
      oAuth2Claim: {
        name: "warehouse",
        claimType: "RESOURCE",
        valueType: "EXPRESSION",
        value: '"north"',
        alwaysIncludeInToken: true,
        conditions: { scopes: [] },
      },
    });
    const claimId = claim.id as string;
    await servers.replaceOAuth2Claim({ authServerId, claimId, oAuth2Claim: { ...claim, value: '"south"' } });
    expect((await servers.getOAuth2Claim({ authServerId, claimId })).value).toBe('"south"');
    expect((await all(await servers.listOAuth2Claims({ authServerId }))).map((c) => c.id)).toEqual([claimId]);

    // An app (Okta's Apps API) for the policy to name.
    const app = (await client.applicationApi.createApplication({
      application: {
        name: "oidc_client",
        label: `sdk-app-${suffix}`,
        signOnMode: "OPENID_CONNECT",
        credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
        settings: { oauthClient: { grant_types: ["client_credentials"], application_type: "service" } },
      } as never,
    })) as unknown as {
      id: string;
      credentials: { oauthClient: { client_id: string; client_secret: string } };
    };
    const { client_id: clientId, client_secret: clientSecret } = app.credentials.oauthClient;
    expect(clientSecret.length).toBeGreaterThanOrEqual(43);

    // Policies and rules, with Okta's priorities.
    const policy = await servers.createAuthorizationServerPolicy({
      authServerId,
      policy: {
        type: "OAUTH_AUTHORIZATION_POLICY",
        name: "sdk services",
        description: "services",
        priority: 1,
        conditions: { clients: { include: [clientId] } },
      } as never,
    });
    const policyId = policy.id as string;
    expect(policy).toMatchObject({ status: "ACTIVE", priority: 1 });
    const rule = await servers.createAuthorizationServerPolicyRule({
      authServerId,
      policyId,
      policyRule: {
        name: "client credentials",
        type: "RESOURCE_ACCESS",
        conditions: {
          people: { groups: { include: ["EVERYONE"] } },
          grantTypes: { include: ["client_credentials"] },
          scopes: { include: ["*"] },
        },
        actions: { token: { accessTokenLifetimeMinutes: 20 } },
      } as never,
    });
    const ruleId = rule.id as string;
    expect(rule).toMatchObject({ status: "ACTIVE", priority: 1 });
    expect(
      (await all(await servers.listAuthorizationServerPolicies({ authServerId }))).map((p) => p.id),
    ).toEqual([policyId]);
    expect(
      (await all(await servers.listAuthorizationServerPolicyRules({ authServerId, policyId }))).map(
        (r) => r.id,
      ),
    ).toEqual([ruleId]);

    // The configuration issues tokens: the claim, the scope, the rule's lifetime.
    const issuer = `${warden.baseUrl}/oauth2/${authServerId}`;
    const issued = await token(issuer, clientId, clientSecret, "inventory:read");
    expect(issued.status).toBe(200);
    expect(issued.body.expires_in).toBe(20 * 60);
    const { payload } = await jwtVerify(
      issued.body.access_token as string,
      createRemoteJWKSet(new URL(`${issuer}/v1/keys`)),
      { issuer, audience: `api://sdk-${suffix}` },
    );
    expect(payload).toMatchObject({ warehouse: "south", scp: ["inventory:read"], cid: clientId });

    // Replace the rule and the policy; lifecycle operations.
    await servers.replaceAuthorizationServerPolicyRule({
      authServerId,
      policyId,
      ruleId,
      policyRule: { ...rule, actions: { token: { accessTokenLifetimeMinutes: 30 } } } as never,
    });
    expect(
      (await servers.getAuthorizationServerPolicyRule({ authServerId, policyId, ruleId })).actions?.token
        ?.accessTokenLifetimeMinutes,
    ).toBe(30);
    await servers.replaceAuthorizationServerPolicy({
      authServerId,
      policyId,
      policy: { ...policy, description: "renamed" } as never,
    });
    expect((await servers.getAuthorizationServerPolicy({ authServerId, policyId })).description).toBe(
      "renamed",
    );
    // Lifecycle: read-your-writes through the API (the token endpoint's view is covered, with its
    // propagation bound, by the worker tests).
    await servers.deactivateAuthorizationServerPolicyRule({ authServerId, policyId, ruleId });
    expect((await servers.getAuthorizationServerPolicyRule({ authServerId, policyId, ruleId })).status).toBe(
      "INACTIVE",
    );
    await servers.activateAuthorizationServerPolicyRule({ authServerId, policyId, ruleId });
    await servers.deactivateAuthorizationServerPolicy({ authServerId, policyId });
    expect((await servers.getAuthorizationServerPolicy({ authServerId, policyId })).status).toBe("INACTIVE");
    await servers.activateAuthorizationServerPolicy({ authServerId, policyId });
    expect((await servers.getAuthorizationServerPolicy({ authServerId, policyId })).status).toBe("ACTIVE");

    // Keys: list, get, rotate.
    const keys = await all(await servers.listAuthorizationServerKeys({ authServerId }));
    expect(keys.map((k) => k.status).sort()).toEqual(["ACTIVE", "NEXT"]);
    const active = keys.find((k) => k.status === "ACTIVE");
    expect(
      (await servers.getAuthorizationServerKey({ authServerId, keyId: active?.kid as string })).kid,
    ).toBe(active?.kid);
    const rotated = await all(
      await servers.rotateAuthorizationServerKeys({ authServerId, use: { use: "sig" } }),
    );
    expect(rotated.find((k) => k.status === "EXPIRED")?.kid).toBe(active?.kid);
    expect(rotated.find((k) => k.status === "ACTIVE")?.kid).toBe(keys.find((k) => k.status === "NEXT")?.kid);

    // Delete everything, children first, as an SDK user would.
    await servers.deleteAuthorizationServerPolicyRule({ authServerId, policyId, ruleId });
    await servers.deleteAuthorizationServerPolicy({ authServerId, policyId });
    await servers.deleteOAuth2Claim({ authServerId, claimId });
    await servers.deleteOAuth2Scope({ authServerId, scopeId });
    await servers.deactivateAuthorizationServer({ authServerId });
    await servers.deleteAuthorizationServer({ authServerId });
    await expect(servers.getAuthorizationServer({ authServerId })).rejects.toMatchObject({ status: 404 });
  });

  it("reports Okta's error shape through the SDK's ApiException", async () => {
    const error = await servers
      .createAuthorizationServer({ authorizationServer: { name: `bad-${suffix}`, audiences: [] } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "OktaApiError",
      status: 400,
      errorCode: "E0000001",
      errorSummary: "Api validation failed: audiences",
      errorCauses: [{ errorSummary: expect.stringContaining("audiences:") }],
    });
  });
});

describe("@okta/okta-sdk-nodejs with authorizationMode: 'PrivateKey'", () => {
  it("gets an org access token by private_key_jwt and manages servers with it", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const kid = `sdk-${suffix}`;
    const clientId = `0oa-sdk-${suffix}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
    const imported = await fetch(`${warden.baseUrl}/api/v1/warden/import`, {
      method: "POST",
      headers: { Authorization: `SSWS ${warden.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        clients: [
          {
            client_id: clientId,
            client_name: "SDK automation",
            token_endpoint_auth_method: "private_key_jwt",
            jwks: { keys: [publicJwk] },
            grants: [{ scopeId: "okta.authorizationServers.manage" }],
          },
        ],
      }),
    });
    expect(imported.status).toBe(200);

    const client = new okta.Client({
      orgUrl: warden.baseUrl,
      authorizationMode: "PrivateKey",
      clientId,
      scopes: ["okta.authorizationServers.manage"],
      privateKey: { ...(await exportJWK(privateKey)), kid, alg: "RS256" },
      keyId: kid,
    });
    const servers = client.authorizationServerApi;
    const server = await servers.createAuthorizationServer({
      authorizationServer: { name: `pk-${suffix}`, audiences: [`api://pk-${suffix}`] },
    });
    const authServerId = server.id as string;
    expect(
      (await all(await servers.listAuthorizationServers({ q: `pk-${suffix}` }))).map((s) => s.id),
    ).toEqual([authServerId]);
    const rotated = await all(
      await servers.rotateAuthorizationServerKeys({ authServerId, use: { use: "sig" } }),
    );
    expect(rotated.map((k) => k.status).sort()).toEqual(["ACTIVE", "EXPIRED", "NEXT"]);
    await servers.deactivateAuthorizationServer({ authServerId });
    await servers.deleteAuthorizationServer({ authServerId });
    await expect(servers.getAuthorizationServer({ authServerId })).rejects.toMatchObject({ status: 404 });

    // The org token carries only what was granted: apps are out of its reach.
    const apps = await client.applicationApi
      .listApplications({})
      .then(all)
      .catch((e: unknown) => e);
    expect(apps).toMatchObject({ status: 403 });
  });
});
