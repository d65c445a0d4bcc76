/**
 * The sample apps of `examples/` against `npm start`'s Warden, in Chromium, signing the demo user
 * `npm start` seeded in through the hosted sign-in page:
 *
 * - the SPA (okta-auth-js, unchanged): PKCE, the code exchanged and the ID token verified in the
 *   browser, tokens stored, userinfo called cross-origin — which works because `npm start` trusts
 *   the SPA's origin, and fails with the browser's CORS refusal from an origin nobody trusted;
 * - the web app (openid-client): PKCE and a client secret, server side;
 * - both sign out through /v1/logout, which ends Warden's session.
 *
 * Every page the flows show must produce no CSP violation, console error or uncaught exception, and
 * the browser reaches nothing but loopback (the guard of ./chromium.ts).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../e2e/warden";
import { guardedContext, launchChromium, type WatchedPage, watchPage } from "./chromium";
import { type RunningSample, readSignInDemo, signInOnHostedPage, startSample } from "./samples";

const warden = inject("warden");
const demo = readSignInDemo(warden.stateDir);

let browser: Browser;
let spa: RunningSample;
let web: RunningSample;
beforeAll(async () => {
  [browser, spa, web] = await Promise.all([
    launchChromium(),
    startSample("spa", warden.stateDir),
    startSample("web", warden.stateDir),
  ]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), spa?.stop(), web?.stop()]);
});

function expectClean(watched: WatchedPage): void {
  expect(watched.cspViolations).toEqual([]);
  expect(watched.consoleErrors).toEqual([]);
  expect(watched.pageErrors).toEqual([]);
}

/** okta-auth-js's token storage (its default key), as the SPA left it in localStorage. */
interface OktaTokenStorage {
  idToken?: { idToken: string; claims: Record<string, unknown> };
  accessToken?: { accessToken: string; scopes: string[]; userinfoUrl: string };
}

async function tokenStorage(watched: WatchedPage): Promise<OktaTokenStorage> {
  const raw = (await watched.page.evaluate(`localStorage.getItem("okta-token-storage")`)) as string | null;
  return raw ? (JSON.parse(raw) as OktaTokenStorage) : {};
}

function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"));
}

/** A bearer call to userinfo made by the page itself: what its origin may read, CORS decides. */
function userinfoFromPage(watched: WatchedPage, accessToken: string) {
  return watched.page.evaluate(
    `fetch(${JSON.stringify(`${demo.issuer}/v1/userinfo`)}, { headers: { Authorization: "Bearer " + ${JSON.stringify(accessToken)} } })
      .then(async (r) => ({ status: r.status, body: await r.json() }), (e) => ({ error: e.name + ": " + e.message }))`,
  ) as Promise<{ status?: number; body?: Record<string, unknown>; error?: string }>;
}

/** Set by the trusted SPA test, for the untrusted one to try the same call from another origin. */
let spaAccessToken: string | undefined;

