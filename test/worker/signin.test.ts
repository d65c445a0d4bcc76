/**
 * The hosted sign-in form and sessions against the real directory (D1, real password hashes) and
 * grant Durable Objects: CSRF, the one failure message, lockout through the page, sessions reused by
 * prompt=none and voided by prompt=login and max_age, the code bound to what was asked, and sessions
 * ended by user deactivation and suspension.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { PASSWORD_LOCKOUT_ATTEMPTS } from "../../src/config/defaults";
import { createDeps } from "../../src/context";
import { adminCall } from "./helpers";
import { insertUser, PASSWORD } from "./people-fixtures";
import {
  Browser,
  bindings,
  CHALLENGE,
  readForm,
  redirectParams,
  type SignInWorld,
  seedSignInWorld,
  sessionCount,
  userRow,
} from "./signin-fixtures";

let world: SignInWorld;

beforeAll(async () => {
  world = await seedSignInWorld();
});

afterEach(() => vi.restoreAllMocks());

function quiet() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
}

/** A browser on the sign-in page of a fresh authorization request; the page's HTML. */
async function onSignInPage(overrides: Record<string, string | undefined> = {}, browser = new Browser()) {
  const res = await browser.authorize(world, overrides);
  expect(res.status).toBe(200);
  return { browser, page: await res.text() };
}

/** Signs `login` in through the page: the browser holds the session; the redirect's parameters. */
async function signInThroughPage(
  login: string,
  overrides: Record<string, string | undefined> = {},
  browser = new Browser(),
) {
  const { page } = await onSignInPage(overrides, browser);
  const res = await browser.signIn(page, login, PASSWORD);
  return { browser, res };
}

