/**
 * Writes that end many admins' access at once (src/admin/user-roles.ts `guardAdminReach`,
 * src/directory/admin-reach.ts), against real D1, real Grant objects and real org tokens: a caller
 * with the route's narrow scope (okta.apps.manage, okta.groups.manage) cannot sign a wider admin out
 * by unassigning a group from an app, deleting a group, or deactivating or deleting an app; it still
 * can when no admin loses anything (precision: an admin with another path to the app is not
 * reached); a refused write changes nothing; a caller with the admin's rights goes through and the
 * admin's grants end.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { EVERYONE_GROUP_ID } from "../../src/directory/directory";
import { getIndexedGrant, indexGrant } from "../../src/directory/grant-index";
import type { Env } from "../../src/env";
import { durableGrants } from "../../src/grants/durable-grants";
import { db, seedUser } from "./directory-fixtures";
import {
  adminCall,
  adminRequest,
  freshApp,
  importConfig,
  type OrgClient,
  orgAccessToken,
  seedOrgClient,
  uniqueId,
} from "./helpers";
import { addMember, assignGroup, assignUser, insertGroup } from "./people-fixtures";

// biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
type Json = any;

const bindings = env as Env;
const grants = durableGrants(bindings.GRANT);

let appsOnly: string;
let groupsOnly: string;
/** What a whole-configuration import needs (src/admin/auth.ts BULK_SCOPES), and nothing of users. */
let importer: string;
let serversOnly: string;

beforeAll(async () => {
  const bearer = async (scope: string) => {
    const client: OrgClient = await seedOrgClient([scope]);
    return `Bearer ${await orgAccessToken(client, scope)}`;
  };
  appsOnly = await bearer("okta.apps.manage");
  groupsOnly = await bearer("okta.groups.manage");
  const bulk = [
    "okta.authorizationServers.manage",
    "okta.apps.manage",
    "okta.inlineHooks.manage",
    "okta.trustedOrigins.manage",
  ];
  serversOnly = await bearer("okta.authorizationServers.manage");
  importer = `Bearer ${await orgAccessToken(await seedOrgClient(bulk), bulk.join(" "))}`;
});

async function call(method: string, path: string, authorization: string, body?: unknown) {
  const res = await freshApp()(adminRequest(method, path, body, authorization));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
}

/** A web app's record as config as code writes it. */
const appDoc = (clientId: string, extra: Record<string, unknown> = {}) => ({
  client_id: clientId,
  client_name: clientId,
  application_type: "web",
  grant_types: ["authorization_code", "refresh_token"],
  redirect_uris: ["https://reach.example/cb"],
  client_secrets: ["a-client-secret-that-is-long-enough-0123456789"],
  ...extra,
});

/** A web app with nobody assigned. */
async function newApp(): Promise<string> {
  const clientId = uniqueId("reach");
  await importConfig({ clients: [appDoc(clientId)] as never });
  return clientId;
}

async function admin(type: "SUPER_ADMIN" | "READ_ONLY_ADMIN") {
  const user = await seedUser();
  expect((await adminCall("POST", `/users/${user.id}/roles`, { type })).status).toBe(201);
  return user;
}

/** A real grant of `userId` at `clientId` (its object and its index row, as a sign-in leaves them). */
async function grantOf(userId: string, clientId: string, serverId = "default"): Promise<string> {
  const now = Date.now();
  const { grantId } = await grants.openRefresh(
    {
      serverId,
      clientId,
      redirectUri: "",
      codeChallenge: undefined,
      nonce: undefined,
      scopes: ["offline_access"],
      userId,
      authTime: Math.floor(now / 1000),
      amr: ["pwd"],
      sessionId: undefined,
      decision: { policyId: "p", ruleId: "r", accessTokenLifetimeSeconds: 3600 },
    },
    {
      rotation: "ROTATE",
      leewaySeconds: 0,
      lifetimeMinutes: 0,
      windowMinutes: 60,
      scopes: ["offline_access"],
    },
    now,
  );
  const id = await indexGrant(bindings.DIRECTORY, {
    grantId,
    userId,
    clientId,
    serverId,
    scopes: ["offline_access"],
    issuedAtMs: now,
    expiresAtMs: null,
    idleExpiresAtMs: now + 3_600_000,
  });
  if (!id) throw new Error("not indexed: the user is not assigned");
  return id;
}

