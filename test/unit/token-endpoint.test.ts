/**
 * The token endpoint of both kinds of authorization server through `app.request()` in plain Node, on
 * in-memory ports: every RFC 6749 §5.2 error a client_credentials request can get, both secret
 * methods, private_key_jwt, and the org server. The worker tier runs the same endpoint on real KV,
 * Durable Objects and key vaults; this tier pins the pipeline's steps and their order.
 */
import { importJWK, jwtVerify, SignJWT } from "jose";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  basic,
  CLIENT_JWK,
  type MemoryPorts,
  memoryApp,
  memoryPorts,
  NOW_SECONDS,
  ORIGIN,
  publicJwk,
  SECRET,
  SIGNING_JWK,
  SIGNING_KID,
} from "./memory-ports";
import { rule, scope } from "./policy-fixtures";

const ISSUER = `${ORIGIN}/oauth2/aus_unit`;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let ports: MemoryPorts;
let fetchToken: (request: Request) => Promise<Response>;

/** Scopes `read` (default), `write` and `admin`; one rule grants read and write for 15 minutes. */
function server(id: string) {
  return {
    server: { id, name: id, audiences: ["api://unit"] },
    scopes: [scope("read", true), scope("write"), scope("admin")],
    policies: [
      {
        id: "p1",
        name: "services",
        priority: 1,
        conditions: { clients: { include: ["basic", "post", "jwt"] } },
        rules: [rule("r1", 1, { scopes: ["read", "write"], lifetimeMinutes: 15 })],
      },
    ],
  };
}

beforeEach(async () => {
  // Denials and failed authentications are logged as they are in production; keep the output quiet.
  vi.spyOn(console, "warn").mockImplementation(() => {});
  ports = await memoryPorts({
    servers: [server("aus_unit"), server("aus_keyless")],
    clients: [
      { client_id: "basic", client_name: "basic", secret: SECRET },
      {
        client_id: "post",
        client_name: "post",
        token_endpoint_auth_method: "client_secret_post",
        secret: SECRET,
      },
      {
        client_id: "jwt",
        client_name: "jwt",
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [{ ...publicJwk(CLIENT_JWK), kid: "c1" }] },
        grants: [{ scopeId: "okta.apps.read" }],
      },
      {
        client_id: "web",
        client_name: "web",
        grant_types: ["authorization_code"],
        redirect_uris: ["https://app.test/cb"],
        secret: SECRET,
      },
      { client_id: "off", client_name: "off", status: "INACTIVE", secret: SECRET },
    ],
    keyless: ["aus_keyless"],
  });
  fetchToken = memoryApp(ports);
});

function post(
  url: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
  method = "POST",
): Promise<Response> {
  return fetchToken(
    new Request(url, {
      method,
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: method === "GET" ? null : typeof form === "string" ? form : new URLSearchParams(form).toString(),
    }),
  );
}

const tokenUrl = `${ISSUER}/v1/token`;
const orgTokenUrl = `${ORIGIN}/oauth2/v1/token`;

async function assertion(audience: string, overrides: { jti?: string; sub?: string } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: "c1" })
    .setIssuer("jwt")
    .setSubject(overrides.sub ?? "jwt")
    .setAudience(audience)
    .setIssuedAt(NOW_SECONDS)
    .setExpirationTime(NOW_SECONDS + 60)
    .setJti(overrides.jti ?? crypto.randomUUID())
    .sign(await importJWK(CLIENT_JWK, "ES256"));
}

async function expectError(res: Response, status: number, error: string, description?: string | RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("Pragma")).toBe("no-cache");
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  if (typeof description === "string") expect(body.error_description).toBe(description);
  else if (description) expect(body.error_description).toMatch(description);
  return body;
}

async function verified(res: Response, issuer: string, audience: string) {
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = (await res.json()) as {
    access_token: string;
    expires_in: number;
    scope: string;
    token_type: string;
  };
  const key = await importJWK(publicJwk(SIGNING_JWK), "ES256");
  const { payload, protectedHeader } = await jwtVerify(body.access_token, key, {
    issuer,
    audience,
    currentDate: new Date(NOW_SECONDS * 1000),
  });
  expect(protectedHeader).toEqual({ alg: "ES256", kid: SIGNING_KID });
  return { body, payload };
}

