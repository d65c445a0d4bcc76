/**
 * The authorization_code grant against real Grant Durable Objects, the real directory (D1) and real
 * keys: codes are minted through the grant port as /v1/authorize will mint them, then exchanged at
 * the token endpoint. Exactly-once under concurrency, replay revoking the first redemption's tokens,
 * expiry on a fixed clock, every refusal in Okta's words (and that a refusal does not burn the code),
 * public clients, ID tokens verified with jose, and /v1/userinfo.
 */

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { base64url, createLocalJWKSet, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createDeps } from "../../src/context";
import type { Env } from "../../src/env";
import { durableGrants } from "../../src/grants/durable-grants";
import { objectIdOfGrantId } from "../../src/grants/grant-id";
import type { AuthorizedRequest } from "../../src/grants/grant-port";
import { INVALID_CODE, PKCE_FAILED, REDIRECT_URI_MISMATCH } from "../../src/oauth/grants/authorization-code";
import { USERINFO_INSUFFICIENT_SCOPE } from "../../src/oauth/userinfo";
import { basic, decodeJwt, freshApp, importConfig, ORIGIN, SECRET, tokenRequest, uniqueId } from "./helpers";
import { assignUser, type FixtureUser, insertUser, PASSWORD } from "./people-fixtures";

const bindings = env as Env;
const grants = durableGrants(bindings.GRANT);
const REDIRECT = "https://app.example/callback";

interface World {
  serverId: string;
  otherServerId: string;
  issuer: string;
  web: string;
  spa: string;
  other: string;
  alice: FixtureUser;
}
let w: World;

beforeAll(async () => {
  const serverId = uniqueId("codes");
  const otherServerId = uniqueId("codes-other");
  const [web, spa, other] = [uniqueId("web"), uniqueId("spa"), uniqueId("other")];
  const alice = await insertUser({
    name: "alice",
    profile: {
      firstName: "Alice",
      lastName: "Liddell",
      locale: "en_GB",
      timezone: "Europe/London",
      nickName: "Al",
      mobilePhone: "+44 20 7946 0000",
      city: "Oxford",
      countryCode: "GB",
    },
  });
  await Promise.all([web, spa, other].map((app) => assignUser(app, alice.id)));
  const server = (id: string) => ({
    server: { id, name: id, audiences: ["api://codes"] },
    scopes: [
      { id: "s-read", name: "read", default: true },
      ...["openid", "profile", "email", "address", "phone"].map((name) => ({ id: `s-${name}`, name })),
    ],
    claims: [
      {
        id: "c-team",
        name: "team",
        claimType: "IDENTITY" as const,
        valueType: "EXPRESSION" as const,
        value: '"wonderland"',
        alwaysIncludeInToken: true,
      },
      {
        id: "c-nick",
        name: "nick",
        claimType: "IDENTITY" as const,
        valueType: "EXPRESSION" as const,
        value: "user.nickName",
        alwaysIncludeInToken: false,
      },
    ],
    policies: [
      {
        id: "p",
        name: "apps",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [
          {
            id: "r",
            name: "users",
            priority: 1,
            conditions: {
              grantTypes: {
                include: ["authorization_code" as const, "password" as const, "client_credentials" as const],
              },
              scopes: { include: ["*"] },
            },
            actions: { token: { accessTokenLifetimeMinutes: 30 } },
          },
        ],
      },
    ],
  });
  await importConfig({
    clients: [
      {
        client_id: web,
        client_name: "web",
        application_type: "web",
        grant_types: ["authorization_code", "password", "client_credentials"],
        redirect_uris: [REDIRECT],
        client_secrets: [SECRET],
      },
      {
        client_id: spa,
        client_name: "spa",
        application_type: "browser",
        token_endpoint_auth_method: "none",
        // A browser app may hold only the grants a public client can use (src/config/oidc-app.ts).
        grant_types: ["authorization_code"],
        redirect_uris: [REDIRECT],
      },
      {
        client_id: other,
        client_name: "other",
        application_type: "web",
        grant_types: ["authorization_code"],
        redirect_uris: [REDIRECT],
        client_secrets: [SECRET],
      },
    ],
    authorizationServers: [server(serverId), server(otherServerId)],
  });
  w = { serverId, otherServerId, issuer: `${ORIGIN}/oauth2/${serverId}`, web, spa, other, alice };
});