async function grantStatus(tokenId: string) {
  return (await getIndexedGrant(bindings.DIRECTORY, tokenId))?.status;
}

function expectRefused(res: { status: number; body: Json }, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(403);
  expect(res.body.errorCode).toBe("E0000006");
}

describe("DELETE /apps/{appId}/groups/{groupId} (okta.apps.manage)", () => {
  it("cannot end the grants of an admin whose only path to the app is the group; the admin's rights can", async () => {
    const app = await newApp();
    const group = await insertGroup(uniqueId("admins"));
    const boss = await admin("SUPER_ADMIN");
    await addMember(group, boss.id);
    await assignGroup(app, group);
    const token = await grantOf(boss.id, app);

    expectRefused(await call("DELETE", `/apps/${app}/groups/${group}`, appsOnly), "narrow");
    // Nothing changed: the assignment stands, and so does the grant (its row and its object).
    expect((await adminCall("GET", `/apps/${app}/groups/${group}`)).status).toBe(200);
    expect(await grantStatus(token)).toBe("ACTIVE");

    expect((await adminCall("DELETE", `/apps/${app}/groups/${group}`)).status).toBe(204);
    expect(await grantStatus(token)).toBe("REVOKED");
  });

  it("a READ_ONLY_ADMIN member needs the read rights the role gives, which okta.apps.manage alone lacks", async () => {
    const app = await newApp();
    const group = await insertGroup(uniqueId("readers"));
    const reader = await admin("READ_ONLY_ADMIN");
    await addMember(group, reader.id);
    await assignGroup(app, group);
    const res = await call("DELETE", `/apps/${app}/groups/${group}`, appsOnly);
    expectRefused(res, "read-only member");
    expect(res.body.errorCauses).toContainEqual({ errorSummary: "requires okta.users.read" });
  });

  it("goes through when no admin loses the app: plain members, or an admin with another path", async () => {
    const app = await newApp();
    const plainGroup = await insertGroup(uniqueId("plain"));
    await addMember(plainGroup, (await seedUser()).id);
    await assignGroup(app, plainGroup);
    expect((await call("DELETE", `/apps/${app}/groups/${plainGroup}`, appsOnly)).status).toBe(204);

    // The admin is assigned directly too, or through a second group: the group's removal costs them nothing.
    for (const otherPath of ["direct", "group"] as const) {
      const group = await insertGroup(uniqueId("admins"));
      const boss = await admin("SUPER_ADMIN");
      await addMember(group, boss.id);
      await assignGroup(app, group);
      if (otherPath === "direct") await assignUser(app, boss.id);
      else {
        const second = await insertGroup(uniqueId("second"));
        await addMember(second, boss.id);
        await assignGroup(app, second);
      }
      const token = await grantOf(boss.id, app);
      expect((await call("DELETE", `/apps/${app}/groups/${group}`, appsOnly)).status, otherPath).toBe(204);
      expect(await grantStatus(token)).toBe("ACTIVE");
    }
  });

  it("Everyone: every admin not otherwise assigned is reached", async () => {
    const app = await newApp();
    await admin("SUPER_ADMIN");
    await assignGroup(app, EVERYONE_GROUP_ID);
    expectRefused(await call("DELETE", `/apps/${app}/groups/${EVERYONE_GROUP_ID}`, appsOnly), "Everyone");
    expect((await adminCall("GET", `/apps/${app}/groups/${EVERYONE_GROUP_ID}`)).status).toBe(200);
  });

  it("an unknown app or an unassigned group stays the route's 404, not a 403", async () => {
    const app = await newApp();
    const group = await insertGroup(uniqueId("admins"));
    await addMember(group, (await admin("SUPER_ADMIN")).id);
    expect((await call("DELETE", `/apps/${app}/groups/${group}`, appsOnly)).status).toBe(404);
    expect((await call("DELETE", `/apps/0oaNoSuchApp00000000/groups/${group}`, appsOnly)).status).toBe(404);
  });
});

