/// <reference types="node" />
/**
 * A second authorization server created through the admin import API: ES256 keys, the RFC 9068
 * token profile and an ALL_CLIENTS policy, used by a client that authenticates with
 * client_secret_post.
 */
import { randomBytes } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { beforeAll, describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const SERVER_ID = "es256";
const AUDIENCE = "https://inventory.example";
const clientId = `0oae2epost${randomBytes(5).toString("hex")}`;
const clientSecret = randomBytes(32).toString("base64url");
const issuer = `${warden.baseUrl}/oauth2/${SERVER_ID}`;

beforeAll(async () => {
  const res = await fetch(`${warden.baseUrl}/api/v1/warden/import`, {
    method: "POST",
    headers: { Authorization: `SSWS ${warden.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      authorizationServers: [
        {
          server: {
            id: SERVER_ID,
            name: "Inventory (ES256, RFC 9068)",
            audiences: [AUDIENCE],
            credentials: { signing: { alg: "ES256" } },
            tokenProfile: "rfc9068",
          },
          scopes: [{ id: "scp-inventory-read", name: "inventory:read", metadataPublish: "ALL_CLIENTS" }],
          policies: [
            {
              id: "pol-all-clients",
              name: "All clients",
              priority: 1,
              conditions: { clients: { include: ["ALL_CLIENTS"] } },
              rules: [
                {
                  id: "rul-cc",
                  name: "client_credentials",
                  priority: 1,
                  conditions: {
                    grantTypes: { include: ["client_credentials"] },
                    scopes: { include: ["inventory:read"] },
                  },
                },
              ],
            },
          ],
        },
      ],
      clients: [
        {
          client_id: clientId,
          client_name: "e2e client_secret_post",
          token_endpoint_auth_method: "client_secret_post",
          grant_types: ["client_credentials"],
          client_secrets: [clientSecret],
        },
      ],
    }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
});

describe("ES256 server with the RFC 9068 profile, client_secret_post", () => {
  it("publishes metadata that advertises client_secret_post", async () => {
    const res = await fetch(`${issuer}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.token_endpoint_auth_methods_supported).toContain("client_secret_post");
  });

  it("issues an at+jwt token to openid-client that jose verifies", async () => {
    const config = await oidc.discovery(
      new URL(issuer),
      clientId,
      clientSecret,
      oidc.ClientSecretPost(clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "inventory:read" });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope).toBe("inventory:read");

    const jwks = createRemoteJWKSet(new URL(`${issuer}/v1/keys`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer,
      audience: AUDIENCE,
      typ: "at+jwt",
      algorithms: ["ES256"],
    });
    expect(protectedHeader.alg).toBe("ES256");
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload.client_id).toBe(clientId);
    expect(payload.sub).toBe(clientId);
    expect(payload.scope).toBe("inventory:read");
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload).not.toHaveProperty("scp");
    expect(payload).not.toHaveProperty("cid");
  });

  it("publishes only EC P-256 keys", async () => {
    const jwks = (await (await fetch(`${issuer}/v1/keys`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
  });

  it("rejects the client when it switches to client_secret_basic", async () => {
    const config = await oidc.discovery(
      new URL(issuer),
      clientId,
      clientSecret,
      oidc.ClientSecretBasic(clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const error = await oidc.clientCredentialsGrant(config, { scope: "inventory:read" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // A 401 with WWW-Authenticate surfaces as a challenge error in openid-client.
    expect(error).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    const challenge = error as oidc.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]?.scheme).toBe("basic");
    expect(await challenge.response.json()).toMatchObject({ error: "invalid_client" });
  });
});
