/**
 * The admin console's applications screens (console/src/screens/apps.tsx and app-*.tsx) in Chromium
 * against `npm start`, driven through the UI only, every write checked through the management API
 * (SSWS):
 *
 * - create: a refused web app (no redirect URI: the cause beside "Sign-in redirect URIs", nothing
 *   stored), then the same app with two redirect URIs typed one a line; its settings edited (a bad
 *   URI refused beside its field, then saved);
 * - a service app created in the UI: its client secret shown once (copied to the clipboard, absent
 *   from every later answer), and a **real token** from `/oauth2/<server>/v1/token` with it,
 *   verified with jose against the server's JWKS; then Okta's secret rotation through the UI (a new
 *   secret works beside the old, a third is refused with the server's words, the old one
 *   deactivated stops working and is deleted after a confirmation); people and groups assigned by
 *   searching and removed after a confirmation; deactivated (no more tokens), then deleted;
 * - a READ_ONLY_ADMIN sees every write control disabled, and writes forced with its token are 403;
 * - each screen: axe-core (no serious or critical violation), 360 px and 1440 px without sideways
 *   scrolling, no CSP violation or console error but the refusals provoked on purpose.
 *
 * With WARDEN_SCREENSHOTS=1 it saves docs/screenshots/console-apps.png and console-app.png.
 */
import { randomBytes } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  admin,
  adminCall,
  base,
  createReadOnlyAdmin,
  demo,
  expectAccessible,
  expectFits,
  newServer,
  screenshot,
  signIn,
  suffix,
  type TokenResponse,
  useBrowser,
  withPage as withGuardedPage,
} from "./console-helpers";

interface App {
  id: string;
  label: string;
  status: string;
  credentials: { oauthClient: { client_secret?: string; token_endpoint_auth_method: string } };
  settings: {
    oauthClient: {
      grant_types: string[];
      redirect_uris: string[];
      post_logout_redirect_uris: string[];
      application_type: string;
    };
  };
}

const appsNamed = async (label: string) =>
  ((await admin("GET", `/apps?q=${encodeURIComponent(label)}`)) as App[]).filter((a) => a.label === label);

const READ_ONLY = {
  login: `ro-apps-${suffix}@example.com`,
  password: `Ro${randomBytes(9).toString("base64url")}9x`,
};
const PERSON = { login: `assignee-${suffix}@example.com`, firstName: `Zed${suffix}` };
const GROUP = `Apps team ${suffix}`;

let serverId: string;
let audience: string;
let readOnlyApp: App;
useBrowser(async () => {
  await createReadOnlyAdmin(READ_ONLY.login, READ_ONLY.password);
  await admin("POST", "/users?activate=false", {
    profile: { login: PERSON.login, email: PERSON.login, firstName: PERSON.firstName, lastName: "Assignee" },
  });
  await admin("POST", "/groups", { profile: { name: GROUP, description: "made by console-apps.test.ts" } });

  // The server the UI-made service app gets its token from: one scope, an ALL_CLIENTS policy whose
  // rule allows client_credentials (set up through the API, as the brief says).
  audience = `api://apps-${suffix}`;
  serverId = (await newServer("apps", "console-apps.test.ts")).id;
  const policy = await admin("POST", `/authorizationServers/${serverId}/policies`, {
    type: "OAUTH_AUTHORIZATION_POLICY",
    name: "all clients",
    priority: 1,
    conditions: { clients: { include: ["ALL_CLIENTS"] } },
  });
  await admin("POST", `/authorizationServers/${serverId}/policies/${policy.id}/rules`, {
    name: "machines",
    type: "RESOURCE_ACCESS",
    conditions: {
      people: { groups: { include: ["EVERYONE"] } },
      grantTypes: { include: ["client_credentials"] },
      scopes: { include: ["*"] },
    },
    actions: { token: { accessTokenLifetimeMinutes: 5 } },
  });

  readOnlyApp = await admin("POST", "/apps", {
    name: "oidc_client",
    label: `ro-target-${suffix}`,
    signOnMode: "OPENID_CONNECT",
    settings: { oauthClient: { grant_types: ["client_credentials"], application_type: "service" } },
  });
});

