/**
 * Management API authentication with org authorization server access tokens: verified at the edge
 * against the org keyset it holds, scoped by okta.* scopes (read → GET, manage → writes), beside SSWS.
 */
import { base64url, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { requiredScopes } from "../../src/admin/auth";
import { createDeps } from "../../src/app";
import {
  ADMIN_TOKEN,
  basic,
  clientKey,
  decodeJwt,
  expectApiError as expectError,
  type Fixture,
  freshApp,
  importConfig,
  ORIGIN,
  type OrgClient,
  orgAccessToken,
  SECRET,
  seedOrgClient,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

let f: Fixture;
let reader: OrgClient;
let manager: OrgClient;
let importer: OrgClient;

beforeAll(async () => {
  f = await seedServer();
  [reader, manager, importer] = await Promise.all([
    seedOrgClient(["okta.authorizationServers.read", "okta.apps.read"]),
    seedOrgClient(["okta.authorizationServers.manage"]),
    seedOrgClient([
      "okta.authorizationServers.manage",
      "okta.apps.manage",
      "okta.inlineHooks.manage",
      "okta.trustedOrigins.manage",
    ]),
  ]);
});

const serverUrl = () => `${ORIGIN}/api/v1/authorizationServers/${f.serverId}`;

function get(url: string, authorization?: string) {
  return new Request(url, authorization ? { headers: { Authorization: authorization } } : {});
}

function post(url: string, authorization: string, body?: unknown) {
  return new Request(url, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Okta's error with a summary and no causes. */
function expectApiError(res: Response, status: number, errorCode: string) {
  return expectError(res, status, errorCode, { errorSummary: expect.any(String), errorCauses: [] });
}

const importDoc = () => ({
  clients: [{ client_id: uniqueId("imported"), client_name: "imported", client_secrets: [SECRET] }],
});

describe("admin API with org access tokens", () => {
  it("lets a read-scoped bearer GET a server and its keys", async () => {
    const bearer = `Bearer ${await orgAccessToken(reader, "okta.authorizationServers.read")}`;
    const server = await freshApp()(get(serverUrl(), bearer));
    expect(server.status).toBe(200);
    expect(((await server.json()) as { id: string }).id).toBe(f.serverId);
    expect((await freshApp()(get(`${serverUrl()}/credentials/keys`, bearer))).status).toBe(200);
  });

  it("refuses a write with a read-scoped bearer: 403 E0000006, and nothing changes", async () => {
    const bearer = `Bearer ${await orgAccessToken(reader, "okta.authorizationServers.read")}`;
    const before = await (await freshApp()(get(`${serverUrl()}/credentials/keys`, bearer))).json();
    const res = await freshApp()(post(`${serverUrl()}/credentials/lifecycle/keyRotate`, bearer));
    const body = await expectApiError(res, 403, "E0000006");
    expect(body.errorSummary).toBe("You do not have permission to perform the requested action");
    const challenge = res.headers.get("WWW-Authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer realm="warden"/);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="okta.authorizationServers.manage"');
    expect(await (await freshApp()(get(`${serverUrl()}/credentials/keys`, bearer))).json()).toEqual(before);
  });

  it("lets a manage-scoped bearer write, and read (manage covers read)", async () => {
    const bearer = `Bearer ${await orgAccessToken(manager, "okta.authorizationServers.manage")}`;
    const rotated = await freshApp()(post(`${serverUrl()}/credentials/lifecycle/keyRotate`, bearer));
    expect(rotated.status).toBe(200);
    expect((await freshApp()(get(serverUrl(), bearer))).status).toBe(200);
  });

  it("refuses a bearer whose scopes are for another resource", async () => {
    const bearer = `Bearer ${await orgAccessToken(reader, "okta.apps.read")}`;
    await expectApiError(await freshApp()(get(serverUrl(), bearer)), 403, "E0000006");
  });

  it("needs authorizationServers.manage, apps.manage, inlineHooks.manage and trustedOrigins.manage to import", async () => {
    const serversOnly = `Bearer ${await orgAccessToken(manager, "okta.authorizationServers.manage")}`;
    const res = await freshApp()(post(`${ORIGIN}/api/v1/warden/import`, serversOnly, importDoc()));
    await expectApiError(res, 403, "E0000006");
    expect(res.headers.get("WWW-Authenticate")).toContain(
      'scope="okta.authorizationServers.manage okta.apps.manage okta.inlineHooks.manage okta.trustedOrigins.manage"',
    );

    const all = `Bearer ${await orgAccessToken(
      importer,
      "okta.authorizationServers.manage okta.apps.manage okta.inlineHooks.manage okta.trustedOrigins.manage",
    )}`;
    expect((await freshApp()(post(`${ORIGIN}/api/v1/warden/import`, all, importDoc()))).status).toBe(200);
  });

  it("refuses an expired bearer with 401 E0000011 and a Bearer challenge", async () => {
    const token = await orgAccessToken(reader, "okta.authorizationServers.read");
    const exp = decodeJwt(token).payload.exp as number;
    // Within the 30 s leeway it still works; past it, it does not.
    expect(
      (await freshApp(createDeps(() => (exp + 10) * 1000))(get(serverUrl(), `Bearer ${token}`))).status,
    ).toBe(200);
    const res = await freshApp(createDeps(() => (exp + 31) * 1000))(get(serverUrl(), `Bearer ${token}`));
    await expectApiError(res, 401, "E0000011");
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="warden", error="invalid_token"/);
  });

  it("refuses forged and foreign bearers with 401", async () => {
    const token = await orgAccessToken(reader, "okta.authorizationServers.read");
    const [h, p] = token.split(".") as [string, string, string];
    const claims = decodeJwt(token).payload;
    const attacker = await clientKey("RS256");
    const enc = (o: unknown) => base64url.encode(JSON.stringify(o));

    const forgeries: Record<string, string> = {
      // more scopes, same signature
      tampered: `${h}.${enc({ ...claims, scp: ["okta.authorizationServers.manage"] })}.${token.split(".")[2]}`,
      // the org kid, someone else's key
      wrongKey: await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: decodeJwt(token).header.kid as string })
        .sign(attacker.privateKey),
      // unsigned
      none: `${enc({ alg: "none", kid: decodeJwt(token).header.kid })}.${p}.`,
      // key material in the header
      embeddedJwk: await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: attacker.kid, jwk: attacker.publicJwk })
        .sign(attacker.privateKey),
      garbage: "not.a.jwt",
      // SSWS token sent as a bearer
      sswsAsBearer: ADMIN_TOKEN,
    };
    for (const [name, forged] of Object.entries(forgeries)) {
      const res = await freshApp()(get(serverUrl(), `Bearer ${forged}`));
      expect(res.status, name).toBe(401);
      expect(((await res.json()) as { errorCode: string }).errorCode, name).toBe("E0000011");
    }
  });

  it("refuses an access token of a custom authorization server", async () => {
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", scope: "read" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    const { access_token } = (await res.json()) as { access_token: string };
    await expectApiError(await freshApp()(get(serverUrl(), `Bearer ${access_token}`)), 401, "E0000011");
  });

  it("stops accepting a client's tokens once the client is deactivated", async () => {
    const client = await seedOrgClient(["okta.authorizationServers.read"]);
    const bearer = `Bearer ${await orgAccessToken(client, "okta.authorizationServers.read")}`;
    expect((await freshApp()(get(serverUrl(), bearer))).status).toBe(200);
    await importConfig({
      clients: [
        {
          client_id: client.clientId,
          client_name: "service",
          status: "INACTIVE",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [client.key.publicJwk] },
          grants: [{ scopeId: "okta.authorizationServers.read" }],
        },
      ],
    });
    await expectApiError(await freshApp()(get(serverUrl(), bearer)), 401, "E0000011");
  });

  it("keeps SSWS working, and challenges a request without credentials for both schemes", async () => {
    expect((await freshApp()(get(serverUrl(), `SSWS ${ADMIN_TOKEN}`))).status).toBe(200);
    const res = await freshApp()(get(serverUrl()));
    await expectApiError(res, 401, "E0000011");
    expect(res.headers.get("WWW-Authenticate")).toBe('SSWS realm="warden", Bearer realm="warden"');
  });
});

