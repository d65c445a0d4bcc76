/**
 * App assignments (`/api/v1/apps/{appId}/users`, `/api/v1/apps/{appId}/groups`) and the queries the
 * user grants call (`assignmentOf`, `groupsOf`), against real D1.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { assignGroup, assignmentOf, assignUser } from "../../src/directory/assignments";
import { EVERYONE_GROUP_ID } from "../../src/directory/directory";
import { addMember, groupsOf } from "../../src/directory/memberships";
import { db, directoryCounts, seedGroup, seedUser } from "./directory-fixtures";
import { adminRequest, freshApp, ORIGIN, uniqueId } from "./helpers";

// biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
type Json = any;

async function call(method: string, path: string, body?: unknown, auth?: string) {
  const res = await freshApp()(adminRequest(method, path, body, auth));
  const text = await res.text();
  const json: Json = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body: json };
}

function expectError(res: { status: number; body: Json }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.errorCode).toBe(code);
}

/** Every assignment row, as stored: a refused request leaves them as they were. */
async function assignmentRows() {
  const { results } = await db()
    .prepare(
      `SELECT app_id, user_id AS member, profile, created, last_updated, NULL AS priority FROM app_users
       UNION ALL SELECT app_id, group_id, profile, created, last_updated, priority FROM app_groups
       ORDER BY 1, 2`,
    )
    .all();
  return results;
}

/** `run` is refused with `status`/`code` and leaves every directory table as it was. */
async function expectRefusedUnchanged(
  run: () => Promise<{ status: number; body: Json }>,
  status: number,
  code: string,
): Promise<Json> {
  const [counts, rows] = [await directoryCounts(), await assignmentRows()];
  const res = await run();
  expectError(res, status, code);
  expect(await directoryCounts()).toEqual(counts);
  expect(await assignmentRows()).toEqual(rows);
  return res.body;
}

async function createApp(): Promise<string> {
  const res = await call("POST", "/apps", {
    name: "oidc_client",
    label: uniqueId("assigned-app"),
    signOnMode: "OPENID_CONNECT",
    settings: { oauthClient: { grant_types: ["client_credentials"] } },
  });
  expect(res.status).toBe(200);
  return res.body.id;
}

async function createGroup(): Promise<string> {
  const res = await call("POST", "/groups", { profile: { name: uniqueId("Assignees") } });
  expect(res.status).toBe(200);
  return res.body.id;
}

async function tokenWith(scopes: string[]): Promise<string> {
  const res = await call("POST", "/api-tokens", { name: uniqueId("tok"), scopes });
  expect(res.status).toBe(201);
  return `SSWS ${res.body.token}`;
}

describe("the queries the user grants call", () => {
  it("assignmentOf: direct first, else the highest-priority group, else Everyone, else unassigned", async () => {
    const appId = uniqueId("app");
    const user = await seedUser();
    const low = await seedGroup(uniqueId("low"));
    const high = await seedGroup(uniqueId("high"));
    const now = Date.now();
    expect(await assignmentOf(db(), appId, user.id)).toEqual({ assigned: false, profile: null });

    await assignGroup(db(), appId, EVERYONE_GROUP_ID, { priority: 9, profile: { via: "everyone" } }, now);
    expect(await assignmentOf(db(), appId, user.id)).toEqual({
      assigned: true,
      profile: { via: "everyone" },
    });

    await addMember(db(), low, user.id, now);
    await addMember(db(), high, user.id, now);
    await assignGroup(db(), appId, low, { priority: 5, profile: { via: "low" } }, now);
    await assignGroup(db(), appId, high, { priority: 1, profile: { via: "high" } }, now);
    expect(await assignmentOf(db(), appId, user.id)).toEqual({ assigned: true, profile: { via: "high" } });

    expect(await assignUser(db(), appId, user.id, { via: "direct" }, now)).toBe(true);
    expect(await assignmentOf(db(), appId, user.id)).toEqual({ assigned: true, profile: { via: "direct" } });

    // Another app, and a user who does not exist, are not assigned (Everyone covers real users only).
    expect((await assignmentOf(db(), uniqueId("other"), user.id)).assigned).toBe(false);
    expect((await assignmentOf(db(), appId, "00uNoSuchUser0000000")).assigned).toBe(false);
  });

  it("groupsOf: Everyone first, then the user's groups by name", async () => {
    const user = await seedUser();
    const b = await seedGroup(uniqueId("b-group"));
    const a = await seedGroup(uniqueId("a-group"));
    expect((await groupsOf(db(), user.id)).map((g) => g.id)).toEqual([EVERYONE_GROUP_ID]);
    await addMember(db(), b, user.id, Date.now());
    await addMember(db(), a, user.id, Date.now());
    const groups = await groupsOf(db(), user.id);
    expect(groups.map((g) => g.id)).toEqual([EVERYONE_GROUP_ID, a, b]);
    expect(groups[0]).toEqual({
      id: EVERYONE_GROUP_ID,
      type: "BUILT_IN",
      profile: { name: "Everyone", description: "All users in your organization" },
    });
    expect(groups[1]?.type).toBe("OKTA_GROUP");
  });
});

