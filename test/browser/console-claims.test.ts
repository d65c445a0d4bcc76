/**
 * The admin console's claims screen and Token Preview (console/src/screens/claims.tsx,
 * token-preview.tsx) in Chromium against `npm start`, driven through the UI only; every write is
 * checked through the management API (SSWS).
 *
 * - Claims: the expression checker arrives as its own chunk when the screen opens, never before;
 *   a value is checked while typed with no request to the server, and the error it shows is the one
 *   the server's refusal then shows beside the field; nothing refused reaches the list; create,
 *   edit, delete (after a confirmation) of EXPRESSION and GROUPS claims.
 * - Token Preview: a client_credentials token decoded with the trace drawn rule by rule and each
 *   claim's fate; a denial shown as the token endpoint answers it; a user grant for a user found
 *   by search, refused while the user is not assigned to the app and granted once they are; a
 *   malformed request's cause beside its field.
 * - A READ_ONLY_ADMIN sees no enabled write control on either screen, and the server refuses the
 *   writes (and the preview, a POST) forced with its token.
 * - Every screen: no serious or critical axe-core violation, no CSP violation or console error, no
 *   sideways scroll at 360 or 1440 px. WARDEN_SCREENSHOTS=1 saves docs/screenshots/console-claims.png
 *   and console-token-preview.png.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  admin,
  base,
  CONSOLE_CLIENT_ID,
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

interface ClaimJson {
  id: string;
  name: string;
  status: string;
  valueType: string;
  value: string;
  group_filter_type?: string;
  conditions: { scopes: string[] };
}

/** A server of the test's own, with one scope of its own. */
const newServer = (name: string) => newServerIn(name, "console-claims.test.ts");

const READ_ONLY = {
  login: `readonly-claims-${suffix}@example.com`,
  password: `Ro${randomBytes(9).toString("base64url")}9x`,
};

useBrowser(() => createReadOnlyAdmin(READ_ONLY.login, READ_ONLY.password));

/** Opens one of the server's tabs by its link, as an admin does. */
async function openTab(page: Page, server: { name: string }, tab: string): Promise<void> {
  await page.getByRole("link", { name: server.name }).click();
  await page.getByRole("heading", { level: 1, name: server.name }).waitFor();
  await page.getByRole("navigation", { name: "Server" }).getByRole("link", { name: tab }).click();
}

