/**
 * Admin roles against real D1 and the real org keyset: Okta's Role Assignment API for users (assign,
 * list, get, remove in Okta's shapes; 404s, 400s, 409), its system-log events, the deletion with the
 * user, and the attacks: a narrow okta.roles.manage caller making or unmaking a SUPER_ADMIN, a narrow
 * okta.users.manage caller taking over an admin's account, a READ_ONLY_ADMIN writing with manage
 * scopes, and a user's token outliving its role or its user's status.
 *
 * A user's org access token is minted here as the org server signs its own (the org keyset's
 * signing key, Okta's claims with `uid`), for an app granted the scopes: the sign-in that issues it
 * comes with the org server's authorization_code grant.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import { ORG_KEYS_ID } from "../../src/config/defaults";
import { d1Directory } from "../../src/directory/d1-directory";
import type { Env } from "../../src/env";
import type { LogMessage, LogQueue } from "../../src/log/event-log";
import { buildAccessToken } from "../../src/tokens/access-token";
import { signToken } from "../../src/tokens/sign";
import { db, seedUser } from "./directory-fixtures";
import {
  adminCall,
  adminRequest,
  expectApiError,
  freshApp,
  ORIGIN,
  type OrgClient,
  orgAccessToken,
  seedOrgClient,
} from "./helpers";

// biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
type Json = any;

const ALL_OKTA = [
  "okta.apiTokens.manage",
  "okta.apps.manage",
  "okta.authorizationServers.manage",
  "okta.groups.manage",
  "okta.inlineHooks.manage",
  "okta.logs.read",
  "okta.roles.manage",
  "okta.trustedOrigins.manage",
  "okta.users.manage",
];

/** The console-like app: granted every okta.* scope, so only the user's roles narrow its tokens. */
let consoleApp: OrgClient;

beforeAll(async () => {
  consoleApp = await seedOrgClient(ALL_OKTA);
  // The org keyset exists once the org server has signed something.
  await orgAccessToken(consoleApp, "okta.users.manage");
});

/** An org access token for `user`, as the org server mints one for a user's grant. */
async function userToken(
  user: { id: string; login: string },
  scopes: readonly string[],
  client: OrgClient = consoleApp,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = await createDeps().keys.signingKey(env as Env, ORG_KEYS_ID, Date.now());
  if (!key) throw new Error("no org signing key");
  const claims = buildAccessToken({
    profile: "okta",
    issuer: ORIGIN,
    audiences: [ORIGIN],
    clientId: client.clientId,
    subject: user.login,
    userId: user.id,
    scopes,
    issuedAt: now,
    lifetimeSeconds: 3600,
    jti: `AT.${crypto.randomUUID()}`,
  });
  return signToken(claims, key);
}

async function call(method: string, path: string, body: unknown, authorization: string) {
  const res = await freshApp()(adminRequest(method, path, body, authorization));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
}

const assign = (userId: string, type: unknown) => adminCall("POST", `/users/${userId}/roles`, { type });

async function roleRows(userId: string): Promise<{ id: string; type: string }[]> {
  const { results } = await db()
    .prepare("SELECT id, type FROM admin_roles WHERE user_id = ? ORDER BY created, id")
    .bind(userId)
    .all<{ id: string; type: string }>();
  return results;
}

async function userRow(id: string) {
  return db().prepare("SELECT * FROM users WHERE id = ?").bind(id).first();
}

