/**
 * In Chromium against `npm start`'s Warden, the demo user through flows the sample apps do not show:
 *
 * - consent: an app with consent_method REQUIRED asks for a scope with consent REQUIRED — the
 *   consent page shows after the sign-in; "Don't allow" lands at the app with access_denied; "Allow
 *   access" lands with a code whose tokens carry the scope, and the grant is listed by the Users API;
 * - the org authorization server (`/oauth2/v1/authorize`, issuer the origin), as the admin console
 *   will sign admins in: the hosted page, a code, tokens from `/oauth2/v1/token`;
 * - `response_mode=okta_post_message` with prompt=none in a hidden iframe, as okta-auth-js's
 *   `token.renew` does it: the app's page receives `{code, state}` from Warden's origin.
 *
 * The app is a tiny HTTP server of the test's own on a loopback port (a redirect's target is never
 * answered by a Playwright route): the browser's address shows where it landed. Configuration goes through the management API, under fresh ids.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { guardedContext, launchChromium, type WatchedPage, watchPage } from "./chromium";
import { readSignInDemo, signInOnHostedPage } from "./samples";

const warden = inject("warden");
const demo = readSignInDemo(warden.stateDir);
const base = warden.baseUrl;

/** The app: `/renew` is okta-auth-js's hidden-iframe page (set per test), anything else a plain page. */
let APP: string;
let CALLBACK: string;
let renewPage = "";
const app = createServer((req, res) => {
  const body = req.url?.startsWith("/renew") ? renewPage : "<!doctype html><title>app</title><p>app</p>";
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(body);
});
const suffix = randomBytes(4).toString("hex");
const serverId = `consent-${suffix}`;
const clientId = `consent-app-${suffix}`;
const issuer = `${base}/oauth2/${serverId}`;

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `SSWS ${warden.adminToken}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * The app's port: any free one but the sample apps' (npm start reserved them in local.json; the
 * kernel may hand a released port out again, and the samples' test starts them in parallel).
 */
async function listenAvoiding(reserved: readonly number[]): Promise<number> {
  for (;;) {
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const { port } = app.address() as AddressInfo;
    if (!reserved.includes(port)) return port;
    await new Promise((resolve) => app.close(resolve));
  }
}

let browser: Browser;
beforeAll(async () => {
  APP = `http://127.0.0.1:${await listenAvoiding([demo.spa.port, demo.web.port])}`;
  CALLBACK = `${APP}/callback`;
  browser = await launchChromium();
  await admin("POST", "/warden/import", {
    clients: [
      {
        client_id: clientId,
        client_name: "Photo Printer",
        application_type: "browser",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        redirect_uris: [CALLBACK],
        consent_method: "REQUIRED",
      },
    ],
    authorizationServers: [
      {
        server: { id: serverId, name: serverId, audiences: ["api://photos"] },
        scopes: [
          { id: `openid-${suffix}`, name: "openid" },
          {
            id: `photos-${suffix}`,
            name: "photos",
            displayName: "See your photos",
            description: "The albums you keep here.",
            consent: "REQUIRED",
          },
        ],
        policies: [
          {
            id: `pol-${suffix}`,
            name: "photo apps",
            priority: 1,
            conditions: { clients: { include: [clientId] } },
            rules: [
              {
                id: `rul-${suffix}`,
                name: "demo user",
                priority: 1,
                conditions: {
                  people: { users: { include: [demo.demoUser.id] }, groups: { include: [] } },
                  grantTypes: { include: ["authorization_code"] },
                  scopes: { include: ["openid", "photos"] },
                },
              },
            ],
          },
        ],
      },
    ],
  });
  await admin("POST", `/apps/${clientId}/users`, { id: demo.demoUser.id, scope: "USER" });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => app.close(resolve));
});

function expectClean(watched: WatchedPage, blocked: string[]): void {
  expect(watched.cspViolations).toEqual([]);
  expect(watched.consoleErrors).toEqual([]);
  expect(watched.pageErrors).toEqual([]);
  expect(blocked).toEqual([]);
}

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeUrl(at: string, challenge: string, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    scope: "openid photos",
    redirect_uri: CALLBACK,
    state: `st-${suffix}`,
    nonce: `n-${suffix}`,
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...extra,
  });
  return `${at}/v1/authorize?${query}`;
}

/** Playwright's own errors (naming what it waited for) before the test's timeout. */
function quickFailures(page: Page): void {
  page.setDefaultTimeout(10_000);
}

/** Where the browser landed at the app: the callback's query. */
function landed(page: Page): URLSearchParams {
  const url = new URL(page.url());
  expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
  return url.searchParams;
}

