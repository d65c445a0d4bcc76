/**
 * Issue 14's end-to-end scenario, through the admin console's UI only (README "Admin console"): the
 * demo SUPER_ADMIN signs in on the hosted page and creates an authorization server, a scope, a claim,
 * a service app (its secret shown once), an access policy for that app and two rules; reorders the
 * rules by keyboard; previews a token and reads the trace; rotates the keys; then the app gets a real
 * token with its secret from `/v1/token`, verified against the JWKS — and the token is what the
 * console said it would be: the rule moved first granted it, the claim is in it, the rotated-in key
 * signed it.
 *
 * The management API (SSWS) is only the witness: it reads what the UI wrote, it writes nothing.
 */
import { randomBytes } from "node:crypto";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  admin,
  base,
  demo,
  expectAccessible,
  expectFits,
  signIn,
  useBrowser,
  withPage,
} from "./console-helpers";

const suffix = randomBytes(4).toString("hex");
const SERVER = `scenario-${suffix}`;
const AUDIENCE = `api://scenario-${suffix}`;
const APP = `orders-service-${suffix}`;

useBrowser();

const status = (page: Page, text: string | RegExp) =>
  page.getByRole("status").filter({ hasText: text }).waitFor();

async function openTab(page: Page, tab: string): Promise<void> {
  await page
    .getByRole("navigation", { name: "Server" })
    .getByRole("link", { name: tab, exact: true })
    .click();
}

interface Named {
  id: string;
  name: string;
}

