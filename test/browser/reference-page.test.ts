/**
 * The management API's reference page (`GET /api/v1/reference`) in a real Chromium: it renders
 * under the strict CSP Warden sends with nothing refused and no console error, its one inline style
 * is the one the CSP hash allows (so it is applied), every operation of the OpenAPI document is on
 * it and linked from the navigation, and axe-core finds no WCAG 2.x A/AA violation.
 */
import { createRequire } from "node:module";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { guardedContext, launchChromium, watchPage } from "./chromium";

const warden = inject("warden");
const REFERENCE = `${warden.baseUrl}/api/v1/reference`;

/** axe-core's engine as one script; evaluated through DevTools, which the page's CSP does not govern. */
const AXE_SOURCE = (createRequire(import.meta.url)("axe-core") as { source: string }).source;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** `operationId`s of the OpenAPI document, by method and path. */
async function documentedOperations(): Promise<Map<string, string>> {
  const res = await fetch(`${warden.baseUrl}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const operations = new Map<string, string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ["get", "post", "put", "delete", "patch"]) {
      const id = item[method]?.operationId;
      if (id) operations.set(id, `${method.toUpperCase()} ${path}`);
    }
  }
  return operations;
}

describe("the API reference page in Chromium", () => {
  it("renders with no CSP violation, console error or outside request, its style applied", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const watched = await watchPage(context);
      const response = await watched.page.goto(REFERENCE, { waitUntil: "load" });
      expect(response?.status()).toBe(200);
      expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");

      expect(await watched.page.title()).not.toBe("");
      // The grid comes from the inline <style>: applied only if the CSP's hash matches it.
      expect(await watched.page.evaluate("getComputedStyle(document.body).display")).toBe("grid");

      expect(watched.cspViolations).toEqual([]);
      expect(watched.consoleErrors).toEqual([]);
      expect(watched.pageErrors).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("lists every operation of the OpenAPI document, each linked from the navigation", async () => {
    const operations = await documentedOperations();
    expect(operations.size).toBeGreaterThan(50);
    const { context } = await guardedContext(browser);
    try {
      const { page } = await watchPage(context);
      await page.goto(REFERENCE);
      const rendered = await page.$$eval("main article[id^='op-']", (articles) =>
        articles.map((a) => ({ id: a.id, heading: a.querySelector("h3")?.textContent ?? "" })),
      );
      const linked = await page.$$eval("nav a[href^='#op-']", (links) =>
        links.map((a) => a.getAttribute("href")),
      );

      expect(rendered.map((r) => r.id).sort()).toEqual([...operations.keys()].map((id) => `op-${id}`).sort());
      for (const { id, heading } of rendered) {
        // "GET /api/v1/users": the heading shows the method and path the document gives.
        expect(heading.replace(/\s+/g, " ").trim()).toBe(operations.get(id.slice("op-".length)));
      }
      expect(new Set(linked)).toEqual(new Set(rendered.map((r) => `#${r.id}`)));
      // Every in-page link lands on something (no dangling anchors to schemas or tags).
      const dangling = await page.evaluate(`[...document.querySelectorAll("a[href^='#']")]
        .map((a) => a.getAttribute("href").slice(1))
        .filter((id) => !document.getElementById(id))`);
      expect(dangling).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // axe checks every node of a long page (~10 s here; color-contrast is most of it).
  it("has no WCAG 2.x A/AA violation that axe-core can find", { timeout: 90_000 }, async () => {
    const { context } = await guardedContext(browser);
    try {
      const { page } = await watchPage(context);
      await page.goto(REFERENCE);
      await page.evaluate(AXE_SOURCE);
      const result = (await page.evaluate(`axe
        .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
        .then((r) => ({
          passed: r.passes.map((rule) => rule.id),
          violations: r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })),
          })),
        }))`)) as { passed: string[]; violations: AxeViolation[] };
      expect(result.violations).toEqual([]);
      // axe really looked: the rules that matter for this page ran and passed.
      expect(result.passed).toEqual(
        expect.arrayContaining(["document-title", "html-has-lang", "color-contrast", "link-name"]),
      );
    } finally {
      await context.close();
    }
  });
});
