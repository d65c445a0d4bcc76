/**
 * The admin console's users, groups and system-log screens (README "Admin console") in Chromium
 * against `npm start`, driven through the UI only, every write checked through the management API
 * (SSWS):
 *
 * - users: a refused creation shows Okta's errorSummary and the cause beside Username, nothing is
 *   created; a good one (its password never shown back); search by name and status, paged with
 *   "More users"; profile edit; suspend / unsuspend; the user's groups added and removed;
 *   deactivate, then delete (Okta's two steps, each confirmed);
 * - groups: a duplicate name refused beside its field; create, edit, members found and added,
 *   removed after a confirmation; Everyone read-only; delete after a confirmation;
 * - system log: the events of the writes above found by event type and keyword, newest first, one
 *   opened to its actor, client, targets and transaction; a bad filter shows the server's
 *   errorSummary and its cause beside the filter field; "Older events" pages;
 * - a READ_ONLY_ADMIN sees no enabled write control on any of these screens, and its forced writes
 *   are refused (403 E0000006);
 * - every screen: no serious or critical axe-core violation, no CSP violation, no sideways scroll
 *   at 360 px or 1440 px. With WARDEN_SCREENSHOTS=1 it saves the README's screenshots.
 */
import { randomBytes } from "node:crypto";
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
  openFromMain as open,
  screenshot as screenshotPage,
  signIn,
  statusLine,
  suffix,
  useBrowser,
  withPage,
} from "./console-helpers";

/** The status of a GET through the API (404 once something is gone). */
const statusOf = async (path: string): Promise<number> => (await adminCall("GET", path)).status;

interface ApiUser {
  id: string;
  status: string;
  profile: Record<string, string>;
}

async function newUser(first: string, last: string, activate = true): Promise<ApiUser> {
  const login = `${first.toLowerCase()}.${last.toLowerCase()}-${suffix}@example.com`;
  return admin("POST", `/users?activate=${activate}`, {
    profile: { login, email: login, firstName: first, lastName: `${last}${suffix}` },
  });
}

/** An app of the test's own (an OIDC client), to be assigned through the API. */
async function newApp(label: string): Promise<{ id: string; label: string }> {
  return admin("POST", "/apps", {
    name: "oidc_client",
    label: `${label}-${suffix}`,
    signOnMode: "OPENID_CONNECT",
    settings: { oauthClient: { grant_types: ["client_credentials"] } },
  });
}

/**
 * A client_credentials request that the server's one policy (no rule) denies: the token endpoint
 * logs it with its evaluation trace.
 */
