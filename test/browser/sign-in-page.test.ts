/**
 * Warden's hosted sign-in page in Chromium, as the demo `npm start` seeded it (the web app's
 * authorization request): one message for every failed sign-in, sign-in with the keyboard alone,
 * no serious or critical axe-core violation (before and after an error), and no CSP violation or
 * console error. With WARDEN_SCREENSHOTS=1 it also saves the README's screenshots.
 *
 * The app is not running here (sample-apps.test.ts runs it): a successful sign-in is seen as the
 * 302 from the form's POST to the app's redirect URI with a code, which is all the page owes.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../e2e/warden";
import { guardedContext, launchChromium, type WatchedPage, watchPage } from "./chromium";
import { readSignInDemo } from "./samples";

const warden = inject("warden");
const demo = readSignInDemo(warden.stateDir);
const AXE_SOURCE = (createRequire(import.meta.url)("axe-core") as { source: string }).source;
const SCREENSHOTS = process.env.WARDEN_SCREENSHOTS === "1" ? join(ROOT, "docs", "screenshots") : undefined;

/** The web app's authorization request, as the banner prints it (state is all Okta requires). */
function authorizeUrl(state: string): string {
  const query = new URLSearchParams({
    client_id: demo.web.clientId,
    response_type: "code",
    scope: "openid profile email",
    redirect_uri: demo.web.redirectUri,
    state,
  });
  return `${demo.issuer}/v1/authorize?${query}`;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function withPage(test: (watched: WatchedPage) => Promise<void>): Promise<void> {
  const { context, blocked } = await guardedContext(browser, { viewport: { width: 800, height: 720 } });
  try {
    await test(await watchPage(context));
    expect(blocked).toEqual([]);
  } finally {
    await context.close();
  }
}

/** No CSP violation, console error or uncaught exception: a failed sign-in is a page, not an HTTP error. */
function expectClean(watched: WatchedPage): void {
  expect(watched.cspViolations).toEqual([]);
  expect(watched.consoleErrors).toEqual([]);
  expect(watched.pageErrors).toEqual([]);
}

/** Submits with `submit` and returns where the sign-in POST sent the browser. */
async function signInRedirect(page: Page, submit: () => Promise<void>): Promise<URL> {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).pathname.endsWith("/signin"),
    ),
    submit(),
  ]);
  expect(response.status()).toBe(302);
  return new URL(response.headers().location ?? "");
}

const activeElementId = (page: Page) => page.evaluate("document.activeElement && document.activeElement.id");

interface AxeResult {
  passes: string[];
  violations: { id: string; impact: string | null; help: string }[];
}

async function axe(page: Page): Promise<AxeResult> {
  await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(`axe
    .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
    .then((r) => ({
      passes: r.passes.map((rule) => rule.id),
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help })),
    }))`)) as AxeResult;
}

const seriousOrCritical = (result: AxeResult) =>
  result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");

describe("the hosted sign-in page", () => {
  it("a wrong password and an unknown user get the one message; the right password then works", async () => {
    await withPage(async (watched) => {
      const { page } = watched;
      await page.goto(authorizeUrl("wrong-password"));
      await page.getByLabel("Username").fill(demo.demoUser.login);
      await page.getByLabel("Password").fill(`${demo.demoUser.password}x`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname.endsWith("/signin"));

      const alert = page.getByRole("alert");
      expect(await alert.textContent()).toBe("Unable to sign in");
      // The username is kept, the password is not, and focus is where the user must type.
      expect(await page.getByLabel("Username").inputValue()).toBe(demo.demoUser.login);
      expect(await page.getByLabel("Password").inputValue()).toBe("");
      expect(await page.getByLabel("Password").getAttribute("aria-invalid")).toBe("true");
      expect(await activeElementId(page)).toBe("password");
      if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, "sign-in-error.png") });

      // Someone who does not exist: the same words, the same fields marked.
      await page.getByLabel("Username").fill("nobody@example.com");
      await page.getByLabel("Password").fill(demo.demoUser.password);
      // Wait for the refusal's page itself: polling Username could pass before it arrives (this page
      // already holds that value), and the next fill would then race its load.
      const refused = page.waitForResponse(
        (r) => r.request().method() === "POST" && new URL(r.url()).pathname.endsWith("/signin"),
      );
      await page.getByRole("button", { name: "Sign in" }).click();
      await refused;
      // Only the refusal's page has an empty Password (this one holds what was typed).
      await expect.poll(() => page.getByLabel("Password").inputValue()).toBe("");
      await page.waitForLoadState();
      expect(await page.getByLabel("Username").inputValue()).toBe("nobody@example.com");
      expect(await page.getByRole("alert").textContent()).toBe("Unable to sign in");

      // The page after errors still carries a valid request: the real password signs in.
      await page.getByLabel("Username").fill(demo.demoUser.login);
      await page.getByLabel("Password").fill(demo.demoUser.password);
      const location = await signInRedirect(page, () =>
        page.getByRole("button", { name: "Sign in" }).click(),
      );
      expect(`${location.origin}${location.pathname}`).toBe(demo.web.redirectUri);
      expect(location.searchParams.get("state")).toBe("wrong-password");
      expect(location.searchParams.get("code")).toMatch(/^[\w-]{43}\.[\w-]+$/);
      expect(location.searchParams.get("iss")).toBe(demo.issuer);
      expectClean(watched);
    });
  });

  it("signs in with the keyboard alone: focus starts on Username, Tab to Password, Enter submits", async () => {
    await withPage(async (watched) => {
      const { page } = watched;
      await page.goto(authorizeUrl("keyboard"));
      // `autofocus` applies once the document has loaded, which may come a moment after goto resolves.
      await page.waitForFunction("document.activeElement?.id === 'username'", undefined, { timeout: 5000 });
      expect(await activeElementId(page)).toBe("username");
      await page.keyboard.type(demo.demoUser.login);
      await page.keyboard.press("Tab");
      expect(await activeElementId(page)).toBe("password");
      await page.keyboard.type(demo.demoUser.password);
      // Tab order goes on to the button, and Enter on it submits as a click would.
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement.textContent")).toBe("Sign in");
      const location = await signInRedirect(page, () => page.keyboard.press("Enter"));
      expect(`${location.origin}${location.pathname}`).toBe(demo.web.redirectUri);
      expect(location.searchParams.get("code")).toBeTruthy();
      expect(location.searchParams.get("state")).toBe("keyboard");
      expectClean(watched);
    });
  });

  it("has no serious or critical axe-core violation, before or after an error", {
    timeout: 60_000,
  }, async () => {
    await withPage(async (watched) => {
      const { page } = watched;
      await page.goto(authorizeUrl("axe"));
      expect(await page.title()).toBe("Sign in to Demo web app");
      if (SCREENSHOTS) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOTS, "sign-in.png") });
      }
      const first = await axe(page);
      expect(seriousOrCritical(first)).toEqual([]);
      // axe really looked: the rules that matter for a form ran and passed.
      expect(first.passes).toEqual(
        expect.arrayContaining(["label", "color-contrast", "document-title", "html-has-lang", "button-name"]),
      );

      await page.getByLabel("Username").fill(demo.demoUser.login);
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname.endsWith("/signin"));
      expect(await page.getByRole("alert").textContent()).toBe("Unable to sign in");
      expect(seriousOrCritical(await axe(page))).toEqual([]);
      expectClean(watched);
    });
  });
});
