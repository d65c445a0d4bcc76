/**
 * Okta's `/api/v1/authn` → sessionToken → `/v1/authorize?sessionToken=` and `/api/v1/sessions/me`,
 * against the real directory: the SUCCESS shape, the one 401 for every failure, the token spent
 * exactly once (also under concurrency), bad bodies refused before any work, and the session API.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freshApp, ORIGIN } from "./helpers";
import { insertUser, PASSWORD } from "./people-fixtures";
import {
  Browser,
  bindings,
  redirectParams,
  type SignInWorld,
  seedSignInWorld,
  userRow,
} from "./signin-fixtures";

let world: SignInWorld;

beforeAll(async () => {
  world = await seedSignInWorld();
});

afterEach(() => vi.restoreAllMocks());

function authn(body: unknown, contentType = "application/json") {
  return freshApp()(
    new Request(`${ORIGIN}/api/v1/authn`, {
      method: "POST",
      headers: { "Content-Type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

async function sessionToken(login: string): Promise<string> {
  const res = await authn({ username: login, password: PASSWORD });
  expect(res.status).toBe(200);
  return ((await res.json()) as { sessionToken: string }).sessionToken;
}

describe("/api/v1/authn", () => {
  it("SUCCESS: Okta's shape, a 5-minute sessionToken, no caching", async () => {
    const before = Date.now();
    const res = await authn({ username: world.alice.login, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      expiresAt: expect.any(String),
      status: "SUCCESS",
      sessionToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      _embedded: {
        user: {
          id: world.alice.id,
          profile: {
            login: world.alice.login,
            firstName: "Alice",
            lastName: "Liddell",
            locale: "en_US",
            timeZone: "America/Los_Angeles",
          },
        },
      },
    });
    const expires = Date.parse(body.expiresAt as string);
    expect(expires - before).toBeGreaterThan(295_000);
    expect(expires - before).toBeLessThan(305_000);
  });

  it("every failure is 401 E0000004 'Authentication failed'", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const [username, password] of [
      [world.alice.login, "Wrong-Password-1"],
      ["nobody@example.com", PASSWORD],
      [world.locked.login, PASSWORD],
      [world.suspended.login, PASSWORD],
    ]) {
      const res = await authn({ username, password });
      expect(res.status, username).toBe(401);
      expect(await res.json()).toMatchObject({
        errorCode: "E0000004",
        errorSummary: "Authentication failed",
      });
    }
  });

  it("bad bodies: 400, no attempt counted", async () => {
    const user = await insertUser({ name: "authnbad" });
    const cases: [unknown, string, number][] = [
      [{ username: user.login }, "E0000001", 400],
      [{ password: "x" }, "E0000001", 400],
      [{ username: user.login, password: 7 }, "E0000001", 400],
      [{ username: "u".repeat(101), password: "x" }, "E0000001", 400],
      ["not json", "E0000003", 400],
      [[1, 2], "E0000003", 400],
      [`{"username":${"[".repeat(100)}`, "E0000003", 400],
    ];
    for (const [body, code, status] of cases) {
      const res = await authn(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe(code);
    }
    expect((await authn({ username: user.login, password: "x" }, "text/plain")).status).toBe(400);
    const huge = await authn({ username: user.login, password: "p".repeat(40_000) });
    expect(huge.status).toBe(400);
    expect((await userRow(user.id)).failed_attempts).toBe(0);
  });

  it("is not behind the management API's authentication, and GET is not it", async () => {
    const res = await freshApp()(new Request(`${ORIGIN}/api/v1/authn`));
    // No public GET route: the management API answers (unauthenticated).
    expect(res.status).toBe(401);
  });
});

describe("sessionToken at /v1/authorize", () => {
  it("starts a session and returns a code; the token is spent: a second use is no sign-in", async () => {
    const token = await sessionToken(world.alice.login);
    const browser = new Browser();
    const res = await browser.authorize(world, { sessionToken: token, prompt: "none" });
    expect(redirectParams(res).get("code")).toBeTruthy();
    expect(browser.cookies.has("__Host-sid")).toBe(true);

    const other = new Browser();
    const again = await other.authorize(world, { sessionToken: token, prompt: "none" });
    expect(redirectParams(again).get("error")).toBe("login_required");
    // Without prompt=none a spent token just means: sign in.
    expect((await other.authorize(world, { sessionToken: token })).status).toBe(200);
  });

  it("exactly once under concurrency: of 10 simultaneous redemptions one gets a code", async () => {
    const token = await sessionToken(world.alice.login);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        new Browser().authorize(world, { sessionToken: token, prompt: "none" }),
      ),
    );
    const codes = results.filter((r) => new URL(r.headers.get("Location") ?? "").searchParams.has("code"));
    expect(codes).toHaveLength(1);
  });

  it("an expired token is no sign-in", async () => {
    const token = await sessionToken(world.alice.login);
    await bindings.DIRECTORY.prepare("UPDATE session_tokens SET expires_at = 0").run();
    const res = await new Browser().authorize(world, { sessionToken: token, prompt: "none" });
    expect(redirectParams(res).get("error")).toBe("login_required");
  });

  it("a made-up token, and a bad request with a good token does not spend it", async () => {
    expect(
      redirectParams(
        await new Browser().authorize(world, { sessionToken: "x".repeat(43), prompt: "none" }),
      ).get("error"),
    ).toBe("login_required");
    const token = await sessionToken(world.alice.login);
    const refused = redirectParams(
      await new Browser().authorize(world, { sessionToken: token, response_type: "token" }),
    );
    expect(refused.get("error")).toBe("unsupported_response_type");
    expect(
      redirectParams(await new Browser().authorize(world, { sessionToken: token, prompt: "none" })).get(
        "code",
      ),
    ).toBeTruthy();
  });
});

describe("/api/v1/sessions/me", () => {
  it("GET: Okta's Session for the cookie; DELETE ends it (204) and the cookie is cleared", async () => {
    const browser = new Browser();
    const token = await sessionToken(world.alice.login);
    await browser.authorize(world, { sessionToken: token, prompt: "none" });
    const me = await browser.request(`${ORIGIN}/api/v1/sessions/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      id: expect.stringMatching(/^102[A-Za-z0-9]{17}$/),
      userId: world.alice.id,
      login: world.alice.login,
      status: "ACTIVE",
      amr: ["pwd"],
      mfaActive: false,
      idp: { type: "OKTA" },
      _links: { self: { href: `${ORIGIN}/api/v1/sessions/me` } },
    });
    const del = await browser.request(`${ORIGIN}/api/v1/sessions/me`, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect(del.headers.getSetCookie()[0]).toContain("Max-Age=0");
    expect(browser.cookies.has("__Host-sid")).toBe(false);
    const gone = await browser.request(`${ORIGIN}/api/v1/sessions/me`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ errorCode: "E0000007" });
    expect(redirectParams(await browser.authorize(world, { prompt: "none" })).get("error")).toBe(
      "login_required",
    );
  });

  it("without a cookie, or with a made-up one: 404", async () => {
    const browser = new Browser();
    expect((await browser.request(`${ORIGIN}/api/v1/sessions/me`)).status).toBe(404);
    browser.cookies.set("__Host-sid", "' OR 1=1 --");
    expect((await browser.request(`${ORIGIN}/api/v1/sessions/me`)).status).toBe(404);
    expect((await browser.request(`${ORIGIN}/api/v1/sessions/me`, { method: "DELETE" })).status).toBe(404);
  });
});
