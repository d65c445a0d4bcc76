/**
 * Signing users in through the org authorization server (`/oauth2/v1/*`, issuer = the org URL), as
 * the admin console will: /oauth2/v1/authorize and its hosted page, the authorization_code grant at
 * /oauth2/v1/token, /oauth2/v1/userinfo, /oauth2/v1/logout. No access policies: any user assigned to
 * the app gets the OIDC scopes; okta.* scopes are refused to users until admin roles exist. And what
 * a stranger would try: another server's code, token or ID token; a form sealed for another server;
 * a replayed code; an org user token at the management API.
 */
import { createLocalJWKSet, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { NOT_ASSIGNED } from "../../src/oauth/grants/password";
import { LOGIN_REQUIRED } from "../../src/signin/authorize";
import {
  adminCall,
  basic,
  decodeJwt,
  ORIGIN,
  orgAccessToken,
  SECRET,
  seedOrgClient,
  tokenRequest,
} from "./helpers";
import { assignUser, insertUser, PASSWORD } from "./people-fixtures";
import {
  Browser,
  CHALLENGE,
  POST_LOGOUT_URI,
  REDIRECT_URI,
  readForm,
  redirectParams,
  type SignInWorld,
  seedSignInWorld,
  sessionCount,
  VERIFIER,
} from "./signin-fixtures";

let world: SignInWorld;
/** The same apps and users, addressed at the org server: `${issuer}/v1/authorize` is /oauth2/v1/authorize. */
let org: SignInWorld;
const ORG_BASE = `${ORIGIN}/oauth2`;

beforeAll(async () => {
  world = await seedSignInWorld();
  org = { ...world, issuer: ORG_BASE };
});

/** Signs `login` in at the org server's page; the redirect's parameters and the browser. */
async function orgSignIn(
  login: string,
  overrides: Record<string, string | undefined> = {},
  browser = new Browser(),
) {
  const page = await browser.authorize(org, { scope: "openid profile email", nonce: "n-org", ...overrides });
  expect(page.status).toBe(200);
  const html = await page.text();
  // The form posts to the org server's own endpoint, never a custom server's.
  expect(readForm(html).action).toBe("/oauth2/v1/signin");
  const res = await browser.signIn(html, login, PASSWORD);
  return { browser, params: redirectParams(res) };
}

async function exchange(browser: Browser, code: string, issuer = ORG_BASE) {
  const res = await browser.fetch(
    tokenRequest(
      issuer,
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI },
      { authorization: basic(world.webClient, SECRET) },
    ),
  );
  // biome-ignore lint/suspicious/noExplicitAny: the token response, field by field.
  return { status: res.status, body: (await res.json()) as any };
}