describe("custom server token endpoint, client authentication", () => {
  it("issues an Okta-profile token to client_secret_basic, with the rule's lifetime and scopes", async () => {
    const res = await post(
      tokenUrl,
      { grant_type: "client_credentials", scope: "read write" },
      {
        Authorization: basic("basic", SECRET),
      },
    );
    const { body, payload } = await verified(res, ISSUER, "api://unit");
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "read write" });
    expect(payload).toMatchObject({
      ver: 1,
      cid: "basic",
      sub: "basic",
      scp: ["read", "write"],
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 900,
    });
    expect(payload.jti).toMatch(/^AT\./);
  });

  it("issues the default scopes to client_secret_post when none is asked for", async () => {
    const res = await post(tokenUrl, {
      grant_type: "client_credentials",
      client_id: "post",
      client_secret: SECRET,
    });
    const { body, payload } = await verified(res, ISSUER, "api://unit");
    expect(body.scope).toBe("read");
    expect(payload.cid).toBe("post");
  });

  it("authenticates private_key_jwt once per assertion (RFC 7523 §3 item 7)", async () => {
    const form = {
      grant_type: "client_credentials",
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(tokenUrl, { jti: "once" }),
    };
    const { payload } = await verified(await post(tokenUrl, form), ISSUER, "api://unit");
    expect(payload.cid).toBe("jwt");
    expect(ports.seenAssertions).toEqual(new Set(["jwt once"]));
    await expectError(await post(tokenUrl, form), 401, "invalid_client");
  });

  it("answers a wrong secret, an unknown client, an inactive client and the wrong method alike", async () => {
    const answers = [
      await post(tokenUrl, { grant_type: "client_credentials" }, { Authorization: basic("basic", "nope") }),
      await post(tokenUrl, { grant_type: "client_credentials" }, { Authorization: basic("ghost", SECRET) }),
      await post(tokenUrl, { grant_type: "client_credentials" }, { Authorization: basic("off", SECRET) }),
      await post(tokenUrl, { grant_type: "client_credentials", client_id: "basic", client_secret: SECRET }),
      await post(tokenUrl, { grant_type: "client_credentials" }),
    ];
    for (const res of answers) {
      expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="warden"');
      await expectError(
        res,
        401,
        "invalid_client",
        "Client authentication failed. Either the client or the client credentials are invalid.",
      );
    }
  });

  it("refuses an assertion for another audience, or for another subject", async () => {
    for (const client_assertion of [
      await assertion(orgTokenUrl),
      await assertion(tokenUrl, { sub: "basic" }),
    ]) {
      const res = await post(tokenUrl, {
        grant_type: "client_credentials",
        client_assertion_type: ASSERTION_TYPE,
        client_assertion,
      });
      await expectError(res, 401, "invalid_client");
    }
  });

  it("refuses two authentication methods in one request (RFC 6749 §2.3)", async () => {
    const res = await post(
      tokenUrl,
      { grant_type: "client_credentials", client_secret: SECRET },
      { Authorization: basic("basic", SECRET) },
    );
    await expectError(res, 400, "invalid_request", "The client used more than one authentication method.");
  });
});

