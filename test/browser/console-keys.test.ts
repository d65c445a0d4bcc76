/**
 * The admin console's keys, server create / delete and inline hooks screens (README "Admin
 * console") in Chromium against `npm start`, driven through the UI only, each write checked through
 * the management API (SSWS):
 *
 * - a server created from the list (a refusal first: no audience, the cause beside Audiences), then
 *   deleted from its settings once deactivated, after a confirmation naming it;
 * - the Keys tab: the timeline matches the API's keys, a rotation at once and then a deferred one
 *   (the NEXT key published moments ago), each said in words and true in the API; a revoke behind a
 *   confirmation that says what breaks; the rotation mode;
 * - inline hooks: a refused create (a private address, the cause beside Channel URL), a create whose
 *   secret never comes back to the page, an edit keeping the secret, a refused edit (a new header
 *   with no secret: the cause beside the secret), deactivate, a delete refused while a rule names
 *   the hook (the server's words shown), then deleted;
 * - a READ_ONLY_ADMIN finds every write control on these screens disabled, and its forced writes
 *   are refused (403);
 * - every screen: no serious or critical axe-core violation, no sideways scroll at 360 / 1440 px,
 *   no CSP violation or console error but the refusals provoked on purpose.
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
  statusLine,
  suffix,
  useBrowser,
  warden,
  withPage,
} from "./console-helpers";

const READ_ONLY = {
  login: `readonly-keys-${suffix}@example.com`,
  password: `Ro${randomBytes(9).toString("base64url")}9x`,
};

useBrowser(() => createReadOnlyAdmin(READ_ONLY.login, READ_ONLY.password));

interface ApiKey {
  kid: string;
  status: string;
  activatesAt: string | null;
}

const newServer = (name: string) => newServerIn(name, "console-keys.test.ts", []);

const keysOf = async (serverId: string) =>
  (await admin("GET", `/authorizationServers/${serverId}/credentials/keys`)) as ApiKey[];

const statusText = statusLine;

describe("authorization servers: create and delete through the UI", () => {
  it("creates a server (refused first), lands on it, and deletes it once inactive", {
    timeout: 90_000,
  }, async () => {
    const name = `created-${suffix}`;
    await withPage(async ({ page }) => {
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await page.getByRole("button", { name: "New authorization server" }).click();
      // The form takes the focus: typed from the keyboard.
      await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("new-server-name");
      await page.keyboard.type(name);
      await page.getByLabel("Description").fill("Made in the console");
      // No audience: refused, the cause beside Audiences, nothing created.
      await page.getByRole("button", { name: "Create authorization server" }).click();
      await page.locator("#new-server-audiences-errors").waitFor();
      expect(await page.getByRole("alert").first().textContent()).toContain("Api validation failed");
      expect(await page.getByLabel("Audiences").getAttribute("aria-invalid")).toBe("true");
      const all = (await admin("GET", "/authorizationServers?limit=200")) as { id: string; name: string }[];
      expect(all.map((s) => s.name)).not.toContain(name);
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-new-server.png");

      await page.getByLabel("Audiences").fill(`api://created-${suffix}`);
      await page.getByRole("button", { name: "Create authorization server" }).click();
      await page.getByRole("heading", { level: 1, name }).waitFor();
      const id = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/servers\//, ""));
      const created = await admin("GET", `/authorizationServers/${id}`);
      expect(created).toMatchObject({
        name,
        description: "Made in the console",
        audiences: [`api://created-${suffix}`],
        status: "ACTIVE",
      });

      // Okta deletes only an inactive server: the button waits for the deactivation.
      const deleteButton = page.getByRole("button", { name: "Delete authorization server" });
      expect(await deleteButton.isDisabled()).toBe(true);
      await page.getByRole("button", { name: "Deactivate", exact: true }).click();
      await page.getByRole("button", { name: "Activate", exact: true }).waitFor();
      await deleteButton.click();
      const confirm = page.getByRole("group", {
        name: new RegExp(`Delete the authorization server ${name}\\?`),
      });
      await confirm.waitFor();
      expect(await confirm.textContent()).toContain("tokens it issued stop verifying");
      await expectAccessible(page);
      // The focus is on the safe choice: Enter on it keeps the server and returns to the button.
      await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("Keep it");
      await page.keyboard.press("Enter");
      await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("delete-server");
      expect((await admin("GET", `/authorizationServers/${id}`)).status).toBe("INACTIVE");
      await deleteButton.click();
      await page.getByRole("button", { name: `Delete ${name}` }).click();
      await page.getByRole("heading", { level: 1, name: "Authorization servers" }).waitFor();
      await expect.poll(() => page.getByRole("link", { name }).count()).toBe(0);
      const gone = await fetch(`${base}/api/v1/authorizationServers/${id}`, {
        headers: { Authorization: `SSWS ${warden.adminToken}` },
      });
      expect(gone.status).toBe(404);
    }, 1);
  });
});

describe("the Keys tab", () => {
  it("shows the API's keys, rotates (at once, then deferred), revokes after a confirmation, sets the mode", {
    timeout: 90_000,
  }, async () => {
    const server = await newServer("keys");
    const before = await keysOf(server.id);
    const active = before.find((k) => k.status === "ACTIVE") as ApiKey;
    const next = before.find((k) => k.status === "NEXT") as ApiKey;
    await withPage(async ({ page }) => {
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await page.getByRole("link", { name: server.name }).click();
      await page.getByRole("navigation", { name: "Server" }).getByRole("link", { name: "Keys" }).click();
      await page.getByRole("heading", { level: 2, name: "Signing keys" }).waitFor();
      const timeline = page.getByRole("list", { name: "Key timeline, newest first" });
      await timeline.waitFor();
      // Newest first: the NEXT key, then the ACTIVE one, each with its status.
      const items = timeline.getByRole("listitem");
      await expect.poll(() => items.count()).toBe(2);
      expect(await items.nth(0).textContent()).toContain(`NEXT${next.kid}`);
      expect(await items.nth(1).textContent()).toContain(`ACTIVE${active.kid}`);
      // The NEXT key's date is the API's, in UTC to the minute.
      const nextAt = `${(next.activatesAt as string).slice(0, 16).replace("T", " ")} UTC`;
      expect(await items.nth(0).textContent()).toContain(nextAt);
      const explained = await page.locator("#rotate-explained").textContent();
      expect(explained).toContain("23 minutes");
      expect(explained).toContain("rotate on their own every 90 days");
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-keys.png");

      // First rotation: the NEXT key has been published since the server was created, so it signs now.
      await page.getByRole("button", { name: "Rotate keys" }).click();
      await statusText(page, `Keys rotated: ${next.kid} signs from now`).waitFor();
      const afterFirst = await keysOf(server.id);
      expect(afterFirst.find((k) => k.status === "ACTIVE")?.kid).toBe(next.kid);
      expect(afterFirst.find((k) => k.kid === active.kid)?.status).toBe("EXPIRED");
      const third = afterFirst.find((k) => k.status === "NEXT") as ApiKey;
      await expect.poll(() => items.count()).toBe(3);
      expect(await items.nth(2).textContent()).toContain(`EXPIRED${active.kid}`);
      expect(await items.nth(2).textContent()).toContain("Leaves the JWKS");

      // Second rotation at once: the new NEXT key was published moments ago, so it waits until
      // every key set cached before it existed has expired; the page says when, as the API does.
      await page.getByRole("button", { name: "Rotate keys" }).click();
      await statusText(page, `Rotation scheduled: ${third.kid} signs from`).waitFor();
      const afterSecond = await keysOf(server.id);
      expect(afterSecond.find((k) => k.status === "ACTIVE")?.kid).toBe(next.kid);
      const waiting = afterSecond.find((k) => k.kid === third.kid) as ApiKey;
      expect(waiting.status).toBe("NEXT");
      expect(Date.parse(waiting.activatesAt as string)).toBeGreaterThan(Date.now());
      const waitingAt = `${(waiting.activatesAt as string).slice(0, 16).replace("T", " ")} UTC`;
      expect(await statusText(page, "Rotation scheduled").textContent()).toContain(waitingAt);

      // Revoke the EXPIRED key: the confirmation says what breaks; "Keep it" first.
      await page.getByRole("button", { name: `Revoke key ${active.kid}` }).click();
      const confirm = page.getByRole("group", { name: new RegExp(`Revoke key ${active.kid}\\?`) });
      await confirm.waitFor();
      expect(await confirm.textContent()).toContain("every token it signed stops verifying");
      await expectAccessible(page);
      await page.getByRole("button", { name: "Keep it" }).click();
      expect((await keysOf(server.id)).map((k) => k.kid)).toContain(active.kid);
      await page.getByRole("button", { name: `Revoke key ${active.kid}` }).click();
      await page.getByRole("button", { name: `Revoke ${active.kid}` }).click();
      await statusText(page, `Key ${active.kid} revoked`).waitFor();
      expect((await keysOf(server.id)).map((k) => k.kid)).not.toContain(active.kid);
      await expect.poll(() => timeline.getByText(active.kid).count()).toBe(0);

      // Emergency: revoking the ACTIVE key hands signing to the waiting NEXT key at once.
      await page.getByRole("button", { name: `Revoke key ${next.kid}` }).click();
      const emergency = page.getByRole("group", { name: new RegExp(`Revoke key ${next.kid}\\?`) });
      expect(await emergency.textContent()).toContain("The NEXT key signs from now");
      await page.getByRole("button", { name: `Revoke ${next.kid}` }).click();
      await statusText(page, `Key ${next.kid} revoked`).waitFor();
      const afterRevoke = await keysOf(server.id);
      expect(afterRevoke.find((k) => k.status === "ACTIVE")?.kid).toBe(third.kid);
      expect(afterRevoke.map((k) => k.kid)).not.toContain(next.kid);
      await expect.poll(() => timeline.getByText(`ACTIVE${third.kid}`).count()).toBe(1);

      // Rotation mode: MANUAL, as the server stores it.
      await page.getByLabel("Rotation mode").selectOption("MANUAL");
      await page.getByRole("button", { name: "Save rotation mode" }).click();
      await statusText(page, "Rotation mode MANUAL saved.").waitFor();
      const stored = await admin("GET", `/authorizationServers/${server.id}`);
      expect(stored.credentials.signing.rotationMode).toBe("MANUAL");
      await page.getByText("Rotation mode MANUAL: keys change only when you rotate them.").waitFor();
      await expectFits(page);
    });
  });
});

describe("inline hooks", () => {
  it("creates (refused first), edits keeping the secret, refuses a delete a rule blocks, deletes", {
    timeout: 120_000,
  }, async () => {
    const name = `Add tenant ${suffix}`;
    const secret = `s3cret-${randomBytes(12).toString("hex")}`;
    await withPage(async ({ page }) => {
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Inline hooks" })
        .click();
      await page.getByRole("heading", { level: 1, name: "Inline hooks" }).waitFor();
      await page.getByRole("button", { name: "New inline hook" }).click();
      await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("new-hook-name");
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Channel URL").fill("https://10.0.0.7/token-hook");
      await page.getByLabel("Authentication secret").fill(secret);
      await page.getByLabel("Custom headers").fill("X-Tenant: t1");
      await page.getByRole("button", { name: "Create inline hook" }).click();
      // A private address: the cause beside Channel URL; nothing created.
      await page.locator("#new-hook-uri-errors").waitFor();
      expect(await page.locator("#new-hook-uri-errors").textContent()).toContain("must be a public host");
      expect(await page.getByLabel("Channel URL").getAttribute("aria-invalid")).toBe("true");
      const hooks = (await admin("GET", "/inlineHooks")) as { name: string }[];
      expect(hooks.map((h) => h.name)).not.toContain(name);
      await expectAccessible(page);
      await expectFits(page);

      await page.getByLabel("Channel URL").fill("https://hooks.example.com/token");
      await page.getByRole("button", { name: "Create inline hook" }).click();
      await page.getByRole("heading", { level: 1, name }).waitFor();
      const id = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/hooks\//, ""));
      const created = await admin("GET", `/inlineHooks/${id}`);
      expect(created).toMatchObject({
        name,
        status: "ACTIVE",
        type: "com.okta.oauth2.tokens.transform",
        channel: {
          config: {
            uri: "https://hooks.example.com/token",
            headers: [{ key: "X-Tenant", value: "t1" }],
            authScheme: { type: "HEADER", key: "Authorization" },
          },
        },
      });
      // The secret is write-only: not in the page, not in its form.
      expect(await page.content()).not.toContain(secret);
      expect(await page.getByLabel("Authentication secret").inputValue()).toBe("");
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-hook.png");

      // The list shows it; back to it by its link.
      await page.locator(".crumbs").getByRole("link", { name: "Inline hooks" }).click();
      await page.getByRole("link", { name }).waitFor();
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-hooks.png");
      await page.getByRole("link", { name }).click();
      await page.getByRole("heading", { level: 1, name }).waitFor();

      // Edit the name, the secret left empty: kept (the server would refuse a header with none).
      await page.getByLabel("Name", { exact: true }).fill(`${name} v2`);
      await page.getByRole("button", { name: "Save inline hook" }).click();
      await statusText(page, `Inline hook ${name} v2 saved.`).waitFor();
      expect((await admin("GET", `/inlineHooks/${id}`)).name).toBe(`${name} v2`);

      // A new header name with no secret: refused, the cause beside the secret, nothing changed.
      await page.getByLabel("Authentication header name").fill("X-Hook-Auth");
      await page.getByRole("button", { name: "Save inline hook" }).click();
      await page.locator("#hook-auth-value-errors").getByText("there is no stored secret").waitFor();
      expect((await admin("GET", `/inlineHooks/${id}`)).channel.config.authScheme.key).toBe("Authorization");
      await expectAccessible(page);

      // A rule that names the hook (made through the API) blocks its deletion.
      const server = await newServer("hooked");
      const policy = await admin("POST", `/authorizationServers/${server.id}/policies`, {
        type: "OAUTH_AUTHORIZATION_POLICY",
        name: "hooked",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
      });
      const rule = await admin("POST", `/authorizationServers/${server.id}/policies/${policy.id}/rules`, {
        type: "RESOURCE_ACCESS",
        name: "with hook",
        priority: 1,
        conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
        actions: { token: { inlineHook: { id } } },
      });

      // Delete waits for the deactivation (Okta).
      expect(await page.getByRole("button", { name: "Delete inline hook" }).isDisabled()).toBe(true);
      await page.getByRole("button", { name: "Deactivate", exact: true }).click();
      await statusText(page, `Inline hook ${name} v2 is INACTIVE.`).waitFor();
      expect((await admin("GET", `/inlineHooks/${id}`)).status).toBe("INACTIVE");
      await page.getByRole("button", { name: "Delete inline hook" }).click();
      await page.getByRole("button", { name: `Delete ${name} v2` }).click();
      await page.getByRole("alert").getByText("remove it from the rule first").waitFor();
      expect((await admin("GET", `/inlineHooks/${id}`)).id).toBe(id);
      await expectAccessible(page);

      await admin("DELETE", `/authorizationServers/${server.id}/policies/${policy.id}/rules/${rule.id}`);
      await page.getByRole("button", { name: "Delete inline hook" }).click();
      await page.getByRole("button", { name: `Delete ${name} v2` }).click();
      await page.getByRole("heading", { level: 1, name: "Inline hooks" }).waitFor();
      const after = await fetch(`${base}/api/v1/inlineHooks/${id}`, {
        headers: { Authorization: `SSWS ${warden.adminToken}` },
      });
      expect(after.status).toBe(404);
      await expect.poll(() => page.getByRole("link", { name: `${name} v2` }).count()).toBe(0);
      // The three refusals: a private hook address, a header with no secret, a delete a rule blocks.
    }, 3);
  });
});

describe("a READ_ONLY_ADMIN on these screens", () => {
  it("finds every write control disabled, and its forced writes refused", { timeout: 90_000 }, async () => {
    const server = await newServer("ro-keys");
    const hook = await admin("POST", "/inlineHooks", {
      // Markup in a name is text: shown as typed, never parsed (Preact escapes; the CSP is the second wall).
      name: `ro hook <img src=x onerror="window.pwned=1"> ${suffix}`,
      type: "com.okta.oauth2.tokens.transform",
      version: "1.0.0",
      channel: {
        type: "HTTP",
        version: "1.0.0",
        config: {
          uri: "https://hooks.example.com/ro",
          method: "POST",
          authScheme: { type: "HEADER", key: "Authorization", value: "ro-secret-value" },
        },
      },
    });
    await withPage(async ({ page }) => {
      const token = await signIn(page, READ_ONLY.login, READ_ONLY.password);
      const onlySignOut = async () => {
        expect(await page.locator("button:enabled").allTextContents()).toEqual(["Sign out"]);
        expect(await page.locator("input:enabled, textarea:enabled, select:enabled").count()).toBe(0);
      };
      await page.getByRole("link", { name: server.name }).waitFor();
      await onlySignOut();
      await page.goto(`${base}/admin/#/servers/${server.id}/keys`);
      await page.getByRole("list", { name: "Key timeline, newest first" }).waitFor();
      await onlySignOut();
      await expectAccessible(page);
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Inline hooks" })
        .click();
      await page.getByRole("link", { name: hook.name }).click();
      await page.getByRole("heading", { level: 1, name: hook.name }).waitFor();
      await page.getByRole("heading", { level: 2, name: "Settings" }).waitFor();
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.evaluate("window.pwned")).toBeUndefined();
      await onlySignOut();
      await expectAccessible(page);

      const forced = async (path: string, body?: unknown) => {
        const res = await fetch(`${base}/api/v1${path}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token.access_token}`, "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(res.status, path).toBe(403);
        expect(((await res.json()) as { errorCode: string }).errorCode).toBe("E0000006");
      };
      const kids = (await keysOf(server.id)).map((k) => k.kid);
      await forced(`/authorizationServers/${server.id}/credentials/lifecycle/keyRotate`, { use: "sig" });
      await forced(`/authorizationServers/${server.id}/credentials/keys/${kids[0]}/lifecycle/revoke`);
      await forced(`/inlineHooks/${hook.id}/lifecycle/deactivate`);
      await forced("/authorizationServers", { name: "forced", audiences: ["api://forced"] });
      expect((await keysOf(server.id)).map((k) => k.kid)).toEqual(kids);
      expect((await admin("GET", `/inlineHooks/${hook.id}`)).status).toBe("ACTIVE");
    });
  });
});
