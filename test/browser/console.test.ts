/**
 * The admin console (console/, README "Admin console") in Chromium against `npm start`:
 *
 * - the demo admin signs in through the hosted page (org server, code + PKCE), lands on the servers
 *   list, opens a server, edits its settings, deactivates and activates it, creates, edits and
 *   deletes a scope through the UI, and the management API shows each change;
 * - a refused write shows Okta's errorSummary and the cause beside the field at fault, and the list
 *   never shows the refused change;
 * - a READ_ONLY_ADMIN's console has every write control disabled, and a write forced with its own
 *   token is refused by the server (403 E0000006);
 * - sign-out ends the org session (the next visit asks for the password again);
 * - every screen: no serious or critical axe-core violation, no CSP violation or console error, no
 *   horizontal scrolling at 360 px or 1440 px; the headers are the strict CSP.
 *
 * Each test works on a server of its own (created through the API), never on the demo's. With
 * WARDEN_SCREENSHOTS=1 it saves the README's screenshots. The shared set-up: ./console-helpers.ts.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  admin,
  base,
  createReadOnlyAdmin,
  demo,
  expectAccessible,
  expectFits,
  newServer as newServerIn,
  screenshot,
  signIn,
  suffix,
  useBrowser,
  withPage,
} from "./console-helpers";
import { signInOnHostedPage } from "./samples";

/** A server of the test's own, with one scope of its own. */
const newServer = (name: string) => newServerIn(name, "console.test.ts");

const READ_ONLY = {
  login: `readonly-${suffix}@example.com`,
  password: `Ro${randomBytes(9).toString("base64url")}9x`,
};

useBrowser(() => createReadOnlyAdmin(READ_ONLY.login, READ_ONLY.password));