describe("users assigned to an app", () => {
  it("assigns a user directly (scope USER), reads, updates and unassigns in Okta's AppUser shape", async () => {
    const appId = await createApp();
    const user = await seedUser();
    const res = await call("POST", `/apps/${appId}/users`, {
      id: user.id,
      scope: "USER",
      profile: { role: "editor" },
      credentials: { userName: user.login },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const app = `${ORIGIN}/api/v1/apps/${appId}`;
    expect(res.body).toMatchObject({
      id: user.id,
      scope: "USER",
      status: "ACTIVE",
      syncState: "DISABLED",
      credentials: { userName: user.login },
      profile: { role: "editor" },
      _links: {
        self: { href: `${app}/users/${user.id}` },
        app: { href: app },
        user: { href: `${ORIGIN}/api/v1/users/${user.id}` },
      },
    });
    expect(res.body._links.group).toBeUndefined();
    expect((await call("GET", `/apps/${appId}/users/${user.id}`)).body).toEqual(res.body);
    expect((await call("GET", `/apps/${appId}/users`)).body).toEqual([res.body]);
    expect((await assignmentOf(db(), appId, user.id)).profile).toEqual({ role: "editor" });

    const updated = await call("POST", `/apps/${appId}/users/${user.id}`, { profile: { role: "admin" } });
    expect(updated.status).toBe(200);
    expect(updated.body.profile).toEqual({ role: "admin" });
    // Assigning again keeps one assignment; without a profile, the stored one stays.
    expect((await call("POST", `/apps/${appId}/users`, { id: user.id })).body.profile).toEqual({
      role: "admin",
    });

    expect((await call("DELETE", `/apps/${appId}/users/${user.id}`)).status).toBe(204);
    const gone = await call("GET", `/apps/${appId}/users/${user.id}`);
    expectError(gone, 404, "E0000007");
    expect(gone.body.errorSummary).toBe(`Not found: Resource not found: ${user.id} (AppUser)`);
    expectError(await call("DELETE", `/apps/${appId}/users/${user.id}`), 404, "E0000007");
    expect((await assignmentOf(db(), appId, user.id)).assigned).toBe(false);
  });

  it("lists users assigned through groups (scope GROUP, the group linked) and through Everyone", async () => {
    const appId = await createApp();
    const group = await createGroup();
    const member = await seedUser();
    const direct = await seedUser();
    expect((await call("PUT", `/groups/${group}/users/${member.id}`)).status).toBe(204);
    expect((await call("PUT", `/groups/${group}/users/${direct.id}`)).status).toBe(204);
    const assigned = await call("PUT", `/apps/${appId}/groups/${group}`, {
      priority: 2,
      profile: { tier: "g" },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({
      id: group,
      priority: 2,
      profile: { tier: "g" },
      _links: {
        self: { href: `${ORIGIN}/api/v1/apps/${appId}/groups/${group}` },
        app: { href: `${ORIGIN}/api/v1/apps/${appId}` },
        group: { href: `${ORIGIN}/api/v1/groups/${group}` },
      },
    });
    await call("POST", `/apps/${appId}/users`, { id: direct.id, profile: { tier: "d" } });

    const listed = (await call("GET", `/apps/${appId}/users?limit=500`)).body as Json[];
    const byId = new Map(listed.map((u) => [u.id, u]));
    expect(byId.get(member.id)).toMatchObject({ scope: "GROUP", profile: { tier: "g" } });
    expect(byId.get(member.id)._links.group.href).toBe(`${ORIGIN}/api/v1/groups/${group}`);
    // Assigned both ways: one AppUser, the direct one.
    expect(listed.filter((u) => u.id === direct.id)).toHaveLength(1);
    expect(byId.get(direct.id)).toMatchObject({ scope: "USER", profile: { tier: "d" } });
    // A user assigned only through a group is removed through the group: 400, nothing changes.
    const error = await expectRefusedUnchanged(
      () => call("DELETE", `/apps/${appId}/users/${member.id}`),
      400,
      "E0000001",
    );
    expect(error.errorCauses[0].errorSummary).toContain(group);
    // Okta: an update of a group's assignment makes it the user's own, keeping its profile.
    const converted = await call("POST", `/apps/${appId}/users/${member.id}`, { scope: "USER" });
    expect(converted.body).toMatchObject({ scope: "USER", profile: { tier: "g" } });

    // Everyone assigned: every user is, including one in no group.
    const loner = await seedUser();
    expectError(await call("GET", `/apps/${appId}/users/${loner.id}`), 404, "E0000007");
    await call("PUT", `/apps/${appId}/groups/${EVERYONE_GROUP_ID}`);
    expect((await call("GET", `/apps/${appId}/users/${loner.id}`)).body).toMatchObject({
      scope: "GROUP",
      _links: { group: { name: "Everyone" } },
    });

    // Pages of one, in user id order, with Link next.
    const seen: string[] = [];
    let next: string | undefined = `/apps/${appId}/users?limit=1`;
    let pages = 0;
    while (next && pages < 3) {
      const page = await call("GET", next);
      pages += 1;
      seen.push(...page.body.map((u: Json) => u.id));
      next = /<([^>]+)>; rel="next"/.exec(page.headers.get("Link") ?? "")?.[1];
    }
    expect(seen).toHaveLength(3);
    expect(seen).toEqual([...seen].sort());
  });
});

describe("groups assigned to an app", () => {
  it("assigns with PUT (last by default), updates, reads, lists with q and unassigns", async () => {
    const appId = await createApp();
    const first = await createGroup();
    const second = await createGroup();
    expect((await call("PUT", `/apps/${appId}/groups/${first}`)).body.priority).toBe(0);
    expect((await call("PUT", `/apps/${appId}/groups/${second}`, {})).body.priority).toBe(1);
    const updated = await call("PUT", `/apps/${appId}/groups/${first}`, { profile: { tier: "gold" } });
    expect(updated.body).toMatchObject({ priority: 0, profile: { tier: "gold" } });
    expect((await call("GET", `/apps/${appId}/groups/${first}`)).body).toEqual(updated.body);
    const listed = await call("GET", `/apps/${appId}/groups`);
    expect(listed.body.map((g: Json) => g.id)).toEqual([first, second].sort());
    const firstName = (await call("GET", `/groups/${first}`)).body.profile.name as string;
    expect(
      (await call("GET", `/apps/${appId}/groups?q=${encodeURIComponent(firstName.toLowerCase())}`)).body.map(
        (g: Json) => g.id,
      ),
    ).toEqual([first]);
    const paged = await call("GET", `/apps/${appId}/groups?limit=1`);
    expect(paged.headers.get("Link")).toContain('rel="next"');

    expect((await call("DELETE", `/apps/${appId}/groups/${first}`)).status).toBe(204);
    expectError(await call("GET", `/apps/${appId}/groups/${first}`), 404, "E0000007");
    expectError(await call("DELETE", `/apps/${appId}/groups/${first}`), 404, "E0000007");
  });

  it("deleting the app deletes its assignments", async () => {
    const appId = await createApp();
    const user = await seedUser();
    const group = await createGroup();
    await call("POST", `/apps/${appId}/users`, { id: user.id });
    await call("PUT", `/apps/${appId}/groups/${group}`);
    await call("POST", `/apps/${appId}/lifecycle/deactivate`);
    expect((await call("DELETE", `/apps/${appId}`)).status).toBe(204);
    const rows = await db()
      .prepare(
        "SELECT (SELECT count(*) FROM app_users WHERE app_id = ?1) + (SELECT count(*) FROM app_groups WHERE app_id = ?1) AS n",
      )
      .bind(appId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});

describe("bad input and rights: a 4xx that writes nothing", () => {
  it("an unknown app, user or group is 404 naming it", async () => {
    const appId = await createApp();
    const user = await seedUser();
    const group = await createGroup();
    const noApp = "0oaNoSuchApp00000000";
    for (const [method, path, body, kind, id] of [
      ["GET", `/apps/${noApp}/users`, undefined, "App", noApp],
      ["POST", `/apps/${noApp}/users`, { id: user.id }, "App", noApp],
      ["GET", `/apps/${noApp}/users/${user.id}`, undefined, "App", noApp],
      ["DELETE", `/apps/${noApp}/users/${user.id}`, undefined, "App", noApp],
      ["GET", `/apps/${noApp}/groups`, undefined, "App", noApp],
      ["PUT", `/apps/${noApp}/groups/${group}`, {}, "App", noApp],
      ["DELETE", `/apps/${noApp}/groups/${group}`, undefined, "App", noApp],
      ["POST", `/apps/${appId}/users`, { id: "00uNoSuchUser0000000" }, "User", "00uNoSuchUser0000000"],
      ["POST", `/apps/${appId}/users/00uNoSuchUser0000000`, {}, "AppUser", "00uNoSuchUser0000000"],
      ["PUT", `/apps/${appId}/groups/00gNoSuchGroup000000`, {}, "UserGroup", "00gNoSuchGroup000000"],
    ] as const) {
      const error = await expectRefusedUnchanged(() => call(method, path, body), 404, "E0000007");
      expect(error.errorSummary).toBe(`Not found: Resource not found: ${id} (${kind})`);
    }
  });

  it("refuses bad bodies with E0000001 / E0000003", async () => {
    const appId = await createApp();
    const user = await seedUser();
    const group = await createGroup();
    for (const [method, path, body, code] of [
      ["POST", `/apps/${appId}/users`, {}, "E0000001"],
      ["POST", `/apps/${appId}/users`, { id: user.id, scope: "GROUP" }, "E0000001"],
      ["POST", `/apps/${appId}/users`, { id: user.id, profile: { nested: { a: 1 } } }, "E0000001"],
      ["POST", `/apps/${appId}/users`, { id: user.id, profile: { "x;DROP": 1 } }, "E0000001"],
      ["POST", `/apps/${appId}/users`, { id: 42 }, "E0000001"],
      ["POST", `/apps/${appId}/users`, { id: user.id, profile: { blob: "x".repeat(40_000) } }, "E0000003"],
      ["POST", `/apps/${appId}/users`, "not json", "E0000003"],
      ["PUT", `/apps/${appId}/groups/${group}`, { priority: -1 }, "E0000001"],
      ["PUT", `/apps/${appId}/groups/${group}`, { priority: 1.5 }, "E0000001"],
      ["PUT", `/apps/${appId}/groups/${group}`, { profile: [] }, "E0000001"],
    ] as const) {
      await expectRefusedUnchanged(() => call(method, path, body), 400, code);
    }
    for (const query of ["limit=0", "after=%27%20OR%201%3D1", "limit=1&limit=2"]) {
      expectError(await call("GET", `/apps/${appId}/users?${query}`), 400, "E0000001");
      expectError(await call("GET", `/apps/${appId}/groups?${query}`), 400, "E0000001");
    }
  });

  it("okta.apps.read lists assignments but cannot assign; okta.groups.manage cannot assign to an app", async () => {
    const appId = await createApp();
    const user = await seedUser();
    const group = await createGroup();
    const read = await tokenWith(["okta.apps.read"]);
    expect((await call("GET", `/apps/${appId}/users`, undefined, read)).status).toBe(200);
    expect((await call("GET", `/apps/${appId}/groups`, undefined, read)).status).toBe(200);
    const groupsManage = await tokenWith(["okta.groups.manage", "okta.users.manage"]);
    for (const auth of [read, groupsManage]) {
      for (const [method, path, body] of [
        ["POST", `/apps/${appId}/users`, { id: user.id }],
        ["POST", `/apps/${appId}/users/${user.id}`, {}],
        ["DELETE", `/apps/${appId}/users/${user.id}`, undefined],
        ["PUT", `/apps/${appId}/groups/${group}`, {}],
        ["DELETE", `/apps/${appId}/groups/${group}`, undefined],
      ] as const) {
        await expectRefusedUnchanged(() => call(method, path, body, auth), 403, "E0000006");
      }
    }
    const manage = await tokenWith(["okta.apps.manage"]);
    expect((await call("POST", `/apps/${appId}/users`, { id: user.id }, manage)).status).toBe(200);
  });
});

describe("the OpenAPI document describes these answers", () => {
  it("every group, member, user-groups and assignment answer validates against its documented schema", async () => {
    const doc = (await (await freshApp()(new Request(`${ORIGIN}/api/v1/openapi.json`))).json()) as Json;
    const local = (v: unknown) =>
      JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"#/$defs/'));
    const expectDocumented = (template: string, method: string, answer: { status: number; body: Json }) => {
      const op = doc.paths[template]?.[method];
      expect(op, `${method} ${template}`).toBeDefined();
      const documented = op.responses[String(answer.status)];
      expect(documented, `${op.operationId} answered ${answer.status}`).toBeDefined();
      const response = documented.$ref
        ? doc.components.responses[documented.$ref.replace("#/components/responses/", "")]
        : documented;
      const schema = response?.content?.["application/json"]?.schema;
      if (answer.status === 204) return expect(answer.body).toBeUndefined();
      expect(schema, `${op.operationId} ${answer.status}`).toBeDefined();
      const checked = z
        .fromJSONSchema({ ...local(schema), $defs: local(doc.components.schemas) })
        .safeParse(answer.body);
      expect(checked.error?.issues ?? [], `${op.operationId} ${JSON.stringify(answer.body)}`).toEqual([]);
    };
    const appId = await createApp();
    const user = await seedUser();
    const created = await call("POST", "/groups", {
      profile: { name: uniqueId("Doc"), description: null, n: [1, "a"] },
    });
    const groupId = created.body.id;
    const g = "/api/v1/groups/{groupId}";
    const a = "/api/v1/apps/{appId}";
    expectDocumented("/api/v1/groups", "post", created);
    expectDocumented("/api/v1/groups", "get", await call("GET", "/groups?limit=2"));
    expectDocumented(g, "get", await call("GET", `/groups/${EVERYONE_GROUP_ID}`));
    expectDocumented(
      g,
      "put",
      await call("PUT", `/groups/${groupId}`, { profile: { name: uniqueId("Doc2") } }),
    );
    expectDocumented(`${g}/users/{userId}`, "put", await call("PUT", `/groups/${groupId}/users/${user.id}`));
    expectDocumented(`${g}/users`, "get", await call("GET", `/groups/${groupId}/users`));
    expectDocumented("/api/v1/users/{userId}/groups", "get", await call("GET", `/users/${user.id}/groups`));
    expectDocumented(
      `${a}/users`,
      "post",
      await call("POST", `/apps/${appId}/users`, { id: user.id, profile: { r: 1 } }),
    );
    expectDocumented(`${a}/groups/{groupId}`, "put", await call("PUT", `/apps/${appId}/groups/${groupId}`));
    expectDocumented(`${a}/groups/{groupId}`, "get", await call("GET", `/apps/${appId}/groups/${groupId}`));
    expectDocumented(`${a}/groups`, "get", await call("GET", `/apps/${appId}/groups`));
    expectDocumented(`${a}/users`, "get", await call("GET", `/apps/${appId}/users`));
    expectDocumented(`${a}/users/{userId}`, "get", await call("GET", `/apps/${appId}/users/${user.id}`));
    expectDocumented(
      `${a}/users/{userId}`,
      "post",
      await call("POST", `/apps/${appId}/users/${user.id}`, {}),
    );
    expectDocumented(
      `${a}/users/{userId}`,
      "delete",
      await call("DELETE", `/apps/${appId}/users/${user.id}`),
    );
    expectDocumented(
      `${a}/groups/{groupId}`,
      "delete",
      await call("DELETE", `/apps/${appId}/groups/${groupId}`),
    );
    expectDocumented(
      `${g}/users/{userId}`,
      "delete",
      await call("DELETE", `/groups/${groupId}/users/${user.id}`),
    );
    expectDocumented(g, "delete", await call("DELETE", `/groups/${groupId}`));
    // Errors are documented too: Everyone's refusal and a missing group.
    expectDocumented(g, "delete", await call("DELETE", `/groups/${EVERYONE_GROUP_ID}`));
    expectDocumented(g, "get", await call("GET", `/groups/${groupId}`));
  });
});
