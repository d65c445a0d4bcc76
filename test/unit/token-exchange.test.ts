/**
 * Token exchange (RFC 8693, src/oauth/grants/token-exchange.ts and src/oauth/subject-token.ts)
 * through the real app on in-memory ports: a user token from the password grant of server A is
 * exchanged at B, which trusts A, and refused at C, which does not; and every way a subject token can
 * fail to hold — another issuer, an untrusted server, expiry, a client's own token, a revoked grant,
 * a forged signature, a deactivated client or user — each answered `invalid_grant` with one text.
 * The worker tier runs the same exchange on real D1, KV and Durable Objects.
 */
import { base64url, importJWK, jwtVerify, SignJWT } from "jose";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ServerConfigInput } from "../../src/config/schemas";
import type { PublishedKeyset } from "../../src/keys/keyset";
import { EVENT_TYPES } from "../../src/log/event";
import { trustedIssuer } from "../../src/oauth/subject-token";
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

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const INVALID_SUBJECT = "The 'subject_token' is invalid or has expired.";
const PASSWORD = "Correct-Horse-9";
const issuerOf = (id: string) => `${ORIGIN}/oauth2/${id}`;

function server(id: string, audience: string, extra: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return {
    server: { id, name: id, audiences: [audience] },
    scopes: [scope("read", true), scope("downstream"), scope("admin"), scope("openid")],
    policies: [
      {
        id: "p1",
        name: "everyone",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [
          rule("users", 1, { grantTypes: ["password"], scopes: ["read", "openid"] }),
          rule("exchange", 2, {
            grantTypes: [EXCHANGE],
            scopes: ["downstream"],
            people: { groups: { include: ["EVERYONE"], exclude: ["00gBlocked"] } },
          }),
          rule("services", 3, { grantTypes: ["client_credentials"], scopes: ["read"] }),
        ],
      },
    ],
    ...extra,
  };
}

let ports: MemoryPorts;
let app: (request: Request) => Promise<Response>;

beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  ports = await memoryPorts({
    servers: [
      server("aus_a", "api://a"),
      server("aus_b", "api://b", { trustedServers: ["aus_a", "aus_r"] }),
      {
        ...server("aus_r", "api://r"),
        server: { id: "aus_r", name: "aus_r", audiences: ["api://r"], tokenProfile: "rfc9068" },
      },
      server("aus_c", "api://c"),
    ],
    clients: [
      {
        client_id: "app",
        client_name: "app",
        grant_types: ["password", "client_credentials"],
        secret: SECRET,
      },
      { client_id: "svc", client_name: "svc", grant_types: [EXCHANGE, "client_credentials"], secret: SECRET },
      { client_id: "plain", client_name: "plain", grant_types: ["client_credentials"], secret: SECRET },
    ],
    directory: {
      users: [
        { id: "00uAlice", profile: { login: "alice@example.com" }, password: PASSWORD },
        { id: "00uBlock", profile: { login: "blocked@example.com" }, password: PASSWORD },
        {
          id: "00uSusp",
          status: "SUSPENDED",
          profile: { login: "suspended@example.com" },
          password: PASSWORD,
        },
      ],
      groups: [{ id: "00gBlocked", name: "Blocked" }],
      members: [["00gBlocked", "00uBlock"]],
      appUsers: [
        { app: "app", user: "00uAlice" },
        { app: "app", user: "00uBlock" },
      ],
    },
  });
  // The in-memory key port publishes no JWKS by default: every server here signs with SIGNING_JWK.
  const keyset = {
    jwks: { keys: [{ ...publicJwk(SIGNING_JWK), kid: SIGNING_KID, alg: "ES256", use: "sig" }] },
  } as unknown as PublishedKeyset;
  ports.keys = { ...ports.keys, published: async () => keyset };
  app = memoryApp(ports);
});

function post(serverId: string, client: string, form: Record<string, string>) {
  return app(
    new Request(`${issuerOf(serverId)}/v1/token`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basic(client, SECRET),
      },
      body: new URLSearchParams(form).toString(),
    }),
  );
}