describe("claims, signed in as the demo SUPER_ADMIN", () => {
  it("checks the value as it is typed with the server's compiler; create, edit, delete", {
    timeout: 90_000,
  }, async () => {
    const server = await newServer("claims");
    const claimsPath = `/authorizationServers/${server.id}/claims`;
    await withPage(async (watched) => {
      const { page } = watched;
      const chunks: string[] = [];
      const apiCalls: string[] = [];
      page.on("request", (r) => {
        const url = new URL(r.url());
        if (url.pathname.startsWith("/admin/chunks/")) chunks.push(url.pathname);
        if (url.pathname.startsWith("/api/v1/")) apiCalls.push(`${r.method()} ${url.pathname}`);
      });
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      // The first screen does not load the checker.
      expect(chunks).toEqual([]);
      await openTab(page, server, "Claims");
      await page.getByRole("heading", { level: 2, name: "Claims" }).waitFor();
      await page.getByText("No claims yet.").waitFor();
      await expect.poll(() => chunks.length).toBe(1);
      expect(chunks[0]).toMatch(/^\/admin\/chunks\/claim-check-[\w-]+\.js$/);
      // A file of the console like app.js: the same strict headers, served as a script.
      const chunk = await fetch(`${base}${chunks[0]}`);
      await chunk.body?.cancel();
      expect(chunk.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(chunk.headers.get("content-type")).toMatch(/javascript/);
      expect(chunk.headers.get("x-content-type-options")).toBe("nosniff");

      // Typing: the compiler's error and where it stopped, and no request to the server.
      const before = apiCalls.length;
      await page.getByLabel("Claim name").fill("tier");
      await page.getByLabel("Value expression").focus();
      await page.keyboard.type("user.email +");
      const check = page.locator("#new-claim-value-check");
      await check.getByText(/^Unexpected end of expression/).waitFor();
      const typedError = (await check.locator(".check-error").textContent()) ?? "";
      expect(typedError).toContain("(line 1, column 13)");
      expect(await check.locator("mark").count()).toBe(1);
      expect(apiCalls.slice(before)).toEqual([]);
      await expectAccessible(page);

      // Saving it anyway: the server's own cause beside the field says the same; nothing is stored.
      await page.getByRole("button", { name: "Create claim" }).click();
      const valueErrors = page.locator("#new-claim-value-errors");
      await valueErrors.waitFor();
      expect(typedError.startsWith((await valueErrors.textContent()) ?? "-")).toBe(true);
      expect(await page.getByRole("alert").first().textContent()).toContain("Api validation failed: value");
      expect(await page.getByLabel("Value expression").getAttribute("aria-invalid")).toBe("true");
      expect(await admin("GET", claimsPath)).toEqual([]);
      expect(await page.getByText("No claims yet.").count()).toBe(1);

      // Hostile input is a message, never a hang or a page error: nesting past the compiler's
      // bound, and a paste past the schema's 1024 characters (checked before any compiler runs).
      await page.getByLabel("Value expression").fill("(".repeat(1000));
      await check.locator(".check-error").waitFor();
      await page.getByLabel("Value expression").fill(`"${"x".repeat(5000)}"`);
      await check.getByText("Too big: expected string to have <=1024 characters").waitFor();

      // A good value: the check says so, and the save is in the list and the API.
      await page.getByLabel("Value expression").fill('"gold"');
      await check.getByText("Compiles.").waitFor();
      await page.getByLabel("Claim name").press("Enter");
      await page.getByRole("status").filter({ hasText: "Claim tier created." }).waitFor();
      const [tier] = (await admin("GET", claimsPath)) as ClaimJson[];
      expect(tier).toMatchObject({
        name: "tier",
        valueType: "EXPRESSION",
        value: '"gold"',
        status: "ACTIVE",
      });
      expect(tier?.conditions.scopes).toEqual([]);
      await page.getByRole("cell", { name: "tier", exact: true }).waitFor();
      expect(await page.getByLabel("Claim name").inputValue()).toBe("");

      // A groups claim: the regex is checked as typed, the scope condition set by checkbox.
      await page.getByLabel("Claim name").fill("teams");
      await page.getByLabel("Value type").selectOption("GROUPS");
      await page.getByLabel("Group filter", { exact: true }).selectOption("REGEX");
      await page.getByLabel("Group filter value").fill("eng-(a");
      await check.getByText(/^Unclosed group at offset 4/).waitFor();
      await page.getByLabel("Group filter value").fill("eng-.*");
      await check.getByText("Compiles.").waitFor();
      await page.getByRole("checkbox", { name: "reports:read" }).check();
      await page.getByRole("button", { name: "Create claim" }).click();
      await page.getByRole("status").filter({ hasText: "Claim teams created." }).waitFor();
      const teams = ((await admin("GET", claimsPath)) as ClaimJson[]).find((c) => c.name === "teams");
      expect(teams).toMatchObject({ valueType: "GROUPS", group_filter_type: "REGEX", value: "eng-.*" });
      expect(teams?.conditions.scopes).toEqual(["reports:read"]);
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-claims.png");

      // Edit: the form opens with the keyboard in it; the saved value is the server's.
      await page.getByRole("button", { name: "Edit claim tier" }).click();
      await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe(`edit-${tier?.id}-name`);
      await page.getByLabel("Value expression").fill('"platinum"');
      await page.getByLabel("Status").selectOption("INACTIVE");
      await page.getByRole("button", { name: "Save claim tier" }).click();
      await page.getByRole("status").filter({ hasText: "Claim tier saved." }).waitFor();
      expect(await admin("GET", `${claimsPath}/${tier?.id}`)).toMatchObject({
        value: '"platinum"',
        status: "INACTIVE",
      });
      await page.getByRole("cell", { name: '"platinum"' }).waitFor();

      // Delete, after the confirmation; "Keep it" keeps it.
      await page.getByRole("button", { name: "Delete claim teams" }).click();
      await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("Keep it");
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: "Delete claim teams" }).waitFor();
      await page.getByRole("button", { name: "Delete claim teams" }).click();
      await expectAccessible(page);
      await page.getByRole("button", { name: "Delete teams" }).click();
      await page.getByRole("status").filter({ hasText: "Claim teams deleted." }).waitFor();
      expect(((await admin("GET", claimsPath)) as ClaimJson[]).map((c) => c.name)).toEqual(["tier"]);
      // The one refusal above (the value that does not compile) is the only failed request.
    }, 1);
  });
});