describe("the Role Assignment API for users", () => {
  it("assigns, lists, gets and removes roles in Okta's shapes", async () => {
    const user = await seedUser();
    const created = await assign(user.id, "SUPER_ADMIN");
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^ra[A-Za-z0-9]{18}$/),
      label: "Super Administrator",
      type: "SUPER_ADMIN",
      status: "ACTIVE",
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUpdated: created.body.created,
      assignmentType: "USER",
      _links: { assignee: { href: `${ORIGIN}/api/v1/users/${user.id}` } },
    });
    // By login too, as the Users API takes it.
    const readOnly = await adminCall("POST", `/users/${encodeURIComponent(user.login)}/roles`, {
      type: "READ_ONLY_ADMIN",
    });
    expect(readOnly.status).toBe(201);
    expect(readOnly.body).toMatchObject({ type: "READ_ONLY_ADMIN", label: "Read-Only Administrator" });

    const listed = await adminCall("GET", `/users/${user.id}/roles`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([created.body, readOnly.body]);
    const got = await adminCall("GET", `/users/${user.id}/roles/${created.body.id}`);
    expect(got).toMatchObject({ status: 200, body: created.body });

    expect((await adminCall("DELETE", `/users/${user.id}/roles/${created.body.id}`)).status).toBe(204);
    await expectApiError(
      await freshApp()(adminRequest("GET", `/users/${user.id}/roles/${created.body.id}`)),
      404,
      "E0000007",
    );
    expect((await adminCall("GET", `/users/${user.id}/roles`)).body).toEqual([readOnly.body]);
    expect(await roleRows(user.id)).toEqual([{ id: readOnly.body.id, type: "READ_ONLY_ADMIN" }]);
  });

  it("answers 404 E0000007 for an unknown user or assignment, and another user's assignment", async () => {
    const [user, other] = await Promise.all([seedUser(), seedUser()]);
    const theirs = (await assign(other.id, "READ_ONLY_ADMIN")).body;
    const cases: [string, string, unknown?][] = [
      ["GET", "/users/00uNoSuchUser0000000/roles"],
      ["POST", "/users/00uNoSuchUser0000000/roles", { type: "SUPER_ADMIN" }],
      ["GET", `/users/${user.id}/roles/raNoSuchRole00000000`],
      ["DELETE", `/users/${user.id}/roles/raNoSuchRole00000000`],
      ["GET", `/users/${user.id}/roles/${theirs.id}`],
      ["DELETE", `/users/${user.id}/roles/${theirs.id}`],
      ["GET", `/users/${user.id}/roles/${"x".repeat(5000)}`],
    ];
    for (const [method, path, body] of cases) {
      const res = await freshApp()(adminRequest(method, path, body));
      await expectApiError(res, 404, "E0000007");
    }
    expect(await roleRows(other.id)).toEqual([{ id: theirs.id, type: "READ_ONLY_ADMIN" }]);
    expect(await roleRows(user.id)).toEqual([]);
  });

  it("refuses a bad type with 400 E0000001 and a bad body with 400, writing nothing", async () => {
    const user = await seedUser();
    for (const body of [
      { type: "ORG_ADMIN" },
      { type: "super_admin" },
      { type: 1 },
      {},
      [],
      { type: ["SUPER_ADMIN"] },
    ]) {
      const res = await adminCall("POST", `/users/${user.id}/roles`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errorCode).toBe("E0000001");
    }
    for (const raw of ["{", "x".repeat(10_000), `{"type":${"[".repeat(5000)}`]) {
      const res = await freshApp()(adminRequest("POST", `/users/${user.id}/roles`, raw));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(await roleRows(user.id)).toEqual([]);
  });

  it("refuses a role the user holds already with 409 E0000090, also when two race", async () => {
    const user = await seedUser();
    const results = await Promise.all([assign(user.id, "SUPER_ADMIN"), assign(user.id, "SUPER_ADMIN")]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.errorCode).toBe("E0000090");
    expect(await roleRows(user.id)).toHaveLength(1);
  });

  it("deletes a user's roles with the user", async () => {
    const user = await seedUser();
    await assign(user.id, "SUPER_ADMIN");
    await assign(user.id, "READ_ONLY_ADMIN");
    expect((await adminCall("DELETE", `/users/${user.id}`)).status).toBe(204); // deactivates
    expect(await roleRows(user.id)).toHaveLength(2);
    expect((await adminCall("DELETE", `/users/${user.id}`)).status).toBe(204); // deletes
    expect(await userRow(user.id)).toBeNull();
    expect(await roleRows(user.id)).toEqual([]);
  });

  it("hands the user's roles to user grants with the rest of the subject (one batch)", async () => {
    const user = await seedUser();
    const directory = d1Directory(db());
    expect((await directory.subject(user.id, "any-app"))?.adminRoles).toEqual([]);
    await assign(user.id, "READ_ONLY_ADMIN");
    expect((await directory.subject(user.id, "any-app"))?.adminRoles).toEqual(["READ_ONLY_ADMIN"]);
  });

  it("records Okta's user.account.privilege.grant and .revoke with the user as target", async () => {
    const user = await seedUser();
    const sent: LogMessage[] = [];
    const queue: LogQueue = {
      sendBatch: async (messages) => void sent.push(...Array.from(messages, (m) => m.body)),
    };
    const bound = { ...(env as Env), LOG_QUEUE: queue as unknown as Env["LOG_QUEUE"] };
    const send = (method: string, path: string, body?: unknown) =>
      freshApp()(adminRequest(method, path, body), bound);
    const created = (await (
      await send("POST", `/users/${user.id}/roles`, { type: "SUPER_ADMIN" })
    ).json()) as Json;
    await send("POST", `/users/${user.id}/roles`, { type: "SUPER_ADMIN" }); // 409: no event
    await send("DELETE", `/users/${user.id}/roles/${created.id}`);
    expect(sent.map((m) => [m.event.eventType, m.event.displayMessage])).toEqual([
      ["user.account.privilege.grant", "Grant user privilege"],
      ["user.account.privilege.revoke", "Revoke user privilege"],
    ]);
    for (const m of sent) {
      expect(m.event.target).toEqual([
        expect.objectContaining({ id: user.id, type: "User", alternateId: user.login }),
      ]);
    }
  });

  it("needs okta.roles.read to list and okta.roles.manage to assign; okta.users.manage gives neither", async () => {
    const user = await seedUser();
    const usersOnly = await seedOrgClient(["okta.users.manage"]);
    const rolesReader = await seedOrgClient(["okta.roles.read"]);
    const bearer = `Bearer ${await orgAccessToken(usersOnly, "okta.users.manage")}`;
    expect((await call("GET", `/users/${user.id}/roles`, undefined, bearer)).status).toBe(403);
    expect((await call("POST", `/users/${user.id}/roles`, { type: "READ_ONLY_ADMIN" }, bearer)).status).toBe(
      403,
    );
    const reader = `Bearer ${await orgAccessToken(rolesReader, "okta.roles.read")}`;
    expect((await call("GET", `/users/${user.id}/roles`, undefined, reader)).status).toBe(200);
    const refused = await call("POST", `/users/${user.id}/roles`, { type: "READ_ONLY_ADMIN" }, reader);
    expect(refused.status).toBe(403);
    expect(refused.body.errorCode).toBe("E0000006");
    expect(await roleRows(user.id)).toEqual([]);
  });
});

