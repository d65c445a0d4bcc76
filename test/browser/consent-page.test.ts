/**
 * The consent page (src/signin/consent-page.ts) in a real Chromium, served with the very response
 * Warden builds for it (pageResponse: the strict CSP and its nonce'd style): it renders with
 * nothing refused, focus starts on "Allow access", the form works without JavaScript and posts only
 * what it should (an unticked optional scope is absent, the disabled required one never posted),
 * a hostile description stays text, and axe-core finds no WCAG 2.x A/AA violation.
 */
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentPage } from "../../src/signin/consent-page";
import { pageResponse } from "../../src/signin/pages";
import { guardedContext, launchChromium, watchPage } from "./chromium";

const AXE_SOURCE = (createRequire(import.meta.url)("axe-core") as { source: string }).source;

/** Loopback, never listened on: every request to it is answered by the page's route below. */
const ORIGIN = "http://127.0.0.1:9";
const PAGE = `${ORIGIN}/oauth2/default/v1/authorize`;
const ACTION = "/oauth2/default/consent";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A page showing the consent form; the form's POST bodies are collected in `posted`. */
async function consentInChromium(run: (page: Page, posted: string[]) => Promise<void>, js = true) {
  const { context, blocked } = await guardedContext(browser, { javaScriptEnabled: js });
  const posted: string[] = [];
  try {
    const watched = await watchPage(context);
    const { page } = watched;
    const response = await pageResponse(
      consentPage({
        appName: "Photo <b>Printer</b>",
        action: ACTION,
        transaction: "sealed-transaction",
        scopes: [
          {
            name: "read",
            displayName: "Read your files",
            description: `<img src=x onerror="window.__xss=1">`,
            optional: false,
          },
          { name: "photos", displayName: "See your photos", description: "Your albums.", optional: true },
        ],
      }),
      { status: 200 },
    );
    const headers = Object.fromEntries(response.headers);
    const body = await response.text();
    await page.route(`${ORIGIN}/**`, async (route) => {
      const request = route.request();
      if (request.method() === "POST") {
        posted.push(request.postData() ?? "");
        return route.fulfill({ status: 200, contentType: "text/plain", body: "posted" });
      }
      return route.fulfill({ status: 200, headers, body });
    });
    await page.goto(PAGE);
    await run(page, posted);
    expect(watched.cspViolations).toEqual([]);
    expect(watched.pageErrors).toEqual([]);
    expect(blocked).toEqual([]);
  } finally {
    await context.close();
  }
}

describe("the consent page in Chromium", () => {
  it("renders under its CSP with its style applied, the description as text, focus on Allow", async () => {
    await consentInChromium(async (page) => {
      expect(await page.title()).toBe("Photo <b>Printer</b> would like to access your account");
      // The nonce'd stylesheet applied: the primary button is blue.
      const background = await page.evaluate(
        "getComputedStyle(document.querySelector('button[value=allow]')).backgroundColor",
      );
      expect(background).toBe("rgb(22, 98, 221)");
      expect(await page.locator("#scope-0-description").textContent()).toContain(
        '<img src=x onerror="window.__xss=1">',
      );
      expect(await page.evaluate("window.__xss")).toBeUndefined();
      expect(await page.evaluate("document.activeElement?.getAttribute('value')")).toBe("allow");
      expect(await page.locator("#scope-0").isDisabled()).toBe(true);
      expect(await page.locator("#scope-0").isChecked()).toBe(true);
      expect(await page.locator("#scope-1").isChecked()).toBe(true);
    });
  });

  it("without JavaScript: unticking the optional scope and allowing posts exactly the answer", async () => {
    await consentInChromium(async (page, posted) => {
      // The label is the checkbox's name: clicking it unticks the box.
      await page.getByLabel("See your photos").uncheck();
      await page.getByRole("button", { name: "Allow access" }).click();
      await page.waitForURL(`${ORIGIN}${ACTION}`);
      expect(posted).toHaveLength(1);
      expect(Object.fromEntries(new URLSearchParams(posted[0]))).toEqual({
        consent_request: "sealed-transaction",
        decision: "allow",
      });
    }, false);
  });

  it("keyboard only: Tab reaches the optional box and both buttons; Space ticks, Enter on Don't allow denies", async () => {
    await consentInChromium(async (page, posted) => {
      // The page puts focus on Allow once it has rendered (autofocus): wait for it, since a key
      // pressed before then starts from the document (seen under load in CI).
      await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('value')")).toBe("allow");
      await page.keyboard.press("Shift+Tab"); // from Allow back to Don't allow
      expect(await page.evaluate("document.activeElement?.getAttribute('value')")).toBe("deny");
      await page.keyboard.press("Shift+Tab"); // the optional box (the disabled one is skipped)
      expect(await page.evaluate("document.activeElement?.id")).toBe("scope-1");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      await page.waitForURL(`${ORIGIN}${ACTION}`);
      expect(Object.fromEntries(new URLSearchParams(posted[0]))).toEqual({
        consent_request: "sealed-transaction",
        "optional.photos": "on",
        decision: "deny",
      });
    });
  });

  it("has no WCAG 2.x A/AA violation that axe-core can find", { timeout: 60_000 }, async () => {
    await consentInChromium(async (page) => {
      await page.evaluate(AXE_SOURCE);
      const result = (await page.evaluate(`axe
        .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
        .then((r) => ({
          passed: r.passes.map((rule) => rule.id),
          violations: r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target) })),
        }))`)) as { passed: string[]; violations: unknown[] };
      expect(result.violations).toEqual([]);
      expect(result.passed).toEqual(
        expect.arrayContaining(["document-title", "html-has-lang", "color-contrast", "label"]),
      );
    });
  });
});
