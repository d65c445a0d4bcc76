/**
 * The whole authorization code flow through the hosted page, as a browser and a web app do it
 * (GET /v1/authorize → POST the sign-in form → 302 with a code → the token endpoint), and logout:
 * the ID token carries what the sign-in bound (auth_time, amr, nonce); `/v1/logout` with that ID
 * token (expired too) ends the session, follows only a registered post-logout URI, and refuses a
 * forged or foreign hint.
 */
import { generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createDeps } from "../../src/context";
import { basic, decodeJwt, tokenRequest } from "./helpers";
import { PASSWORD } from "./people-fixtures";
import {
  Browser,
  POST_LOGOUT_URI,
  REDIRECT_URI,
  redirectParams,
  SECRET,
  type SignInWorld,
  seedSignInWorld,
  sessionCount,
} from "./signin-fixtures";

let world: SignInWorld;

beforeAll(async () => {
  world = await seedSignInWorld();
});

/** Signs Alice in through the page for `openid read`; the code and the browser. */
async function codeThroughPage(browser = new Browser(), overrides: Record<string, string> = {}) {
  const page = await browser.authorize(world, { scope: "openid read", nonce: "n-0S6", ...overrides });
  expect(page.status).toBe(200);
  const res = await browser.signIn(await page.text(), world.alice.login, PASSWORD);
  const code = redirectParams(res).get("code");
  if (!code) throw new Error("no code");
  return { browser, code };
}

async function exchange(code: string, browser: Browser) {
  const res = await browser.fetch(
    tokenRequest(
      world.issuer,
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI },
      { authorization: basic(world.webClient, SECRET) },
    ),
  );
  // biome-ignore lint/suspicious/noExplicitAny: the token response, field by field.
  return { status: res.status, body: (await res.json()) as any };
}

describe("the code flow through the hosted page", () => {
  it("page → form → code → tokens: the ID token says who signed in, when and how", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { browser, code } = await codeThroughPage();
    const { status, body } = await exchange(code, browser);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.token_type).toBe("Bearer");
    const id = decodeJwt(body.id_token).payload;
    expect(id).toMatchObject({
      sub: world.alice.id,
      aud: world.webClient,
      iss: world.issuer,
      nonce: "n-0S6",
      amr: ["pwd"],
    });
    expect(id.auth_time).toBeGreaterThanOrEqual(before - 1);
    expect(decodeJwt(body.access_token).payload).toMatchObject({
      uid: world.alice.id,
      scp: ["openid", "read"],
    });
    // The code is single use.
    expect((await exchange(code, browser)).status).toBe(400);
  });

  it("a session reused by prompt=none keeps the first auth_time", async () => {
    let now = Date.now();
    const browser = new Browser(createDeps(() => now));
    const first = await codeThroughPage(browser);
    const firstId = decodeJwt((await exchange(first.code, browser)).body.id_token).payload;
    now += 60_000;
    const again = redirectParams(await browser.authorize(world, { scope: "openid", prompt: "none" })).get(
      "code",
    );
    const againId = decodeJwt((await exchange(again ?? "", browser)).body.id_token).payload;
    expect(againId.auth_time).toBe(firstId.auth_time);
  });
});

describe("/v1/logout", () => {
  async function signedInWithIdToken(deps = createDeps()) {
    const browser = new Browser(deps);
    const { code } = await codeThroughPage(browser);
    const idToken = (await exchange(code, browser)).body.id_token as string;
    return { browser, idToken };
  }

  function logout(browser: Browser, params: Record<string, string>) {
    return browser.request(`${world.issuer}/v1/logout?${new URLSearchParams(params)}`);
  }

  it("ends the session and returns to the registered post-logout URI with state", async () => {
    const { browser, idToken } = await signedInWithIdToken();
    const sessions = await sessionCount(world.alice.id);
    const res = await logout(browser, {
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: "bye",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`${POST_LOGOUT_URI}?state=bye`);
    expect(res.headers.getSetCookie()[0]).toMatch(
      /^__Host-sid=; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=0$/,
    );
    expect(await sessionCount(world.alice.id)).toBe(sessions - 1);
    expect(redirectParams(await browser.authorize(world, { prompt: "none" })).get("error")).toBe(
      "login_required",
    );
  });

  it("without a post-logout URI: a signed-out page; POST works alike", async () => {
    const { browser, idToken } = await signedInWithIdToken();
    const res = await browser.request(`${world.issuer}/v1/logout`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ id_token_hint: idToken }).toString(),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("You are signed out");
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    expect(browser.cookies.has("__Host-sid")).toBe(false);
  });

  it("an expired ID token still logs out", async () => {
    let now = Date.now();
    const { browser, idToken } = await signedInWithIdToken(createDeps(() => now));
    now += 2 * 3600 * 1000 - 60_000; // the ID token (1 h) expired, the session (idle 2 h) did not
    const res = await logout(browser, { id_token_hint: idToken });
    expect(res.status).toBe(200);
    expect(browser.cookies.has("__Host-sid")).toBe(false);
  });

  it("an unregistered post-logout URI is never followed (no open redirect)", async () => {
    const { browser, idToken } = await signedInWithIdToken();
    for (const uri of [
      "https://evil.test/",
      `${POST_LOGOUT_URI}/x`,
      `${POST_LOGOUT_URI}?a=1`,
      REDIRECT_URI,
    ]) {
      const res = await logout(browser, { id_token_hint: idToken, post_logout_redirect_uri: uri });
      expect(res.status, uri).toBe(400);
      expect(res.headers.get("Location")).toBeNull();
    }
  });

  it("no hint, a forged hint, a hint from another server: 400, and the session stands", async () => {
    const { browser, idToken } = await signedInWithIdToken();
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({ iss: world.issuer, aud: world.webClient, sub: world.alice.id })
      .setProtectedHeader({ alg: "RS256", kid: decodeJwt(idToken).header.kid as string })
      .sign(privateKey);
    const [head, payload] = idToken.split(".");
    const unsigned = `${head}.${payload}.`;
    const other = await seedSignInWorld();
    const foreign = await signedInForeign(other);
    for (const hint of [undefined, "garbage", forged, unsigned, foreign]) {
      const res = await logout(
        browser,
        hint === undefined
          ? { post_logout_redirect_uri: POST_LOGOUT_URI }
          : { id_token_hint: hint, post_logout_redirect_uri: POST_LOGOUT_URI },
      );
      expect(res.status, String(hint).slice(0, 20)).toBe(400);
      expect(res.headers.get("Location")).toBeNull();
    }
    expect(redirectParams(await browser.authorize(world, { prompt: "none" })).get("code")).toBeTruthy();
  });
});

/** An ID token of another server (another world's), for the same user name space. */
async function signedInForeign(other: SignInWorld): Promise<string> {
  const browser = new Browser();
  const page = await browser.authorize(other, { scope: "openid" });
  const res = await browser.signIn(await page.text(), other.alice.login, PASSWORD);
  const code = redirectParams(res).get("code") ?? "";
  const token = await browser.fetch(
    tokenRequest(
      other.issuer,
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI },
      { authorization: basic(other.webClient, SECRET) },
    ),
  );
  return ((await token.json()) as { id_token: string }).id_token;
}