describe("the admin console, end to end", () => {
  it("server, scope, claim, app, policy, two rules reordered, preview, rotation, then a real token", {
    timeout: 240_000,
  }, async () => {
    let serverId = "";
    let clientId = "";
    let secret = "";
    let activeKid = "";
    await withPage(async ({ page }) => {
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);

      // 1. The authorization server.
      await page.getByRole("button", { name: "New authorization server" }).click();
      await page.getByLabel("Name", { exact: true }).fill(SERVER);
      await page.getByLabel("Audiences").fill(AUDIENCE);
      await page.getByLabel("Description").fill("Made by the end-to-end scenario");
      await page.getByRole("button", { name: "Create authorization server" }).click();
      await page.getByRole("heading", { level: 1, name: SERVER }).waitFor();
      const server = ((await admin("GET", "/authorizationServers?limit=200")) as Named[]).find(
        (s) => s.name === SERVER,
      );
      if (!server) throw new Error("the server was not created");
      serverId = server.id;

      // 2. A scope, on the settings tab.
      await page.getByLabel("Scope name").fill("orders:read");
      await page.getByRole("button", { name: "Create scope" }).click();
      await status(page, "Scope orders:read created.");

      // 3. A claim whose expression the console checks as it is typed.
      await openTab(page, "Claims");
      await page.getByLabel("Claim name").fill("tier");
      const check = page.locator("#new-claim-value-check");
      await page.getByLabel("Value expression").fill("user.email +");
      await check.getByText(/^Unexpected end of expression/).waitFor();
      await page.getByLabel("Value expression").fill('"gold"');
      await check.getByText("Compiles.").waitFor();
      await page.getByRole("button", { name: "Create claim" }).click();
      await status(page, "Claim tier created.");
      await expectAccessible(page);

      // 4. A service app: its secret shown once.
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Applications" })
        .click();
      await page.getByRole("heading", { level: 1, name: "Applications" }).waitFor();
      await page.getByRole("radio", { name: /^API service/ }).check();
      await page.getByLabel("App name").fill(APP);
      await page.getByRole("button", { name: "Create app" }).click();
      await status(page, `App ${APP} created`);
      secret = await page.getByRole("textbox", { name: "Client secret" }).inputValue();
      expect(secret.length).toBeGreaterThanOrEqual(32);
      const apps = (await admin("GET", `/apps?q=${encodeURIComponent(APP)}`)) as {
        id: string;
        label: string;
      }[];
      clientId = apps.find((a) => a.label === APP)?.id ?? "";
      expect(clientId).not.toBe("");

      // 5. An access policy for that app, and two rules for client_credentials.
      await page.goto(`${base}/admin/#/servers/${serverId}/policies`);
      await page.getByRole("heading", { level: 2, name: "Access policies" }).waitFor();
      await page.getByRole("button", { name: "Add policy" }).click();
      const addPolicy = page.getByRole("form", { name: "Add policy" });
      await addPolicy.getByLabel("Policy name").fill("Orders");
      await addPolicy.getByLabel("These clients").check();
      await addPolicy.getByLabel("Search applications").fill(APP);
      await addPolicy.getByRole("button", { name: `Add ${APP} (${clientId}) to clients` }).click();
      await addPolicy.getByRole("button", { name: "Create policy" }).click();
      await status(page, "Policy Orders created.");
      await page.getByRole("button", { name: "Orders", exact: true }).click();
      await page.getByRole("heading", { name: "Rules of Orders" }).waitFor();
      for (const [name, minutes] of [
        ["Short-lived", "5"],
        ["Long-lived", "60"],
      ] as const) {
        await page.getByRole("button", { name: "Add rule", exact: true }).click();
        const form = page.getByRole("form", { name: "Add rule" });
        await form.getByLabel("Rule name").fill(name);
        await form.getByLabel("Client Credentials").check();
        await form.getByLabel("Access token lifetime (minutes)").fill(minutes);
        await form.getByRole("button", { name: "Create rule" }).click();
        await status(page, `Rule ${name} created.`);
      }
      const rulesPath = `/authorizationServers/${serverId}/policies`;
      const [policy] = (await admin("GET", rulesPath)) as Named[];
      const ruleNames = async () =>
        ((await admin("GET", `${rulesPath}/${policy?.id}/rules`)) as Named[]).map((r) => r.name);
      expect(await ruleNames()).toEqual(["Short-lived", "Long-lived"]);

      // 6. Reorder by keyboard: Long-lived first.
      await page.getByRole("button", { name: "Reorder rule Long-lived" }).focus();
      await page.keyboard.press("ArrowUp");
      await status(page, "Rule Long-lived moved to position 1 of 2.");
      expect(await ruleNames()).toEqual(["Long-lived", "Short-lived"]);
      await expectAccessible(page);

      // 7. Token Preview: the trace says which rule granted, and the claim is in the token.
      await openTab(page, "Token preview");
      await page.getByRole("heading", { level: 2, name: "Token preview" }).waitFor();
      await page.getByLabel("Client", { exact: true }).selectOption({ label: `${APP} (${clientId})` });
      await page.getByLabel("Grant type").selectOption("client_credentials");
      await page.getByRole("checkbox", { name: "orders:read" }).check();
      await page.getByRole("button", { name: "Preview token" }).click();
      await status(page, "Granted by rule Long-lived of policy Orders.");
      const previewed = JSON.parse((await page.locator("#preview-claims").textContent()) ?? "{}");
      expect(previewed).toMatchObject({ tier: "gold", cid: clientId, scp: ["orders:read"], aud: AUDIENCE });
      expect(previewed.exp - previewed.iat).toBe(3600);
      const granted = page.locator(".trace .trace-rule").filter({ hasText: "Long-lived" });
      expect(await granted.textContent()).toContain("This rule granted the token.");
      await expectAccessible(page);
      await expectFits(page);

      // 8. Rotate the keys: the NEXT key signs from now.
      await openTab(page, "Keys");
      await page.getByRole("heading", { level: 2, name: "Signing keys" }).waitFor();
      await page.getByRole("button", { name: "Rotate keys" }).click();
      await status(page, /^Keys rotated: /);
      const keys = (await admin("GET", `/authorizationServers/${serverId}/credentials/keys`)) as {
        kid: string;
        status: string;
      }[];
      activeKid = keys.find((k) => k.status === "ACTIVE")?.kid ?? "";
      expect(await page.getByRole("status").filter({ hasText: "Keys rotated: " }).textContent()).toContain(
        activeKid,
      );

      // 9. Who did it: the admin's own user screen lists the role that allowed all of it.
      const [me] = (await admin(
        "GET",
        `/users?search=${encodeURIComponent(`profile.login eq "${demo.demoAdmin.login}"`)}`,
      )) as {
        id: string;
      }[];
      await page.goto(`${base}/admin/#/users/${me?.id}`);
      const roles = page.getByRole("region", { name: "Admin roles" });
      await roles.getByText("SUPER_ADMIN").waitFor();
    });

    // 10. The app's real token, with the secret the console showed once.
    const issuer = `${base}/oauth2/${serverId}`;
    const res = await fetch(`${issuer}/v1/token`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "orders:read" }),
    });
    expect(res.status).toBe(200);
    const { access_token: accessToken } = (await res.json()) as { access_token: string };
    const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${issuer}/v1/keys`)), {
      issuer,
      audience: AUDIENCE,
    });
    expect(payload).toMatchObject({ tier: "gold", cid: clientId, scp: ["orders:read"] });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(decodeProtectedHeader(accessToken).kid).toBe(activeKid);
  });
});
