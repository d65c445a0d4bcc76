/**
 * The authorization code flow end to end against `npm start`, as an Okta customer runs it: set up
 * through Okta's own management SDK (a custom server, a confidential web app, a public SPA with PKCE,
 * a user assigned to both, one rule for authorization_code), then a browser — a plain fetch client
 * that follows redirects, keeps cookies and posts the hosted sign-in form it reads from the HTML —
 * and openid-client v6 as the web app (`buildAuthorizationUrl`, `authorizationCodeGrant`,
 * `fetchUserInfo`). The ID token is checked with jose (signature, nonce, at_hash, aud, sub) and the
 * access token with Okta's own `@okta/jwt-verifier`. Then what must fail: a replayed code
 * (invalid_grant, and the first redemption's access token refused at userinfo, RFC 6749 §4.1.2),
 * a PKCE mismatch, prompt=none without a session; and logout with id_token_hint, and the
 * okta-auth-js path (`/api/v1/authn` → `authorize?sessionToken=…`). Issue 12: with `offline_access`,
 * openid-client's `refreshTokenGrant` (rotation, leeway 0, reuse ending the grant),
 * `tokenIntrospection` and `tokenRevocation`; and okta-auth-js (Node) as the SPA: refresh, introspect
 * and revoke in its Basic-without-colon public form.
 */
import { createHash, randomUUID } from "node:crypto";
import OktaJwtVerifier from "@okta/jwt-verifier";
import { OktaAuth, type RefreshToken, TokenKind } from "@okta/okta-auth-js";
import okta from "@okta/okta-sdk-nodejs";
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const warden = inject("warden");
const suffix = randomUUID().slice(0, 8);
const PASSWORD = "Correct-Horse-Battery-7";
const SCOPE = "inventory:read";
const AUDIENCE = `api://code-${suffix}`;
// Nothing listens here: the browser stops at the first redirect to it, as a real one hands it to the app.
const REDIRECT_URI = `http://127.0.0.1:${warden.port}/app/callback`;
const SPA_REDIRECT_URI = `http://localhost:${warden.port}/spa/`;
const POST_LOGOUT_URI = `http://127.0.0.1:${warden.port}/app/signed-out`;

const sdk = new okta.Client({ orgUrl: warden.baseUrl, token: warden.adminToken });
const cleanup: (() => Promise<unknown>)[] = [];

interface World {
  issuer: string;
  webClient: string;
  webSecret: string;
  spaClient: string;
  userId: string;
  login: string;
}
let world: World;

async function createApp(body: object): Promise<{ id: string; clientId: string; secret: string }> {
  const app = (await sdk.applicationApi.createApplication({ application: body as never })) as unknown as {
    id: string;
    credentials: { oauthClient: { client_id: string; client_secret?: string } };
  };
  cleanup.push(async () => {
    await sdk.applicationApi.deactivateApplication({ appId: app.id });
    await sdk.applicationApi.deleteApplication({ appId: app.id });
  });
  const { client_id, client_secret = "" } = app.credentials.oauthClient;
  return { id: app.id, clientId: client_id, secret: client_secret };
}