describe("Token Preview, signed in as the demo SUPER_ADMIN", () => {
  it("draws the trace rule by rule, the token's claims, denials and a user's token", {
    timeout: 90_000,
  }, async () => {
    const server = await newServer("preview");
    const path = `/authorizationServers/${server.id}`;
    await admin("POST", `${path}/scopes`, { name: "other:scope" });
    await admin("POST", `${path}/claims`, {
      name: "tier",
      claimType: "RESOURCE",
      valueType: "EXPRESSION",
      value: '"gold"',
    });
    await admin("POST", `${path}/claims`, {
      name: "region",
      claimType: "RESOURCE",
      valueType: "EXPRESSION",
      value: '"eu"',
      conditions: { scopes: ["other:scope"] },
    });
    const label = `preview-app-${suffix}`;
    const app = await admin("POST", "/apps", {
      name: "oidc_client",
      label,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
      settings: {
        oauthClient: {
          grant_types: ["client_credentials", "authorization_code"],
          response_types: ["code", "token"],
          redirect_uris: ["https://app.example.com/callback"],
          application_type: "web",
        },
      },
    });
    const other = await admin("POST", "/apps", {
      name: "oidc_client",
      label: `other-app-${suffix}`,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
      settings: {
        oauthClient: {
          grant_types: ["client_credentials"],
          response_types: ["token"],
          application_type: "service",
        },
      },
    });
    await admin("POST", `${path}/policies`, {
      name: "Partners",
      priority: 1,
      conditions: { clients: { include: [other.id] } },
    });
    const main = await admin("POST", `${path}/policies`, {
      name: "Main",
      priority: 2,
      conditions: { clients: { include: ["ALL_CLIENTS"] } },
    });
    await admin("POST", `${path}/policies/${main.id}/rules`, {
      name: "Humans",
      priority: 1,
      conditions: { grantTypes: { include: ["authorization_code"] }, scopes: { include: ["*"] } },
    });
    await admin("POST", `${path}/policies/${main.id}/rules`, {
      name: "Machines",
      priority: 2,
      conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["reports:read"] } },
    });

    await withPage(async (watched) => {
      const { page } = watched;
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await openTab(page, server, "Token preview");
      await page.getByRole("heading", { level: 2, name: "Token preview" }).waitFor();
      await page.getByRole("checkbox", { name: "reports:read" }).waitFor();
      await expectAccessible(page);

      // client_credentials with reports:read: granted by Machines; Partners did not apply; Humans
      // is not for this grant type; tier is in the token, region needs a scope not granted.
      await page.getByLabel("Client", { exact: true }).selectOption({ label: `${label} (${app.id})` });
      await page.getByLabel("Grant type").selectOption("client_credentials");
      await page.getByRole("checkbox", { name: "reports:read" }).check();
      await page.getByRole("button", { name: "Preview token" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: "Granted by rule Machines of policy Main." })
        .waitFor();
      const payload = JSON.parse((await page.locator("#preview-claims").textContent()) ?? "{}");
      expect(payload).toMatchObject({ tier: "gold", cid: app.id, scp: ["reports:read"] });
      expect(payload).not.toHaveProperty("region");
      expect(JSON.parse((await page.locator("#preview-header").textContent()) ?? "{}")).toMatchObject({
        alg: "RS256",
      });
      const trace = page.locator(".trace");
      const partners = trace.locator(".trace-policy").filter({ hasText: "Partners" });
      expect(await partners.textContent()).toContain("The client is not assigned to this policy.");
      const humans = trace.locator(".trace-rule").filter({ hasText: "Humans" });
      expect(await humans.textContent()).toContain("Grant type not allowed by this rule.");
      const machines = trace.locator(".trace-rule").filter({ hasText: "Machines" });
      expect(await machines.textContent()).toContain("This rule granted the token.");
      const outcomes = page.locator(".claim-outcomes");
      expect(await outcomes.locator("li").filter({ hasText: "region" }).textContent()).toContain(
        "Left out: none of its scopes (other:scope) was granted.",
      );
      expect(await outcomes.locator("li").filter({ hasText: "tier" }).textContent()).toContain(
        "In the token",
      );
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-token-preview.png");

      // Markup in a value is text wherever the console shows it (the decoded token, the claims).
      await admin("POST", `${path}/claims`, {
        name: "note",
        claimType: "RESOURCE",
        valueType: "EXPRESSION",
        value: '"<img src=x onerror=alert(1)>"',
      });
      await page.getByRole("button", { name: "Preview token" }).click();
      await page.locator(".claim-outcomes li").filter({ hasText: "note" }).waitFor();
      const withNote = JSON.parse((await page.locator("#preview-claims").textContent()) ?? "{}");
      expect(withNote.note).toBe("<img src=x onerror=alert(1)>");
      expect(await page.locator("img").count()).toBe(0);

      // A scope no rule grants: the token endpoint's error, and why Machines did not match.
      await page.getByRole("checkbox", { name: "other:scope" }).check();
      await page.getByRole("button", { name: "Preview token" }).click();
      const denial = page.locator(".preview-result [role=alert]");
      await denial.getByText("access_denied").waitFor();
      expect(await denial.textContent()).toContain("Policy evaluation failed for this request");
      expect(await page.locator(".trace-rule").filter({ hasText: "Machines" }).textContent()).toContain(
        "Scope not allowed",
      );
      await expectAccessible(page);

      // A user grant without a user: the API's cause beside the user picker.
      await page.getByLabel("Grant type").selectOption("authorization_code");
      await page.getByRole("button", { name: "Preview token" }).click();
      await page.locator(".user-picker .field-errors").waitFor();
      expect(await page.getByRole("alert").first().textContent()).toContain("Api validation failed: userId");

      // The demo user, found by search, is not assigned to the app: refused as the grant refuses.
      await page.getByRole("checkbox", { name: "other:scope" }).uncheck();
      const local = demo.demoUser.login.split("@")[0] ?? demo.demoUser.login;
      await page.getByLabel("Find a user").fill(local);
      await page.getByLabel("Find a user").press("Enter");
      await page.getByRole("radio", { name: new RegExp(demo.demoUser.login) }).check();
      await page.getByText(`Previewing for`).waitFor();
      await page.getByRole("button", { name: "Preview token" }).click();
      await denial.getByText("User is not assigned to the client application.").waitFor();

      // Assigned (through the API, as an app admin would), the same preview is granted by Humans.
      await admin("POST", `/apps/${app.id}/users`, { id: demo.demoUser.id, scope: "USER" });
      await page.getByRole("button", { name: "Preview token" }).click();
      await page.getByRole("status").filter({ hasText: "Granted by rule Humans of policy Main." }).waitFor();
      const userPayload = JSON.parse((await page.locator("#preview-claims").textContent()) ?? "{}");
      expect(userPayload).toMatchObject({ uid: demo.demoUser.id, sub: demo.demoUser.login, tier: "gold" });
      expect(await page.locator("#preview-id-claims").count()).toBe(0);

      // With openid granted to the user, the ID token beside it.
      await page.getByRole("checkbox", { name: "openid", exact: true }).check();
      await page.getByRole("button", { name: "Preview token" }).click();
      await page.getByRole("heading", { level: 3, name: "ID token" }).waitFor();
      const idPayload = JSON.parse((await page.locator("#preview-id-claims").textContent()) ?? "{}");
      expect(idPayload).toMatchObject({ sub: demo.demoUser.id, aud: app.id, ver: 1 });
      expect(idPayload).not.toHaveProperty("at_hash");
      await expectAccessible(page);
      await expectFits(page);
      // The one refusal above (no user for a user grant) is the only failed request.
    }, 1);
  });
});

