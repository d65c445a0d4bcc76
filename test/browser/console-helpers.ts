/**
 * What every admin-console browser test needs (README "Admin console", test/browser/console*.test.ts):
 * the management API as the test's own witness (SSWS), sign-in on the hosted page, a watched page in
 * a guarded context, axe-core, the 360 / 1440 px width check and the README's screenshots.
 *
 * A test file calls {@link useBrowser} once at its top level (it launches Chromium before the file's
 * tests and closes it after); {@link withPage} then opens a fresh context per test.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { ROOT } from "../e2e/warden";
import { guardedContext, launchChromium, type WatchedPage, watchPage } from "./chromium";
import { readSignInDemo, signInOnHostedPage } from "./samples";

export const warden = inject("warden");
export const demo = readSignInDemo(warden.stateDir);
export const base = warden.baseUrl;
export const CONSOLE_CLIENT_ID = "warden-admin-console";
const AXE_SOURCE = (createRequire(import.meta.url)("axe-core") as { source: string }).source;
const SCREENSHOTS = process.env.WARDEN_SCREENSHOTS === "1" ? join(ROOT, "docs", "screenshots") : undefined;

/** The management API with the start-up's SSWS token: the test's witness of what the UI wrote. */
export async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `SSWS ${warden.adminToken}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A user with the READ_ONLY_ADMIN role, assigned to the console's client. */
export async function createReadOnlyAdmin(login: string, password: string): Promise<void> {
  const user = await admin("POST", "/users?activate=true", {
    profile: { login, email: login, firstName: "Read", lastName: "Only" },
    credentials: { password: { value: password } },
  });
  await admin("POST", `/users/${user.id}/roles`, { type: "READ_ONLY_ADMIN" });
  await admin("POST", `/apps/${CONSOLE_CLIENT_ID}/users`, { id: user.id, scope: "USER" });
}

let browser: Browser | undefined;

/** Launches Chromium before the calling file's tests (and `before`, e.g. test users), closes it after. */
export function useBrowser(before?: () => Promise<void>): void {
  beforeAll(async () => {
    browser = await launchChromium();
    await before?.();
  });
  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  });
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string }[];
}

export async function axe(page: Page): Promise<AxeResult> {
  await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(`axe
    .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
    .then((r) => ({ violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help })) }))`)) as AxeResult;
}

export async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await axe(page);
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
}

/** Neither 360 px nor 1440 px wide scrolls sideways. */
export async function expectFits(page: Page): Promise<void> {
  for (const width of [360, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = (await page.evaluate(
      "document.documentElement.scrollWidth - window.innerWidth",
    )) as number;
    expect(overflow, `${width} px`).toBeLessThanOrEqual(0);
  }
}

/** With WARDEN_SCREENSHOTS=1: `docs/screenshots/<name>` at 1440 px wide, the whole page. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

/** `refusals`: how many 4xx answers the test provoked on purpose (Chromium logs each one as an error). */
export function expectClean(watched: WatchedPage, blocked: string[], refusals = 0): void {
  expect(watched.cspViolations).toEqual([]);
  expect(watched.consoleErrors).toEqual(
    Array(refusals).fill("Failed to load resource: the server responded with a status of 400 (Bad Request)"),
  );
  expect(watched.pageErrors).toEqual([]);
  expect(blocked).toEqual([]);
}

export interface TokenResponse {
  access_token: string;
  scope: string;
}

/**
 * Opens /admin/, signs in on the hosted page and waits for the servers list; answers the org
 * server's token response as the console received it (the test's way to the console's token).
 */
export async function signIn(page: Page, login: string, password: string): Promise<TokenResponse> {
  page.setDefaultTimeout(10_000);
  const token = page.waitForResponse((r) => r.url() === `${base}/oauth2/v1/token`);
  await page.goto(`${base}/admin/`);
  await signInOnHostedPage(page, login, password);
  const response = await token;
  expect(response.status()).toBe(200);
  await page.getByRole("heading", { level: 1, name: "Authorization servers" }).waitFor();
  return (await response.json()) as TokenResponse;
}

/** A fresh guarded context at 1440×900; after `run`, the page produced nothing it must not. */
export async function withPage(run: (watched: WatchedPage) => Promise<void>, refusals = 0): Promise<void> {
  if (!browser) throw new Error("call useBrowser() at the top of the test file");
  const { context, blocked } = await guardedContext(browser, { viewport: { width: 1440, height: 900 } });
  try {
    const watched = await watchPage(context);
    await run(watched);
    expectClean(watched, blocked, refusals);
  } finally {
    await context.close();
  }
}
