/**
 * private_key_jwt through a real client: openid-client's `PrivateKeyJwt` against `npm start`, on the
 * org authorization server (a management-API token, then the API with it) and on a custom server.
 */
import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { beforeAll, describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const suffix = randomUUID().slice(0, 8);
const orgClientId = `0oa-svc-${suffix}`;
const customClientId = `0oa-api-${suffix}`;
const serverId = `pkj-${suffix}`;
const AUDIENCE = "api://pkj-e2e";

let orgKey: { key: CryptoKey; kid: string };
let customKey: { key: CryptoKey; kid: string };

async function keyPair(alg: "RS256" | "ES256", kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return {
    privateKey: { key: privateKey, kid },
    jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" },
  };
}

beforeAll(async () => {
  const org = await keyPair("RS256", `org-${suffix}`);
  const custom = await keyPair("ES256", `api-${suffix}`);
  orgKey = org.privateKey;
  customKey = custom.privateKey;
  const res = await fetch(`${warden.baseUrl}/api/v1/warden/import`, {
    method: "POST",
    headers: { Authorization: `SSWS ${warden.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      clients: [
        {
          client_id: orgClientId,
          client_name: "Management automation",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [org.jwk] },
          grants: [{ scopeId: "okta.authorizationServers.read" }],
        },
        {
          client_id: customClientId,
          client_name: "API client",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [custom.jwk] },
        },
      ],
      authorizationServers: [
        {
          server: { id: serverId, name: serverId, audiences: [AUDIENCE] },
          scopes: [{ id: "s-things", name: "things:read" }],
          policies: [
            {
              id: "p",
              name: "p",
              priority: 1,
              conditions: { clients: { include: [customClientId] } },
              rules: [
                {
                  id: "r",
                  name: "r",
                  priority: 1,
                  conditions: {
                    grantTypes: { include: ["client_credentials"] },
                    scopes: { include: ["things:read"] },
                  },
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
});

describe("openid-client PrivateKeyJwt on the org authorization server", () => {
  it("discovers it at the origin, gets an okta.* token and reads the management API with it", async () => {
    const config = await oidc.discovery(
      new URL(warden.baseUrl),
      orgClientId,
      undefined,
      oidc.PrivateKeyJwt(orgKey),
      { execute: [oidc.allowInsecureRequests] },
    );
    const metadata = config.serverMetadata();
    expect(metadata.token_endpoint).toBe(`${warden.baseUrl}/oauth2/v1/token`);
    // The org server now also signs users in (authorization_code, any registered method), so its
    // metadata lists every method; client_credentials there still takes private_key_jwt only.
    expect(metadata.token_endpoint_auth_methods_supported).toContain("private_key_jwt");

    const tokens = await oidc.clientCredentialsGrant(config, { scope: "okta.authorizationServers.read" });
    expect(tokens.scope).toBe("okta.authorizationServers.read");
    const bearer = { Authorization: `Bearer ${tokens.access_token}` };

    const read = await fetch(`${warden.baseUrl}/api/v1/authorizationServers/default`, { headers: bearer });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { id: string }).id).toBe("default");

    const write = await fetch(
      `${warden.baseUrl}/api/v1/authorizationServers/default/credentials/lifecycle/keyRotate`,
      { method: "POST", headers: bearer },
    );
    expect(write.status).toBe(403);
    expect(((await write.json()) as { errorCode: string }).errorCode).toBe("E0000006");

    // Every grant signs a new assertion (new jti), so a second one works too.
    expect(
      (await oidc.clientCredentialsGrant(config, { scope: "okta.authorizationServers.read" })).access_token,
    ).toEqual(expect.any(String));
  });

  it("surfaces an ungranted scope as invalid_scope", async () => {
    const config = await oidc.discovery(
      new URL(warden.baseUrl),
      orgClientId,
      undefined,
      oidc.PrivateKeyJwt(orgKey),
      { execute: [oidc.allowInsecureRequests] },
    );
    await expect(
      oidc.clientCredentialsGrant(config, { scope: "okta.authorizationServers.manage" }),
    ).rejects.toMatchObject({ error: "invalid_scope" });
  });
});

describe("openid-client PrivateKeyJwt on a custom authorization server", () => {
  it("gets a token with an ES256 assertion that verifies against the server's JWKS", async () => {
    const issuer = `${warden.baseUrl}/oauth2/${serverId}`;
    const config = await oidc.discovery(
      new URL(issuer),
      customClientId,
      undefined,
      oidc.PrivateKeyJwt(customKey),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    expect(config.serverMetadata().token_endpoint_auth_methods_supported).toContain("private_key_jwt");
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "things:read" });
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(`${issuer}/v1/keys`)),
      {
        issuer,
        audience: AUDIENCE,
      },
    );
    expect(payload).toMatchObject({ cid: customClientId, scp: ["things:read"] });
  });
});