describe("the admin console, signed in as the demo SUPER_ADMIN", () => {
  it("is served with the strict CSP, and only under /admin/", async () => {
    const res = await fetch(`${base}/admin/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=")/);
    expect(html).not.toMatch(/\bstyle=/);
    for (const path of ["/admin/callback", "/admin/signed-out", "/admin/app.js", "/admin/app.css"]) {
      const asset = await fetch(`${base}${path}`);
      await asset.body?.cancel();
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get("content-security-policy"), path).toBe(csp);
    }
    // /admin itself is the asset router's redirect to /admin/.
    const bare = await fetch(`${base}/admin`, { redirect: "manual" });
    expect(bare.status).toBe(307);
    expect(bare.headers.get("location")).toBe("/admin/");
    // The build's own headers file is not an asset; a path outside the console is the Worker's.
    expect((await fetch(`${base}/_headers`)).status).toBe(404);
    expect((await fetch(`${base}/admin/nothing-here`)).status).toBe(404);
  });

  it("signs in through the hosted page; settings, lifecycle and scopes through the UI", {
    timeout: 90_000,
  }, async () => {
    const server = await newServer("console");
    await withPage(async (watched) => {
      const { page } = watched;
      const token = await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      expect(token.scope.split(" ")).toContain("okta.authorizationServers.manage");
      // The code has left the address bar, and no token is stored: sessionStorage held only the
      // verifier, state and nonce, removed at the callback; localStorage and cookies hold nothing.
      expect(page.url()).toBe(`${base}/admin/#/servers`);
      expect(await page.evaluate("JSON.stringify([{ ...sessionStorage }, { ...localStorage }])")).toBe(
        "[{},{}]",
      );
      expect(await page.evaluate("document.cookie")).toBe("");
      await expect.poll(() => page.getByRole("link", { name: server.name }).count()).toBe(1);
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-servers.png");

      await page.getByRole("link", { name: server.name }).click();
      await page.getByRole("heading", { level: 1, name: server.name }).waitFor();
      await page.locator(".scope-head strong", { hasText: "reports:read" }).waitFor();
      await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("page-title");

      // Settings: a refused save (no audience) shows the cause at the field; nothing changes.
      await page.getByLabel("Audiences").fill("");
      await page.getByRole("button", { name: "Save settings" }).click();
      const audienceErrors = page.locator("#server-audiences-errors");
      await audienceErrors.waitFor();
      expect(await page.getByRole("alert").first().textContent()).toContain(
        "Api validation failed: audiences",
      );
      expect(await page.getByLabel("Audiences").getAttribute("aria-invalid")).toBe("true");
      expect((await admin("GET", `/authorizationServers/${server.id}`)).audiences).toEqual([
        `api://console-${suffix}`,
      ]);
      await expectAccessible(page);
      // Then a good one.
      await page.getByLabel("Audiences").fill(`api://console-${suffix}\napi://second-${suffix}`);
      await page.getByLabel("Description", { exact: true }).first().fill("Edited in the console");
      await page.getByLabel("Signing algorithm").selectOption("ES256");
      await page.getByLabel("Token profile").selectOption("rfc9068");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      const saved = await admin("GET", `/authorizationServers/${server.id}`);
      expect(saved.audiences).toEqual([`api://console-${suffix}`, `api://second-${suffix}`]);
      expect(saved.description).toBe("Edited in the console");
      expect(saved.credentials.signing.alg).toBe("ES256");
      expect(saved.tokenProfile).toBe("rfc9068");
      // The algorithm switch reaches the key vault: an ES256 key is on its way to signing.
      const keys = (await admin("GET", `/authorizationServers/${server.id}/credentials/keys`)) as {
        alg: string;
      }[];
      expect(keys.map((k) => k.alg)).toContain("ES256");
      expect(await audienceErrors.count()).toBe(0);

      // Lifecycle: the status shown is the server's answer.
      await page.getByRole("button", { name: "Deactivate", exact: true }).click();
      await page.getByRole("button", { name: "Activate", exact: true }).waitFor();
      expect((await admin("GET", `/authorizationServers/${server.id}`)).status).toBe("INACTIVE");
      await page.getByRole("button", { name: "Activate", exact: true }).click();
      await page.getByRole("button", { name: "Deactivate", exact: true }).waitFor();
      expect((await admin("GET", `/authorizationServers/${server.id}`)).status).toBe("ACTIVE");

      // A scope, typed and submitted from the keyboard (Enter submits the form).
      const scopesPath = `/authorizationServers/${server.id}/scopes`;
      await page.getByLabel("Scope name").focus();
      await page.keyboard.type("invoices:write");
      await page.getByLabel("Display name").fill("Write invoices");
      await page.getByLabel("Scope name").press("Enter");
      await page.getByRole("status").filter({ hasText: "Scope invoices:write created." }).waitFor();
      const scopes = (await admin("GET", scopesPath)) as { id: string; name: string; displayName?: string }[];
      const created = scopes.find((s) => s.name === "invoices:write");
      expect(created?.displayName).toBe("Write invoices");
      // The form is empty again for the next scope.
      expect(await page.getByLabel("Scope name").inputValue()).toBe("");

      // A duplicate is refused: the server's words beside the name, nothing added to the list.
      await page.getByLabel("Scope name").fill("invoices:write");
      await page.getByRole("button", { name: "Create scope" }).click();
      await page
        .locator("#new-scope-name-errors")
        .getByText("a scope named 'invoices:write' already exists")
        .waitFor();
      expect(await page.locator(".scope-head strong", { hasText: /^invoices:write$/ }).count()).toBe(1);
      expect(((await admin("GET", scopesPath)) as unknown[]).length).toBe(scopes.length);
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-server.png");

      // Edit it.
      await page.getByRole("button", { name: "Edit scope invoices:write" }).click();
      await page.locator(`#edit-${created?.id}-description`).fill("Create and change invoices");
      await page.getByRole("button", { name: "Save scope invoices:write" }).click();
      await page.getByRole("status").filter({ hasText: "Scope invoices:write saved." }).waitFor();
      expect((await admin("GET", `${scopesPath}/${created?.id}`)).description).toBe(
        "Create and change invoices",
      );

      // Delete it, after the confirmation.
      await page.getByRole("button", { name: "Delete scope invoices:write" }).click();
      await page.getByRole("button", { name: "Keep it" }).waitFor();
      await expectAccessible(page);
      await page.getByRole("button", { name: "Delete invoices:write" }).click();
      await page.getByRole("status").filter({ hasText: "Scope invoices:write deleted." }).waitFor();
      expect(((await admin("GET", scopesPath)) as { name: string }[]).map((s) => s.name)).not.toContain(
        "invoices:write",
      );
      // The two refusals above (no audience, a duplicate scope) are the only failed requests.
    }, 2);
  });

  it("sign-out ends the org session: the next visit asks for the password", { timeout: 60_000 }, async () => {
    await withPage(async ({ page }) => {
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { level: 1, name: "Signed out" }).waitFor();
      expect(new URL(page.url()).pathname).toBe("/admin/signed-out");
      await expectAccessible(page);
      await page.getByRole("button", { name: "Sign in again" }).click();
      await page.getByLabel("Password").waitFor();
      expect(new URL(page.url()).pathname).toBe("/oauth2/v1/authorize");
    });
  });

  it("a sign-in response the console did not start is refused (state), nothing redeemed", async () => {
    await withPage(async ({ page }) => {
      page.setDefaultTimeout(10_000);
      const tokenRequests: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/oauth2/v1/token")) tokenRequests.push(r.url());
      });
      await page.goto(`${base}/admin/callback?code=forged.code&state=forged`);
      await page.getByRole("heading", { level: 1, name: "Sign-in failed" }).waitFor();
      expect(tokenRequests).toEqual([]);
      expect(new URL(page.url()).search).toBe("");
      await expectAccessible(page);
    });
  });
});