/**
 * Every page of this file may use the clipboard (the secret shown once is copied); `refusals`: how
 * many 400 answers the test provoked on purpose, `otherErrors` any other errors Chromium logs.
 */
const withPage = (run: Parameters<typeof withGuardedPage>[0], refusals = 0, otherErrors: string[] = []) =>
  withGuardedPage(run, refusals, { clipboard: true, otherErrors });

/** Signs in on the hosted page, then opens the applications list from the main navigation. */
const signInToApps = (page: Page, login: string, password: string): Promise<TokenResponse> =>
  signIn(page, login, password, "Applications");

/** client_credentials at the test's server with client_secret_basic (RFC 6749 §2.3.1). */
async function clientCredentials(clientId: string, secret: string) {
  return fetch(`${base}/oauth2/${serverId}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "reports:read" }),
  });
}

describe("the applications screens, signed in as the demo SUPER_ADMIN", () => {
  it("creates a web app (a refusal first) and edits its redirect URIs (a refusal first)", {
    timeout: 120_000,
  }, async () => {
    const label = `web-${suffix}`;
    await withPage(async ({ page }) => {
      await signInToApps(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await expectAccessible(page);
      await expectFits(page);

      // A web app needs a redirect URI for authorization_code: the server's cause beside the field.
      // The kind from the keyboard: the radios are one group, the arrow keys move through it.
      await page.getByRole("radio", { name: /^API service/ }).focus();
      await page.keyboard.press("ArrowDown");
      expect(await page.getByRole("radio", { name: /^Web application/ }).isChecked()).toBe(true);
      expect(await page.getByRole("checkbox", { name: "Authorization code" }).isChecked()).toBe(true);
      await page.getByLabel("App name").fill(label);
      await page.getByRole("checkbox", { name: "Refresh token" }).check();
      await page.getByRole("button", { name: "Create app" }).click();
      await page
        .locator("#new-app-redirects-errors")
        .getByText("required for authorization_code and implicit")
        .waitFor();
      expect(await page.getByRole("alert").first().textContent()).toContain("Api validation failed");
      expect(await page.getByLabel("Sign-in redirect URIs").getAttribute("aria-invalid")).toBe("true");
      expect(await appsNamed(label)).toEqual([]);
      expect(await page.getByRole("link", { name: label }).count()).toBe(0);
      await expectAccessible(page);

      // Two URIs, one a line (blank line and spaces dropped), and a sign-out URI.
      await page
        .getByLabel("Sign-in redirect URIs")
        .fill(`https://${label}.example/cb\n\n  https://${label}.example/cb2 `);
      await page.getByLabel("Sign-out redirect URIs").fill(`https://${label}.example/bye`);
      await page.getByLabel("User consent").selectOption("REQUIRED");
      await page.getByRole("button", { name: "Create app" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `App ${label} created` })
        .waitFor();
      const [app] = await appsNamed(label);
      expect(app?.settings.oauthClient).toMatchObject({
        application_type: "web",
        grant_types: ["authorization_code", "refresh_token"],
        redirect_uris: [`https://${label}.example/cb`, `https://${label}.example/cb2`],
        post_logout_redirect_uris: [`https://${label}.example/bye`],
        consent_method: "REQUIRED",
      });
      expect(app?.credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
      // A confidential app: its secret shown once, here.
      expect(
        (await page.getByRole("textbox", { name: "Client secret" }).inputValue()).length,
      ).toBeGreaterThanOrEqual(40);
      await page.getByRole("link", { name: label }).first().waitFor();

      // Its screen: a bad redirect URI is refused beside the field, the app unchanged.
      await page.getByRole("link", { name: `Open ${label}` }).click();
      await page.getByRole("heading", { level: 1, name: label }).waitFor();
      await page.getByLabel("Sign-in redirect URIs").fill(`https://${label}.example/cb\nnot a uri`);
      await page.getByRole("button", { name: "Save app" }).click();
      await page.locator("#app-edit-redirects-errors li").first().waitFor();
      expect(await page.getByLabel("Sign-in redirect URIs").getAttribute("aria-invalid")).toBe("true");
      expect((await admin("GET", `/apps/${app?.id}`)).settings.oauthClient.redirect_uris).toHaveLength(2);
      await expectAccessible(page);
      // Then a good one, a new name and one grant fewer.
      await page.getByLabel("Sign-in redirect URIs").fill(`https://${label}.example/only`);
      await page.getByLabel("App name").fill(`${label}-renamed`);
      await page.getByRole("checkbox", { name: "Refresh token" }).uncheck();
      await page.getByRole("button", { name: "Save app" }).click();
      await page.getByRole("status").filter({ hasText: "App saved." }).waitFor();
      await page.getByRole("heading", { level: 1, name: `${label}-renamed` }).waitFor();
      const saved = (await admin("GET", `/apps/${app?.id}`)) as App;
      expect(saved.label).toBe(`${label}-renamed`);
      expect(saved.settings.oauthClient.redirect_uris).toEqual([`https://${label}.example/only`]);
      expect(saved.settings.oauthClient.grant_types).toEqual(["authorization_code"]);
      // What the form does not show is kept (Okta's PUT replaces the app).
      expect(saved.settings.oauthClient.post_logout_redirect_uris).toEqual([`https://${label}.example/bye`]);
      expect(saved.credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
      expect(await page.locator("#app-edit-redirects-errors").count()).toBe(0);
    }, 2);
  });

  it("a service app made in the UI gets a real token with the secret shown once; rotation, assignments, lifecycle", {
    timeout: 150_000,
  }, async () => {
    const label = `svc-${suffix}`;
    await withPage(async ({ page }) => {
      await signInToApps(page, demo.demoAdmin.login, demo.demoAdmin.password);
      // API service is the first kind, and its grant is client_credentials.
      expect(await page.getByRole("radio", { name: /^API service/ }).isChecked()).toBe(true);
      expect(await page.getByLabel("Sign-in redirect URIs").count()).toBe(0);
      await page.getByLabel("App name").fill(label);
      await page.getByRole("button", { name: "Create app" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `App ${label} created` })
        .waitFor();
      await page.getByText("you will not see it again").waitFor();
      const secret = await page.getByRole("textbox", { name: "Client secret" }).inputValue();
      // The copy button puts exactly that on the clipboard.
      await page.getByRole("button", { name: "Copy client secret" }).click();
      await page.getByRole("status").filter({ hasText: "Copied to the clipboard." }).waitFor();
      expect(await page.evaluate("navigator.clipboard.readText()")).toBe(secret);
      await expectAccessible(page);
      await expectFits(page);

      const [app] = await appsNamed(label);
      if (!app) throw new Error("the app was not created");
      expect(app.settings.oauthClient.application_type).toBe("service");
      expect(app.settings.oauthClient.grant_types).toEqual(["client_credentials"]);
      // No later answer holds the secret (Okta: only the creation's).
      expect(JSON.stringify(await admin("GET", `/apps/${app.id}`))).not.toContain(secret);
      expect(JSON.stringify(await admin("GET", `/apps/${app.id}/credentials/secrets`))).not.toContain(secret);

      // A real token with it, verified against the server's JWKS.
      const tokenRes = await clientCredentials(app.id, secret);
      expect(tokenRes.status).toBe(200);
      const token = (await tokenRes.json()) as TokenResponse;
      const issuer = `${base}/oauth2/${serverId}`;
      const { payload } = await jwtVerify(
        token.access_token,
        createRemoteJWKSet(new URL(`${issuer}/v1/keys`)),
        {
          issuer,
          audience,
        },
      );
      expect(payload.cid).toBe(app.id);
      expect(payload.scp).toEqual(["reports:read"]);

      // Hidden, it is gone from the page; the list shows the app.
      await page.getByRole("button", { name: "Hide secret" }).click();
      expect(await page.getByRole("textbox", { name: "Client secret" }).count()).toBe(0);
      await page.getByRole("link", { name: label, exact: true }).waitFor();
      expect(await page.content()).not.toContain(secret);
      await screenshot(page, "console-apps.png");

      // Its screen.
      await page.getByRole("link", { name: label, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: label }).waitFor();
      await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("page-title");
      const [first] = (await admin("GET", `/apps/${app.id}/credentials/secrets`)) as { id: string }[];
      const oldId = first?.id as string;
      await page.getByText(oldId).waitFor();
      await expectAccessible(page);
      await expectFits(page);

      // Rotation: a new secret, shown once; both work.
      await page.getByRole("button", { name: "Generate new secret" }).click();
      await page.getByRole("status").filter({ hasText: "New secret generated" }).waitFor();
      const newSecret = await page.getByRole("textbox", { name: "Client secret" }).inputValue();
      await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("secret-once-value");
      expect(newSecret).not.toBe(secret);
      expect(((await admin("GET", `/apps/${app.id}/credentials/secrets`)) as unknown[]).length).toBe(2);
      // A new secret is a configuration change, not a disable: an edge whose isolate holds the app's
      // record takes it within the configuration cache's 30 s (README "Management API",
      // Propagation); a disable, below, is at once (the revocation pulse).
      await expect
        .poll(async () => (await clientCredentials(app.id, newSecret)).status, {
          timeout: 45_000,
          interval: 2_000,
        })
        .toBe(200);
      expect((await clientCredentials(app.id, secret)).status).toBe(200);
      // A third is refused with the server's words; nothing added.
      await page.getByRole("button", { name: "Generate new secret" }).click();
      await page.getByRole("alert").getByText("an app has at most 2 client secrets").waitFor();
      expect(((await admin("GET", `/apps/${app.id}/credentials/secrets`)) as unknown[]).length).toBe(2);
      // The old one: Delete is disabled while it is ACTIVE (Okta deletes INACTIVE secrets only).
      expect(await page.getByRole("button", { name: `Delete secret ${oldId}` }).isDisabled()).toBe(true);
      await page.getByRole("button", { name: `Deactivate secret ${oldId}` }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `Secret ${oldId} deactivated.` })
        .waitFor();
      const secrets = (await admin("GET", `/apps/${app.id}/credentials/secrets`)) as {
        id: string;
        status: string;
      }[];
      expect(secrets.find((s) => s.id === oldId)?.status).toBe("INACTIVE");
      expect((await clientCredentials(app.id, secret)).status).toBe(401);
      expect((await clientCredentials(app.id, newSecret)).status).toBe(200);
      await page.getByRole("button", { name: `Delete secret ${oldId}` }).click();
      await page.getByRole("button", { name: "Keep it" }).waitFor();
      // The safe answer holds the focus (the button pressed is gone).
      await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("Keep it");
      await expectAccessible(page);
      await page.getByRole("button", { name: `Delete secret ${oldId} for good` }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `Secret ${oldId} deleted.` })
        .waitFor();
      expect(
        ((await admin("GET", `/apps/${app.id}/credentials/secrets`)) as { id: string }[]).map((s) => s.id),
      ).not.toContain(oldId);

      // The last ACTIVE secret cannot be deactivated: the server's words, the secret still ACTIVE.
      const [kept] = (await admin("GET", `/apps/${app.id}/credentials/secrets`)) as { id: string }[];
      await page.getByRole("button", { name: `Deactivate secret ${kept?.id}` }).click();
      await page.getByRole("alert").getByText("last ACTIVE client secret").waitFor();
      expect((await admin("GET", `/apps/${app.id}/credentials/secrets/${kept?.id}`)).status).toBe("ACTIVE");

      // Assignments: a person and a group, found by searching.
      await page.getByLabel("Find people to assign").fill(PERSON.firstName);
      await page.getByRole("button", { name: "Search people" }).click();
      await page.getByRole("button", { name: `Assign ${PERSON.login}` }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `${PERSON.login} assigned to ${label}.` })
        .waitFor();
      // Found again, they are shown as assigned, not offered twice.
      await page.locator(".finder .tag", { hasText: "assigned" }).waitFor();
      expect(await page.getByRole("button", { name: `Assign ${PERSON.login}` }).count()).toBe(0);
      const users = (await admin("GET", `/apps/${app.id}/users`)) as { credentials: { userName: string } }[];
      expect(users.map((u) => u.credentials.userName)).toEqual([PERSON.login]);
      await page.getByLabel("Find groups to assign").fill(GROUP);
      await page.getByRole("button", { name: "Search groups" }).click();
      await page.getByRole("button", { name: `Assign ${GROUP}` }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `Group ${GROUP} assigned to ${label}.` })
        .waitFor();
      const groups = (await admin("GET", `/apps/${app.id}/groups`)) as { id: string; priority: number }[];
      expect(groups).toHaveLength(1);
      // Its priority, then removed after a confirmation.
      // A priority that is no number is refused with the server's cause; nothing changes.
      await page.getByLabel(`Priority of ${GROUP}`, { exact: true }).fill("first");
      await page.getByRole("button", { name: `Save priority of ${GROUP}` }).click();
      await page
        .getByRole("alert")
        .getByText(/^priority: /)
        .waitFor();
      expect((await admin("GET", `/apps/${app.id}/groups/${groups[0]?.id}`)).priority).toBe(
        groups[0]?.priority,
      );
      await page.getByLabel(`Priority of ${GROUP}`, { exact: true }).fill("3");
      await page.getByRole("button", { name: `Save priority of ${GROUP}` }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `Priority of ${GROUP} saved.` })
        .waitFor();
      expect((await admin("GET", `/apps/${app.id}/groups/${groups[0]?.id}`)).priority).toBe(3);
      await expectAccessible(page);
      await screenshot(page, "console-app.png");
      await page.getByRole("button", { name: `Remove group ${GROUP}` }).click();
      await page.getByRole("button", { name: `Remove group ${GROUP} now` }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `Group ${GROUP} removed from ${label}.` })
        .waitFor();
      expect(await admin("GET", `/apps/${app.id}/groups`)).toEqual([]);
      await page.getByRole("button", { name: `Remove ${PERSON.login}` }).click();
      await page.getByRole("button", { name: `Remove ${PERSON.login} now` }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `${PERSON.login} removed from ${label}.` })
        .waitFor();
      expect(await admin("GET", `/apps/${app.id}/users`)).toEqual([]);

      // Lifecycle: delete needs INACTIVE first; deactivated, it gets no token.
      expect(await page.getByRole("button", { name: "Delete app" }).isDisabled()).toBe(true);
      await page.getByRole("button", { name: "Deactivate app" }).click();
      await page.getByRole("button", { name: "Activate app", exact: true }).waitFor();
      expect((await admin("GET", `/apps/${app.id}`)).status).toBe("INACTIVE");
      expect((await clientCredentials(app.id, newSecret)).status).toBe(401);
      // Enter on the confirmation keeps the app (the focus is on "Keep it"); then delete it for real.
      await page.getByRole("button", { name: "Delete app" }).click();
      await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("Keep it");
      await page.keyboard.press("Enter");
      await expect.poll(() => page.getByRole("button", { name: `Delete ${label} for good` }).count()).toBe(0);
      expect((await admin("GET", `/apps/${app.id}`)).status).toBe("INACTIVE");
      await page.getByRole("button", { name: "Delete app" }).click();
      await page.getByRole("button", { name: `Delete ${label} for good` }).click();
      await page.getByRole("heading", { level: 1, name: "Applications" }).waitFor();
      expect((await adminCall("GET", `/apps/${app.id}`)).status).toBe(404);
      expect(await page.getByRole("link", { name: label, exact: true }).count()).toBe(0);
      // The refusals: the third secret, the last ACTIVE one's deactivation, a priority not a number.
    }, 3);
  });

  it("searches apps by the start of their name (the API's q)", { timeout: 60_000 }, async () => {
    await withPage(async ({ page }) => {
      await signInToApps(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await page.getByLabel("Search apps by name").fill(`ro-target-${suffix}`);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await expect.poll(() => page.locator("table.list tbody tr").count()).toBe(1);
      expect(await page.getByRole("link", { name: `ro-target-${suffix}` }).count()).toBe(1);
      await page.getByLabel("Search apps by name").fill(`nothing-${suffix}`);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.getByText(`No app's name starts with “nothing-${suffix}”.`).waitFor();
      await expectAccessible(page);
    });
  });
});

