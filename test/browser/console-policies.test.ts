/**
 * The console's access policies and rules (console/src/screens/policies.tsx, README "Admin console")
 * in Chromium against `npm start`, driven through the UI only and checked through the management
 * API (SSWS):
 *
 * - policies: create (all clients, or an app found by search), a refused create (no client chosen)
 *   with its cause beside the clients, edit, deactivate / activate, delete after a confirmation;
 * - rules: create with grant types, users and groups found by search, chosen scopes, lifetimes; a
 *   refused lifetime with its cause beside the field; edit, lifecycle, delete;
 * - reordering rules and policies by dragging a handle with the mouse, by the focused handle's
 *   Arrow keys and by the "Move … up / down" buttons: one write each, the list redrawn in the
 *   server's order, the live region announcing the new position, focus kept on the control;
 * - a move the server refuses (the rule was deleted meanwhile by someone else) shows its
 *   errorSummary and the server's order;
 * - names written to attack the page (markup, a long unbroken word) are text and fit at 360 px;
 * - a READ_ONLY_ADMIN sees the policies and rules with no handle, no move button and no enabled
 *   write control, and a move forced with its token is refused (403 E0000006), the order unchanged;
 * - every screen: no serious or critical axe-core violation, no CSP violation, no sideways scroll
 *   at 360 px or 1440 px. With WARDEN_SCREENSHOTS=1 it saves docs/screenshots/console-policies*.png.
 */
import { randomBytes } from "node:crypto";
import type { Locator, Page } from "playwright-core";
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
  waitForStatus,
  withPage,
} from "./console-helpers";

interface Named {
  id: string;
  name: string;
  priority: number;
  status: string;
}

/** A server of the test's own, with two scopes of its own. */
const newServer = (name: string) =>
  newServerIn(name, "console-policies.test.ts", ["reports:read", "reports:write"]);

const names = async (path: string): Promise<string[]> =>
  ((await admin("GET", path)) as Named[]).map((x) => x.name);

const READ_ONLY = {
  login: `readonly-policies-${suffix}@example.com`,
  password: `Ro${randomBytes(9).toString("base64url")}9x`,
};

/** The directory objects the pickers find: an app, a user and a group of this run's own. */
const APP_LABEL = `Billing ${suffix}`;
const USER = { first: "Pat", last: `Policy${suffix}`, login: `pat-${suffix}@example.com` };
const GROUP = `Policy staff ${suffix}`;
let appId: string;
let userId: string;
let groupId: string;

useBrowser(async () => {
  await createReadOnlyAdmin(READ_ONLY.login, READ_ONLY.password);
  const app = await admin("POST", "/apps", {
    name: "oidc_client",
    label: APP_LABEL,
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
  appId = app.id;
  userId = (
    await admin("POST", "/users?activate=false", {
      profile: { login: USER.login, email: USER.login, firstName: USER.first, lastName: USER.last },
    })
  ).id;
  groupId = (await admin("POST", "/groups", { profile: { name: GROUP } })).id;
});

async function openPolicies(page: Page, serverId: string): Promise<void> {
  await page.goto(`${base}/admin/#/servers/${serverId}/policies`);
  await page.getByRole("heading", { level: 2, name: "Access policies" }).waitFor();
}

const status = waitForStatus;

/** Drags `handle` with the mouse and lets go a few pixels inside the top (or bottom) edge of `target`. */
async function drag(page: Page, handle: Locator, target: Locator, edge: "top" | "bottom"): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  await handle.scrollIntoViewIfNeeded();
  const from = await handle.boundingBox();
  const to = await target.boundingBox();
  const viewport = page.viewportSize();
  if (!from || !to || !viewport) throw new Error("not on screen");
  const x = from.x + from.width / 2;
  const start = from.y + from.height / 2;
  const end = edge === "top" ? to.y + 3 : to.y + to.height - 3;
  // The mouse works inside the viewport only: both points must be on screen at once.
  for (const y of [start, end]) {
    if (y < 0 || y > viewport.height) throw new Error(`y ${y} is off screen (${viewport.height} px high)`);
  }
  await page.mouse.move(x, start);
  await page.mouse.down();
  await page.mouse.move(x, end, { steps: 8 });
  await page.mouse.up();
}

const rows = (list: Locator) => list.locator(":scope > li");

/** Fills the new-rule form's name and creates a rule with Okta's defaults. */
async function addDefaultRule(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: "Add rule", exact: true }).click();
  const form = page.getByRole("form", { name: "Add rule" });
  await form.getByLabel("Rule name").fill(name);
  await form.getByRole("button", { name: "Create rule" }).click();
  await status(page, `Rule ${name} created.`);
}