describe("rights never grow through roles", () => {
  it("a caller with okta.roles.manage and okta.users.manage cannot make anyone SUPER_ADMIN, itself included", async () => {
    const narrow = await seedOrgClient(["okta.roles.manage", "okta.users.manage"]);
    const bearer = `Bearer ${await orgAccessToken(narrow, "okta.roles.manage okta.users.manage")}`;
    const target = await seedUser();
    const refused = await call("POST", `/users/${target.id}/roles`, { type: "SUPER_ADMIN" }, bearer);
    expect(refused.status).toBe(403);
    expect(refused.body.errorCode).toBe("E0000006");
    expect(refused.body.errorCauses).toContainEqual({ errorSummary: "requires okta.apps.manage" });
    // READ_ONLY_ADMIN gives okta.logs.read, okta.apps.read, … which this caller lacks too.
    expect(
      (await call("POST", `/users/${target.id}/roles`, { type: "READ_ONLY_ADMIN" }, bearer)).status,
    ).toBe(403);
    expect(await roleRows(target.id)).toEqual([]);

    // An admin user whose roles give only that much cannot promote itself either.
    const self = await seedUser();
    await assign(self.id, "READ_ONLY_ADMIN");
    const own = `Bearer ${await userToken(self, ["okta.roles.manage", "okta.users.manage"])}`;
    expect((await call("POST", `/users/${self.id}/roles`, { type: "SUPER_ADMIN" }, own)).status).toBe(403);
    expect((await roleRows(self.id)).map((r) => r.type)).toEqual(["READ_ONLY_ADMIN"]);
  });

  it("a narrow caller cannot remove a SUPER_ADMIN's role; a full one can", async () => {
    const admin = await seedUser();
    const role = (await assign(admin.id, "SUPER_ADMIN")).body;
    const narrow = await seedOrgClient(["okta.roles.manage", "okta.users.manage"]);
    const bearer = `Bearer ${await orgAccessToken(narrow, "okta.roles.manage okta.users.manage")}`;
    expect((await call("DELETE", `/users/${admin.id}/roles/${role.id}`, undefined, bearer)).status).toBe(403);
    expect(await roleRows(admin.id)).toHaveLength(1);
    const full = `Bearer ${await orgAccessToken(consoleApp, ALL_OKTA.join(" "))}`;
    expect((await call("DELETE", `/users/${admin.id}/roles/${role.id}`, undefined, full)).status).toBe(204);
  });

  it("okta.users.manage cannot take over an admin's account (password, profile, status, deletion)", async () => {
    const admin = await seedUser();
    await assign(admin.id, "SUPER_ADMIN");
    const plain = await seedUser();
    const narrow = await seedOrgClient(["okta.users.manage"]);
    const bearer = `Bearer ${await orgAccessToken(narrow, "okta.users.manage")}`;
    const before = await userRow(admin.id);
    const writes: [string, string, unknown?][] = [
      ["POST", `/users/${admin.id}`, { credentials: { password: { value: "Taken-Over-123" } } }],
      ["POST", `/users/${encodeURIComponent(admin.login)}`, { profile: { email: "attacker@evil.test" } }],
      [
        "PUT",
        `/users/${admin.id}`,
        { profile: { login: admin.login, email: "attacker@evil.test", firstName: "A", lastName: "B" } },
      ],
      ["POST", `/users/${admin.id}/lifecycle/suspend`],
      ["POST", `/users/${admin.id}/lifecycle/deactivate`],
      ["DELETE", `/users/${admin.id}`],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(method, path, body, bearer);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.errorCode).toBe("E0000006");
    }
    expect(await userRow(admin.id)).toEqual(before);
    // A user without roles stays the caller's to manage, and the admin readable.
    expect((await call("POST", `/users/${plain.id}/lifecycle/suspend`, undefined, bearer)).status).toBe(200);
    expect((await call("GET", `/users/${admin.id}`, undefined, bearer)).status).toBe(200);
  });

  it("narrow rights cannot sign an admin out by taking away apps, groups or consents; a plain user stays theirs", async () => {
    const admin = await seedUser();
    await assign(admin.id, "SUPER_ADMIN");
    const plain = await seedUser();
    const scopes = ["okta.users.manage", "okta.apps.manage", "okta.groups.manage"];
    const narrow = await seedOrgClient(scopes);
    const bearer = `Bearer ${await orgAccessToken(narrow, scopes.join(" "))}`;
    // Unknown app, group and client ids: the guard answers before the route looks them up.
    const paths = (id: string) => [
      `/apps/0oaNoSuchApp00000000/users/${id}`,
      `/groups/00gNoSuchGroup000000/users/${id}`,
      `/users/${id}/grants`,
      `/users/${id}/clients/0oaNoSuchApp00000000/grants`,
    ];
    for (const path of paths(admin.id)) {
      const res = await call("DELETE", path, undefined, bearer);
      expect(res.status, path).toBe(403);
      expect(res.body.errorCode).toBe("E0000006");
    }
    for (const path of paths(plain.id)) {
      expect((await call("DELETE", path, undefined, bearer)).status, path).not.toBe(403);
    }
  });
});

