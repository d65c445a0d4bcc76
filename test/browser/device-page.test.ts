/**
 * The device activation page (`/activate`, RFC 8628 §3.3) in Chromium against `npm start`: a device
 * starts at `/v1/device/authorize`, the person opens `verification_uri_complete` (the code is
 * pre-filled, not submitted), signs in on the hosted form, sees which app asks for what and
 * approves; the device's next poll gets the tokens. No serious or critical axe-core violation on
 * the code and approval pages, keyboard only, no CSP violation or console error. With
 * WARDEN_SCREENSHOTS=1 it also saves the README's screenshot (docs/screenshots/device-activate.png).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDeviceWorld, DEVICE_GRANT, DEVICE_SCOPE, type DeviceWorld } from "../e2e/device-world";
import { ROOT } from "../e2e/warden";
import { guardedContext, launchChromium, watchPage } from "./chromium";

const warden = inject("warden");
const AXE_SOURCE = (createRequire(import.meta.url)("axe-core") as { source: string }).source;
const SCREENSHOTS = process.env.WARDEN_SCREENSHOTS === "1" ? join(ROOT, "docs", "screenshots") : undefined;

let browser: Browser;
let world: DeviceWorld;
beforeAll(async () => {
  [browser, world] = await Promise.all([
    launchChromium(),
    createDeviceWorld(warden.baseUrl, warden.adminToken),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await world?.cleanup();
});

interface AxeViolation {
  id: string;
  impact: string | null;
}

async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe
    .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function poll(deviceCode: string): Promise<Response> {
  return fetch(`${world.issuer}/v1/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: DEVICE_GRANT,
      device_code: deviceCode,
      client_id: world.clientId,
    }),
  });
}

describe("the device activation page", () => {
  it("pre-filled code → sign in → approve with the keyboard → the device's poll gets tokens", async () => {
    const started = await fetch(`${world.issuer}/v1/device/authorize`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: world.clientId, scope: `openid ${DEVICE_SCOPE}` }),
    });
    expect(started.status).toBe(200);
    const device = (await started.json()) as {
      device_code: string;
      user_code: string;
      verification_uri_complete: string;
    };

    const { context, blocked } = await guardedContext(browser, { viewport: { width: 800, height: 760 } });
    try {
      const watched = await watchPage(context);
      const { page } = watched;
      await page.goto(device.verification_uri_complete);
      const code = page.getByLabel("Activation code");
      expect(await code.inputValue()).toBe(device.user_code);
      // The code field has focus: Enter submits it.
      expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("user-code");
      expect(await seriousViolations(page)).toEqual([]);
      if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, "device-code.png") });
      await code.press("Enter");

      await page.getByLabel("Username").waitFor();
      await page.getByLabel("Username").fill(world.login);
      await page.getByLabel("Password").fill(world.password);
      await page.getByLabel("Password").press("Enter");

      await page.getByRole("heading", { name: `Activate ${world.appName}?` }).waitFor();
      expect(await page.textContent("main")).toContain(device.user_code);
      expect(await page.textContent("main")).toContain("Watch your shows");
      expect(await seriousViolations(page)).toEqual([]);
      if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, "device-activate.png") });
      // Allow has focus (autofocus): Enter approves.
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Device activated" }).waitFor();

      expect(watched.cspViolations).toEqual([]);
      expect(watched.consoleErrors).toEqual([]);
      expect(watched.pageErrors).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }

    const res = await poll(device.device_code);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; id_token: string; scope: string };
    expect(tokens.scope).toBe(`openid ${DEVICE_SCOPE}`);
    expect(tokens.id_token).toBeTruthy();
  });
});