describe("custom server token endpoint, RFC 6749 §5.2 errors", () => {
  const auth = () => ({ Authorization: basic("basic", SECRET) });

  it("invalid_request: no grant_type, a repeated parameter, another media type, an oversized body", async () => {
    await expectError(await post(tokenUrl, {}, auth()), 400, "invalid_request", /'grant_type'.*missing/);
    await expectError(
      await post(tokenUrl, "grant_type=client_credentials&scope=read&scope=write", auth()),
      400,
      "invalid_request",
      "The 'scope' parameter is repeated.",
    );
    await expectError(
      await post(tokenUrl, "grant_type=client_credentials", { ...auth(), "Content-Type": "text/plain" }),
      400,
      "invalid_request",
      /x-www-form-urlencoded/,
    );
    await expectError(
      await post(tokenUrl, `grant_type=client_credentials&pad=${"x".repeat(20_000)}`, auth()),
      400,
      "invalid_request",
      /exceeds/,
    );
  });

  it("unsupported_grant_type: a grant Warden does not implement, or no grant at all", async () => {
    // `implicit` is an authorization-endpoint flow (RFC 6749 §4.2): never a token grant.
    for (const grant_type of ["implicit", "urn:example:nothing"]) {
      await expectError(
        await post(tokenUrl, { grant_type }, auth()),
        400,
        "unsupported_grant_type",
        `The grant type '${grant_type}' is not supported.`,
      );
    }
  });

  it("unauthorized_client: a client not registered for the grant type", async () => {
    await expectError(
      await post(tokenUrl, { grant_type: "client_credentials" }, { Authorization: basic("web", SECRET) }),
      400,
      "unauthorized_client",
      "The client is not authorized to use the provided grant type.",
    );
  });

  it("invalid_scope: unknown, OpenID Connect and malformed scopes", async () => {
    const asking = (scope: string) => post(tokenUrl, { grant_type: "client_credentials", scope }, auth());
    await expectError(await asking("read nope"), 400, "invalid_scope", /nope/);
    await expectError(
      await asking("openid read"),
      400,
      "invalid_scope",
      "The following scopes are not allowed for client_credentials: openid",
    );
    await expectError(
      await asking("read  write"),
      400,
      "invalid_scope",
      "The 'scope' parameter is malformed.",
    );
  });

  it("access_denied: a scope no rule grants, logged with the policy trace", async () => {
    const warn = vi.mocked(console.warn);
    await expectError(
      await post(tokenUrl, { grant_type: "client_credentials", scope: "admin" }, auth()),
      400,
      "access_denied",
      "Policy evaluation failed for this request, please check the policy configurations.",
    );
    const logged = warn.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(logged).toContainEqual(
      expect.objectContaining({
        event: "token.denied",
        serverId: "aus_unit",
        clientId: "basic",
        error: "access_denied",
        trace: expect.arrayContaining([expect.objectContaining({ kind: "rule", id: "r1" })]),
      }),
    );
  });

  it("temporarily_unavailable: a server whose key vault has no key yet", async () => {
    const res = await post(
      `${ORIGIN}/oauth2/aus_keyless/v1/token`,
      { grant_type: "client_credentials" },
      auth(),
    );
    await expectError(
      res,
      503,
      "temporarily_unavailable",
      "The authorization server has no signing key yet.",
    );
  });

  it("405 with Allow: POST for any other method (RFC 9110 §15.5.6)", async () => {
    const res = await post(tokenUrl, "", {}, "GET");
    expect(res.headers.get("Allow")).toBe("POST");
    await expectError(res, 405, "invalid_request", "The token endpoint accepts only POST requests.");
  });

  it("404 in Okta's shape for an unknown server, before any client is looked up", async () => {
    const res = await post(`${ORIGIN}/oauth2/nobody/v1/token`, { grant_type: "client_credentials" }, auth());
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errorCode: "E0000007" });
  });
});

describe("org server token endpoint", () => {
  it("issues an org access token for granted okta.* scopes to private_key_jwt", async () => {
    const res = await post(orgTokenUrl, {
      grant_type: "client_credentials",
      scope: "okta.apps.read",
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(orgTokenUrl),
    });
    const { body, payload } = await verified(res, ORIGIN, ORIGIN);
    expect(body).toMatchObject({ expires_in: 3600, scope: "okta.apps.read" });
    expect(payload).toMatchObject({ ver: 1, cid: "jwt", sub: "jwt", scp: ["okta.apps.read"] });
  });

  it("refuses a client secret with Okta's words, before looking the client up", async () => {
    await expectError(
      await post(
        orgTokenUrl,
        { grant_type: "client_credentials", scope: "okta.apps.read" },
        { Authorization: basic("basic", SECRET) },
      ),
      401,
      "invalid_client",
      "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
    );
  });

  it("refuses scopes not granted, custom scopes, and grants other than client_credentials", async () => {
    const form = async (extra: Record<string, string>) => ({
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(orgTokenUrl),
      ...extra,
    });
    await expectError(
      await post(orgTokenUrl, await form({ grant_type: "client_credentials", scope: "okta.apps.manage" })),
      400,
      "invalid_scope",
      "The following scopes were requested, but not granted to the client: okta.apps.manage",
    );
    await expectError(
      await post(orgTokenUrl, await form({ grant_type: "client_credentials", scope: "read" })),
      400,
      "invalid_scope",
      "Custom scopes are not allowed for this request",
    );
    await expectError(
      await post(orgTokenUrl, await form({ grant_type: "password" })),
      400,
      "unsupported_grant_type",
    );
  });

  it("signs with the org keyset and builds its issuer from ORG_URL when set", async () => {
    ports.settings = { ...ports.settings, orgUrl: "https://org.warden.test/" };
    const audience = "https://org.warden.test/oauth2/v1/token";
    const res = await post(orgTokenUrl, {
      grant_type: "client_credentials",
      scope: "okta.apps.read",
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(audience),
    });
    await verified(res, "https://org.warden.test", "https://org.warden.test");
  });
});