/** A verifier and its S256 challenge (RFC 7636 §4.1, §4.2). */
async function pkce() {
  const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url.encode(new Uint8Array(digest)) };
}

/** When the user signed in: one instant for the whole file, so two reads never straddle a second. */
const AUTH_TIME = Math.floor(Date.now() / 1000) - 5;

function authorized(overrides: Partial<AuthorizedRequest> = {}): AuthorizedRequest {
  return {
    serverId: w.serverId,
    clientId: w.web,
    redirectUri: REDIRECT,
    codeChallenge: undefined,
    nonce: "n-0S6_WzA2Mj",
    scopes: ["openid", "profile", "email", "address", "phone", "read"],
    userId: w.alice.id,
    authTime: AUTH_TIME,
    amr: ["pwd"],
    sessionId: undefined,
    decision: { policyId: "p", ruleId: "r", accessTokenLifetimeSeconds: 1800 },
    ...overrides,
  };
}

type Body = Record<string, string> & { error?: string; error_description?: string };

async function exchange(
  params: Record<string, string>,
  client: { id: string; secret?: string } = { id: w.web, secret: SECRET },
  options: { now?: number; issuer?: string } = {},
): Promise<{ status: number; body: Body }> {
  const deps = options.now === undefined ? createDeps() : createDeps(() => options.now as number);
  const res = await freshApp(deps)(
    tokenRequest(
      options.issuer ?? w.issuer,
      {
        grant_type: "authorization_code",
        redirect_uri: REDIRECT,
        ...(client.secret === undefined ? { client_id: client.id } : {}),
        ...params,
      },
      client.secret === undefined ? {} : { authorization: basic(client.id, client.secret) },
    ),
  );
  return { status: res.status, body: (await res.json()) as Body };
}