describe("signing in through the hosted page", () => {
  it("Alice signs in: a code for the web app's redirect URI, with state and iss; a session cookie", async () => {
    const { browser, res } = await signInThroughPage(world.alice.login.toUpperCase());
    const params = redirectParams(res);
    expect(params.base).toBe("https://app.test/callback");
    expect(params.get("code")).toMatch(/^[A-Za-z0-9_.-]{40,}$/);
    expect(params.get("state")).toBe("st-123");
    expect(params.get("iss")).toBe(world.issuer);
    const sid = res.headers.getSetCookie().find((c) => c.startsWith("__Host-sid="));
    expect(sid).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    expect(browser.cookies.has("__Host-sid")).toBe(true);
    expect(await sessionCount(world.alice.id)).toBeGreaterThan(0);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("the SPA with PKCE, in fragment mode", async () => {
    const { res } = await signInThroughPage(world.alice.login, {
      client_id: world.spaClient,
      redirect_uri: "https://spa.test/",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
      response_mode: "fragment",
    });
    const params = redirectParams(res, true);
    expect(params.get("code")).toBeTruthy();
    expect(params.get("state")).toBe("st-123");
  });

  it("the one failure message for a wrong password, an unknown user, a locked and a suspended user", async () => {
    quiet();
    const cases: [string, string][] = [
      [world.alice.login, "Wrong-Password-1"],
      ["nobody@example.com", PASSWORD],
      [world.locked.login, PASSWORD],
      [world.suspended.login, PASSWORD],
    ];
    const answers: string[] = [];
    for (const [login, password] of cases) {
      const { browser, page } = await onSignInPage();
      const res = await browser.signIn(page, login, password);
      expect(res.status, login).toBe(200);
      expect(res.headers.get("Location")).toBeNull();
      const body = await res.text();
      expect(body).toContain('role="alert" aria-live="assertive">Unable to sign in</div>');
      expect(body).toContain('aria-invalid="true"');
      // The same page but for the username the user typed and the per-response nonce and seal.
      answers.push(
        body
          .replaceAll(login, "LOGIN")
          .replace(/nonce="[^"]+"/g, "")
          .replace(/name="signin_request" value="[^"]+"/, ""),
      );
      expect(browser.cookies.has("__Host-sid")).toBe(false);
    }
    expect(new Set(answers).size).toBe(1);
  });

  it("an empty field is named, and no attempt is counted", async () => {
    const user = await insertUser({ name: "empty" });
    const { browser, page } = await onSignInPage();
    const res = await browser.signIn(page, user.login, undefined);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Enter your password.");
    expect((await userRow(user.id)).failed_attempts).toBe(0);
  });

  it("lockout through the page: the tenth wrong password locks the user; the right one then fails alike", async () => {
    quiet();
    const user = await insertUser({ name: "lockme" });
    const { browser, page } = await onSignInPage();
    let current = page;
    for (let i = 0; i < PASSWORD_LOCKOUT_ATTEMPTS; i++) {
      const res = await browser.signIn(current, user.login, `Wrong-${i}-Password`);
      expect(res.status).toBe(200);
      current = await res.text(); // the re-rendered page's form is as good as the first
    }
    expect(await userRow(user.id)).toEqual({
      failed_attempts: PASSWORD_LOCKOUT_ATTEMPTS,
      status: "LOCKED_OUT",
    });
    const res = await browser.signIn(current, user.login, PASSWORD);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Unable to sign in");
  });

  it("a user not assigned to the app: access_denied, Okta's words (after the password, never before)", async () => {
    const { res } = await signInThroughPage(world.dave.login);
    const params = redirectParams(res);
    expect(params.get("error")).toBe("access_denied");
    expect(params.get("error_description")).toBe("User is not assigned to the client application.");
    expect(params.get("state")).toBe("st-123");
  });

  it("a user no rule admits: access_denied, policy evaluation failed", async () => {
    const { res } = await signInThroughPage(world.carol.login);
    const params = redirectParams(res);
    expect(params.get("error")).toBe("access_denied");
    expect(params.get("error_description")).toBe(
      "Policy evaluation failed for this request, please check the policy configurations.",
    );
  });

  it("a scope the rule does not cover: access_denied; a scope the server lacks: invalid_scope before any sign-in", async () => {
    const denied = await signInThroughPage(world.alice.login, { scope: "read write" });
    expect(redirectParams(denied.res).get("error")).toBe("access_denied");
    const unknown = redirectParams(await new Browser().authorize(world, { scope: "nope" }));
    expect(unknown.get("error")).toBe("invalid_scope");
  });
});

describe("CSRF: the form must be this browser's", () => {
  it("without the CSRF cookie: 403, and no attempt is counted", async () => {
    const user = await insertUser({ name: "csrf1" });
    const { browser, page } = await onSignInPage();
    browser.cookies.clear();
    const res = await browser.signIn(page, user.login, "Wrong-Password-1");
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("This sign-in form is no longer valid.");
    expect((await userRow(user.id)).failed_attempts).toBe(0);
  });

  it("another browser's cookie, a tampered or missing request, another server: 403, nothing counted", async () => {
    const user = await insertUser({ name: "csrf2" });
    const { page } = await onSignInPage();
    const attacker = new Browser();
    await onSignInPage({}, attacker); // the attacker's own CSRF cookie
    expect((await attacker.signIn(page, user.login, "Wrong-Password-1")).status).toBe(403);

    const { browser, page: own } = await onSignInPage();
    const form = readForm(own);
    const flipped = `${form.transaction.slice(0, 40)}${form.transaction[40] === "A" ? "B" : "A"}${form.transaction.slice(41)}`;
    const tampered = own.replace(form.transaction, flipped);
    expect((await browser.signIn(tampered, user.login, "Wrong-Password-1")).status).toBe(403);
    const missing = own.replace(form.transaction, "");
    await expect(browser.signIn(missing, user.login, "x")).rejects.toThrow("no sign-in form");
    const res = await browser.request(`${world.issuer.replace(world.serverId, "default")}/signin`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        signin_request: form.transaction,
        username: user.login,
        password: "x",
      }).toString(),
    });
    expect([403, 404]).toContain(res.status);
    expect((await userRow(user.id)).failed_attempts).toBe(0);
  });

  it("an expired form: 403", async () => {
    const user = await insertUser({ name: "late" });
    let now = Date.now();
    const browser = new Browser(createDeps(() => now));
    const { page } = await onSignInPage({}, browser);
    now += 11 * 60 * 1000;
    expect((await browser.signIn(page, user.login, PASSWORD)).status).toBe(403);
  });
});