beforeAll(async () => {
  const servers = sdk.authorizationServerApi;
  const server = await servers.createAuthorizationServer({
    authorizationServer: { name: `code-${suffix}`, audiences: [AUDIENCE] },
  });
  const authServerId = server.id as string;
  cleanup.push(async () => {
    await servers.deactivateAuthorizationServer({ authServerId });
    await servers.deleteAuthorizationServer({ authServerId });
  });
  await servers.createOAuth2Scope({ authServerId, oAuth2Scope: { name: SCOPE } });

  const web = await createApp({
    name: "oidc_client",
    label: `code-web-${suffix}`,
    signOnMode: "OPENID_CONNECT",
    credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
    settings: {
      oauthClient: {
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        application_type: "web",
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [POST_LOGOUT_URI],
        // Leeway 0: a rotated token presented again is reuse at once (the worker tier tests the leeway).
        refresh_token: { rotation_type: "ROTATE", leeway: 0 },
      },
    },
  });
  const spa = await createApp({
    name: "oidc_client",
    label: `code-spa-${suffix}`,
    signOnMode: "OPENID_CONNECT",
    credentials: { oauthClient: { token_endpoint_auth_method: "none" } },
    settings: {
      oauthClient: {
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        application_type: "browser",
        redirect_uris: [SPA_REDIRECT_URI],
      },
    },
  });

  const login = `carla-${suffix}@example.test`;
  const user = await sdk.userApi.createUser({
    activate: true,
    body: {
      profile: { login, email: login, firstName: "Carla", lastName: "Code" },
      credentials: { password: { value: PASSWORD } },
    },
  });
  const userId = user.id as string;
  cleanup.push(async () => {
    await sdk.userApi.deleteUser({ userId });
    await sdk.userApi.deleteUser({ userId });
  });
  for (const app of [web, spa]) {
    await sdk.applicationApi.assignUserToApplication({ appId: app.id, appUser: { id: userId } as never });
  }

  const policy = await servers.createAuthorizationServerPolicy({
    authServerId,
    policy: {
      type: "OAUTH_AUTHORIZATION_POLICY",
      name: "apps",
      priority: 1,
      conditions: { clients: { include: [web.clientId, spa.clientId] } },
    } as never,
  });
  const policyId = policy.id as string;
  const rule = await servers.createAuthorizationServerPolicyRule({
    authServerId,
    policyId,
    policyRule: {
      name: "everyone by code",
      type: "RESOURCE_ACCESS",
      conditions: {
        people: { groups: { include: ["EVERYONE"] } },
        grantTypes: { include: ["authorization_code", "refresh_token"] },
        scopes: { include: ["openid", "profile", "email", "offline_access", SCOPE] },
      },
      actions: { token: { accessTokenLifetimeMinutes: 15 } },
    } as never,
  });
  cleanup.push(async () => {
    await servers.deleteAuthorizationServerPolicyRule({ authServerId, policyId, ruleId: rule.id as string });
    await servers.deleteAuthorizationServerPolicy({ authServerId, policyId });
  });

  world = {
    issuer: `${warden.baseUrl}/oauth2/${authServerId}`,
    webClient: web.clientId,
    webSecret: web.secret,
    spaClient: spa.clientId,
    userId,
    login,
  };
}, 120_000);

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

/**
 * A browser without JavaScript: follows redirects on Warden's origin, keeps cookies (by name; one
 * origin), and stops at the first redirect that leaves for an app (or at a page).
 */
class Browser {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";").map((s) => s.trim());
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === "" || attrs.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** GETs `url` and follows redirects while they stay on Warden; the last answer and its URL. */
  async navigate(url: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
    let res = await this.request(url, init);
    let at = url;
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 10) throw new Error("too many redirects");
      const next = new URL(res.headers.get("Location") ?? "", at).toString();
      if (!next.startsWith(warden.baseUrl) || next.startsWith(`${warden.baseUrl}/app/`)) {
        return { res, url: next };
      }
      at = next;
      res = await this.request(next);
    }
    return { res, url: at };
  }

  /** Reads the hosted page's form (action and every hidden field) and posts it with the credentials. */
  async signIn(pageUrl: string, html: string, username: string, password: string) {
    const form = readForm(html);
    const body = new URLSearchParams({ ...form.hidden, username, password });
    return this.navigate(new URL(form.action, pageUrl).toString(), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
  }
}

