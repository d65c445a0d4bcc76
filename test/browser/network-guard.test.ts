/**
 * The tier's network guard, attacked: a page that reaches for anything but this machine's loopback
 * (another host name, another loopback address, a WebSocket, a redirect off-machine, a
 * navigation) is refused and recorded, and nothing it tries leaves the machine. Targets are
 * `.invalid` names (RFC 6761 §6.4: never resolve) and 127.0.0.2 (loopback, but not an address the
 * guard allows), so even a broken guard sends nothing off this machine.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { guardedContext, isLoopback, launchChromium, watchPage } from "./chromium";

const warden = inject("warden");

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe("isLoopback", () => {
  it("allows http(s) and ws(s) to 127.0.0.1, localhost and [::1] only", () => {
    for (const url of [
      "http://127.0.0.1:8787/x",
      "https://localhost/",
      "ws://[::1]:9/",
      `${warden.baseUrl}/api/v1/reference`,
    ]) {
      expect(isLoopback(url), url).toBe(true);
    }
    for (const url of [
      "http://127.0.0.2/",
      "http://example.invalid/",
      "http://localhost.example.invalid/",
      "http://127.0.0.1.nip.invalid/",
      "http://user@example.invalid@127.0.0.1.invalid/",
      "ftp://127.0.0.1/",
      "file:///etc/passwd",
      "not a url",
    ]) {
      expect(isLoopback(url), url).toBe(false);
    }
  });
});

describe("a guarded page", () => {
  it("fetches from Warden but is refused everything else, each refusal recorded", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const { page } = await watchPage(context);
      // A page of our own on Warden's origin, so fetch() is same-origin for the first call.
      await page.goto(`${warden.baseUrl}/api/v1/openapi.json`);
      const outcomes = (await page.evaluate(`Promise.all([
        "${warden.baseUrl}/api/v1/openapi.json",
        "http://warden-test.invalid/steal",
        "https://warden-test.invalid/steal",
        "http://127.0.0.2:${warden.port}/api/v1/openapi.json",
      ].map((url) => fetch(url, { mode: "no-cors" }).then(() => "fetched", () => "refused")))`)) as string[];
      expect(outcomes).toEqual(["fetched", "refused", "refused", "refused"]);
      expect(blocked).toEqual([
        "http://warden-test.invalid/steal",
        "https://warden-test.invalid/steal",
        `http://127.0.0.2:${warden.port}/api/v1/openapi.json`,
      ]);
    } finally {
      await context.close();
    }
  });

  it("cannot open a WebSocket off loopback, nor navigate there", async () => {
    const { context, blocked } = await guardedContext(browser);
    try {
      const { page } = await watchPage(context);
      await page.goto(`${warden.baseUrl}/api/v1/openapi.json`);
      const closed = await page.evaluate(`new Promise((resolve) => {
        const ws = new WebSocket("ws://warden-test.invalid/socket");
        ws.onopen = () => resolve("open");
        ws.onclose = () => resolve("closed");
      })`);
      expect(closed).toBe("closed");
      await expect(page.goto("http://warden-test.invalid/")).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
      expect(blocked).toEqual(["ws://warden-test.invalid/socket", "http://warden-test.invalid/"]);
    } finally {
      await context.close();
    }
  });

  it("does not follow a redirect off loopback, to a name or to another address", async () => {
    // Playwright routes only the first request of a redirect chain (its docs, page.route), so the
    // hop is stopped by the second wall, the host-resolver rules: nothing resolves, IP literals
    // included. A listener on 127.0.0.2 proves the hop never arrived.
    const hits: string[] = [];
    const listener = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.end("reached");
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.2", resolve));
    const { port } = listener.address() as AddressInfo;
    const { context } = await guardedContext(browser);
    try {
      const { page } = await watchPage(context);
      for (const target of ["http://warden-test.invalid/landing", `http://127.0.0.2:${port}/landing`]) {
        await page.route(`${warden.baseUrl}/redirect-out`, (route) =>
          route.fulfill({ status: 302, headers: { Location: target } }),
        );
        await expect(page.goto(`${warden.baseUrl}/redirect-out`), target).rejects.toThrow(
          /ERR_NAME_NOT_RESOLVED/,
        );
        await page.unrouteAll();
      }
      expect(hits).toEqual([]);
    } finally {
      await context.close();
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});