describe("the SPA sample (okta-auth-js) signs in through the hosted page", () => {
  it("with PKCE: tokens stored, ID token claims shown, userinfo called cross-origin, signed out", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      await page.goto(`${spa.origin}/`);
      await page.getByRole("button", { name: "Sign in" }).click();

      // okta-auth-js's authorization request: PKCE S256, state, nonce, the registered redirect.
      await page.waitForURL((url) => url.href.startsWith(`${demo.issuer}/v1/authorize`));
      const authorize = new URL(page.url());
      expect(authorize.searchParams.get("client_id")).toBe(demo.spa.clientId);
      expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
      expect(authorize.searchParams.get("redirect_uri")).toBe(demo.spa.redirectUri);
      expect(await page.title()).toBe("Sign in to Demo SPA");

      await signInOnHostedPage(page, demo.demoUser.login, demo.demoUser.password);
      await expect.poll(() => page.locator("#userinfo").textContent(), { timeout: 15_000 }).not.toBe("");
      expect(page.url()).toBe(`${spa.origin}/`); // the code left the address bar

      const stored = await tokenStorage(watched);
      expect(stored.idToken?.claims).toMatchObject({
        sub: demo.demoUser.id,
        aud: demo.spa.clientId,
        iss: demo.issuer,
        preferred_username: demo.demoUser.login,
        email: demo.demoUser.login,
        name: "Demo User",
      });
      // okta-auth-js keeps the access token itself (no claims: they are the API's business).
      spaAccessToken = stored.accessToken?.accessToken as string;
      expect(stored.accessToken?.scopes).toEqual(["openid", "profile", "email"]);
      expect(jwtPayload(spaAccessToken)).toMatchObject({
        cid: demo.spa.clientId,
        uid: demo.demoUser.id,
        scp: expect.arrayContaining(["openid", "profile", "email"]),
      });

      const userinfo = JSON.parse((await page.locator("#userinfo").textContent()) ?? "{}");
      expect(userinfo).toMatchObject({
        sub: demo.demoUser.id,
        email: demo.demoUser.login,
        given_name: "Demo",
      });
      expect(await page.locator("#name").textContent()).toBe("Demo User");
      // The same call, made by the page: the trusted origin may read the answer.
      expect(await userinfoFromPage(watched, spaAccessToken as string)).toMatchObject({
        status: 200,
        body: { sub: demo.demoUser.id },
      });

      // Sign out: /v1/logout with id_token_hint, back to the SPA, Warden's session gone.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.locator("#signed-out").waitFor({ state: "visible" });
      expect(page.url()).toBe(`${spa.origin}/`);
      expect((await tokenStorage(watched)).idToken).toBeUndefined();
      const session = await context.request.get(`${demo.baseUrl}/api/v1/sessions/me`);
      expect(session.status()).toBe(404);

      expectClean(watched);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("from an origin Warden does not trust: the browser refuses the token and userinfo answers", async () => {
    expect(spaAccessToken, "the trusted SPA test runs first and leaves a token").toBeDefined();
    // A second server and browser app of their own, created now (nothing cached about them), whose
    // redirect is on a port no trusted origin names; the demo user may sign in to it.
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const clientId = `0oauntrusted${port}`.slice(0, 20);
    const admin = { Authorization: `SSWS ${demo.adminToken}`, "Content-Type": "application/json" };
    const imported = await fetch(`${demo.baseUrl}/api/v1/warden/import`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({
        clients: [
          {
            client_id: clientId,
            client_name: "Untrusted SPA",
            application_type: "browser",
            token_endpoint_auth_method: "none",
            grant_types: ["authorization_code"],
            redirect_uris: [`${origin}/login/callback`],
          },
        ],
        authorizationServers: [
          {
            server: { id: `untrusted${port}`, name: `untrusted${port}`, audiences: ["api://untrusted"] },
            scopes: [
              { id: "scp-openid", name: "openid", metadataPublish: "ALL_CLIENTS" },
              { id: "scp-profile", name: "profile", metadataPublish: "ALL_CLIENTS" },
              { id: "scp-email", name: "email", metadataPublish: "ALL_CLIENTS" },
            ],
            policies: [
              {
                id: "pol-untrusted",
                name: "Untrusted SPA",
                priority: 1,
                conditions: { clients: { include: [clientId] } },
                rules: [
                  {
                    id: "rul-untrusted",
                    name: "Demo user",
                    priority: 1,
                    conditions: {
                      people: { users: { include: [demo.demoUser.id] }, groups: { include: [] } },
                      grantTypes: { include: ["authorization_code"] },
                      scopes: { include: ["openid", "profile", "email"] },
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    const assigned = await fetch(`${demo.baseUrl}/api/v1/apps/${clientId}/users`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ id: demo.demoUser.id, scope: "USER" }),
    });
    expect(assigned.status).toBe(200);

    const issuer = `${demo.baseUrl}/oauth2/untrusted${port}`;
    const untrusted = await startSample("spa", warden.stateDir, {
      WARDEN_ISSUER: issuer,
      CLIENT_ID: clientId,
      PORT: String(port),
    });
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      await page.goto(`${origin}/`);
      // Discovery and the redirect to sign in need no CORS grant: both work from anywhere.
      await page.getByRole("button", { name: "Sign in" }).click();
      await signInOnHostedPage(page, demo.demoUser.login, demo.demoUser.password);

      // Back with a code, okta-auth-js cannot redeem it: the preflight is refused, so the
      // browser never sends the token request.
      await expect
        .poll(() => page.locator("#error").textContent(), { timeout: 15_000 })
        .toContain("Sign-in failed");
      await page.locator("#signed-out").waitFor({ state: "visible" });
      expect(await tokenStorage(watched)).toEqual({});
      expect(watched.consoleErrors.join("\n")).toMatch(
        new RegExp(
          `${issuer.replace(/[./]/g, "\\$&")}/v1/token' from origin '${origin}' has been blocked by CORS policy`,
        ),
      );

      // A valid token does not help: the page cannot read userinfo's answer either.
      const attempt = await userinfoFromPage(watched, spaAccessToken as string);
      expect(attempt).toEqual({ error: "TypeError: Failed to fetch" });
      expect(watched.consoleErrors.join("\n")).toMatch(
        /v1\/userinfo' from origin .* has been blocked by CORS policy/,
      );

      expect(watched.cspViolations).toEqual([]);
      expect(watched.pageErrors).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
      await untrusted.stop();
    }
  });
});

/** The web sample's callback URL with the code, from its sign-in test: for the replay attack. */
let webCallback: string | undefined;

describe("the web app sample (openid-client) signs in through the hosted page", () => {
  it("with PKCE and its secret: claims and userinfo shown server side, signed out", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      await page.goto(`${web.origin}/`);
      await page.getByRole("link", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.href.startsWith(`${demo.issuer}/v1/authorize`));
      const authorize = new URL(page.url());
      expect(authorize.searchParams.get("client_id")).toBe(demo.web.clientId);
      expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
      expect(await page.title()).toBe("Sign in to Demo web app");

      const callbacks: string[] = [];
      page.on("request", (request) => {
        if (request.url().startsWith(demo.web.redirectUri)) callbacks.push(request.url());
      });
      await signInOnHostedPage(page, demo.demoUser.login, demo.demoUser.password);
      await page.locator("#claims").waitFor({ state: "visible" });
      expect(page.url()).toBe(`${web.origin}/`);
      expect(callbacks).toHaveLength(1);
      webCallback = callbacks[0];
      const claims = JSON.parse((await page.locator("#claims").textContent()) ?? "{}");
      expect(claims).toMatchObject({
        sub: demo.demoUser.id,
        aud: demo.web.clientId,
        iss: demo.issuer,
        email: demo.demoUser.login,
      });
      expect(claims.nonce).toEqual(expect.any(String));
      expect(claims.amr).toEqual(["pwd"]);
      const userinfo = JSON.parse((await page.locator("#userinfo").textContent()) ?? "{}");
      expect(userinfo).toMatchObject({ sub: demo.demoUser.id, family_name: "User" });
      // Tokens stay on the server: the browser holds the sample's session cookie and Warden's sid.
      const cookies = (await context.cookies()).map((c) => c.name).sort();
      expect(cookies).toEqual(expect.arrayContaining(["sample_web_session"]));
      expect(await page.content()).not.toContain("eyJ");

      await page.getByRole("link", { name: "Sign out" }).click();
      await page.locator("#sign-in").waitFor({ state: "visible" });
      expect(page.url()).toBe(`${web.origin}/`);
      expect((await context.request.get(`${demo.baseUrl}/api/v1/sessions/me`)).status()).toBe(404);

      expectClean(watched);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("attacks on the samples", () => {
  it("the web sample refuses a replayed callback, a forged one and one whose state is not its own", async () => {
    expect(webCallback, "the web sign-in test runs first").toBeDefined();
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      // The real callback again, in another browser: no sign-in is pending there, nothing redeemed.
      let res = await page.goto(webCallback as string);
      expect(res?.status()).toBe(400);
      expect(await page.getByRole("alert").textContent()).toContain("No sign-in is in progress");

      // A sign-in started here, answered with a code and state an attacker made up: openid-client
      // checks the state before it sends anything to the token endpoint.
      await page.goto(`${web.origin}/login`);
      await page.waitForURL((url) => url.href.startsWith(`${demo.issuer}/v1/authorize`));
      res = await page.goto(
        `${demo.web.redirectUri}?code=forged.code&state=attacker&iss=${encodeURIComponent(demo.issuer)}`,
      );
      expect(res?.status()).toBe(400);
      expect(await page.locator("#error").textContent()).toMatch(
        /^Sign-in failed: .*unexpected "state" response parameter value$/,
      );
      expect(await page.content()).not.toContain("#claims");
      // The pending sign-in was spent by the attempt: the real answer cannot follow it.
      res = await page.goto(`${web.origin}/`);
      expect(await page.getByRole("link", { name: "Sign in" }).count()).toBe(1);
      expect(watched.cspViolations).toEqual([]);
      expect(watched.pageErrors).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("the SPA's server hands out its own four files only, whatever the path", async () => {
    const index = await (await fetch(`${spa.origin}/`)).text();
    for (const path of [
      "/../package.json",
      "/%2e%2e/%2e%2e/.warden/local.json",
      "/examples/spa/server.mjs",
      "/login/callback",
    ]) {
      const res = await fetch(`${spa.origin}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(index);
    }
    const config = (await (await fetch(`${spa.origin}/config.json`)).json()) as Record<string, unknown>;
    // Public settings only: a browser app has no secret, and nothing else from local.json leaks.
    expect(Object.keys(config).sort()).toEqual([
      "clientId",
      "issuer",
      "postLogoutRedirectUri",
      "redirectUri",
      "scopes",
    ]);
    expect((await fetch(`${spa.origin}/`, { method: "POST" })).status).toBe(405);
  });
});