function unescapeHtml(s: string): string {
  return s
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

function readForm(html: string): { action: string; hidden: Record<string, string> } {
  const form = /<form\b[^>]*\bmethod="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  const action = form && /\baction="([^"]*)"/.exec(form[0])?.[1];
  if (!form || action === undefined || action === null) throw new Error(`no form in:\n${html.slice(0, 400)}`);
  const hidden: Record<string, string> = {};
  for (const input of form[1]?.matchAll(/<input\b[^>]*>/g) ?? []) {
    if (!/\btype="hidden"/.test(input[0])) continue;
    const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1] ?? "";
    if (name) hidden[unescapeHtml(name)] = unescapeHtml(value);
  }
  return { action: unescapeHtml(action), hidden };
}

async function webConfig(): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(world.issuer),
    world.webClient,
    undefined,
    oidc.ClientSecretBasic(world.webSecret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
}

async function spaConfig(): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(world.issuer), world.spaClient, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

interface Flow {
  browser: Browser;
  verifier: string;
  nonce: string;
  state: string;
  callback: URL;
}

/** The web app sends the browser to Warden; the user signs in on the hosted page; the app gets a code. */
async function signInThroughPage(
  config: oidc.Configuration,
  redirectUri: string,
  browser = new Browser(),
  scope = `openid profile email ${SCOPE}`,
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    nonce,
    state,
  });
  const page = await browser.navigate(url.toString());
  expect(page.res.status).toBe(200);
  expect(page.res.headers.get("content-type")).toMatch(/text\/html/);
  const back = await browser.signIn(page.url, await page.res.text(), world.login, PASSWORD);
  expect(back.res.status).toBe(302);
  expect(back.url.startsWith(redirectUri)).toBe(true);
  return { browser, verifier, nonce, state, callback: new URL(back.url) } satisfies Flow;
}

async function exchange(config: oidc.Configuration, flow: Flow) {
  return oidc.authorizationCodeGrant(config, flow.callback, {
    pkceCodeVerifier: flow.verifier,
    expectedNonce: flow.nonce,
    expectedState: flow.state,
    idTokenExpected: true,
  });
}

