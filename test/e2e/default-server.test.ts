/**
 * The seeded `default` server through real clients: openid-client gets the token, jose and Okta's
 * own @okta/jwt-verifier verify it against the published JWKS.
 */
import OktaJwtVerifier from "@okta/jwt-verifier";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { beforeAll, describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const AUDIENCE = "api://default";

let accessToken: string;

beforeAll(async () => {
  const config = await oidc.discovery(
    new URL(warden.issuer),
    warden.clientId,
    warden.clientSecret,
    oidc.ClientSecretBasic(warden.clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
  accessToken = (await oidc.clientCredentialsGrant(config, { scope: "orders:read" })).access_token;
});

describe("openid-client (client_secret_basic)", () => {
  it("discovers the server and gets a token with client_credentials", async () => {
    const config = await oidc.discovery(
      new URL(warden.issuer),
      warden.clientId,
      warden.clientSecret,
      oidc.ClientSecretBasic(warden.clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(warden.issuer);
    expect(metadata.token_endpoint).toBe(`${warden.issuer}/v1/token`);
    expect(metadata.jwks_uri).toBe(`${warden.issuer}/v1/keys`);

    const tokens = await oidc.clientCredentialsGrant(config, { scope: "orders:read" });
    // oauth4webapi lower-cases token_type; the wire value is "Bearer" (banner.test.ts).
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.expiresIn()).toBeGreaterThan(3590);
    expect(tokens.scope).toBe("orders:read");
    expect(tokens.access_token.split(".")).toHaveLength(3);
  });

  it("grants both requested scopes", async () => {
    const config = await oidc.discovery(
      new URL(warden.issuer),
      warden.clientId,
      warden.clientSecret,
      oidc.ClientSecretBasic(warden.clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const tokens = await oidc.clientCredentialsGrant(config, { scope: "orders:read orders:write" });
    expect(tokens.scope?.split(" ").sort()).toEqual(["orders:read", "orders:write"]);
  });
});

describe("jose createRemoteJWKSet", () => {
  it("verifies the token with Okta's claim set", async () => {
    const jwks = createRemoteJWKSet(new URL(`${warden.issuer}/v1/keys`));
    const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, {
      issuer: warden.issuer,
      audience: AUDIENCE,
      algorithms: ["RS256"],
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload.ver).toBe(1);
    expect(payload.iss).toBe(warden.issuer);
    expect(payload.aud).toBe(AUDIENCE);
    expect(payload.cid).toBe(warden.clientId);
    expect(payload.sub).toBe(warden.clientId);
    expect(payload.scp).toEqual(["orders:read"]);
    expect(payload.jti).toEqual(expect.stringMatching(/^AT\./));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it("signs with a key the JWKS publishes and the admin API lists as ACTIVE", async () => {
    const { kid } = decodeProtectedHeader(accessToken);
    const jwks = (await (await fetch(`${warden.issuer}/v1/keys`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);

    const res = await fetch(`${warden.baseUrl}/api/v1/authorizationServers/default/credentials/keys`, {
      headers: { Authorization: `SSWS ${warden.adminToken}` },
    });
    expect(res.status).toBe(200);
    const keys = (await res.json()) as { kid: string; status: string }[];
    expect(keys.find((k) => k.kid === kid)?.status).toBe("ACTIVE");
    expect(keys.map((k) => k.kid).sort()).toEqual(jwks.keys.map((k) => k.kid).sort());
  });
});

describe("@okta/jwt-verifier", () => {
  const verifier = () => new OktaJwtVerifier({ issuer: warden.issuer, testing: { disableHttpsCheck: true } });

  it("accepts the token for api://default", async () => {
    const jwt = await verifier().verifyAccessToken(accessToken, AUDIENCE);
    expect(jwt.claims.iss).toBe(warden.issuer);
    expect(jwt.claims.cid).toBe(warden.clientId);
    expect(jwt.claims.scp).toEqual(["orders:read"]);
  });

  it("rejects the token for another audience", async () => {
    await expect(verifier().verifyAccessToken(accessToken, "api://other")).rejects.toThrow(/audience/);
  });
});