describe("sessions", () => {
  it("prompt=none reuses the session: a code without a page", async () => {
    const { browser } = await signInThroughPage(world.alice.login);
    const params = redirectParams(await browser.authorize(world, { prompt: "none", state: "again" }));
    expect(params.get("code")).toBeTruthy();
    expect(params.get("state")).toBe("again");
  });

  it("a later authorization without prompt reuses it too; prompt=login shows the page", async () => {
    const { browser } = await signInThroughPage(world.alice.login);
    expect(redirectParams(await browser.authorize(world)).get("code")).toBeTruthy();
    const login = await browser.authorize(world, { prompt: "login" });
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("<h1>Sign in</h1>");
  });

  it("max_age: a session older than it asks again (and prompt=none then fails with login_required)", async () => {
    let now = Date.now();
    const browser = new Browser(createDeps(() => now));
    await signInThroughPage(world.alice.login, {}, browser);
    now += 120_000;
    expect(redirectParams(await browser.authorize(world, { max_age: "300" })).get("code")).toBeTruthy();
    expect((await browser.authorize(world, { max_age: "60" })).status).toBe(200);
    expect(
      redirectParams(await browser.authorize(world, { max_age: "60", prompt: "none" })).get("error"),
    ).toBe("login_required");
    expect(
      redirectParams(await browser.authorize(world, { max_age: "0", prompt: "none" })).get("error"),
    ).toBe("login_required");
  });

  it("an idle session expires", async () => {
    let now = Date.now();
    const browser = new Browser(createDeps(() => now));
    await signInThroughPage(world.alice.login, {}, browser);
    now += 2 * 3600 * 1000 + 1000;
    expect(redirectParams(await browser.authorize(world, { prompt: "none" })).get("error")).toBe(
      "login_required",
    );
  });

  it("a made-up sid cookie is no session", async () => {
    const browser = new Browser();
    browser.cookies.set("__Host-sid", "A".repeat(43));
    expect(redirectParams(await browser.authorize(world, { prompt: "none" })).get("error")).toBe(
      "login_required",
    );
  });

  for (const action of ["deactivate", "suspend"] as const) {
    it(`${action} through the Users API ends the user's sessions at once`, async () => {
      const user = await insertUser({ name: action });
      await bindings.DIRECTORY.prepare(
        "INSERT INTO group_members (group_id, user_id, added) VALUES (?1, ?2, ?3)",
      )
        .bind(world.engineers, user.id, Date.now())
        .run();
      const { browser, res } = await signInThroughPage(user.login);
      expect(redirectParams(res).get("code")).toBeTruthy();
      expect(await sessionCount(user.id)).toBe(1);
      const lifecycle = await adminCall("POST", `/users/${user.id}/lifecycle/${action}`);
      expect(lifecycle.status).toBe(200);
      expect(await sessionCount(user.id)).toBe(0);
      expect(redirectParams(await browser.authorize(world, { prompt: "none" })).get("error")).toBe(
        "login_required",
      );
    });
  }

  it("a refused lifecycle write ends nothing", async () => {
    const { browser } = await signInThroughPage(world.alice.login);
    // Alice is ACTIVE: unsuspend is refused (E0000038) and her session stands.
    expect((await adminCall("POST", `/users/${world.alice.id}/lifecycle/unsuspend`)).status).toBe(400);
    expect(redirectParams(await browser.authorize(world, { prompt: "none" })).get("code")).toBeTruthy();
  });

  it("signing in again replaces the browser's session", async () => {
    const { browser } = await signInThroughPage(world.alice.login);
    const first = browser.cookies.get("__Host-sid");
    const before = await sessionCount(world.alice.id);
    await signInThroughPage(world.alice.login, { prompt: "login" }, browser);
    expect(browser.cookies.get("__Host-sid")).not.toBe(first);
    expect(await sessionCount(world.alice.id)).toBe(before);
  });
});