async function userinfo(accessToken: string, method = "GET") {
  const res = await freshApp()(
    new Request(`${w.issuer}/v1/userinfo`, { method, headers: { Authorization: `Bearer ${accessToken}` } }),
  );
  const text = await res.text();
  return {
    status: res.status,
    challenge: res.headers.get("WWW-Authenticate"),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

function expectInvalid(result: { status: number; body: Body }, description = INVALID_CODE) {
  expect(result.status, JSON.stringify(result.body)).toBe(400);
  expect(result.body).toEqual({ error: "invalid_grant", error_description: description });
}

describe("the authorization_code grant", () => {
  it("exchanges a code once: access token naming its grant, a thin ID token verified with jose", async () => {
    const { verifier, challenge } = await pkce();
    const code = await grants.issueCode(authorized({ codeChallenge: challenge }), Date.now());
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    const { status, body } = await exchange({ code, code_verifier: verifier });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 1800 });
    expect(body.scope).toBe("openid profile email address phone read");

    const at = decodeJwt(body.access_token as string).payload;
    expect(at).toMatchObject({ sub: w.alice.login, uid: w.alice.id, cid: w.web });
    expect(at.jti).toMatch(new RegExp(`^AT\\.${code.slice(0, 43)}\\.[A-Za-z0-9_-]{24}$`));
    expect(at.auth_time).toBe(authorized().authTime);

    const jwks = createLocalJWKSet(await (await freshApp()(new Request(`${w.issuer}/v1/keys`))).json());
    const { payload, protectedHeader } = await jwtVerify(body.id_token as string, jwks, {
      issuer: w.issuer,
      audience: w.web,
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({
      sub: w.alice.id,
      ver: 1,
      amr: ["pwd"],
      nonce: "n-0S6_WzA2Mj",
      auth_time: authorized().authTime,
      name: "Alice Liddell",
      preferred_username: w.alice.login,
      email: "alice@mail.test",
      team: "wonderland",
    });
    expect(payload.exp).toBe((payload.iat as number) + 3600);
    expect(payload.jti).toMatch(/^ID\.[A-Za-z0-9_-]{24}$/);
    expect(payload.idp).toMatch(/^00o[A-Za-z0-9]{17}$/);
    // OIDC Core §3.1.3.6: the left half of SHA-256 of the access token's octets.
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body.access_token as string)),
    );
    expect(payload.at_hash).toBe(base64url.encode(digest.slice(0, 16)));
    // Thin (Okta): the rest of the profile, email_verified and non-"always" claims are userinfo's.
    for (const claim of [
      "given_name",
      "family_name",
      "locale",
      "zoneinfo",
      "updated_at",
      "email_verified",
      "nick",
      "phone_number",
    ]) {
      expect(payload, claim).not.toHaveProperty(claim);
    }

    const info = await userinfo(body.access_token as string);
    expect(info.status).toBe(200);
    expect(info.body).toEqual({
      sub: w.alice.id,
      name: "Alice Liddell",
      preferred_username: w.alice.login,
      given_name: "Alice",
      family_name: "Liddell",
      nickname: "Al",
      locale: "en_GB",
      zoneinfo: "Europe/London",
      // OIDC Core §5.1: the user's lastUpdated in epoch seconds.
      updated_at: expect.any(Number),
      email: "alice@mail.test",
      email_verified: false,
      address: { locality: "Oxford", country: "GB" },
      phone_number: "+44 20 7946 0000",
      team: "wonderland",
      nick: "Al",
    });
    expect((await userinfo(body.access_token as string, "POST")).status).toBe(200);
  });

  it("20 concurrent redemptions of one code: exactly one 200; the replays revoke its tokens", async () => {
    const code = await grants.issueCode(authorized(), Date.now());
    const results = await Promise.all(Array.from({ length: 20 }, () => exchange({ code })));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectInvalid(r);
    // RFC 6749 §4.1.2: the code was used more than once, so what it issued is revoked.
    const info = await userinfo(winners[0]?.body.access_token as string);
    expect(info.status).toBe(401);
    expect(info.challenge).toContain('error="invalid_token"');
  });

  it("a replay after a successful exchange is invalid_grant and the first access token stops working", async () => {
    const code = await grants.issueCode(authorized(), Date.now());
    const first = await exchange({ code });
    expect(first.status).toBe(200);
    expect((await userinfo(first.body.access_token as string)).status).toBe(200);
    expectInvalid(await exchange({ code }));
    const info = await userinfo(first.body.access_token as string);
    expect(info.status).toBe(401);
    expect(info.body).toEqual({ error: "invalid_token", error_description: "The access token is invalid." });
    // And the grant stays revoked: a third try is refused the same way.
    expectInvalid(await exchange({ code }));
  });

  it("a code expires after 300 s (fixed clock)", async () => {
    const issuedAt = Date.now();
    const late = await grants.issueCode(authorized(), issuedAt);
    expectInvalid(await exchange({ code: late }, undefined, { now: issuedAt + 300_000 }));
    const inTime = await grants.issueCode(authorized(), issuedAt);
    expect((await exchange({ code: inTime }, undefined, { now: issuedAt + 299_000 })).status).toBe(200);
  });

  it("another client, another server, a wrong redirect_uri: refused, and the code still works for its client", async () => {
    const code = await grants.issueCode(authorized(), Date.now());
    expectInvalid(await exchange({ code }, { id: w.other, secret: SECRET }));
    expectInvalid(await exchange({ code }, undefined, { issuer: `${ORIGIN}/oauth2/${w.otherServerId}` }));
    expectInvalid(await exchange({ code, redirect_uri: `${REDIRECT}/` }), REDIRECT_URI_MISMATCH);
    const missing = await exchange({ code, redirect_uri: "" });
    expect(missing.body).toEqual({
      error: "invalid_request",
      error_description: "The 'redirect_uri' parameter is missing.",
    });
    expect((await exchange({ code })).status).toBe(200);
  });

  it("PKCE: a wrong, malformed, missing or unexpected verifier is 'PKCE verification failed.'", async () => {
    const { verifier, challenge } = await pkce();
    const code = await grants.issueCode(authorized({ codeChallenge: challenge }), Date.now());
    const other = await pkce();
    expectInvalid(await exchange({ code, code_verifier: other.verifier }), PKCE_FAILED);
    expectInvalid(await exchange({ code, code_verifier: "short" }), PKCE_FAILED);
    expectInvalid(await exchange({ code, code_verifier: `${verifier}!` }), PKCE_FAILED);
    expectInvalid(await exchange({ code }), PKCE_FAILED);
    expect((await exchange({ code, code_verifier: verifier })).status).toBe(200);

    // A verifier for a code issued without a challenge: no PKCE downgrade.
    const plain = await grants.issueCode(authorized(), Date.now());
    expectInvalid(await exchange({ code: plain, code_verifier: verifier }), PKCE_FAILED);
    expect((await exchange({ code: plain })).status).toBe(200);
  });

  it("five refused presentations end a code: a thief cannot keep guessing", async () => {
    const { verifier, challenge } = await pkce();
    const code = await grants.issueCode(authorized({ codeChallenge: challenge }), Date.now());
    for (let i = 0; i < 5; i++) {
      expectInvalid(await exchange({ code, code_verifier: (await pkce()).verifier }), PKCE_FAILED);
    }
    expectInvalid(await exchange({ code, code_verifier: verifier }));
  });

  it("malformed and forged codes are invalid_grant, never a 5xx; a grant id from a jti cannot revoke", async () => {
    const code = await grants.issueCode(authorized(), Date.now());
    const first = await exchange({ code });
    expect(first.status).toBe(200);
    const grantId = code.slice(0, 43);
    const randomId = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
    const secret = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
    for (const forged of [
      "x",
      // Under the token endpoint's 16 KiB body limit, so that the grant itself refuses it.
      "a".repeat(12_000),
      `${randomId}.${secret}`,
      `${grantId}.${secret}`,
      `${grantId}.${secret}`.replace(".", "-"),
      `${grantId}.`,
      "%FF%FE",
      "' OR 1=1 --",
    ]) {
      expectInvalid(await exchange({ code: forged }));
    }
    // The stranger's tries with the real grant id did not count as replays of the real code.
    expect((await userinfo(first.body.access_token as string)).status).toBe(200);
  });

  it("a user suspended between sign-in and exchange gets no token", async () => {
    const bob = await insertUser({ name: "bob" });
    await assignUser(w.web, bob.id);
    const code = await grants.issueCode(authorized({ userId: bob.id }), Date.now());
    await bindings.DIRECTORY.prepare("UPDATE users SET status = 'SUSPENDED' WHERE id = ?1")
      .bind(bob.id)
      .run();
    expectInvalid(await exchange({ code }));
  });

  it("an alarm forgets an expired grant, and running it again changes nothing", async () => {
    const code = await grants.issueCode(authorized(), Date.now() - 3_600_000);
    const hex = objectIdOfGrantId(code.slice(0, 43)) as string;
    const stub = bindings.GRANT.get(bindings.GRANT.idFromString(hex));
    const rows = () =>
      runInDurableObject(
        stub,
        (_, state) => state.storage.sql.exec("SELECT * FROM grant_state").toArray().length,
      );
    expect(await rows()).toBe(1);
    await runDurableObjectAlarm(stub);
    expect(await rows()).toBe(0);
    await runDurableObjectAlarm(stub);
    expect(await rows()).toBe(0);
    expectInvalid(await exchange({ code }));
  });
});