describe("which okta.* scope a route needs", () => {
  it.each([
    ["GET", "/api/v1/authorizationServers/x", ["okta.authorizationServers.read"]],
    ["HEAD", "/api/v1/authorizationServers/x/credentials/keys", ["okta.authorizationServers.read"]],
    [
      "POST",
      "/api/v1/authorizationServers/x/credentials/lifecycle/keyRotate",
      ["okta.authorizationServers.manage"],
    ],
    ["POST", "/api/v1/authorizationServers/x/tokenPreview", ["okta.authorizationServers.manage"]],
    ["DELETE", "/api/v1/authorizationServers/x", ["okta.authorizationServers.manage"]],
    ["GET", "/api/v1/apps", ["okta.apps.read"]],
    ["PUT", "/api/v1/apps/0oa1", ["okta.apps.manage"]],
    [
      "POST",
      "/api/v1/warden/import",
      [
        "okta.authorizationServers.manage",
        "okta.apps.manage",
        "okta.inlineHooks.manage",
        "okta.trustedOrigins.manage",
      ],
    ],
    [
      "GET",
      "/api/v1/warden/export",
      [
        "okta.authorizationServers.read",
        "okta.apps.read",
        "okta.inlineHooks.read",
        "okta.trustedOrigins.read",
      ],
    ],
    ["POST", "/api/v1/warden/export", undefined],
    ["GET", "/api/v1/logs", ["okta.logs.read"]],
    ["POST", "/api/v1/logs", undefined],
    ["GET", "/api/v1/warden/import", undefined],
    ["GET", "/api/v1/unknown", undefined],
    ["GET", "/api/v1/constructor", undefined],
  ])("%s %s → %j", (method, path, expected) => {
    expect(requiredScopes(method, path)).toEqual(expected);
  });
});