function userinfo(browser: Browser, accessToken: string, issuer = ORG_BASE) {
  return browser.fetch(
    new Request(`${issuer}/v1/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } }),
  );
}

async function orgKeys(browser: Browser) {
  const res = await browser.fetch(new Request(`${ORIGIN}/oauth2/v1/keys`));
  return createLocalJWKSet((await res.json()) as { keys: [] });
}

describe("/oauth2/v1/authorize → code → /oauth2/v1/token", () => {
  it("signs a user in: Okta's org tokens, signed with the org keys, iss and aud the org URL", async () => {
    // Carol is assigned directly and in no group: the custom server's rule refuses her, but the org
    // server has no policies, so any assigned user gets the OIDC scopes.
    const { browser, params } = await orgSignIn(world.carol.login);
    expect(params.base).toBe("https://app.test/callback");
    expect(params.get("state")).toBe("st-123");
    expect(params.get("iss")).toBe(ORIGIN); // RFC 9207
    const code = params.get("code") ?? "";
    const { status, body } = await exchange(browser, code);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe("openid profile email");
    const keys = await orgKeys(browser);
    const at = await jwtVerify(body.access_token, keys, { issuer: ORIGIN, audience: ORIGIN });
    expect(at.payload).toMatchObject({
      ver: 1,
      cid: world.webClient,
      uid: world.carol.id,
      sub: world.carol.login,
      scp: ["openid", "profile", "email"],
    });
    expect(at.payload.exp).toBe((at.payload.iat ?? 0) + 3600);
    expect(typeof at.payload.auth_time).toBe("number");
    const id = await jwtVerify(body.id_token, keys, { issuer: ORIGIN, audience: world.webClient });
    expect(id.payload).toMatchObject({ sub: world.carol.id, nonce: "n-org", amr: ["pwd"], ver: 1 });
    expect(id.payload.at_hash).toEqual(expect.any(String));
  });

  it.each([
    ["org", ORG_BASE],
    ["custom", "CUSTOM"],
  ])("a public app with PKCE, no secret (%s)", async (_n, base) => {
    const issuer = base === "CUSTOM" ? world.issuer : ORG_BASE;
    const browser = new Browser();
    const page = await browser.authorize(
      { ...world, issuer },
      {
        client_id: world.spaClient,
        redirect_uri: "https://spa.test/",
        scope: base === "CUSTOM" ? "read" : "openid",
        code_challenge: CHALLENGE,
        code_challenge_method: "S256",
      },
    );
    const code = redirectParams(await browser.signIn(await page.text(), world.alice.login, PASSWORD)).get(
      "code",
    );
    const res = await browser.fetch(
      tokenRequest(issuer, {
        grant_type: "authorization_code",
        client_id: world.spaClient,
        code: code ?? "",
        redirect_uri: "https://spa.test/",
        code_verifier: VERIFIER,
      }),
    );
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it("userinfo answers the full profile, updated_at included; a replayed code ends it", async () => {
    const { browser, params } = await orgSignIn(world.alice.login);
    const code = params.get("code") ?? "";
    const { body } = await exchange(browser, code);
    const res = await userinfo(browser, body.access_token);
    expect(res.status).toBe(200);
    const claims = (await res.json()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: world.alice.id,
      name: "Alice Liddell",
      given_name: "Alice",
      preferred_username: world.alice.login,
    });
    // OIDC Core §5.1: seconds since the epoch of the user's lastUpdated.
    expect(claims.updated_at).toEqual(expect.any(Number));
    expect(Math.abs((claims.updated_at as number) - Date.now() / 1000)).toBeLessThan(3600);

    // RFC 6749 §4.1.2: a second redemption fails and revokes what the first issued.
    const replay = await exchange(browser, code);
    expect(replay.body.error).toBe("invalid_grant");
    expect((await userinfo(browser, body.access_token)).status).toBe(401);
  });

  it("one session for the whole org: a sign-in at a custom server serves prompt=none here", async () => {
    const browser = new Browser();
    const page = await browser.authorize(world, { scope: "read" });
    redirectParams(await browser.signIn(await page.text(), world.alice.login, PASSWORD));
    const res = await browser.authorize(org, { scope: "openid", prompt: "none" });
    const params = redirectParams(res);
    expect(params.get("code")).toBeTruthy();
    expect(params.get("iss")).toBe(ORIGIN);
  });

  it("prompt=none without a session: login_required, redirected with the org issuer", async () => {
    const params = redirectParams(await new Browser().authorize(org, { scope: "openid", prompt: "none" }));
    expect(params.get("error")).toBe("login_required");
    expect(params.get("error_description")).toBe(LOGIN_REQUIRED);
    expect(params.get("iss")).toBe(ORIGIN);
    expect(params.get("state")).toBe("st-123");
  });
});

describe("/oauth2/v1/authorize refusals", () => {
  it("a bad client or redirect URI is an HTML 400, never a redirect", async () => {
    for (const overrides of [{ client_id: "nobody" }, { redirect_uri: "https://evil.test/cb" }]) {
      const res = await new Browser().authorize(org, overrides);
      expect(res.status).toBe(400);
      expect(res.headers.get("Location")).toBeNull();
      expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    }
  });

  it("scopes it refuses before anyone signs in", async () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /'scope' must be provided/],
      ["openid read", /Custom scopes are not allowed/],
      ["openid offline_access", /offline_access/],
      ["openid okta.users.read", /not granted to the client: okta\.users\.read/],
    ];
    for (const [scope, description] of cases) {
      const params = redirectParams(await new Browser().authorize(org, { scope }));
      expect(params.get("error"), scope).toBe("invalid_scope");
      expect(params.get("error_description")).toMatch(description);
      expect(params.get("iss")).toBe(ORIGIN);
    }
  });

  it("a user not assigned to the app: access_denied, Okta's words", async () => {
    const { params } = await orgSignIn(world.dave.login);
    expect(params.get("error")).toBe("access_denied");
    expect(params.get("error_description")).toBe(NOT_ASSIGNED);
  });

  it("okta.* scopes for a user without admin roles: invalid_scope, no code", async () => {
    const admin = await seedOrgClient(["okta.users.read"], {
      grant_types: ["authorization_code", "client_credentials"],
      redirect_uris: [REDIRECT_URI],
    });
    await assignUser(admin.clientId, world.alice.id);
    const { params } = await orgSignIn(world.alice.login, {
      client_id: admin.clientId,
      scope: "openid okta.users.read",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
    });
    expect(params.get("error")).toBe("invalid_scope");
    expect(params.get("error_description")).toMatch(/admin roles do not grant them: okta\.users\.read/);
    expect(params.get("code")).toBeNull();
  });

  it("an admin signs in (the console's path): okta.* within the roles, and the token opens the API", async () => {
    const console = await seedOrgClient(["okta.users.read", "okta.apps.manage"], {
      grant_types: ["authorization_code"],
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: "none",
      application_type: "browser",
      jwks: undefined,
    });
    const admin = await insertUser({ name: "console-admin" });
    await assignUser(console.clientId, admin.id);
    expect((await adminCall("POST", `/users/${admin.id}/roles`, { type: "READ_ONLY_ADMIN" })).status).toBe(
      201,
    );
    const signIn = (scope: string) =>
      orgSignIn(admin.login, {
        client_id: console.clientId,
        scope,
        code_challenge: CHALLENGE,
        code_challenge_method: "S256",
      });
    // A read-only admin cannot have a manage scope: refused whole, naming it.
    const refused = (await signIn("openid okta.apps.manage")).params;
    expect(refused.get("error")).toBe("invalid_scope");
    expect(refused.get("error_description")).toMatch(/okta\.apps\.manage/);

    const { browser, params } = await signIn("openid okta.users.read");
    const res = await browser.fetch(
      tokenRequest(ORG_BASE, {
        grant_type: "authorization_code",
        client_id: console.clientId,
        code: params.get("code") ?? "",
        redirect_uri: REDIRECT_URI,
        code_verifier: VERIFIER,
      }),
    );
    const body = (await res.json()) as { access_token: string; scope: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.scope).toBe("openid okta.users.read");
    expect(decodeJwt(body.access_token).payload).toMatchObject({
      uid: admin.id,
      scp: ["openid", "okta.users.read"],
    });
    const users = await browser.fetch(
      new Request(`${ORIGIN}/api/v1/users?limit=1`, {
        headers: { Authorization: `Bearer ${body.access_token}` },
      }),
    );
    expect(users.status).toBe(200);
    const apps = await browser.fetch(
      new Request(`${ORIGIN}/api/v1/apps`, { headers: { Authorization: `Bearer ${body.access_token}` } }),
    );
    expect(apps.status).toBe(403);
  });
});

describe("the org server and the custom servers stay apart", () => {
  it("a custom server's code is worthless at the org token endpoint, and the reverse", async () => {
    const browser = new Browser();
    const page = await browser.authorize(world, { scope: "openid read" });
    const customCode =
      redirectParams(await browser.signIn(await page.text(), world.alice.login, PASSWORD)).get("code") ?? "";
    expect((await exchange(browser, customCode)).body.error).toBe("invalid_grant");
    // The refusal did not burn it at its own server.
    expect((await exchange(browser, customCode, world.issuer)).status).toBe(200);

    const orgCode = (await orgSignIn(world.alice.login)).params.get("code") ?? "";
    expect((await exchange(browser, orgCode, world.issuer)).body.error).toBe("invalid_grant");
    expect((await exchange(browser, orgCode)).status).toBe(200);
  });

  it("each userinfo refuses the other's access tokens", async () => {
    const { browser, params } = await orgSignIn(world.alice.login);
    const orgToken = (await exchange(browser, params.get("code") ?? "")).body.access_token;
    expect((await userinfo(browser, orgToken, world.issuer)).status).toBe(401);

    const page = await browser.authorize(world, { scope: "openid read", prompt: "login" });
    const code = redirectParams(await browser.signIn(await page.text(), world.alice.login, PASSWORD)).get(
      "code",
    );
    const customToken = (await exchange(browser, code ?? "", world.issuer)).body.access_token;
    expect((await userinfo(browser, customToken, world.issuer)).status).toBe(200);
    expect((await userinfo(browser, customToken)).status).toBe(401);
  });

  it("a sign-in form sealed for a custom server is refused at the org's form endpoint", async () => {
    const browser = new Browser();
    const page = await (await browser.authorize(world, { scope: "read" })).text();
    const { transaction } = readForm(page);
    const sessions = await sessionCount(world.alice.id);
    const res = await browser.request(`${ORIGIN}/oauth2/v1/signin`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        signin_request: transaction,
        username: world.alice.login,
        password: PASSWORD,
      }).toString(),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("Location")).toBeNull();
    // Refused before the password was looked at: no session started.
    expect(await sessionCount(world.alice.id)).toBe(sessions);
  });

  it("an org user token (OIDC scopes only) opens nothing in the management API", async () => {
    const { browser, params } = await orgSignIn(world.alice.login);
    const { body } = await exchange(browser, params.get("code") ?? "");
    for (const path of ["/api/v1/users", "/api/v1/apps", "/api/v1/authorizationServers"]) {
      const res = await browser.fetch(
        new Request(`${ORIGIN}${path}`, { headers: { Authorization: `Bearer ${body.access_token}` } }),
      );
      expect(res.status, path).toBe(403);
    }
  });
});

describe("what a stranger tries at the org server", () => {
  it("another client cannot redeem the code; the rightful client still can", async () => {
    const { browser, params } = await orgSignIn(world.alice.login, {
      client_id: world.spaClient,
      redirect_uri: "https://spa.test/",
      scope: "openid",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
    });
    const code = params.get("code") ?? "";
    const stolen = await exchange(browser, code);
    expect(stolen.body.error).toBe("invalid_grant");
    const res = await browser.fetch(
      tokenRequest(ORG_BASE, {
        grant_type: "authorization_code",
        client_id: world.spaClient,
        code,
        redirect_uri: "https://spa.test/",
        code_verifier: VERIFIER,
      }),
    );
    expect(res.status).toBe(200);
  });

  it("a service's org token (okta.* scopes, no user) gets nothing from userinfo", async () => {
    const svc = await seedOrgClient(["okta.users.read"]);
    const token = await orgAccessToken(svc, "okta.users.read");
    const res = await userinfo(new Browser(), token);
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/insufficient_scope/);
  });

  it("an app with consent_method REQUIRED: the org server's OIDC scopes ask no consent (IMPLICIT)", async () => {
    const app = await seedOrgClient([], {
      grant_types: ["authorization_code"],
      redirect_uris: [REDIRECT_URI],
      consent_method: "REQUIRED",
    });
    await assignUser(app.clientId, world.alice.id);
    for (const prompt of [undefined, "consent"]) {
      const { params } = await orgSignIn(world.alice.login, {
        client_id: app.clientId,
        scope: "openid profile",
        code_challenge: CHALLENGE,
        code_challenge_method: "S256",
        prompt,
      });
      expect(params.get("code"), prompt).toBeTruthy();
    }
  });

  it("a consent form for a custom server is refused at the org's consent endpoint", async () => {
    const browser = new Browser();
    const res = await browser.request(`${ORIGIN}/oauth2/v1/consent`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ consent_request: "warden-consent-1.forged", decision: "allow" }).toString(),
    });
    expect(res.status).toBe(403);
  });

  it("malformed and oversized requests: HTML 400, nothing redirected, no session", async () => {
    const browser = new Browser();
    const huge = await browser.request(`${ORIGIN}/oauth2/v1/authorize?state=${"x".repeat(70_000)}`);
    expect(huge.status).toBe(400);
    expect(huge.headers.get("Location")).toBeNull();
    const badForm = await browser.request(`${ORIGIN}/oauth2/v1/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: world.webClient }),
    });
    expect(badForm.status).toBe(400);
    const badSignIn = await browser.request(`${ORIGIN}/oauth2/v1/signin`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "signin_request=a&signin_request=b",
    });
    expect(badSignIn.status).toBe(400);
    expect(browser.cookies.size).toBe(0);
  });
});