describe("public clients (token_endpoint_auth_method none)", () => {
  it("exchange with client_id and PKCE, no secret", async () => {
    const { verifier, challenge } = await pkce();
    const code = await grants.issueCode(
      authorized({ clientId: w.spa, codeChallenge: challenge }),
      Date.now(),
    );
    const { status, body } = await exchange({ code, code_verifier: verifier }, { id: w.spa });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(decodeJwt(body.id_token as string).payload.aud).toBe(w.spa);
  });

  it("without PKCE a public client's code is refused", async () => {
    const code = await grants.issueCode(authorized({ clientId: w.spa }), Date.now());
    expectInvalid(await exchange({ code }, { id: w.spa }), PKCE_FAILED);
  });

  it("may use no other grant", async () => {
    const attempts: Record<string, string>[] = [
      { grant_type: "password", username: w.alice.login, password: PASSWORD },
      { grant_type: "client_credentials" },
    ];
    for (const params of attempts) {
      const res = await freshApp()(tokenRequest(w.issuer, { ...params, client_id: w.spa }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as Body).error).toBe("unauthorized_client");
    }
  });

  it("a confidential client cannot pose as public by leaving its secret out", async () => {
    const { verifier, challenge } = await pkce();
    const code = await grants.issueCode(authorized({ codeChallenge: challenge }), Date.now());
    const posing = await exchange({ code, code_verifier: verifier }, { id: w.web });
    expect(posing.status).toBe(401);
    expect(posing.body.error).toBe("invalid_client");
    // The failed authentication never reached the grant: the code is intact.
    expect((await exchange({ code, code_verifier: verifier })).status).toBe(200);
  });
});