describe("access policies, signed in as the demo SUPER_ADMIN", () => {
  it("policies and rules: create, refuse, edit, lifecycle, delete, through the UI", {
    timeout: 150_000,
  }, async () => {
    const server = await newServer("policies");
    const policiesPath = `/authorizationServers/${server.id}/policies`;
    await withPage(
      async (watched) => {
        const { page } = watched;
        await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
        await openPolicies(page, server.id);
        await page.getByText("No access policies yet").waitFor();
        await expectAccessible(page);

        // A policy for chosen clients, none chosen: refused, the cause beside the clients.
        await page.getByRole("button", { name: "Add policy" }).click();
        const addPolicy = page.getByRole("form", { name: "Add policy" });
        await addPolicy.getByLabel("Policy name").fill("Partners");
        await addPolicy.getByLabel("These clients").check();
        await addPolicy.getByRole("button", { name: "Create policy" }).click();
        await addPolicy.getByRole("alert").getByText("Api validation failed").waitFor();
        await addPolicy.locator("#new-policy-clients-errors").waitFor();
        expect(
          await addPolicy
            .getByRole("group", { name: "Clients", exact: true })
            .getAttribute("aria-describedby"),
        ).toBe("new-policy-clients-errors");
        expect(await admin("GET", policiesPath)).toEqual([]);
        await expectAccessible(page);

        // The app found by searching its label.
        await addPolicy.getByLabel("Search applications").fill(`Billing ${suffix}`);
        await addPolicy.getByRole("button", { name: `Add ${APP_LABEL} (${appId}) to clients` }).click();
        await addPolicy
          .getByRole("group", { name: "Clients", exact: true })
          .getByText(`${APP_LABEL} (${appId})`)
          .waitFor();
        await addPolicy.getByRole("button", { name: "Create policy" }).click();
        await status(page, "Policy Partners created.");
        const [partners] = (await admin("GET", policiesPath)) as (Named & { conditions: unknown })[];
        expect(partners?.conditions).toEqual({ clients: { include: [appId] } });
        await page.getByText(`Clients: ${APP_LABEL} (${appId})`).waitFor();

        // Two more for all clients; a name written to attack the page stays text.
        const markup = `<img src=x onerror=alert(1)>${"x".repeat(60)}`;
        for (const name of ["Everyone else", markup]) {
          await page.getByRole("button", { name: "Add policy" }).click();
          await page.getByRole("form", { name: "Add policy" }).getByLabel("Policy name").fill(name);
          await page.getByRole("button", { name: "Create policy" }).click();
          await status(page, `Policy ${name} created.`);
        }
        expect(await names(policiesPath)).toEqual(["Partners", "Everyone else", markup]);
        expect(await page.locator("img").count()).toBe(0);
        await expectFits(page);

        // Rules of Partners.
        await page.getByRole("button", { name: "Partners", exact: true }).click();
        await page.getByRole("heading", { name: "Rules of Partners" }).waitFor();
        await page.getByText("No rules yet").waitFor();
        await page.getByRole("button", { name: "Add rule", exact: true }).click();
        const addRule = page.getByRole("form", { name: "Add rule" });
        await addRule.getByLabel("Rule name").fill("Staff");
        await addRule.getByLabel("Resource Owner Password").check();
        await addRule.getByLabel("Client Credentials").uncheck();
        await addRule.getByLabel("These users and groups").check();
        await addRule.getByLabel("Search users to include").fill(USER.last);
        await addRule
          .getByRole("button", { name: `Add ${USER.first} ${USER.last} (${USER.login}) to include users` })
          .click();
        await addRule.getByLabel("Search groups to include").fill(GROUP);
        await addRule.getByRole("button", { name: `Add ${GROUP} to include groups` }).click();
        await addRule.getByLabel("These scopes").check();
        await addRule.getByLabel("reports:read").check();
        await addRule.getByLabel("openid").check();
        await addRule.getByLabel("Access token lifetime (minutes)").fill("2");
        await addRule.getByLabel("Refresh token idle window (minutes)").fill("120");
        await addRule.getByRole("button", { name: "Create rule" }).click();
        // Refused (Okta: 5..1440): the server's words beside the field, nothing created.
        const lifetimeErrors = addRule.locator("#new-rule-access-errors");
        await lifetimeErrors.waitFor();
        expect(await lifetimeErrors.textContent()).toMatch(/5/);
        expect(await addRule.getByLabel("Access token lifetime (minutes)").getAttribute("aria-invalid")).toBe(
          "true",
        );
        await addRule.getByRole("alert").getByText("Api validation failed").waitFor();
        const rulesPath = `${policiesPath}/${partners?.id}/rules`;
        expect(await admin("GET", rulesPath)).toEqual([]);
        await expectAccessible(page);
        await addRule.getByLabel("Access token lifetime (minutes)").fill("30");
        await addRule.getByRole("button", { name: "Create rule" }).click();
        await status(page, "Rule Staff created.");
        const [staff] = (await admin("GET", rulesPath)) as (Named & {
          conditions: unknown;
          actions: unknown;
        })[];
        expect(staff?.conditions).toEqual({
          people: { users: { include: [userId], exclude: [] }, groups: { include: [groupId], exclude: [] } },
          grantTypes: { include: ["authorization_code", "password"] },
          scopes: { include: ["reports:read", "openid"] },
        });
        expect(staff?.actions).toEqual({
          token: {
            accessTokenLifetimeMinutes: 30,
            refreshTokenLifetimeMinutes: 0,
            refreshTokenWindowMinutes: 120,
          },
        });
        // The row says it in words, with the people's names.
        await page.getByText(`${USER.first} ${USER.last} (${USER.login}), ${GROUP}`).waitFor();

        await addDefaultRule(page, "Rule B");
        await addDefaultRule(page, "Rule C");
        expect(await names(rulesPath)).toEqual(["Staff", "Rule B", "Rule C"]);
        await expectAccessible(page);
        await expectFits(page);

        // Edit Rule B: an exclusion and a shorter window.
        await page.getByRole("button", { name: "Edit rule Rule B" }).click();
        const editB = page.getByRole("form", { name: "Edit rule Rule B" });
        await editB.getByLabel("Search users to exclude").fill(USER.last);
        await editB
          .getByRole("button", { name: `Add ${USER.first} ${USER.last} (${USER.login}) to exclude users` })
          .click();
        await editB.getByLabel("Refresh token idle window (minutes)").fill("60");
        await expectAccessible(page);
        await expectFits(page);
        await screenshot(page, "console-policies-rule-form.png");
        await editB.getByRole("button", { name: "Save rule Rule B" }).click();
        await status(page, "Rule Rule B saved.");
        const ruleB = (
          (await admin("GET", rulesPath)) as (Named & {
            conditions: { people: unknown };
            actions: { token: { refreshTokenWindowMinutes: number } };
          })[]
        )[1];
        expect(ruleB?.name).toBe("Rule B");
        expect(ruleB?.priority).toBe(2);
        expect(ruleB?.conditions.people).toEqual({
          users: { include: [], exclude: [userId] },
          groups: { include: ["EVERYONE"], exclude: [] },
        });
        expect(ruleB?.actions.token.refreshTokenWindowMinutes).toBe(60);

        // Lifecycle: the status shown is the server's.
        await page.getByRole("button", { name: "Deactivate rule Rule C", exact: true }).click();
        await page.getByRole("button", { name: "Activate rule Rule C", exact: true }).waitFor();
        expect(((await admin("GET", rulesPath)) as Named[])[2]?.status).toBe("INACTIVE");
        await page.getByRole("button", { name: "Activate rule Rule C", exact: true }).click();
        await page.getByRole("button", { name: "Deactivate rule Rule C", exact: true }).waitFor();
        expect(((await admin("GET", rulesPath)) as Named[])[2]?.status).toBe("ACTIVE");

        // Edit a policy: a description, and all clients instead of the app.
        await page.getByRole("button", { name: "Edit policy Partners" }).click();
        const editP = page.getByRole("form", { name: "Edit policy Partners" });
        await editP.getByLabel("Policy description").fill("Partner apps");
        await editP.getByLabel("All clients").check();
        await editP.getByRole("button", { name: "Save policy Partners" }).click();
        await status(page, "Policy Partners saved.");
        const edited = (await admin("GET", `${policiesPath}/${partners?.id}`)) as Named & {
          description: string;
          conditions: unknown;
        };
        expect(edited.description).toBe("Partner apps");
        expect(edited.conditions).toEqual({ clients: { include: ["ALL_CLIENTS"] } });
        expect(edited.priority).toBe(1);

        await page.getByRole("button", { name: "Deactivate policy Everyone else", exact: true }).click();
        await page.getByRole("button", { name: "Activate policy Everyone else", exact: true }).waitFor();
        expect(((await admin("GET", policiesPath)) as Named[])[1]?.status).toBe("INACTIVE");

        // Delete a rule and a policy, each after its confirmation ("Keep it" first: nothing goes).
        await page.getByRole("button", { name: "Delete rule Rule C" }).click();
        await page.getByRole("button", { name: "Keep it" }).click();
        await page.getByRole("button", { name: "Delete rule Rule C" }).click();
        await expectAccessible(page);
        expect(await names(rulesPath)).toEqual(["Staff", "Rule B", "Rule C"]);
        await page.getByRole("button", { name: "Yes, delete rule Rule C" }).click();
        await status(page, "Rule Rule C deleted.");
        expect(await names(rulesPath)).toEqual(["Staff", "Rule B"]);
        await page.getByRole("button", { name: `Delete policy ${markup}` }).click();
        await page.getByRole("button", { name: `Yes, delete policy ${markup}` }).click();
        await status(page, `Policy ${markup} deleted.`);
        expect(await names(policiesPath)).toEqual(["Partners", "Everyone else"]);
        await screenshot(page, "console-policies.png");
      },
      ["400 (Bad Request)", "400 (Bad Request)"],
    );
  });

  it("reorders rules and policies by drag, by the handle's keys and by the move buttons: one write each", {
    timeout: 120_000,
  }, async () => {
    const server = await newServer("reorder");
    const policiesPath = `/authorizationServers/${server.id}/policies`;
    const policy = await admin("POST", policiesPath, {
      name: "Main",
      conditions: { clients: { include: ["ALL_CLIENTS"] } },
    });
    for (const name of ["First", "Second", "Third"]) {
      await admin("POST", policiesPath, { name, conditions: { clients: { include: ["ALL_CLIENTS"] } } });
    }
    const rulesPath = `${policiesPath}/${policy.id}/rules`;
    for (const name of ["Alpha", "Bravo", "Charlie"]) {
      await admin("POST", rulesPath, {
        name,
        conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
      });
    }
    await withPage(
      async (watched) => {
        const { page } = watched;
        await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
        const writes: string[] = [];
        page.on("request", (r) => {
          if (r.method() !== "GET" && r.url().includes("/api/v1/"))
            writes.push(`${r.method()} ${r.postData()}`);
        });
        await openPolicies(page, server.id);
        const ruleList = page.getByRole("list", { name: "Rules of Main, in priority order" });
        await rows(ruleList).nth(2).waitFor();

        // Keyboard: the focused handle takes Arrow Up.
        const charlie = page.getByRole("button", { name: "Reorder rule Charlie" });
        expect(await charlie.getAttribute("aria-describedby")).toBe("rule-reorder-hint");
        await charlie.focus();
        await page.keyboard.press("ArrowUp");
        await status(page, "Rule Charlie moved to position 2 of 3.");
        expect(await names(rulesPath)).toEqual(["Alpha", "Charlie", "Bravo"]);
        expect(await rows(ruleList).allInnerTexts()).toEqual([
          expect.stringContaining("Alpha"),
          expect.stringContaining("Charlie"),
          expect.stringContaining("Bravo"),
        ]);
        // Focus stays on the moved rule's handle, so the next key moves it again.
        await expect
          .poll(() => page.evaluate("document.activeElement?.getAttribute('aria-label')"))
          .toBe("Reorder rule Charlie");
        await page.keyboard.press("Home");
        await status(page, "Rule Charlie moved to position 1 of 3.");
        expect(await names(rulesPath)).toEqual(["Charlie", "Alpha", "Bravo"]);
        // At the top, Arrow Up writes nothing.
        const before = writes.length;
        await page.keyboard.press("ArrowUp");
        expect(writes.length).toBe(before);

        // The move buttons.
        await page.getByRole("button", { name: "Move rule Alpha down" }).click();
        await status(page, "Rule Alpha moved to position 3 of 3.");
        expect(await names(rulesPath)).toEqual(["Charlie", "Bravo", "Alpha"]);
        expect(await page.getByRole("button", { name: "Move rule Alpha down" }).isDisabled()).toBe(true);
        expect(await page.getByRole("button", { name: "Move rule Charlie up" }).isDisabled()).toBe(true);

        // Drag with the mouse: Alpha's handle dropped on top of the first row.
        await drag(
          page,
          page.getByRole("button", { name: "Reorder rule Alpha" }),
          rows(ruleList).first(),
          "top",
        );
        await status(page, "Rule Alpha moved to position 1 of 3.");
        expect(await names(rulesPath)).toEqual(["Alpha", "Charlie", "Bravo"]);
        // Dropped on the lower half of the last row: last.
        await drag(
          page,
          page.getByRole("button", { name: "Reorder rule Charlie" }),
          rows(ruleList).last(),
          "bottom",
        );
        await status(page, "Rule Charlie moved to position 3 of 3.");
        expect(await names(rulesPath)).toEqual(["Alpha", "Bravo", "Charlie"]);
        // Released where it started: no write.
        const still = writes.length;
        await drag(
          page,
          page.getByRole("button", { name: "Reorder rule Bravo" }),
          rows(ruleList).nth(1),
          "top",
        );
        expect(writes.length).toBe(still);

        // Each move was one PUT of the moved rule with its new priority, the rest of it as stored.
        const moves = writes.filter((w) => w.startsWith("PUT"));
        expect(moves).toHaveLength(5);
        expect(
          moves
            .map((w) => JSON.parse(w.slice(4)) as { name: string; priority: number })
            .map((b) => [b.name, b.priority]),
        ).toEqual([
          ["Charlie", 2],
          ["Charlie", 1],
          ["Alpha", 3],
          ["Alpha", 1],
          ["Charlie", 3],
        ]);

        // Policies, the same way: by drag, then by key.
        const policyList = page.getByRole("list", { name: "Access policies, in priority order" });
        await drag(
          page,
          page.getByRole("button", { name: "Reorder policy Third" }),
          rows(policyList).first(),
          "top",
        );
        await status(page, "Policy Third moved to position 1 of 4.");
        expect(await names(policiesPath)).toEqual(["Third", "Main", "First", "Second"]);
        await page.getByRole("button", { name: "Reorder policy Main" }).focus();
        await page.keyboard.press("End");
        await status(page, "Policy Main moved to position 4 of 4.");
        expect(await names(policiesPath)).toEqual(["Third", "First", "Second", "Main"]);
        // The rules shown are still Main's (the policy chosen stays chosen wherever it moves).
        expect(await names(rulesPath)).toEqual(["Alpha", "Bravo", "Charlie"]);
        expect(
          (await rows(ruleList).allInnerTexts()).map((t) => t.match(/Alpha|Bravo|Charlie/)?.[0]),
        ).toEqual(["Alpha", "Bravo", "Charlie"]);
        await expectAccessible(page);
        await expectFits(page);
        await screenshot(page, "console-policies-reorder.png");

        // Escape during a drag cancels it: letting go writes nothing.
        const cancelled = writes.length;
        const alphaHandle = page.getByRole("button", { name: "Reorder rule Alpha" });
        const box = await alphaHandle.boundingBox();
        const last = await rows(ruleList).last().boundingBox();
        if (!box || !last) throw new Error("not on screen");
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2, last.y + last.height - 3, { steps: 5 });
        await expect.poll(() => rows(ruleList).last().getAttribute("class")).toContain("drop-after");
        await page.keyboard.press("Escape");
        await page.mouse.up();
        expect(await rows(ruleList).last().getAttribute("class")).not.toContain("drop-after");
        expect(writes.length).toBe(cancelled);
        expect(await names(rulesPath)).toEqual(["Alpha", "Bravo", "Charlie"]);

        // Someone else edits Bravo while this list is on screen: a move of it keeps their edit (the
        // console reads the rule again just before its PUT, which replaces the whole rule).
        const stale = ((await admin("GET", rulesPath)) as (Named & { conditions: unknown })[])[1];
        await admin("PUT", `${rulesPath}/${stale?.id}`, {
          name: "Bravo",
          conditions: stale?.conditions,
          actions: { token: { accessTokenLifetimeMinutes: 15 } },
        });
        await page.getByRole("button", { name: "Move rule Bravo up" }).click();
        await status(page, "Rule Bravo moved to position 1 of 3.");
        const moved = (
          (await admin("GET", rulesPath)) as (Named & {
            actions: { token: { accessTokenLifetimeMinutes: number } };
          })[]
        )[0];
        expect([moved?.name, moved?.actions.token.accessTokenLifetimeMinutes]).toEqual(["Bravo", 15]);
        await page.getByRole("button", { name: "Move rule Bravo down" }).click();
        await status(page, "Rule Bravo moved to position 2 of 3.");
        expect(await names(rulesPath)).toEqual(["Alpha", "Bravo", "Charlie"]);

        // Someone else deletes Bravo; a move of it is refused (404) and the list shows the server's order.
        const bravo = ((await admin("GET", rulesPath)) as Named[]).find((r) => r.name === "Bravo");
        await admin("DELETE", `${rulesPath}/${bravo?.id}`);
        await page.getByRole("button", { name: "Move rule Bravo up" }).click();
        await page.getByRole("alert").getByText("Not found").waitFor();
        await expect.poll(() => rows(ruleList).count()).toBe(2);
        expect(await names(rulesPath)).toEqual(["Alpha", "Charlie"]);
        await expectAccessible(page);
      },
      ["404 (Not Found)"],
    );
  });
});