describe("/oauth2/v1/logout", () => {
  it("ends the session with an org ID token, and follows only a registered post-logout URI", async () => {
    const { browser, params } = await orgSignIn(world.alice.login);
    const { body } = await exchange(browser, params.get("code") ?? "");
    expect(decodeJwt(body.id_token).payload.iss).toBe(ORIGIN);
    const res = await browser.request(
      `${ORIGIN}/oauth2/v1/logout?${new URLSearchParams({
        id_token_hint: body.id_token,
        post_logout_redirect_uri: POST_LOGOUT_URI,
        state: "bye",
      })}`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`${POST_LOGOUT_URI}?state=bye`);
    // The session is gone: prompt=none now needs a sign-in.
    const again = redirectParams(await browser.authorize(org, { scope: "openid", prompt: "none" }));
    expect(again.get("error")).toBe("login_required");
  });

  it("refuses a custom server's ID token as the hint (HTML 400), and keeps the session", async () => {
    const browser = new Browser();
    const page = await browser.authorize(world, { scope: "openid read" });
    const code = redirectParams(await browser.signIn(await page.text(), world.alice.login, PASSWORD)).get(
      "code",
    );
    const { body } = await exchange(browser, code ?? "", world.issuer);
    const res = await browser.request(
      `${ORIGIN}/oauth2/v1/logout?${new URLSearchParams({ id_token_hint: body.id_token })}`,
    );
    expect(res.status).toBe(400);
    const still = redirectParams(await browser.authorize(org, { scope: "openid", prompt: "none" }));
    expect(still.get("code")).toBeTruthy();
  });
});