describe("DELETE /groups/{groupId} (okta.groups.manage)", () => {
  it("cannot delete a group an admin belongs to (it removes every membership); the admin's rights can", async () => {
    const app = await newApp();
    const group = await insertGroup(uniqueId("admins"));
    const boss = await admin("SUPER_ADMIN");
    await addMember(group, boss.id);
    await assignGroup(app, group);
    const token = await grantOf(boss.id, app);
    expectRefused(await call("DELETE", `/groups/${group}`, groupsOnly), "narrow");
    expect((await adminCall("GET", `/groups/${group}`)).status).toBe(200);
    const members = await db()
      .prepare("SELECT COUNT(*) AS n FROM group_members WHERE group_id = ?1")
      .bind(group)
      .first<{ n: number }>();
    expect(members?.n).toBe(1);
    expect(await grantStatus(token)).toBe("ACTIVE");

    expect((await adminCall("DELETE", `/groups/${group}`)).status).toBe(204);
    expect(await grantStatus(token)).toBe("REVOKED");
  });

  it("a group without admins stays the narrow caller's to delete", async () => {
    const group = await insertGroup(uniqueId("plain"));
    await addMember(group, (await seedUser()).id);
    expect((await call("DELETE", `/groups/${group}`, groupsOnly)).status).toBe(204);
  });
});

describe("an app's deactivation and deletion (okta.apps.manage)", () => {
  it("cannot sign out an admin holding a grant of the app; the admin's rights can", async () => {
    const app = await newApp();
    const boss = await admin("SUPER_ADMIN");
    await assignUser(app, boss.id);
    const token = await grantOf(boss.id, app);
    expectRefused(await call("POST", `/apps/${app}/lifecycle/deactivate`, appsOnly), "deactivate");
    expect((await adminCall("GET", `/apps/${app}`)).body.status).toBe("ACTIVE");
    expect(await grantStatus(token)).toBe("ACTIVE");
    expect((await adminCall("POST", `/apps/${app}/lifecycle/deactivate`)).status).toBe(200);
    expect(await grantStatus(token)).toBe("REVOKED");
    // Its grants gone, the inactive app is an ordinary app to delete.
    expect((await call("DELETE", `/apps/${app}`, appsOnly)).status).toBe(204);
  });

  it("an app whose tokens carry admin rights: every admin assigned to it is reached, grant or not", async () => {
    const consoleLike = await seedOrgClient(["okta.users.read", "okta.apps.manage"]);
    const group = await insertGroup(uniqueId("console"));
    const boss = await admin("SUPER_ADMIN");
    await addMember(group, boss.id);
    await assignGroup(consoleLike.clientId, group);
    const path = `/apps/${consoleLike.clientId}`;
    expectRefused(await call("POST", `${path}/lifecycle/deactivate`, appsOnly), "deactivate");
    expect((await adminCall("GET", path)).body.status).toBe("ACTIVE");
    expect((await adminCall("POST", `${path}/lifecycle/deactivate`)).status).toBe(200);
    // Inactive, it still would lock the admin out for good once deleted: the same rights.
    expectRefused(await call("DELETE", path, appsOnly), "delete");
    expect((await adminCall("GET", path)).status).toBe(200);
    expect((await adminCall("DELETE", path)).status).toBe(204);
  });

  it("an app without admins stays the narrow caller's; an unknown app is the route's 404", async () => {
    const app = await newApp();
    await assignUser(app, (await seedUser()).id);
    expect((await call("POST", `/apps/${app}/lifecycle/deactivate`, appsOnly)).status).toBe(200);
    expect((await call("DELETE", `/apps/${app}`, appsOnly)).status).toBe(204);
    expect((await call("POST", "/apps/0oaNoSuchApp00000000/lifecycle/deactivate", appsOnly)).status).toBe(
      404,
    );
  });
});

