/**
 * Proof that the browser enforces the Content-Security-Policy Warden sends, not just that the
 * header is there: the real reference page is fetched from Warden and handed to Chromium with
 * markup an attacker might get in (an inline script, an inline event handler, a style of their
 * own, an image and a form to elsewhere) and Warden's own headers. Nothing injected may run or
 * load, and each refusal is reported as a `securitypolicyviolation`. The same page without the
 * header runs the script: the control that shows the test can see an injection succeed.
 */
import type { Browser, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { guardedContext, launchChromium, type WatchedPage, watchPage } from "./chromium";

const warden = inject("warden");
const REFERENCE = `${warden.baseUrl}/api/v1/reference`;

/** What an HTML injection would add: each piece sets a flag on `window` if it gets to run. */
const INJECTED = `
<script>window.__inlineScriptRan = true</script>
<img id="injected-img" src="/api/v1/reference?pixel" onerror="window.__handlerRan = true" onload="window.__handlerRan = true">
<style>body { display: block !important }</style>
<form id="injected-form" action="${warden.baseUrl}/api/v1/openapi.json" method="post"><button>go</button></form>`;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Serves Warden's real reference response with {@link INJECTED} appended to its body; `keepCsp`
 * false drops the Content-Security-Policy header (the control). Content-Length and
 * Content-Encoding are recomputed by Playwright for the new body.
 */
function servedWithInjection(keepCsp: boolean) {
  return async (route: Route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers["content-length"];
    delete headers["content-encoding"];
    if (!keepCsp) delete headers["content-security-policy"];
    const body = (await response.text()).replace("</main>", `${INJECTED}</main>`);
    await route.fulfill({ status: response.status(), headers, body });
  };
}

async function injectedPage(keepCsp: boolean): Promise<{ watched: WatchedPage; close: () => Promise<void> }> {
  const { context, blocked } = await guardedContext(browser);
  const watched = await watchPage(context);
  await watched.page.route(REFERENCE, servedWithInjection(keepCsp));
  await watched.page.goto(REFERENCE, { waitUntil: "load" });
  return {
    watched,
    close: async () => {
      expect(blocked).toEqual([]);
      await context.close();
    },
  };
}

const flags = (watched: WatchedPage) =>
  watched.page.evaluate(`({
    script: window.__inlineScriptRan === true,
    handler: window.__handlerRan === true,
    display: getComputedStyle(document.body).display,
    imageLoaded: document.getElementById("injected-img").naturalWidth > 0,
  })`) as Promise<{ script: boolean; handler: boolean; display: string; imageLoaded: boolean }>;

describe("Chromium enforces the CSP Warden sends with the reference page", () => {
  it("refuses an injected inline script, event handler, style and image, reporting each", async () => {
    const { watched, close } = await injectedPage(true);
    try {
      // The image's error event would fire the handler if handlers ran; wait for it to settle.
      await watched.page.waitForFunction(`document.getElementById("injected-img").complete`);
      expect(await flags(watched)).toEqual({
        script: false,
        handler: false,
        display: "grid", // the page's own hashed style, not the injected one
        imageLoaded: false,
      });
      const directives = new Set(watched.cspViolations.map((v) => v.effectiveDirective));
      expect(directives).toEqual(
        new Set(["script-src-elem", "script-src-attr", "style-src-elem", "img-src"]),
      );
      expect(watched.cspViolations.every((v) => v.disposition === "enforce")).toBe(true);
      // Chromium also says so on the console, once per refusal.
      expect(watched.consoleErrors.length).toBeGreaterThanOrEqual(4);
      expect(watched.pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("refuses to submit an injected form anywhere (form-action 'none')", async () => {
    const { watched, close } = await injectedPage(true);
    try {
      const posts: string[] = [];
      watched.page.on("request", (request) => {
        if (request.method() === "POST") posts.push(request.url());
      });
      // A real click event on the button; Playwright's click() would wait for the navigation the
      // form schedules, which the CSP then cancels, and never return.
      await watched.page.locator("#injected-form button").dispatchEvent("click");
      await expect
        .poll(() => watched.cspViolations.map((v) => v.effectiveDirective))
        .toContain("form-action");
      expect(posts).toEqual([]);
      expect(watched.page.url()).toBe(REFERENCE);
    } finally {
      await close();
    }
  });

  it("control: without the header the same injection runs", async () => {
    const { watched, close } = await injectedPage(false);
    try {
      await watched.page.waitForFunction(`document.getElementById("injected-img").complete`);
      const ran = await flags(watched);
      expect(ran.script).toBe(true);
      expect(ran.handler).toBe(true);
      expect(ran.display).toBe("block");
      expect(watched.cspViolations).toEqual([]);
    } finally {
      await close();
    }
  });
});