describe("/v1/userinfo", () => {
  async function passwordToken(scope: string) {
    const res = await freshApp()(
      tokenRequest(
        w.issuer,
        { grant_type: "password", username: w.alice.login, password: PASSWORD, scope },
        { authorization: basic(w.web, SECRET) },
      ),
    );
    return ((await res.json()) as Body).access_token as string;
  }

  it("answers a password-grant token with openid (it has no grant object to ask)", async () => {
    const info = await userinfo(await passwordToken("openid email"));
    expect(info.status).toBe(200);
    expect(info.body).toEqual({
      sub: w.alice.id,
      email: "alice@mail.test",
      email_verified: false,
      team: "wonderland",
      nick: "Al",
    });
  });

  it("403 insufficient_scope without openid, in Okta's words", async () => {
    const info = await userinfo(await passwordToken("read"));
    expect(info.status).toBe(403);
    expect(info.body).toEqual({
      error: "insufficient_scope",
      error_description: USERINFO_INSUFFICIENT_SCOPE,
    });
    expect(info.challenge).toContain('error="insufficient_scope"');
    expect(info.challenge).toContain('scope="openid"');
  });

  it("401 for no token, a garbage token and another server's token", async () => {
    const none = await freshApp()(new Request(`${w.issuer}/v1/userinfo`));
    expect(none.status).toBe(401);
    expect(none.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm=/);
    expect((await userinfo("garbage.token.here")).status).toBe(401);
    const elsewhere = await freshApp()(
      tokenRequest(
        `${ORIGIN}/oauth2/${w.otherServerId}`,
        { grant_type: "password", username: w.alice.login, password: PASSWORD, scope: "openid" },
        { authorization: basic(w.web, SECRET) },
      ),
    );
    const token = ((await elsewhere.json()) as Body).access_token as string;
    const info = await userinfo(token);
    expect(info.status).toBe(401);
    expect(info.challenge).toContain('error="invalid_token"');
  });

  it("is in discovery with claims_supported; the token endpoint lists the new grant and none", async () => {
    const doc = (await (
      await freshApp()(new Request(`${w.issuer}/.well-known/openid-configuration`))
    ).json()) as Record<string, string[] | string>;
    expect(doc.userinfo_endpoint).toBe(`${w.issuer}/v1/userinfo`);
    expect(doc.claims_supported).toEqual(expect.arrayContaining(["sub", "email", "at_hash", "team", "nick"]));
    expect(doc.grant_types_supported).toContain("authorization_code");
    expect(doc.token_endpoint_auth_methods_supported).toContain("none");
  });
});