describe("POST /warden/import (the whole configuration)", () => {
  it("cannot leave INACTIVE, nor prune, an app an admin holds a grant of; a dry run still answers", async () => {
    const app = await newApp();
    const boss = await admin("SUPER_ADMIN");
    await assignUser(app, boss.id);
    const token = await grantOf(boss.id, app);
    const inactive = { clients: [appDoc(app, { status: "INACTIVE" })] };
    expectRefused(await call("POST", "/warden/import", importer, inactive), "INACTIVE");
    // Pruning every app but none: the admin's app among them.
    expectRefused(await call("POST", "/warden/import?prune=true", importer, { clients: [] }), "prune");
    expect((await adminCall("GET", `/apps/${app}`)).body.status).toBe("ACTIVE");
    expect(await grantStatus(token)).toBe("ACTIVE");
    // A dry run changes nothing, so it stays the caller's.
    const dry = await call("POST", "/warden/import?dryRun=true", importer, inactive);
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    // A bad document is the route's own 400, whoever it would reach.
    expect((await call("POST", "/warden/import", importer, { clients: "nope" })).status).toBe(400);
    expect((await call("POST", "/warden/import", importer, "{not json")).status).toBe(400);
  });

  it("an import that reaches no admin goes through, and so does the admin's own", async () => {
    const app = await newApp();
    await assignUser(app, (await seedUser()).id);
    const res = await call("POST", "/warden/import", importer, {
      clients: [appDoc(app, { status: "INACTIVE" })],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await adminCall("GET", `/apps/${app}`)).body.status).toBe("INACTIVE");

    const held = await newApp();
    const boss = await admin("SUPER_ADMIN");
    await assignUser(held, boss.id);
    const token = await grantOf(boss.id, held);
    expect(
      (await adminCall("POST", "/warden/import", { clients: [appDoc(held, { status: "INACTIVE" })] })).status,
    ).toBe(200);
    expect(await grantStatus(token)).toBe("REVOKED");
  });
});

describe("paths that are not exactly the guarded routes do not slip past the guard", () => {
  it("a trailing slash or an encoded id reaches no route the guard does not cover", async () => {
    const app = await newApp();
    const group = await insertGroup(uniqueId("admins"));
    const boss = await admin("SUPER_ADMIN");
    await addMember(group, boss.id);
    await assignGroup(app, group);
    const token = await grantOf(boss.id, app);
    for (const path of [
      `/apps/${app}/groups/${group}/`,
      `/apps/${encodeURIComponent(app)}/groups/${encodeURIComponent(group)}`,
      `/apps/${app}/groups/${group.toLowerCase()}`,
      `/groups/${group}/`,
      `/apps/${app}/lifecycle/deactivate/`,
    ]) {
      const method = path.includes("lifecycle") ? "POST" : "DELETE";
      const res = await call(method, path, path.startsWith("/groups") ? groupsOnly : appsOnly);
      expect([403, 404, 405], `${method} ${path}: ${res.status}`).toContain(res.status);
    }
    expect((await adminCall("GET", `/apps/${app}/groups/${group}`)).status).toBe(200);
    expect((await adminCall("GET", `/apps/${app}`)).body.status).toBe("ACTIVE");
    expect(await grantStatus(token)).toBe("ACTIVE");
  });
});

describe("a server's deletion and its token API (okta.authorizationServers.manage)", () => {
  it("cannot revoke an admin's grants at a server; a plain user's stay the caller's; the admin's rights can", async () => {
    const serverId = uniqueId("reach-as");
    await importConfig({
      authorizationServers: [{ server: { id: serverId, name: serverId, audiences: ["api://reach"] } }],
    } as never);
    const app = await newApp();
    const boss = await admin("SUPER_ADMIN");
    const plain = await seedUser();
    await assignUser(app, boss.id);
    await assignUser(app, plain.id);
    const bossToken = await grantOf(boss.id, app, serverId);
    const tokens = `/authorizationServers/${serverId}/clients/${app}/tokens`;
    expectRefused(await call("DELETE", `${tokens}/${bossToken}`, serversOnly), "one token");
    expectRefused(await call("DELETE", tokens, serversOnly), "every token of the app");
    expect(await grantStatus(bossToken)).toBe("ACTIVE");
    const plainToken = await grantOf(plain.id, app, serverId);
    expect((await call("DELETE", `${tokens}/${plainToken}`, serversOnly)).status).toBe(204);
    expect(await grantStatus(plainToken)).toBe("REVOKED");

    expect(
      (await call("POST", `/authorizationServers/${serverId}/lifecycle/deactivate`, serversOnly)).status,
    ).toBe(204);
    expectRefused(await call("DELETE", `/authorizationServers/${serverId}`, serversOnly), "the server");
    expect((await adminCall("GET", `/authorizationServers/${serverId}`)).status).toBe(200);
    expect(await grantStatus(bossToken)).toBe("ACTIVE");
    expect((await adminCall("DELETE", `/authorizationServers/${serverId}`)).status).toBe(204);
    expect(await grantStatus(bossToken)).toBe("REVOKED");
  });
});
