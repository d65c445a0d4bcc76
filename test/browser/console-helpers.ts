/**
 * What every admin-console browser test needs (README "Admin console", test/browser/console*.test.ts):
 * the management API as the test's own witness (SSWS), sign-in on the hosted page, a watched page in
 * a guarded context, axe-core, the 360 / 1440 px width check and the README's screenshots.
 *
 * A test file calls {@link useBrowser} once at its top level (it launches Chromium before the file's
 * tests and closes it after); {@link withPage} then opens a fresh context per test.
 */
import { randomBytes } from "node:crypto";
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

/**
 * This test file's own suffix for the names it makes (vitest isolates modules per test file, so each
 * file that imports this gets its own), keeping runs and files apart on the one shared server.
 */
export const suffix = randomBytes(4).toString("hex");

/** The management API with the start-up's SSWS token, answering any status (for refusals). */
export async function adminCall(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `SSWS ${warden.adminToken}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

/** The management API with the start-up's SSWS token: the test's witness of what the UI wrote. */
export async function admin(method: string, path: string, body?: unknown) {
  const res = await adminCall(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

/** A server of the test's own (`<name>-<suffix>`), with `scopes` of its own. */
export async function newServer(
  name: string,
  file: string,
  scopes: readonly string[] = ["reports:read"],
): Promise<{ id: string; name: string }> {
  const server = await admin("POST", "/authorizationServers", {
    name: `${name}-${suffix}`,
    description: `made by ${file}`,
    audiences: [`api://${name}-${suffix}`],
  });
  for (const scope of scopes) {
    await admin("POST", `/authorizationServers/${server.id}/scopes`, { name: scope });
  }
  return server;
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
    // On failure, name what sticks out (tag.class and its right edge).
    const wide =
      overflow > 0
        ? await page.evaluate(`[...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth)
            .map((e) => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`)
        : [];
    expect(overflow, `${width} px: ${JSON.stringify(wide)}`).toBeLessThanOrEqual(0);
  }
}

/** With WARDEN_SCREENSHOTS=1: `docs/screenshots/<name>` at 1440 px wide, the whole page (or the viewport). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage });
}

/**
 * The answers a test provoked on purpose, as Chromium logs each one as an error: a count of
 * "400 (Bad Request)", or each status as logged in order (e.g. "409 (Conflict)").
 */
export type Refusals = number | readonly string[];

const refused = (status: string) =>
  `Failed to load resource: the server responded with a status of ${status}`;

export function expectClean(
  watched: WatchedPage,
  blocked: string[],
  refusals: Refusals = 0,
  otherErrors: readonly string[] = [],
): void {
  const statuses =
    typeof refusals === "number" ? Array<string>(refusals).fill("400 (Bad Request)") : refusals;
  expect(watched.cspViolations).toEqual([]);
  expect(watched.consoleErrors).toEqual([...statuses.map(refused), ...otherErrors]);
  expect(watched.pageErrors).toEqual([]);
  expect(blocked).toEqual([]);
}

export interface TokenResponse {
  access_token: string;
  scope: string;
}

/** The main navigation's items a test opens (console/src/main.tsx). */
export type MainItem = "Applications" | "Users" | "Groups" | "System log";

/** Opens a screen through the main navigation, as an admin would, and waits for its heading. */
export async function openFromMain(page: Page, item: MainItem): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: item }).click();
  await page.getByRole("heading", { level: 1, name: item }).waitFor();
}

/**
 * Opens /admin/, signs in on the hosted page and waits for the servers list (then opens `landOn`
 * from the main navigation, if given); answers the org server's token response as the console
 * received it (the test's way to the console's token).
 */
export async function signIn(
  page: Page,
  login: string,
  password: string,
  landOn?: MainItem,
): Promise<TokenResponse> {
  page.setDefaultTimeout(10_000);
  const token = page.waitForResponse((r) => r.url() === `${base}/oauth2/v1/token`);
  await page.goto(`${base}/admin/`);
  await signInOnHostedPage(page, login, password);
  const response = await token;
  expect(response.status()).toBe(200);
  await page.getByRole("heading", { level: 1, name: "Authorization servers" }).waitFor();
  if (landOn) await openFromMain(page, landOn);
  return (await response.json()) as TokenResponse;
}

/** The page's status lines (role=status) holding `text`. */
export const statusLine = (page: Page, text: string | RegExp) =>
  page.getByRole("status").filter({ hasText: text });

/** Waits for a status line holding `text` (a saved / deleted / moved notice). */
export const waitForStatus = (page: Page, text: string | RegExp) => statusLine(page, text).waitFor();

export interface PageOptions {
  /** Errors Chromium logs besides the refusals (e.g. a 404 the test provoked), in order after them. */
  otherErrors?: readonly string[];
  /** Grants clipboard-read/-write on the server's origin (the copy buttons of a secret shown once). */
  clipboard?: boolean;
}

/** A fresh guarded context at 1440×900; after `run`, the page produced nothing it must not. */
export async function withPage(
  run: (watched: WatchedPage) => Promise<void>,
  refusals: Refusals = 0,
  options: PageOptions = {},
): Promise<void> {
  if (!browser) throw new Error("call useBrowser() at the top of the test file");
  const { context, blocked } = await guardedContext(browser, { viewport: { width: 1440, height: 900 } });
  try {
    if (options.clipboard)
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const watched = await watchPage(context);
    await run(watched);
    expectClean(watched, blocked, refusals, options.otherErrors);
  } finally {
    await context.close();
  }
}