/** A raw token request (no client library guarding it), for the answers a library would not send. */
async function rawCodeExchange(params: Record<string, string>) {
  const res = await fetch(`${world.issuer}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${world.webClient}:${world.webSecret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "authorization_code", redirect_uri: REDIRECT_URI, ...params }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function userinfo(accessToken: string) {
  const res = await fetch(`${world.issuer}/v1/userinfo`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  return { status: res.status, wwwAuthenticate: res.headers.get("www-authenticate"), body: await res.text() };
}

function atHash(accessToken: string): string {
  // OIDC Core §3.1.3.6: the left half of SHA-256 (RS256) of the ASCII access token, base64url.
  return createHash("sha256").update(accessToken).digest().subarray(0, 16).toString("base64url");
}

describe("the code flow with openid-client and the hosted page", () => {
  it("web app: sign-in → code → tokens; the ID token verifies (nonce, at_hash, aud, sub); userinfo", async () => {
    const config = await webConfig();
    const flow = await signInThroughPage(config, REDIRECT_URI);
    expect(flow.callback.searchParams.get("state")).toBe(flow.state);
    expect(flow.callback.searchParams.get("iss")).toBe(world.issuer); // RFC 9207
    const tokens = await exchange(config, flow);
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.scope?.split(" ").sort()).toEqual(["email", "openid", "profile", SCOPE].sort());

    const jwks = createRemoteJWKSet(new URL(`${world.issuer}/v1/keys`));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, {
      issuer: world.issuer,
      audience: world.webClient,
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({
      sub: world.userId,
      aud: world.webClient,
      nonce: flow.nonce,
      at_hash: atHash(tokens.access_token),
      amr: ["pwd"],
      preferred_username: world.login,
      email: world.login,
    });
    expect(String(payload.jti)).toMatch(/^ID\./);
    expect(typeof payload.auth_time).toBe("number");

    const info = (await oidc.fetchUserInfo(config, tokens.access_token, world.userId)) as Record<
      string,
      unknown
    >;
    expect(info).toMatchObject({
      sub: world.userId,
      email: world.login,
      preferred_username: world.login,
      given_name: "Carla",
      family_name: "Code",
      name: "Carla Code",
    });
  });

  it("@okta/jwt-verifier verifies the access token the code bought", async () => {
    const config = await webConfig();
    const tokens = await exchange(config, await signInThroughPage(config, REDIRECT_URI));
    const verifier = new OktaJwtVerifier({ issuer: world.issuer, testing: { disableHttpsCheck: true } });
    const jwt = await verifier.verifyAccessToken(tokens.access_token, AUDIENCE);
    expect(jwt.claims).toMatchObject({
      iss: world.issuer,
      cid: world.webClient,
      uid: world.userId,
      sub: world.login,
    });
    expect([...(jwt.claims.scp as string[])].sort()).toEqual(["email", "openid", "profile", SCOPE].sort());
    await expect(verifier.verifyAccessToken(tokens.access_token, "api://other")).rejects.toThrow(/audience/);
  });

  it("a replayed code is invalid_grant, and the first redemption's access token stops working", async () => {
    const config = await webConfig();
    const flow = await signInThroughPage(config, REDIRECT_URI);
    const code = flow.callback.searchParams.get("code") as string;
    const first = await rawCodeExchange({ code, code_verifier: flow.verifier });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const accessToken = first.body.access_token as string;
    expect((await userinfo(accessToken)).status).toBe(200);

    const replay = await rawCodeExchange({ code, code_verifier: flow.verifier });
    expect(replay).toEqual({
      status: 400,
      body: {
        error: "invalid_grant",
        error_description: "The authorization code is invalid or has expired.",
      },
    });
    const after = await userinfo(accessToken);
    expect(after.status).toBe(401);
    expect(after.wwwAuthenticate).toMatch(/^Bearer .*error="invalid_token"/);
    // And openid-client reports the replay as the OAuth error it is.
    await expect(exchange(config, flow)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("PKCE: a wrong verifier is refused with Okta's words, the right one still redeems the code", async () => {
    const config = await webConfig();
    const flow = await signInThroughPage(config, REDIRECT_URI);
    const code = flow.callback.searchParams.get("code") as string;
    const wrong = await rawCodeExchange({ code, code_verifier: oidc.randomPKCECodeVerifier() });
    expect(wrong).toEqual({
      status: 400,
      body: { error: "invalid_grant", error_description: "PKCE verification failed." },
    });
    const none = await rawCodeExchange({ code });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe("invalid_grant");
    // A refusal leaves the code for its rightful client (README: the fifth refusal ends it).
    expect((await exchange(config, flow)).access_token).toBeTruthy();
  });

  it("a stranger's attempts: another redirect_uri, another client, a forged code; the code survives them", async () => {
    const config = await webConfig();
    const flow = await signInThroughPage(config, REDIRECT_URI);
    const code = flow.callback.searchParams.get("code") as string;
    const otherUri = await rawCodeExchange({
      code,
      code_verifier: flow.verifier,
      redirect_uri: `${REDIRECT_URI}?x=1`,
    });
    expect(otherUri).toEqual({
      status: 400,
      body: {
        error: "invalid_grant",
        error_description:
          "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
      },
    });
    // The public SPA presents the web app's code (it knows the verifier: it stole the whole callback).
    const spa = await fetch(`${world.issuer}/v1/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: world.spaClient,
        code,
        code_verifier: flow.verifier,
        redirect_uri: REDIRECT_URI,
      }),
    });
    expect(spa.status).toBe(400);
    expect(((await spa.json()) as { error: string }).error).toBe("invalid_grant");
    // A code with the right shape and a guessed secret, and a code of 100 kB of junk.
    const [grantPart] = code.split(".");
    for (const forged of [`${grantPart}.${"A".repeat(43)}`, "x".repeat(100_000)]) {
      const res = await rawCodeExchange({ code: forged, code_verifier: flow.verifier });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    // None of it burned the code for its rightful client.
    expect((await exchange(config, flow)).access_token).toBeTruthy();
  });

  it("public SPA client: PKCE without a secret gets tokens; the wrong verifier does not", async () => {
    const config = await spaConfig();
    const flow = await signInThroughPage(config, SPA_REDIRECT_URI);
    await expect(
      oidc.authorizationCodeGrant(config, flow.callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      }),
    ).rejects.toMatchObject({ error: "invalid_grant", error_description: "PKCE verification failed." });
    const tokens = await exchange(config, flow);
    const { payload } = await jwtVerify(
      tokens.id_token as string,
      createRemoteJWKSet(new URL(`${world.issuer}/v1/keys`)),
      { issuer: world.issuer, audience: world.spaClient },
    );
    expect(payload.sub).toBe(world.userId);
  });
});