async function exchange(tokenIssuer: string, code: string, verifier: string) {
  const res = await fetch(`${tokenIssuer}/v1/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: clientId,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the token response, field by field.
  return { status: res.status, body: (await res.json()) as any };
}

function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"));
}

describe("consent in Chromium, against npm start", () => {
  // "Don't allow" first: an "Allow" would store the grant, and the page would not be asked again.
  it("Don't allow → access_denied at the app, nothing stored", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      quickFailures(page);
      await page.goto(authorizeUrl(issuer, pkce().challenge));
      await signInOnHostedPage(page, demo.demoUser.login, demo.demoUser.password);
      await page.getByRole("button", { name: "Allow access" }).waitFor();
      expect(await page.title()).toBe("Photo Printer would like to access your account");
      expect(await page.getByText("See your photos").isVisible()).toBe(true);
      await page.getByRole("button", { name: "Don't allow" }).click();
      await page.waitForURL((url) => url.href.startsWith(CALLBACK));
      const params = landed(page);
      expect(params.get("error")).toBe("access_denied");
      expect(params.get("state")).toBe(`st-${suffix}`);
      expect(params.get("code")).toBeNull();
      const grants = (await admin(
        "GET",
        `/users/${demo.demoUser.id}/clients/${clientId}/grants`,
      )) as unknown[];
      expect(grants).toEqual([]);
      expectClean(watched, blocked);
    } finally {
      await context.close();
    }
  });

  it("Allow access → a code whose tokens carry the scope; the grant is listed", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      quickFailures(page);
      const { verifier, challenge } = pkce();
      await page.goto(authorizeUrl(issuer, challenge));
      await signInOnHostedPage(page, demo.demoUser.login, demo.demoUser.password);
      await page.getByRole("button", { name: "Allow access" }).click();
      await page.waitForURL((url) => url.href.startsWith(CALLBACK));
      const params = landed(page);
      expect(params.get("iss")).toBe(issuer);
      const { status, body } = await exchange(issuer, params.get("code") ?? "", verifier);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.scope).toBe("openid photos");
      expect(jwtPayload(body.access_token).scp).toEqual(["openid", "photos"]);
      const grants = (await admin("GET", `/users/${demo.demoUser.id}/clients/${clientId}/grants`)) as {
        scopeId: string;
        status: string;
      }[];
      expect(grants.map((g) => [g.scopeId, g.status])).toEqual([[`photos-${suffix}`, "ACTIVE"]]);
      expectClean(watched, blocked);
    } finally {
      await context.close();
    }
  });
});

describe("the org authorization server in Chromium", () => {
  it("signs the demo user in at /oauth2/v1/authorize: code, org tokens", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      quickFailures(page);
      const { verifier, challenge } = pkce();
      await page.goto(authorizeUrl(`${base}/oauth2`, challenge, { scope: "openid profile email" }));
      expect(new URL(page.url()).pathname).toBe("/oauth2/v1/authorize");
      expect(await page.title()).toBe("Sign in to Photo Printer");
      await signInOnHostedPage(page, demo.demoUser.login, demo.demoUser.password);
      // OIDC scopes on the org server ask no consent (Okta's are IMPLICIT).
      await page.waitForURL((url) => url.href.startsWith(CALLBACK));
      const params = landed(page);
      expect(params.get("iss")).toBe(base);
      const { status, body } = await exchange(`${base}/oauth2`, params.get("code") ?? "", verifier);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(jwtPayload(body.access_token)).toMatchObject({ iss: base, aud: base, uid: demo.demoUser.id });
      expect(jwtPayload(body.id_token)).toMatchObject({
        iss: base,
        aud: clientId,
        sub: demo.demoUser.id,
        nonce: `n-${suffix}`,
      });
      const userinfo = await fetch(`${base}/oauth2/v1/userinfo`, {
        headers: { Authorization: `Bearer ${body.access_token}` },
      });
      expect(await userinfo.json()).toMatchObject({ sub: demo.demoUser.id, given_name: "Demo" });
      expectClean(watched, blocked);
    } finally {
      await context.close();
    }
  });
});

describe("okta_post_message in a hidden iframe (okta-auth-js token.renew)", () => {
  it("prompt=none with the session: the app's page receives {code, state} from Warden's origin", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      const { verifier, challenge } = pkce();
      const renew = authorizeUrl(`${base}/oauth2`, challenge, {
        scope: "openid",
        prompt: "none",
        response_mode: "okta_post_message",
      });
      // The app's page, as okta-auth-js builds it: a hidden iframe and a message listener.
      quickFailures(page);
      renewPage = `<!doctype html><title>app</title><script>
window.addEventListener("message", (e) => { window.__message = { origin: e.origin, data: e.data }; });
function renew() { const f = document.createElement("iframe"); f.style.display = "none"; f.src = ${JSON.stringify(renew)}; document.body.appendChild(f); }
</script><body></body>`;
      // A session first: sign in once at the org server, landing at the app.
      await page.goto(authorizeUrl(`${base}/oauth2`, pkce().challenge, { scope: "openid" }));
      await signInOnHostedPage(page, demo.demoUser.login, demo.demoUser.password);
      await page.waitForURL((url) => url.href.startsWith(CALLBACK));

      await page.goto(`${APP}/renew`);
      await page.evaluate("renew()");
      await expect.poll(() => page.evaluate("window.__message"), { timeout: 15_000 }).toBeTruthy();
      const message = (await page.evaluate("window.__message")) as {
        origin: string;
        data: Record<string, string>;
      };
      expect(message.origin).toBe(new URL(base).origin);
      expect(message.data.state).toBe(`st-${suffix}`);
      expect(message.data.error).toBeUndefined();
      const { status } = await exchange(`${base}/oauth2`, message.data.code ?? "", verifier);
      expect(status).toBe(200);
      expectClean(watched, blocked);
    } finally {
      await context.close();
    }
  });
});

describe("npm start's banner", () => {
  it("prints an org-server sign-in link that opens the hosted page for the demo web app", async () => {
    const link = /^\s*(http:\/\/\S+\/oauth2\/v1\/authorize\?\S+)$/m.exec(warden.output)?.[1];
    expect(link, warden.output).toBeTruthy();
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      quickFailures(watched.page);
      await watched.page.goto(link ?? "");
      expect(await watched.page.title()).toBe("Sign in to Demo web app");
      expectClean(watched, blocked);
    } finally {
      await context.close();
    }
  });
});
