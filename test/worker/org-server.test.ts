/**
 * The org authorization server at `/oauth2/v1/*` (issuer = the origin): client_credentials with
 * private_key_jwt only, okta.* scopes an admin granted, Okta's org access-token shape, its own keys.
 */
import { createLocalJWKSet, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import { ALL_RIGHTS } from "../../src/config/rights";
import {
  assertionParams,
  basic,
  clientAssertion,
  controlPlane,
  decodeJwt,
  freshApp,
  ORG_TOKEN_ENDPOINT,
  ORIGIN,
  type OrgClient,
  orgTokenRequest,
  SECRET,
  seedOrgClient,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

let svc: OrgClient;

beforeAll(async () => {
  svc = await seedOrgClient(["okta.authorizationServers.read", "okta.apps.read", "okta.apps.manage"]);
});

async function oauthError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  return body.error_description;
}

describe("POST /oauth2/v1/token", () => {
  it("issues Okta's org access token for granted okta.* scopes", async () => {
    const res = await orgTokenRequest(svc, "okta.authorizationServers.read okta.apps.read");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: "Bearer",
      expires_in: 3600,
      scope: "okta.authorizationServers.read okta.apps.read",
    });
    const { header, payload } = decodeJwt(body.access_token as string);
    expect(header).toEqual({ alg: "RS256", kid: expect.any(String) });
    expect(payload).toEqual({
      ver: 1,
      jti: expect.stringMatching(/^AT\.[A-Za-z0-9_-]{24}$/),
      iss: ORIGIN,
      aud: ORIGIN,
      iat: expect.any(Number),
      exp: (payload.iat as number) + 3600,
      cid: svc.clientId,
      scp: ["okta.authorizationServers.read", "okta.apps.read"],
      sub: svc.clientId,
    });

    // It verifies against the org server's published JWKS, and only against that.
    const jwks = (await (await freshApp()(new Request(`${ORIGIN}/oauth2/v1/keys`))).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    for (const k of jwks.keys) expect(k).not.toHaveProperty("d");
    const verified = await jwtVerify(body.access_token as string, createLocalJWKSet(jwks as never), {
      issuer: ORIGIN,
      audience: ORIGIN,
      algorithms: ["RS256"],
    });
    expect(verified.payload.cid).toBe(svc.clientId);
  });

  it("accepts an assertion whose aud is the issuer (the org URL), as Okta does", async () => {
    const res = await orgTokenRequest(svc, "okta.apps.manage", { audience: ORIGIN });
    expect(res.status).toBe(200);
  });

  it("refuses an okta.* scope the client was not granted with invalid_scope", async () => {
    const description = await oauthError(
      await orgTokenRequest(svc, "okta.apps.read okta.authorizationServers.manage"),
      400,
      "invalid_scope",
    );
    expect(description).toMatch(/okta\.authorizationServers\.manage/);
    expect(description).not.toMatch(/okta\.apps\.read/);
  });

  it("refuses custom scopes, unknown okta.* scopes and a request without scope", async () => {
    expect(await oauthError(await orgTokenRequest(svc, "orders:read"), 400, "invalid_scope")).toMatch(
      /Custom scopes are not allowed/,
    );
    await oauthError(await orgTokenRequest(svc, "okta.everything.manage"), 400, "invalid_scope");
    await oauthError(await orgTokenRequest(svc, "openid"), 400, "invalid_scope");
    expect(await oauthError(await orgTokenRequest(svc, undefined), 400, "invalid_scope")).toMatch(
      /'scope' must be provided/,
    );
  });

  it("refuses a client without grants", async () => {
    const none = await seedOrgClient([]);
    await oauthError(await orgTokenRequest(none, "okta.apps.read"), 400, "invalid_scope");
  });

  it("requires private_key_jwt, as Okta's org server does", async () => {
    const f = await seedServer();
    const description = await oauthError(
      await freshApp()(
        tokenRequest(
          `${ORIGIN}/oauth2`,
          { grant_type: "client_credentials", scope: "okta.apps.read" },
          { authorization: basic(f.clientId, SECRET) },
        ),
      ),
      401,
      "invalid_client",
    );
    expect(description).toMatch(/must use the private_key_jwt token_endpoint_auth_method/);
  });

  it("refuses an assertion meant for a custom server's token endpoint", async () => {
    await oauthError(
      await orgTokenRequest(svc, "okta.apps.read", { audience: `${ORIGIN}/oauth2/default/v1/token` }),
      401,
      "invalid_client",
    );
  });

  it("supports client_credentials only, and refuses a client not allowed to use it", async () => {
    const assertion = await clientAssertion(svc.key, svc.clientId, ORG_TOKEN_ENDPOINT);
    await oauthError(
      await freshApp()(
        tokenRequest(`${ORIGIN}/oauth2`, assertionParams(assertion, { grant_type: "password", scope: "x" })),
      ),
      400,
      "unsupported_grant_type",
    );
    const webApp = await seedOrgClient(["okta.apps.read"], {
      grant_types: ["authorization_code"],
      redirect_uris: ["https://app.example/callback"],
    });
    await oauthError(await orgTokenRequest(webApp, "okta.apps.read"), 400, "unauthorized_client");
  });

  it("answers a replayed assertion with invalid_client", async () => {
    const assertion = await clientAssertion(svc.key, svc.clientId, ORG_TOKEN_ENDPOINT);
    const request = () =>
      freshApp()(tokenRequest(`${ORIGIN}/oauth2`, assertionParams(assertion, { scope: "okta.apps.read" })));
    expect((await request()).status).toBe(200);
    await oauthError(await request(), 401, "invalid_client");
  });

  it("issues tokens that expire an hour later at the latest", async () => {
    const t0 = Date.now();
    const fetch = freshApp(createDeps(() => t0));
    const res = await orgTokenRequest(svc, "okta.apps.read", { fetch });
    const { payload } = decodeJwt(((await res.json()) as { access_token: string }).access_token);
    expect(payload.exp).toBe(Math.floor(t0 / 1000) + 3600);
  });
});