describe("a user's org access token", () => {
  it("acts with a SUPER_ADMIN's rights, within its token's scopes", async () => {
    const admin = await seedUser();
    await assign(admin.id, "SUPER_ADMIN");
    const narrow = `Bearer ${await userToken(admin, ["okta.users.manage", "okta.roles.manage"])}`;
    const login = `new-${admin.id}@example.test`;
    const created = await call(
      "POST",
      "/users",
      { profile: { login, email: login, firstName: "N", lastName: "U" } },
      narrow,
    );
    expect(created.status).toBe(200);
    // READ_ONLY_ADMIN gives every okta.*.read: the token must carry them all to hand them out.
    const refused = await call(
      "POST",
      `/users/${created.body.id}/roles`,
      { type: "READ_ONLY_ADMIN" },
      narrow,
    );
    expect(refused.status).toBe(403);
    expect((await call("GET", "/apps", undefined, narrow)).status).toBe(403);
    const full = `Bearer ${await userToken(admin, ALL_OKTA)}`;
    const role = await call("POST", `/users/${created.body.id}/roles`, { type: "READ_ONLY_ADMIN" }, full);
    expect(role.status).toBe(201);
    expect((await call("GET", "/apps", undefined, full)).status).toBe(200);
  });

  it("cannot write for a READ_ONLY_ADMIN, not even with manage scopes", async () => {
    const reader = await seedUser();
    await assign(reader.id, "READ_ONLY_ADMIN");
    const victim = await seedUser();
    const before = await userRow(victim.id);
    const bearer = `Bearer ${await userToken(reader, ALL_OKTA)}`;
    expect((await call("GET", `/users/${victim.id}`, undefined, bearer)).status).toBe(200);
    expect((await call("GET", "/authorizationServers", undefined, bearer)).status).toBe(200);
    expect((await call("GET", `/users/${reader.id}/roles`, undefined, bearer)).status).toBe(200);
    const writes: [string, string, unknown?][] = [
      ["POST", `/users/${victim.id}`, { profile: { firstName: "Changed" } }],
      ["POST", `/users/${victim.id}/lifecycle/suspend`],
      [
        "POST",
        "/users",
        { profile: { login: "ro@example.test", email: "ro@example.test", firstName: "R", lastName: "O" } },
      ],
      ["POST", `/users/${reader.id}/roles`, { type: "SUPER_ADMIN" }],
      ["POST", "/authorizationServers", { name: "x", audiences: ["api://x"] }],
      ["POST", "/api-tokens", { name: "escape" }],
      ["POST", "/groups", { profile: { name: `ro-${reader.id}` } }],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(method, path, body, bearer);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.errorCode).toBe("E0000006");
    }
    const refused = await call("POST", `/users/${victim.id}/lifecycle/suspend`, undefined, bearer);
    expect(refused.body.errorCauses).toEqual([
      { errorSummary: "requires okta.users.manage, which the token or the user's admin roles do not give" },
    ]);
    expect(await userRow(victim.id)).toEqual(before);
    expect((await roleRows(reader.id)).map((r) => r.type)).toEqual(["READ_ONLY_ADMIN"]);
  });

  it("loses the rights at the next request when the role is removed or the user deactivated", async () => {
    const admin = await seedUser();
    const role = (await assign(admin.id, "SUPER_ADMIN")).body;
    const bearer = `Bearer ${await userToken(admin, ["okta.users.read"])}`;
    const read = () => call("GET", `/users/${admin.id}`, undefined, bearer);
    expect((await read()).status).toBe(200);

    await adminCall("DELETE", `/users/${admin.id}/roles/${role.id}`);
    expect((await read()).status).toBe(403);
    await assign(admin.id, "SUPER_ADMIN");
    expect((await read()).status).toBe(200);

    const refusedNow = async () =>
      expectApiError(
        await freshApp()(adminRequest("GET", `/users/${admin.id}`, undefined, bearer)),
        401,
        "E0000011",
      );
    expect((await adminCall("POST", `/users/${admin.id}/lifecycle/suspend`)).status).toBe(200);
    await refusedNow();
    expect((await adminCall("POST", `/users/${admin.id}/lifecycle/unsuspend`)).status).toBe(200);
    expect((await read()).status).toBe(200);
    expect((await adminCall("POST", `/users/${admin.id}/lifecycle/deactivate`)).status).toBe(200);
    await refusedNow();
    // Activated again without a password, the user is PROVISIONED, not ACTIVE: still nothing.
    expect((await adminCall("POST", `/users/${admin.id}/lifecycle/activate`)).status).toBe(200);
    expect((await userRow(admin.id))?.status).not.toBe("ACTIVE");
    await refusedNow();

    await adminCall("DELETE", `/users/${admin.id}`);
    await adminCall("DELETE", `/users/${admin.id}`);
    expect((await read()).status).toBe(401);
  });

  it("gives nothing to a user without roles, nor beyond its app's grants", async () => {
    const nobody = await seedUser();
    expect(
      (
        await call(
          "GET",
          `/users/${nobody.id}`,
          undefined,
          `Bearer ${await userToken(nobody, ["okta.users.read"])}`,
        )
      ).status,
    ).toBe(403);

    const admin = await seedUser();
    await assign(admin.id, "SUPER_ADMIN");
    const readerApp = await seedOrgClient(["okta.users.read"]);
    // A token claiming a scope its app was never granted (or has lost) is narrowed to the grants.
    const bearer = `Bearer ${await userToken(admin, ["okta.users.manage"], readerApp)}`;
    expect((await call("GET", `/users/${admin.id}`, undefined, bearer)).status).toBe(200);
    expect((await call("POST", `/users/${nobody.id}/lifecycle/suspend`, undefined, bearer)).status).toBe(403);
  });

  it("cannot create API tokens (their rights could not follow the user's roles)", async () => {
    const admin = await seedUser();
    await assign(admin.id, "SUPER_ADMIN");
    const bearer = `Bearer ${await userToken(admin, ["okta.apiTokens.manage"])}`;
    const res = await call("POST", "/api-tokens", { name: "from-console" }, bearer);
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe("E0000006");
  });

  it("is refused once forged: another user's uid on the same signature", async () => {
    const admin = await seedUser();
    await assign(admin.id, "SUPER_ADMIN");
    const nobody = await seedUser();
    const token = await userToken(nobody, ["okta.users.read"]);
    const [h, p, s] = token.split(".") as [string, string, string];
    const claims = JSON.parse(atob(p.replace(/-/g, "+").replace(/_/g, "/")));
    const forged = btoa(JSON.stringify({ ...claims, uid: admin.id }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    const res = await freshApp()(
      adminRequest("GET", `/users/${admin.id}`, undefined, `Bearer ${h}.${forged}.${s}`),
    );
    await expectApiError(res, 401, "E0000011");
  });
});