describe("the admin console, for someone who is no admin", () => {
  it("a user the console is not assigned to gets the org server's refusal, and no token", async () => {
    await withPage(async ({ page }) => {
      page.setDefaultTimeout(10_000);
      const tokenRequests: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/oauth2/v1/token")) tokenRequests.push(r.url());
      });
      await page.goto(`${base}/admin/#/servers`);
      await signInOnHostedPage(page, demo.demoUser.login, demo.demoUser.password);
      await page.getByRole("heading", { level: 1, name: "Sign-in failed" }).waitFor();
      expect(await page.getByText("User is not assigned to the client application.").count()).toBe(1);
      expect(tokenRequests).toEqual([]);
      expect(new URL(page.url()).search).toBe("");
      await expectAccessible(page);
    });
  });
});

describe("the admin console, signed in as a READ_ONLY_ADMIN", () => {
  it("every write control is disabled, and a write forced with its token is refused", {
    timeout: 60_000,
  }, async () => {
    const server = await newServer("readonly");
    await withPage(async (watched) => {
      const { page } = watched;
      // Its first request (manage) is refused by the org server; the console asks again for read.
      const token = await signIn(page, READ_ONLY.login, READ_ONLY.password);
      expect(token.scope.split(" ").sort()).toEqual(
        [
          "openid",
          "okta.apps.read",
          "okta.authorizationServers.read",
          "okta.groups.read",
          "okta.inlineHooks.read",
          "okta.logs.read",
          "okta.roles.read",
          "okta.users.read",
        ].sort(),
      );
      await page.getByRole("note").getByText("Read-only").waitFor();
      await page.getByRole("link", { name: server.name }).click();
      await page.locator(".scope-head strong", { hasText: "reports:read" }).waitFor();
      await expectAccessible(page);
      await screenshot(page, "console-read-only.png");

      // Nothing that writes can be used: the only enabled button signs out.
      const enabledButtons = await page.locator("button:enabled").allTextContents();
      expect(enabledButtons).toEqual(["Sign out"]);
      expect(await page.locator("input:enabled, textarea:enabled, select:enabled").count()).toBe(0);

      // The server refuses anyway.
      const forced = await fetch(`${base}/api/v1/authorizationServers/${server.id}/scopes`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token.access_token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "forced:write" }),
      });
      expect(forced.status).toBe(403);
      expect(((await forced.json()) as { errorCode: string }).errorCode).toBe("E0000006");
      const names = (
        (await admin("GET", `/authorizationServers/${server.id}/scopes`)) as { name: string }[]
      ).map((s) => s.name);
      expect(names).not.toContain("forced:write");
      // Its token still reads.
      const read = await fetch(`${base}/api/v1/authorizationServers/${server.id}`, {
        headers: { Authorization: `Bearer ${token.access_token}` },
      });
      expect(read.status).toBe(200);
    });
  });
});