describe("sessions: prompt=none, logout", () => {
  it("prompt=none with the session's cookie answers with a code and no page; without one, login_required", async () => {
    const config = await webConfig();
    const flow = await signInThroughPage(config, REDIRECT_URI);
    const silent = (browser: Browser) =>
      browser.navigate(
        oidc
          .buildAuthorizationUrl(config, {
            redirect_uri: REDIRECT_URI,
            scope: "openid",
            state: "silent-1",
            nonce: "n-silent",
            prompt: "none",
          })
          .toString(),
      );
    const withSession = await silent(flow.browser);
    expect(withSession.res.status).toBe(302);
    const back = new URL(withSession.url);
    expect(back.searchParams.get("state")).toBe("silent-1");
    const code = back.searchParams.get("code");
    expect(code).toBeTruthy();
    const tokens = await rawCodeExchange({ code: code as string });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);

    const without = await silent(new Browser());
    expect(without.res.status).toBe(302);
    const denied = new URL(without.url);
    expect(denied.searchParams.get("error")).toBe("login_required");
    expect(denied.searchParams.get("state")).toBe("silent-1");
    expect(denied.searchParams.get("code")).toBeNull();
  });

  it("logout with id_token_hint and a registered post_logout_redirect_uri ends the session", async () => {
    const config = await webConfig();
    const flow = await signInThroughPage(config, REDIRECT_URI);
    const tokens = await exchange(config, flow);
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "bye-1",
    });
    const out = await flow.browser.navigate(url.toString());
    expect(out.res.status).toBe(302);
    const back = new URL(out.url);
    expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT_URI);
    expect(back.searchParams.get("state")).toBe("bye-1");
    // The session is gone: the same browser can no longer sign in silently.
    const silent = await flow.browser.navigate(
      oidc
        .buildAuthorizationUrl(config, {
          redirect_uri: REDIRECT_URI,
          scope: "openid",
          state: "s2",
          prompt: "none",
        })
        .toString(),
    );
    expect(new URL(silent.url).searchParams.get("error")).toBe("login_required");
  });

  it("logout to an unregistered post_logout_redirect_uri never redirects there", async () => {
    const config = await webConfig();
    const flow = await signInThroughPage(config, REDIRECT_URI);
    const tokens = await exchange(config, flow);
    const out = await flow.browser.navigate(
      oidc
        .buildEndSessionUrl(config, {
          id_token_hint: tokens.id_token as string,
          post_logout_redirect_uri: "https://evil.test/",
          state: "x",
        })
        .toString(),
    );
    expect(out.url.startsWith("https://evil.test")).toBe(false);
    expect(out.res.headers.get("location") ?? "").not.toContain("evil.test");
  });
});