describe("claims and Token Preview, signed in as a READ_ONLY_ADMIN", () => {
  it("no write control is enabled, and the writes forced with its token are refused", {
    timeout: 60_000,
  }, async () => {
    const server = await newServer("claims-readonly");
    const path = `/authorizationServers/${server.id}`;
    await admin("POST", `${path}/claims`, {
      name: "tier",
      claimType: "RESOURCE",
      valueType: "EXPRESSION",
      value: '"gold"',
    });
    await withPage(async ({ page }) => {
      const token = await signIn(page, READ_ONLY.login, READ_ONLY.password);
      expect(token.scope.split(" ")).not.toContain("okta.authorizationServers.manage");
      await openTab(page, server, "Claims");
      await page.getByRole("cell", { name: "tier", exact: true }).waitFor();
      await expectAccessible(page);
      expect(await page.locator("button:enabled").allTextContents()).toEqual(["Sign out"]);
      expect(await page.locator("input:enabled, textarea:enabled, select:enabled").count()).toBe(0);

      await page
        .getByRole("navigation", { name: "Server" })
        .getByRole("link", { name: "Token preview" })
        .click();
      await page.getByText("Token Preview needs the right to manage authorization servers").waitFor();
      await expectAccessible(page);
      expect(await page.locator("button:enabled").allTextContents()).toEqual(["Sign out"]);
      expect(await page.locator("input:enabled, textarea:enabled, select:enabled").count()).toBe(0);

      const forced = async (method: string, to: string, body: unknown) => {
        const res = await fetch(`${base}/api/v1${path}${to}`, {
          method,
          headers: { Authorization: `Bearer ${token.access_token}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as { errorCode: string } };
      };
      const claim = { name: "forced", claimType: "RESOURCE", valueType: "EXPRESSION", value: '"x"' };
      const created = await forced("POST", "/claims", claim);
      expect(created).toEqual({ status: 403, body: expect.objectContaining({ errorCode: "E0000006" }) });
      const preview = await forced("POST", "/tokenPreview", {
        clientId: CONSOLE_CLIENT_ID,
        grantType: "client_credentials",
      });
      expect(preview).toEqual({ status: 403, body: expect.objectContaining({ errorCode: "E0000006" }) });
      expect(((await admin("GET", `${path}/claims`)) as ClaimJson[]).map((c) => c.name)).toEqual(["tier"]);
    });
  });
});