describe("access policies, signed in as a READ_ONLY_ADMIN", () => {
  it("no handle, no move button, no enabled write; a forced move is refused", {
    timeout: 60_000,
  }, async () => {
    const server = await newServer("policies-ro");
    const policiesPath = `/authorizationServers/${server.id}/policies`;
    const first = await admin("POST", policiesPath, {
      name: "One",
      conditions: { clients: { include: ["ALL_CLIENTS"] } },
    });
    await admin("POST", policiesPath, { name: "Two", conditions: { clients: { include: ["ALL_CLIENTS"] } } });
    const rulesPath = `${policiesPath}/${first.id}/rules`;
    for (const name of ["R1", "R2"]) {
      await admin("POST", rulesPath, {
        name,
        conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
      });
    }
    await withPage(async (watched) => {
      const { page } = watched;
      const token = await signIn(page, READ_ONLY.login, READ_ONLY.password);
      await openPolicies(page, server.id);
      const ruleList = page.getByRole("list", { name: "Rules of One, in priority order" });
      await rows(ruleList).nth(1).waitFor();
      expect(await page.getByRole("button", { name: /^(Reorder|Move) / }).count()).toBe(0);
      // The only enabled buttons choose which policy's rules to read, and sign out.
      expect(await page.locator("button:enabled").allTextContents()).toEqual(["Sign out", "One", "Two"]);
      expect(await page.locator("input:enabled, textarea:enabled, select:enabled").count()).toBe(0);
      // Dragging a row does nothing.
      const r2 = rows(ruleList).nth(1);
      const box = await r2.boundingBox();
      if (!box) throw new Error("not on screen");
      await page.mouse.move(box.x + 10, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 10, box.y - box.height, { steps: 5 });
      await page.mouse.up();
      expect(await names(rulesPath)).toEqual(["R1", "R2"]);
      // Its rules are readable; another policy's too.
      await page.getByRole("button", { name: "Two", exact: true }).click();
      await page.getByRole("heading", { name: "Rules of Two" }).waitFor();
      await page.getByRole("button", { name: "One", exact: true }).click();
      await rows(ruleList).nth(1).waitFor();
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-policies-read-only.png");

      // A move forced with its token: 403, the order unchanged.
      const r2Id = ((await admin("GET", rulesPath)) as Named[])[1]?.id;
      const forced = await fetch(`${base}/api/v1${rulesPath}/${r2Id}`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${token.access_token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          name: "R2",
          priority: 1,
          conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
        }),
      });
      expect(forced.status).toBe(403);
      expect(((await forced.json()) as { errorCode: string }).errorCode).toBe("E0000006");
      expect(await names(rulesPath)).toEqual(["R1", "R2"]);
    });
  });
});