describe("the applications screens, attacked", () => {
  it("a label made of markup is shown as text; an id from the address bar stays one path segment", {
    timeout: 60_000,
  }, async () => {
    const hostile = `<img src=x onerror=alert(1)><script>alert(2)</script>-${suffix}`;
    await admin("POST", "/apps", {
      name: "oidc_client",
      label: hostile,
      signOnMode: "OPENID_CONNECT",
      settings: { oauthClient: { grant_types: ["client_credentials"], application_type: "service" } },
    });
    await withPage(
      async ({ page }) => {
        const dialogs: string[] = [];
        page.on("dialog", (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        await signInToApps(page, demo.demoAdmin.login, demo.demoAdmin.password);
        await page.getByLabel("Search apps by name").fill("<img");
        await page.getByRole("button", { name: "Search", exact: true }).click();
        const link = page.getByRole("link", { name: hostile, exact: true });
        await link.waitFor();
        expect(await page.locator("table.list img, table.list script").count()).toBe(0);
        await link.click();
        await page.getByRole("heading", { level: 1, name: hostile }).waitFor();
        expect(await page.getByLabel("App name").inputValue()).toBe(hostile);

        // `#/apps/..%2Fapi-tokens` names the app "../api-tokens" (encoded again on the way out), not
        // another API path: the server's 404 for that app, shown with its errorSummary.
        const requested: string[] = [];
        page.on("request", (r) => {
          if (r.url().includes("/api/v1/")) requested.push(new URL(r.url()).pathname);
        });
        await page.goto(`${base}/admin/#/apps/..%2Fapi-tokens`);
        await page
          .getByRole("alert")
          .getByText("Not found: Resource not found: ../api-tokens (App)")
          .waitFor();
        expect(requested).toContain("/api/v1/apps/..%2Fapi-tokens");
        expect(requested.filter((p) => p.startsWith("/api/v1/api-tokens"))).toEqual([]);
        expect(dialogs).toEqual([]);
      },
      0,
      ["Failed to load resource: the server responded with a status of 404 (Not Found)"],
    );
  });
});

describe("the applications screens, signed in as a READ_ONLY_ADMIN", () => {
  it("every write control is disabled, and writes forced with its token are refused", {
    timeout: 90_000,
  }, async () => {
    await withPage(async ({ page }) => {
      const token = await signInToApps(page, READ_ONLY.login, READ_ONLY.password);
      expect(token.scope.split(" ")).toContain("okta.apps.read");
      expect(token.scope.split(" ")).not.toContain("okta.apps.manage");
      await page.getByRole("link", { name: readOnlyApp.label }).waitFor();
      // The list: only reading is enabled (sign out, the search).
      expect(await page.locator("button:enabled").allTextContents()).toEqual(["Sign out", "Search"]);
      expect(
        await page
          .locator("input:enabled, textarea:enabled, select:enabled")
          .evaluateAll((els) => els.map((e) => e.id)),
      ).toEqual(["apps-q"]);
      await expectAccessible(page);

      await page.getByRole("link", { name: readOnlyApp.label }).click();
      await page.getByRole("heading", { level: 1, name: readOnlyApp.label }).waitFor();
      await page.getByRole("heading", { name: "Client secrets" }).waitFor();
      await page.locator(".rows .status").first().waitFor();
      expect(await page.locator("button:enabled").allTextContents()).toEqual(["Sign out"]);
      expect(await page.locator("input:enabled, textarea:enabled, select:enabled").count()).toBe(0);
      // No search to assign with: it exists only to write.
      expect(await page.getByLabel("Find people to assign").count()).toBe(0);
      await expectAccessible(page);
      await expectFits(page);

      const forced = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${base}/api/v1/apps/${readOnlyApp.id}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token.access_token}`, "Content-Type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, errorCode: ((await res.json()) as { errorCode: string }).errorCode };
      };
      const refused = { status: 403, errorCode: "E0000006" };
      expect(await forced("POST", "/lifecycle/deactivate")).toEqual(refused);
      expect(await forced("POST", "/credentials/secrets")).toEqual(refused);
      expect(
        await forced("PUT", "", {
          name: "oidc_client",
          label: "forced",
          signOnMode: "OPENID_CONNECT",
          settings: { oauthClient: { grant_types: ["client_credentials"] } },
        }),
      ).toEqual(refused);
      const after = (await admin("GET", `/apps/${readOnlyApp.id}`)) as App;
      expect(after.status).toBe("ACTIVE");
      expect(after.label).toBe(readOnlyApp.label);
      expect(((await admin("GET", `/apps/${readOnlyApp.id}/credentials/secrets`)) as unknown[]).length).toBe(
        1,
      );
    });
  });
});