describe("org metadata and keys", () => {
  it.each(["oauth-authorization-server", "openid-configuration"])(
    "/.well-known/%s at the origin describes the org server",
    async (name) => {
      const res = await freshApp()(new Request(`${ORIGIN}/.well-known/${name}`));
      expect(res.status).toBe(200);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(res.headers.get("Cache-Control")).toMatch(/max-age=\d+/);
      const document = (await res.json()) as Record<string, unknown>;
      expect(document).toEqual({
        issuer: ORIGIN,
        // Users sign in through the org server too (test/worker/org-server-signin.test.ts).
        authorization_endpoint: `${ORIGIN}/oauth2/v1/authorize`,
        token_endpoint: `${ORIGIN}/oauth2/v1/token`,
        jwks_uri: `${ORIGIN}/oauth2/v1/keys`,
        end_session_endpoint: `${ORIGIN}/oauth2/v1/logout`,
        response_types_supported: ["code"],
        response_modes_supported: expect.arrayContaining(["query", "fragment", "form_post"]),
        code_challenge_methods_supported: ["S256"],
        authorization_response_iss_parameter_supported: true,
        grant_types_supported: ["client_credentials", "authorization_code"],
        token_endpoint_auth_methods_supported: expect.arrayContaining(["private_key_jwt", "none"]),
        token_endpoint_auth_signing_alg_values_supported: expect.arrayContaining(["RS256", "ES256"]),
        scopes_supported: expect.arrayContaining([
          "openid",
          "profile",
          "email",
          "okta.authorizationServers.read",
          "okta.authorizationServers.manage",
          "okta.apps.read",
          "okta.apps.manage",
        ]),
        // OpenID Connect Discovery 1.0 §3 requires these two of an OpenID Provider's document.
        ...(name === "openid-configuration"
          ? {
              subject_types_supported: ["public"],
              id_token_signing_alg_values_supported: ["RS256"],
              userinfo_endpoint: `${ORIGIN}/oauth2/v1/userinfo`,
              claims_supported: expect.arrayContaining(["sub", "preferred_username", "email", "updated_at"]),
            }
          : {}),
      });
      // No refresh tokens at the org server: offline_access is not offered.
      expect(document.scopes_supported).not.toContain("offline_access");
    },
  );

  it("keeps its keys apart from every custom server's", async () => {
    const f = await seedServer();
    const org = (await (await freshApp()(new Request(`${ORIGIN}/oauth2/v1/keys`))).json()) as {
      keys: { kid: string }[];
    };
    const custom = (await (await freshApp()(new Request(`${f.issuer}/v1/keys`))).json()) as {
      keys: { kid: string }[];
    };
    expect(org.keys.length).toBeGreaterThanOrEqual(2);
    expect(org.keys.filter((k) => custom.keys.some((c) => c.kid === k.kid))).toEqual([]);
    // The org server is no custom server: the management API does not list it.
    expect(await controlPlane().signingStatus("$org")).toBeUndefined();
  });

  it("leaves custom servers' routes alone, and has no /oauth2/v1/v1 or /oauth2/v1/.well-known", async () => {
    const f = await seedServer();
    const token = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(token.status).toBe(200);
    expect((await freshApp()(new Request(`${f.issuer}/.well-known/oauth-authorization-server`))).status).toBe(
      200,
    );
    for (const path of ["/oauth2/v1/v1/keys", "/oauth2/v1/.well-known/oauth-authorization-server"]) {
      expect((await freshApp()(new Request(`${ORIGIN}${path}`))).status).toBe(404);
    }
  });
});

describe("scope grants in the configuration", () => {
  it("accepts only Okta scope names Warden knows, each once", async () => {
    const issues = async (grants: unknown) => {
      const result = await controlPlane().importConfig(
        {
          clients: [{ client_id: uniqueId("g"), client_name: "g", grants }],
        },
        ALL_RIGHTS,
      );
      return result.ok ? [] : result.issues.map((i) => i.path);
    };
    expect(await issues([{ scopeId: "okta.apps.read" }])).toEqual([]);
    expect(await issues([{ scopeId: "orders:read" }])).toEqual(["clients.0.grants.0.scopeId"]);
    expect(await issues([{ scopeId: "okta.apps.read" }, { scopeId: "okta.apps.read" }])).toEqual([
      "clients.0.grants.1",
    ]);
  });
});