async function deniedTokenRequest(): Promise<{ serverId: string; policyName: string }> {
  const server = await admin("POST", "/authorizationServers", {
    name: `people-log-${suffix}`,
    description: "made by console-people.test.ts",
    audiences: [`api://people-log-${suffix}`],
  });
  await admin("POST", `/authorizationServers/${server.id}/scopes`, { name: "reports:read" });
  const policyName = `people-deny-${suffix}`;
  await admin("POST", `/authorizationServers/${server.id}/policies`, {
    type: "OAUTH_AUTHORIZATION_POLICY",
    name: policyName,
    priority: 1,
    conditions: { clients: { include: ["ALL_CLIENTS"] } },
  });
  const app = await admin("POST", "/apps", {
    name: "oidc_client",
    label: `people-log-client-${suffix}`,
    signOnMode: "OPENID_CONNECT",
    credentials: { oauthClient: { token_endpoint_auth_method: "client_secret_basic" } },
    settings: { oauthClient: { grant_types: ["client_credentials"] } },
  });
  const { client_id, client_secret } = app.credentials.oauthClient;
  const res = await fetch(`${base}/oauth2/${server.id}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "reports:read" }),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: string }).error).toBe("access_denied");
  return { serverId: server.id, policyName };
}

const READ_ONLY = {
  login: `people-readonly-${suffix}@example.com`,
  password: `Ro${randomBytes(9).toString("base64url")}9x`,
};

useBrowser(() => createReadOnlyAdmin(READ_ONLY.login, READ_ONLY.password));

/** The README's people screenshots are of the viewport, not the whole page. */
const screenshot = (page: Page, name: string) => screenshotPage(page, name, false);

describe("users, as the demo SUPER_ADMIN", () => {
  it("create (refused, then accepted), search and page, edit, lifecycle, groups, delete", {
    timeout: 120_000,
  }, async () => {
    // Enough users of one family name for a second page (the console asks for 20 at a time).
    const family = `Paged${suffix}`;
    await Promise.all(Array.from({ length: 21 }, (_, i) => newUser(`P${i}`, "Paged")));
    const group = await admin("POST", "/groups", { profile: { name: `people-ui-${suffix}` } });
    const app = await newApp("people-app");
    const login = `ann.lee-${suffix}@example.com`;
    const password = `Pw-${randomBytes(9).toString("base64url")}7a`;

    await withPage(async ({ page }) => {
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await open(page, "Users");
      await page.locator("table.list").waitFor();
      await expectAccessible(page);

      // A username that is no email address: the server's words beside Username, no user made.
      await page.getByLabel("First name").fill("Ann");
      await page.getByLabel("Last name").fill("Lee");
      await page.getByLabel("Username").fill(`ann-${suffix}`);
      await page.getByLabel("Primary email").fill(login);
      await page.getByLabel("Initial password").fill(password);
      await page.getByRole("button", { name: "Create user" }).click();
      await page
        .locator("#new-user-login-errors")
        .getByText("Username must be in the form of an email address")
        .waitFor();
      expect(await page.getByRole("alert").first().textContent()).toContain("Api validation failed: login");
      expect(await page.getByLabel("Username").getAttribute("aria-invalid")).toBe("true");
      // The password is not kept in the form once sent.
      expect(await page.getByLabel("Initial password").inputValue()).toBe("");
      expect(
        (await admin("GET", `/users?search=${encodeURIComponent(`profile.email eq "${login}"`)}`)).length,
      ).toBe(0);
      await expectAccessible(page);

      // Corrected, with the password again, from the keyboard (Enter submits).
      await page.getByLabel("Username").fill(login);
      await page.getByLabel("Initial password").fill(password);
      await page.getByLabel("Initial password").press("Enter");
      await statusLine(page, `User ${login} created.`).waitFor();
      const [created] = (await admin(
        "GET",
        `/users?search=${encodeURIComponent(`profile.login eq "${login}"`)}`,
      )) as ApiUser[];
      expect(created?.status).toBe("ACTIVE");
      expect(created?.profile).toMatchObject({ firstName: "Ann", lastName: "Lee", email: login });
      // An app assignment (made on the app's side), shown read-only on the user's screen.
      await admin("POST", `/apps/${app.id}/users`, { id: created?.id, scope: "USER" });
      // The page never holds the password: not in the form, not in the DOM.
      expect(await page.getByLabel("Initial password").inputValue()).toBe("");
      expect(await page.content()).not.toContain(password);

      // Search by the family name: 20, then "More users" brings the 21st; the status narrows it.
      await page.getByLabel("Search users").fill(family);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await expect.poll(() => page.locator("table.list tbody tr").count()).toBe(20);
      await page.getByRole("button", { name: "More users" }).click();
      await expect.poll(() => page.locator("table.list tbody tr").count()).toBe(21);
      expect(await page.getByRole("button", { name: "More users" }).count()).toBe(0);
      await page.getByLabel("Status").selectOption("SUSPENDED");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.getByText("No users match.").waitFor();
      await expectFits(page);

      await page.getByLabel("Search users").fill("Ann");
      await page.getByLabel("Status").selectOption("");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.getByRole("link", { name: "Ann Lee" }).first().waitFor();
      await screenshot(page, "console-users.png");

      // One user's screen.
      await page.getByRole("status").getByRole("link", { name: login }).click();
      await page.getByRole("heading", { level: 1, name: "Ann Lee" }).waitFor();
      await page
        .getByRole("list", { name: "Assigned applications" })
        .getByRole("link", { name: app.label })
        .waitFor();
      await expectAccessible(page);
      await expectFits(page);

      // Profile: a blank first name refused beside it; then a good edit.
      await page.getByLabel("First name").fill("");
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.locator("#user-firstName-errors").getByText("The field cannot be left blank").waitFor();
      expect((await admin("GET", `/users/${created?.id}`)).profile.firstName).toBe("Ann");
      await page.getByLabel("First name").fill("Annabel");
      await page.getByRole("button", { name: "Save profile" }).click();
      await statusLine(page, "Profile saved.").waitFor();
      await page.getByRole("heading", { level: 1, name: "Annabel Lee" }).waitFor();
      expect((await admin("GET", `/users/${created?.id}`)).profile.firstName).toBe("Annabel");

      // Lifecycle: only what the status allows; suspend asks first; the status shown is the server's.
      expect(await page.getByRole("button", { name: "Activate", exact: true }).count()).toBe(0);
      expect(await page.getByRole("button", { name: "Delete user" }).count()).toBe(0);
      await page.getByRole("button", { name: "Suspend", exact: true }).click();
      await page.getByRole("button", { name: `Suspend ${login}` }).click();
      await statusLine(page, `${login} suspended.`).waitFor();
      await page.getByText("SUSPENDED", { exact: true }).waitFor();
      expect((await admin("GET", `/users/${created?.id}`)).status).toBe("SUSPENDED");
      await page.getByRole("button", { name: "Unsuspend", exact: true }).click();
      await statusLine(page, `${login} unsuspended.`).waitFor();
      expect((await admin("GET", `/users/${created?.id}`)).status).toBe("ACTIVE");

      // Groups: Everyone is there and cannot be left; add one, then remove it after a confirmation.
      await page.getByRole("link", { name: "Everyone" }).waitFor();
      await page.getByLabel("Group to add").selectOption({ label: group.profile.name });
      await page.getByRole("button", { name: "Add to group" }).click();
      await statusLine(page, `Added to ${group.profile.name}.`).waitFor();
      await page.getByRole("link", { name: group.profile.name }).waitFor();
      expect(((await admin("GET", `/groups/${group.id}/users`)) as ApiUser[]).map((u) => u.id)).toEqual([
        created?.id,
      ]);
      await page.getByRole("button", { name: `Remove ${login} from ${group.profile.name}` }).click();
      await page.getByRole("button", { name: `Remove from ${group.profile.name}` }).click();
      await statusLine(page, `Removed from ${group.profile.name}.`).waitFor();
      expect(await admin("GET", `/groups/${group.id}/users`)).toEqual([]);
      await expectAccessible(page);
      await screenshot(page, "console-user.png");

      // Delete: deactivate (confirmed), then delete (confirmed), as Okta.
      await page.getByRole("button", { name: "Deactivate", exact: true }).click();
      await page.getByRole("button", { name: `Deactivate ${login}` }).click();
      await statusLine(page, `${login} deactivated.`).waitFor();
      expect((await admin("GET", `/users/${created?.id}`)).status).toBe("DEPROVISIONED");
      await page.getByRole("button", { name: "Delete user" }).click();
      await page.getByRole("button", { name: "Cancel" }).waitFor();
      await expectAccessible(page);
      await page.getByRole("button", { name: `Delete ${login}` }).click();
      await page.getByRole("heading", { level: 1, name: "Users" }).waitFor();
      expect(await statusOf(`/users/${created?.id}`)).toBe(404);
      // Two refusals: the username, the blank first name.
    }, 2);
  });
});

describe("groups, as the demo SUPER_ADMIN", () => {
  it("create (a duplicate refused), edit, members, Everyone read-only, delete", {
    timeout: 90_000,
  }, async () => {
    const name = `Support ${suffix}`;
    const taken = await admin("POST", "/groups", { profile: { name: `Taken ${suffix}` } });
    const member = await newUser("Gail", "Member");

    await withPage(async ({ page }) => {
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await open(page, "Groups");
      await page.getByRole("link", { name: "Everyone" }).waitFor();

      // A name taken (without regard to case): the cause beside the name, nothing created.
      await page.getByLabel("Group name").fill(taken.profile.name.toUpperCase());
      await page.getByRole("button", { name: "Create group" }).click();
      await page
        .locator("#new-group-name-errors")
        .getByText("An object with this field already exists in the current organization")
        .waitFor();
      expect(await page.getByLabel("Group name").getAttribute("aria-invalid")).toBe("true");
      await expectAccessible(page);

      await page.getByLabel("Group name").fill(name);
      await page.getByLabel("Group description").fill("Answers the phone");
      await page.getByRole("button", { name: "Create group" }).click();
      await statusLine(page, `Group ${name} created.`).waitFor();
      const [group] = (await admin("GET", `/groups?q=${encodeURIComponent(name)}`)) as {
        id: string;
        profile: { name: string; description: string };
      }[];
      expect(group?.profile).toEqual({ name, description: "Answers the phone" });
      expect(await page.getByLabel("Group name").inputValue()).toBe("");
      const app = await newApp("group-app");
      await admin("PUT", `/apps/${app.id}/groups/${group?.id}`, {});

      // Search by the name's beginning.
      await page.getByLabel("Search groups").fill(`Support ${suffix}`);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await expect.poll(() => page.locator("table.list tbody tr").count()).toBe(1);
      await expectFits(page);
      await screenshot(page, "console-groups.png");

      await page.getByRole("table").getByRole("link", { name }).click();
      await page.getByRole("heading", { level: 1, name }).waitFor();
      await page.getByText("No members yet.").waitFor();
      await page
        .getByRole("list", { name: "Assigned applications" })
        .getByRole("link", { name: app.label })
        .waitFor();

      // Edit.
      await page.getByLabel("Group description").fill("Answers the phone and the mail");
      await page.getByRole("button", { name: "Save group" }).click();
      await statusLine(page, "Group saved.").waitFor();
      expect((await admin("GET", `/groups/${group?.id}`)).profile.description).toBe(
        "Answers the phone and the mail",
      );

      // Members: found by name, added; removed after a confirmation.
      await page.getByLabel("Find a user").fill("Gail");
      await page.getByRole("button", { name: "Find users" }).click();
      await page.getByRole("button", { name: `Add ${member.profile.login} to ${name}` }).click();
      await statusLine(page, `${member.profile.login} added to ${name}.`).waitFor();
      expect(((await admin("GET", `/groups/${group?.id}/users`)) as ApiUser[]).map((u) => u.id)).toEqual([
        member.id,
      ]);
      await page.getByRole("link", { name: `Gail Member${suffix}` }).waitFor();
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-group.png");
      await page.getByRole("button", { name: `Remove ${member.profile.login} from ${name}` }).click();
      await page.getByRole("button", { name: `Remove ${member.profile.login}`, exact: true }).click();
      await statusLine(page, `${member.profile.login} removed from ${name}.`).waitFor();
      expect(await admin("GET", `/groups/${group?.id}/users`)).toEqual([]);

      // Delete, after the confirmation.
      await page.getByRole("button", { name: "Delete group" }).click();
      await page.getByRole("button", { name: "Keep it" }).waitFor();
      // The confirmation takes the focus, on its safe answer.
      await expect.poll(() => page.evaluate("document.activeElement?.textContent")).toBe("Keep it");
      await page.getByRole("button", { name: `Delete ${name}` }).click();
      await page.getByRole("heading", { level: 1, name: "Groups" }).waitFor();
      expect(await statusOf(`/groups/${group?.id}`)).toBe(404);

      // Everyone: built in, nothing to change.
      await page.getByRole("link", { name: "Everyone" }).click();
      await page.getByRole("heading", { level: 1, name: "Everyone" }).waitFor();
      expect(await page.getByRole("button", { name: "Save group" }).isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: "Delete group" }).isDisabled()).toBe(true);
      expect(await page.getByLabel("Group name").isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: /^Remove / }).count()).toBe(0);
      await expectAccessible(page);
      // One refusal: the taken name.
    }, 1);
  });
});

describe("system log, as the demo SUPER_ADMIN", () => {
  it("filters by event type and keyword, opens an event, refuses a bad filter, pages older events", {
    timeout: 90_000,
  }, async () => {
    // Events of our own: three users created (the queue brings them to the log within seconds).
    const users = [
      await newUser("Lou", "Logged"),
      await newUser("Lia", "Logged"),
      await newUser("Lee", "Logged"),
    ];
    const denied = await deniedTokenRequest();
    await withPage(async ({ page }) => {
      await signIn(page, demo.demoAdmin.login, demo.demoAdmin.password);
      await open(page, "System log");
      await page.getByRole("list", { name: "Events, newest first" }).waitFor();
      await expectAccessible(page);

      await page.getByLabel("Event type").fill("user.lifecycle.create");
      await page.getByLabel("Outcome").selectOption("SUCCESS");
      await page.getByLabel("Keywords").fill(`Logged${suffix}`);
      const events = page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem");
      // The same search again asks the server again, until the queue has delivered all three.
      await expect
        .poll(
          async () => {
            await page.getByRole("button", { name: "Search events" }).click();
            await page.waitForLoadState("networkidle");
            return events.count();
          },
          { timeout: 30_000, interval: 1_000 },
        )
        .toBe(3);
      // Newest first: the last user created is the first event.
      const first = events.first();
      expect(await first.textContent()).toContain("user.lifecycle.create");
      await first.locator("summary").click();
      const facts = first.locator("dl");
      await facts.waitFor();
      const text = (await facts.textContent()) ?? "";
      expect(text).toContain(users[2]?.id);
      expect(text).toContain(users[2]?.profile.login);
      expect(text).toContain("Client IP");
      expect(text).toMatch(/Transaction\s*WEB/);
      await expectAccessible(page);
      await expectFits(page);
      await screenshot(page, "console-logs.png");

      // A policy denial: its event opens to the evaluation trace (debugContext), naming the policy.
      await page.getByLabel("Keywords").fill("");
      await page.getByLabel("Event type").fill("app.oauth2.as.token.grant");
      await page.getByLabel("Outcome").selectOption("FAILURE");
      await page.getByLabel("Filter expression").fill(`target.id eq "${denied.serverId}"`);
      await expect
        .poll(
          async () => {
            await page.getByRole("button", { name: "Search events" }).click();
            await page.waitForLoadState("networkidle");
            // The list shown until the new answer arrives is the last search's.
            return (await events.count()) > 0 ? await events.first().locator("summary").textContent() : "";
          },
          { timeout: 30_000, interval: 1_000 },
        )
        .toContain("app.oauth2.as.token.grant");
      await events.first().locator("summary").click();
      const debug = (await events.first().locator("pre.json").textContent()) ?? "";
      expect(debug).toContain('"error": "access_denied"');
      expect(debug).toContain('"trace"');
      expect(debug).toContain(denied.policyName);
      await expectAccessible(page);
      await expectFits(page);

      // A filter the server cannot read: its summary, and the cause beside the filter field.
      await page.getByLabel("Filter expression").fill("nosuch.attribute eq 1");
      await page.getByRole("button", { name: "Search events" }).click();
      await page.locator("#log-advanced-errors").getByText("unknown attribute 'nosuch.attribute'").waitFor();
      expect(await page.getByRole("alert").textContent()).toContain("Invalid search criteria.");
      expect(await page.getByLabel("Filter expression").getAttribute("aria-invalid")).toBe("true");
      expect(await events.count()).toBe(0);
      await expectAccessible(page);

      // Older events: the whole log, 20 a page.
      await page.getByRole("button", { name: "Clear filters" }).click();
      await expect.poll(() => events.count()).toBe(20);
      await page.getByRole("button", { name: "Older events" }).click();
      await expect.poll(() => events.count()).toBeGreaterThan(20);
      // One refusal: the bad filter.
    }, 1);
  });
});

describe("users, groups and the log, as a READ_ONLY_ADMIN", () => {
  it("no enabled write control on any screen, and forced writes are refused", {
    timeout: 90_000,
  }, async () => {
    const user = await newUser("Rory", "Readable");
    const group = await admin("POST", "/groups", { profile: { name: `readable-${suffix}` } });
    await admin("PUT", `/groups/${group.id}/users/${user.id}`);
    // A stranger's markup in a profile: shown as text, never run (Preact escapes; the CSP would refuse).
    const MARKUP = '<img src=x onerror="alert(1)">';
    const marked = await newUser("Mark", "Up");
    await admin("POST", `/users/${marked.id}`, { profile: { firstName: MARKUP } });

    /** Reading stays possible: searching, paging, signing out. */
    const READS = new Set([
      "Sign out",
      "Search",
      "More users",
      "More groups",
      "More members",
      "Search events",
      "Clear filters",
      "Older events",
    ]);
    const SEARCH_INPUTS = new Set([
      "user-search",
      "user-status",
      "group-search",
      "log-since",
      "log-until",
      "log-eventType",
      "log-outcome",
      "log-q",
      "log-advanced",
    ]);

    await withPage(async ({ page }) => {
      const token = await signIn(page, READ_ONLY.login, READ_ONLY.password);
      expect(token.scope.split(" ")).not.toContain("okta.users.manage");

      const expectReadOnly = async () => {
        const buttons = await page.locator("button:enabled").allTextContents();
        expect(buttons.filter((b) => !READS.has(b.trim()))).toEqual([]);
        const inputs = await page
          .locator("input:enabled, textarea:enabled, select:enabled")
          .evaluateAll((els) => els.map((e) => e.id));
        expect(inputs.filter((id) => !SEARCH_INPUTS.has(id))).toEqual([]);
        await expectAccessible(page);
      };

      await open(page, "Users");
      await page.locator("table.list").waitFor();
      expect(await page.getByRole("button", { name: "Create user" }).isDisabled()).toBe(true);
      await expectReadOnly();

      await page.getByLabel("Search users").fill("Rory");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      // The markup is text: a link named by it, and no image in the page.
      await page.getByLabel("Search users").fill(`Up${suffix}`);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.getByRole("link", { name: `${MARKUP} Up${suffix}` }).waitFor();
      expect(await page.locator("img").count()).toBe(0);
      await page.getByLabel("Search users").fill("Rory");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.getByRole("link", { name: `Rory Readable${suffix}` }).click();
      await page.getByRole("heading", { level: 1, name: `Rory Readable${suffix}` }).waitFor();
      await page.getByRole("link", { name: group.profile.name }).waitFor();
      // Created without a password: PROVISIONED, so Deactivate is its one operation.
      expect(await page.getByRole("button", { name: "Deactivate", exact: true }).isDisabled()).toBe(true);
      await expectReadOnly();

      await open(page, "Groups");
      await page.getByRole("link", { name: group.profile.name }).click();
      await page.getByRole("heading", { level: 1, name: group.profile.name }).waitFor();
      await page.getByRole("link", { name: `Rory Readable${suffix}` }).waitFor();
      await expectReadOnly();

      await open(page, "System log");
      await page.getByRole("list", { name: "Events, newest first" }).waitFor();
      await expectReadOnly();

      // The server refuses anyway, and nothing is written.
      const forced = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${base}/api/v1${path}`, {
          method,
          headers: { Authorization: `Bearer ${token.access_token}`, "Content-Type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(((await res.json()) as { errorCode: string }).errorCode).toBe("E0000006");
      };
      await forced("POST", `/users/${user.id}/lifecycle/deactivate`);
      await forced("DELETE", `/groups/${group.id}/users/${user.id}`);
      await forced("POST", "/groups", { profile: { name: `forced-${suffix}` } });
      expect((await admin("GET", `/users/${user.id}`)).status).toBe("PROVISIONED");
      expect(((await admin("GET", `/groups/${group.id}/users`)) as ApiUser[]).map((u) => u.id)).toEqual([
        user.id,
      ]);
      expect(await admin("GET", `/groups?q=forced-${suffix}`)).toEqual([]);
    });
  });
});