describe("okta-auth-js style: /api/v1/authn → authorize?sessionToken=…", () => {
  async function authn(username: string, password: string) {
    const res = await fetch(`${warden.baseUrl}/api/v1/authn`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("a sessionToken buys one code, without a page, and only once", async () => {
    const ok = await authn(world.login, PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe("SUCCESS");
    const sessionToken = ok.body.sessionToken as string;
    expect(sessionToken).toBeTruthy();

    const config = await spaConfig();
    const verifier = oidc.randomPKCECodeVerifier();
    const params = {
      redirect_uri: SPA_REDIRECT_URI,
      scope: "openid profile",
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "authn-1",
      nonce: "n-authn",
      sessionToken,
    };
    const browser = new Browser();
    const first = await browser.navigate(oidc.buildAuthorizationUrl(config, params).toString());
    expect(first.res.status).toBe(302);
    const callback = new URL(first.url);
    expect(callback.searchParams.get("code")).toBeTruthy();
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: "authn-1",
      expectedNonce: "n-authn",
    });
    expect(tokens.claims()?.sub).toBe(world.userId);

    // Spent: a second browser with the same sessionToken must sign in on the page instead.
    const again = await new Browser().navigate(
      oidc.buildAuthorizationUrl(config, { ...params, state: "authn-2" }).toString(),
    );
    expect(new URL(again.url).searchParams.get("code")).toBeNull();
  });

  it("a wrong password is Okta's 401 E0000004 and names no user", async () => {
    const bad = await authn(world.login, "not-the-password");
    expect(bad.status).toBe(401);
    expect(bad.body.errorCode).toBe("E0000004");
    expect(JSON.stringify(bad.body)).not.toContain(world.userId);
  });
});

describe("refresh, introspection and revocation with openid-client (issue 12)", () => {
  async function offlineTokens(config: oidc.Configuration) {
    const flow = await signInThroughPage(
      config,
      REDIRECT_URI,
      new Browser(),
      `openid offline_access ${SCOPE}`,
    );
    const tokens = await exchange(config, flow);
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    return tokens;
  }

  it("refreshTokenGrant rotates; introspection reads every token; reuse ends the grant", async () => {
    const config = await webConfig();
    const tokens = await offlineTokens(config);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(world.userId);
    const narrowed = await oidc.refreshTokenGrant(config, refreshed.refresh_token as string, {
      scope: SCOPE,
    });
    expect(narrowed.scope).toBe(SCOPE);

    const at = await oidc.tokenIntrospection(config, narrowed.access_token);
    expect(at).toMatchObject({ active: true, client_id: world.webClient, uid: world.userId, scope: SCOPE });
    const rt = await oidc.tokenIntrospection(config, narrowed.refresh_token as string, {
      token_type_hint: "refresh_token",
    });
    expect(rt).toMatchObject({ active: true, token_type: "refresh_token", username: world.login });

    // The rotated-out token again (leeway 0): reuse. The whole grant ends, access tokens included.
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token as string)).rejects.toMatchObject({
      error: "invalid_grant",
      error_description: "The refresh token is invalid or expired.",
    });
    expect((await oidc.tokenIntrospection(config, narrowed.access_token)).active).toBe(false);
    expect((await oidc.tokenIntrospection(config, narrowed.refresh_token as string)).active).toBe(false);
    expect((await userinfo(refreshed.access_token)).status).toBe(401);
  });

  it("tokenRevocation of the refresh token ends the grant; of an access token, that token only", async () => {
    const config = await webConfig();
    const tokens = await offlineTokens(config);
    await oidc.tokenRevocation(config, tokens.access_token, { token_type_hint: "access_token" });
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(true);

    await oidc.tokenRevocation(config, refreshed.refresh_token as string);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token as string)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    // RFC 7009 §2.2: an unknown token is revoked without complaint.
    await oidc.tokenRevocation(config, "not-a-token");
  });
});

describe("okta-auth-js (Node) as the public SPA: refresh, introspect, revoke (issue 12)", () => {
  it("renewTokensWithRefresh rotates; introspect and revokeRefreshToken send Basic base64(client_id)", async () => {
    const config = await spaConfig();
    const flow = await signInThroughPage(
      config,
      SPA_REDIRECT_URI,
      new Browser(),
      `openid offline_access ${SCOPE}`,
    );
    const tokens = await exchange(config, flow);
    const auth = new OktaAuth({
      issuer: world.issuer,
      clientId: world.spaClient,
      redirectUri: SPA_REDIRECT_URI,
    });
    const scopes = ["openid", "offline_access", SCOPE];
    const held: RefreshToken = {
      refreshToken: tokens.refresh_token as string,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      scopes,
      tokenUrl: `${world.issuer}/v1/token`,
      authorizeUrl: `${world.issuer}/v1/authorize`,
      issuer: world.issuer,
    };
    const renewed = await auth.token.renewTokensWithRefresh({ scopes }, held);
    const next = renewed.refreshToken as RefreshToken;
    expect(next.refreshToken).not.toBe(held.refreshToken);
    expect(renewed.idToken?.claims.sub).toBe(world.userId);

    expect(await auth.token.introspect(TokenKind.REFRESH, next)).toMatchObject({
      active: true,
      client_id: world.spaClient,
    });
    await auth.revokeRefreshToken(next);
    expect(await auth.token.introspect(TokenKind.REFRESH, next)).toMatchObject({ active: false });
    // okta-auth-js recognises Okta's exact words and drops its refresh token.
    await expect(auth.token.renewTokensWithRefresh({ scopes }, next)).rejects.toMatchObject({
      errorCode: "invalid_grant",
      errorSummary: "The refresh token is invalid or expired.",
    });
  });
});