async function userToken(login = "alice@example.com", serverId = "aus_a"): Promise<string> {
  const res = await post(serverId, "app", { grant_type: "password", username: login, password: PASSWORD });
  const body = (await res.json()) as { access_token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token;
}

const exchange = (subjectToken: string, at = "aus_b", extra: Record<string, string> = {}, client = "svc") =>
  post(at, client, {
    grant_type: EXCHANGE,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN,
    scope: "downstream",
    ...extra,
  });

async function expectError(res: Response, error: string, description?: string) {
  const body = (await res.json()) as { error: string; error_description: string };
  expect({ status: res.status, error: body.error }).toEqual({ status: 400, error });
  if (description !== undefined) expect(body.error_description).toBe(description);
}

/** A token signed with `key` (the servers' own by default), for the cases no grant would mint. */
async function forge(
  claims: Record<string, unknown>,
  key: typeof SIGNING_JWK | typeof CLIENT_JWK = SIGNING_JWK,
) {
  return new SignJWT({
    ver: 1,
    jti: "AT.forged",
    iss: issuerOf("aus_a"),
    aud: "api://a",
    iat: NOW_SECONDS - 10,
    exp: NOW_SECONDS + 3600,
    cid: "app",
    uid: "00uAlice",
    scp: ["read"],
    sub: "alice@example.com",
    ...claims,
  })
    .setProtectedHeader({ alg: "ES256", kid: SIGNING_KID })
    .sign(await importJWK(key, "ES256"));
}

describe("token exchange: the exchanged token", () => {
  it("a user token of A exchanged at B (which trusts A): the user's token for B, with act", async () => {
    const res = await exchange(await userToken());
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(body).toMatchObject({
      token_type: "Bearer",
      issued_token_type: ACCESS_TOKEN,
      scope: "downstream",
      expires_in: 3600,
    });
    expect(body.id_token).toBeUndefined();
    expect(body.refresh_token).toBeUndefined();
    const { payload } = await jwtVerify(
      body.access_token as string,
      await importJWK(publicJwk(SIGNING_JWK), "ES256"),
      { issuer: issuerOf("aus_b"), audience: "api://b", currentDate: new Date(NOW_SECONDS * 1000) },
    );
    expect(payload).toMatchObject({
      sub: "alice@example.com",
      uid: "00uAlice",
      cid: "svc",
      scp: ["downstream"],
      act: { sub: "svc" },
    });
  });

  it("an RFC 9068 user token (sub = user id) is exchanged; its client_credentials token is not", async () => {
    const res = await exchange(await userToken("alice@example.com", "aus_r"));
    const body = (await res.json()) as { access_token: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const claims = JSON.parse(
      new TextDecoder().decode(base64url.decode(body.access_token.split(".")[1] ?? "")),
    );
    expect(claims).toMatchObject({ uid: "00uAlice", sub: "alice@example.com", cid: "svc" });
    const cc = await post("aus_r", "app", { grant_type: "client_credentials", scope: "read" });
    const { access_token } = (await cc.json()) as { access_token: string };
    await expectError(await exchange(access_token), "invalid_grant", INVALID_SUBJECT);
  });

  it("B's own user token is exchangeable at B (a server trusts itself)", async () => {
    const res = await exchange(await userToken("alice@example.com", "aus_b"));
    expect(res.status).toBe(200);
  });

  it("an exchanged token exchanged again nests the earlier actor (RFC 8693 §4.1)", async () => {
    const first = (await (await exchange(await userToken())).json()) as { access_token: string };
    // B's token exchanged at B again, by the same service.
    const res = await exchange(first.access_token, "aus_b");
    const body = (await res.json()) as { access_token: string };
    expect(res.status).toBe(200);
    const { payload } = await jwtVerify(body.access_token, await importJWK(publicJwk(SIGNING_JWK), "ES256"), {
      currentDate: new Date(NOW_SECONDS * 1000),
    });
    expect(payload.act).toEqual({ sub: "svc", act: { sub: "svc" } });
  });

  it("a token naming a standing grant: the exchanged token names the same grant", async () => {
    const code = await ports.grants.issueCode(
      {
        serverId: "aus_a",
        clientId: "app",
        redirectUri: "https://app.test/cb",
        codeChallenge: undefined,
        nonce: undefined,
        scopes: ["read"],
        userId: "00uAlice",
        authTime: NOW_SECONDS - 60,
        amr: ["pwd"],
        sessionId: undefined,
        decision: { policyId: "p1", ruleId: "users", accessTokenLifetimeSeconds: 3600 },
      },
      NOW_SECONDS * 1000,
    );
    const grantId = code.slice(0, 43);
    const redeemed = await ports.grants.redeemCode(
      code,
      { serverId: "aus_a", clientId: "app", redirectUri: "https://app.test/cb", codeVerifier: undefined },
      NOW_SECONDS * 1000,
    );
    expect(redeemed.ok).toBe(true);
    const subject = await forge({ jti: `AT.${grantId}.abc`, auth_time: NOW_SECONDS - 60 });
    const res = await exchange(subject);
    const body = (await res.json()) as { access_token: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const claims = JSON.parse(
      new TextDecoder().decode(base64url.decode(body.access_token.split(".")[1] ?? "")),
    );
    expect(claims.jti.startsWith(`AT.${grantId}.`)).toBe(true);
    expect(claims.auth_time).toBe(NOW_SECONDS - 60);

    // Revoking the grant revokes the subject token, and what was exchanged from it.
    await ports.grants.revoke(grantId, NOW_SECONDS * 1000);
    await expectError(await exchange(subject), "invalid_grant", INVALID_SUBJECT);
    await expectError(await exchange(body.access_token), "invalid_grant", INVALID_SUBJECT);
  });
});

describe("token exchange: subject tokens that do not hold", () => {
  it("refused at C, which does not trust A; the reason goes to the system log, not the wire", async () => {
    const res = await exchange(await userToken(), "aus_c");
    const text = await res.clone().text();
    await expectError(res, "invalid_grant", INVALID_SUBJECT);
    expect(text).not.toContain("untrusted");
    const denial = ports.logged.events.find(
      (e) => e.eventType === EVENT_TYPES.grantFailure && e.outcome?.result === "FAILURE",
    );
    expect(denial?.debugData).toMatchObject({
      grantType: EXCHANGE,
      error: "invalid_grant",
      reason: "untrusted_issuer",
    });
  });

  it("an issuer that is not one of this deployment's servers", async () => {
    await expectError(
      await exchange(await forge({ iss: "https://evil.test/oauth2/aus_a" })),
      "invalid_grant",
      INVALID_SUBJECT,
    );
    // A prefix or a suffix of a trusted issuer is not that issuer.
    await expectError(
      await exchange(await forge({ iss: `${issuerOf("aus_a")}/extra` })),
      "invalid_grant",
      INVALID_SUBJECT,
    );
  });

  it("the audience of another server (a token of A for C's API is not A's)", async () => {
    await expectError(await exchange(await forge({ aud: "api://c" })), "invalid_grant", INVALID_SUBJECT);
  });

  it("expired", async () => {
    await expectError(
      await exchange(await forge({ iat: NOW_SECONDS - 7200, exp: NOW_SECONDS - 3600 })),
      "invalid_grant",
      INVALID_SUBJECT,
    );
  });

  it("a client_credentials token: no user to act for", async () => {
    const res = await post("aus_a", "app", { grant_type: "client_credentials", scope: "read" });
    const { access_token } = (await res.json()) as { access_token: string };
    await expectError(await exchange(access_token), "invalid_grant", INVALID_SUBJECT);
  });

  it("a forged signature (another key), and a token altered after signing", async () => {
    await expectError(await exchange(await forge({}, CLIENT_JWK)), "invalid_grant", INVALID_SUBJECT);
    const [h, , s] = (await userToken()).split(".");
    const altered = base64url.encode(
      JSON.stringify({ iss: issuerOf("aus_a"), aud: "api://a", uid: "00uBlock", sub: "x", cid: "app" }),
    );
    await expectError(await exchange(`${h}.${altered}.${s}`), "invalid_grant", INVALID_SUBJECT);
  });

  it("a token naming a grant that does not stand", async () => {
    const grantId = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
    await expectError(
      await exchange(await forge({ jti: `AT.${grantId}.abc` })),
      "invalid_grant",
      INVALID_SUBJECT,
    );
  });

  it("a user no longer ACTIVE or deleted, and a user the policy excludes", async () => {
    await expectError(
      await exchange(await forge({ uid: "00uSusp", sub: "suspended@example.com" })),
      "invalid_grant",
      INVALID_SUBJECT,
    );
    await expectError(await exchange(await forge({ uid: "00uGone" })), "invalid_grant", INVALID_SUBJECT);
    // Blocked's group is excluded by B's exchange rule: policy says no.
    await expectError(await exchange(await userToken("blocked@example.com")), "access_denied");
  });

  it("a subject token whose client was deactivated", async () => {
    const token = await userToken();
    ports.revocations = { ...ports.revocations, isRevoked: (kind, id) => kind === "client" && id === "app" };
    app = memoryApp(ports);
    await expectError(await exchange(token), "invalid_grant", INVALID_SUBJECT);
  });

  it("garbage, huge and empty subject tokens", async () => {
    await expectError(await exchange("not-a-jwt"), "invalid_grant", INVALID_SUBJECT);
    await expectError(await exchange("a.b.c"), "invalid_grant", INVALID_SUBJECT);
    await expectError(await exchange(`${"x".repeat(10_000)}.y.z`), "invalid_grant", INVALID_SUBJECT);
    // Over the token endpoint's body limit: refused before any parameter is read.
    await expectError(await exchange(`${"x".repeat(20_000)}.y.z`), "invalid_request");
    await expectError(await exchange(""), "invalid_request", "The 'subject_token' parameter is missing.");
  });
});

describe("token exchange: the request", () => {
  it("subject_token_type missing or not an access token: invalid_request", async () => {
    const token = await userToken();
    const res = await post("aus_b", "svc", {
      grant_type: EXCHANGE,
      subject_token: token,
      scope: "downstream",
    });
    await expectError(res, "invalid_request", "The 'subject_token_type' parameter is missing.");
    await expectError(
      await exchange(token, "aus_b", { subject_token_type: "urn:ietf:params:oauth:token-type:id_token" }),
      "invalid_request",
    );
    await expectError(
      await exchange(token, "aus_b", {
        requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token",
      }),
      "invalid_request",
    );
    await expectError(await exchange(token, "aus_b", { actor_token: token }), "invalid_request");
  });

  it("an audience that is not this server's, or a resource: invalid_target", async () => {
    const token = await userToken();
    await expectError(await exchange(token, "aus_b", { audience: "api://a" }), "invalid_target");
    await expectError(await exchange(token, "aus_b", { resource: "https://api.test" }), "invalid_target");
    expect((await exchange(token, "aus_b", { audience: "api://b" })).status).toBe(200);
  });

  it("OpenID Connect scopes are refused: an exchange issues an access token only", async () => {
    await expectError(
      await exchange(await userToken(), "aus_b", { scope: "openid downstream" }),
      "invalid_scope",
    );
  });

  it("a scope no exchange rule grants: access_denied", async () => {
    await expectError(await exchange(await userToken(), "aus_b", { scope: "admin" }), "access_denied");
  });

  it("a client not registered for token exchange: unauthorized_client", async () => {
    await expectError(await exchange(await userToken(), "aus_b", {}, "plain"), "unauthorized_client");
  });
});

describe("trustedIssuer", () => {
  const own = { serverId: "b", issuer: `${ORIGIN}/oauth2/b`, trustedServers: ["a"] };
  it("matches this server's and trusted servers' exact issuers only", () => {
    expect(trustedIssuer(`${ORIGIN}/oauth2/b`, own)).toBe("b");
    expect(trustedIssuer(`${ORIGIN}/oauth2/a`, own)).toBe("a");
    expect(trustedIssuer(`${ORIGIN}/oauth2/c`, own)).toBeUndefined();
    expect(trustedIssuer(`${ORIGIN}/oauth2/a/`, own)).toBeUndefined();
    expect(trustedIssuer(`https://other.test/oauth2/a`, own)).toBeUndefined();
    expect(trustedIssuer(ORIGIN, own)).toBeUndefined();
  });
});
