/**
 * `/api/v1/groups` in Okta's shapes against real D1: CRUD, unique names, the BUILT_IN Everyone,
 * members, a user's groups, `q` / `filter` / `search` with cursors and `Link`, bad input (each a 4xx
 * that writes nothing), SQL injection through every query parameter, narrow rights, system-log events.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import type { LogMessage, LogQueue } from "../../src/log/event-log";
import { db, directoryCounts, groupRows, seedUser } from "./directory-fixtures";
import { ADMIN_TOKEN, adminRequest, freshApp, ORIGIN, uniqueId } from "./helpers";

const EVERYONE = "00gEveryone000000000";

// biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
type Json = any;

async function call(method: string, path: string, body?: unknown, auth?: string) {
  const res = await freshApp()(adminRequest(method, path, body, auth));
  const text = await res.text();
  const json: Json = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body: json };
}

async function createGroup(name = uniqueId("Group"), extra: Record<string, unknown> = {}): Promise<Json> {
  const res = await call("POST", "/groups", { profile: { name, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

function expectError(res: { status: number; body: Json }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.errorCode).toBe(code);
}

/** `run` is refused with `status`/`code` and leaves every directory table as it was. */
async function expectRefusedUnchanged(
  run: () => Promise<{ status: number; body: Json }>,
  status: number,
  code: string,
): Promise<Json> {
  const [counts, rows] = [await directoryCounts(), await groupRows()];
  const res = await run();
  expectError(res, status, code);
  expect(await directoryCounts()).toEqual(counts);
  expect(await groupRows()).toEqual(rows);
  return res.body;
}

/** A managed SSWS token with exactly `scopes`. */
async function tokenWith(scopes: string[]): Promise<string> {
  const res = await call("POST", "/api-tokens", { name: uniqueId("tok"), scopes });
  expect(res.status).toBe(201);
  return `SSWS ${res.body.token}`;
}

describe("groups: create, read, replace, delete", () => {
  it("creates an OKTA_GROUP in Okta's shape, with links the SDK caches under", async () => {
    const name = uniqueId("Engineering");
    const group = await createGroup(name, { description: "Builds things", costCenter: "cc-42", tags: ["a"] });
    expect(group.id).toMatch(/^00g[A-Za-z0-9]{17}$/);
    expect(group).toMatchObject({
      type: "OKTA_GROUP",
      objectClass: ["okta:user_group"],
      profile: { name, description: "Builds things", costCenter: "cc-42", tags: ["a"] },
    });
    for (const time of ["created", "lastUpdated", "lastMembershipUpdated"]) {
      expect(new Date(group[time]).toISOString()).toBe(group[time]);
    }
    const self = `${ORIGIN}/api/v1/groups/${group.id}`;
    expect(group._links.self.href).toBe(self);
    expect(group._links.users.href).toBe(`${self}/users`);
    expect(group._links.apps.href).toBe(`${self}/apps`);
    expect(group._links.logo.map((l: Json) => l.name)).toEqual(["medium", "large"]);
    // Okta reads `profile` only: a `type` or `id` in the body changes nothing.
    const typed = await call("POST", "/groups", {
      id: "00gChosenByCaller000",
      type: "BUILT_IN",
      profile: { name: uniqueId("typed") },
    });
    expect(typed.body.type).toBe("OKTA_GROUP");
    expect(typed.body.id).not.toBe("00gChosenByCaller000");

    const got = await call("GET", `/groups/${group.id}`);
    expect(got.body).toEqual(group);
  });

  it("replaces the whole profile with PUT and moves lastUpdated; delete is 204, then 404", async () => {
    const group = await createGroup(uniqueId("Sales"), { region: "west" });
    await new Promise((r) => setTimeout(r, 5));
    const renamed = uniqueId("Sales renamed");
    const put = await call("PUT", `/groups/${group.id}`, { profile: { name: renamed } });
    expect(put.status).toBe(200);
    expect(put.body.profile).toEqual({ name: renamed });
    expect(put.body.created).toBe(group.created);
    expect(Date.parse(put.body.lastUpdated)).toBeGreaterThan(Date.parse(group.lastUpdated));
    // Renaming a group to its own name in another case is no conflict with itself.
    expect(
      (await call("PUT", `/groups/${group.id}`, { profile: { name: renamed.toUpperCase() } })).status,
    ).toBe(200);

    expect((await call("DELETE", `/groups/${group.id}`)).status).toBe(204);
    const gone = await call("GET", `/groups/${group.id}`);
    expectError(gone, 404, "E0000007");
    expect(gone.body.errorSummary).toBe(`Not found: Resource not found: ${group.id} (UserGroup)`);
    expectError(await call("DELETE", `/groups/${group.id}`), 404, "E0000007");
    expectError(await call("PUT", `/groups/${group.id}`, { profile: { name: "x" } }), 404, "E0000007");
  });

  it("refuses a second group of the same name in any case, as Okta (400 on name), writing nothing", async () => {
    const name = uniqueId("Unique");
    const first = await createGroup(name);
    const body = await expectRefusedUnchanged(
      () => call("POST", "/groups", { profile: { name: name.toUpperCase() } }),
      400,
      "E0000001",
    );
    expect(body.errorSummary).toBe("Api validation failed: name");
    expect(body.errorCauses).toEqual([
      { errorSummary: "name: An object with this field already exists in the current organization" },
    ]);
    const other = await createGroup();
    await expectRefusedUnchanged(
      () => call("PUT", `/groups/${other.id}`, { profile: { name: ` ${name.toLowerCase()} ` } }),
      400,
      "E0000001",
    );
    // Nor can a group take Everyone's name.
    await expectRefusedUnchanged(
      () => call("POST", "/groups", { profile: { name: "everyone" } }),
      400,
      "E0000001",
    );
    expect((await call("GET", `/groups/${first.id}`)).body.profile.name).toBe(name);
  });

  it("deleting a group deletes its memberships and app assignments", async () => {
    const group = await createGroup();
    const user = await seedUser();
    expect((await call("PUT", `/groups/${group.id}/users/${user.id}`)).status).toBe(204);
    await db()
      .prepare(
        "INSERT INTO app_groups (app_id, group_id, priority, profile, created, last_updated) VALUES (?, ?, 0, '{}', 0, 0)",
      )
      .bind(uniqueId("app"), group.id)
      .run();
    expect((await call("DELETE", `/groups/${group.id}`)).status).toBe(204);
    const left = await db()
      .prepare(
        "SELECT (SELECT count(*) FROM group_members WHERE group_id = ?1) + (SELECT count(*) FROM app_groups WHERE group_id = ?1) AS n",
      )
      .bind(group.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});

describe("Everyone, the BUILT_IN group", () => {
  it("is listed and readable, with every user as its member", async () => {
    const everyone = await call("GET", `/groups/${EVERYONE}`);
    expect(everyone.body).toMatchObject({
      id: EVERYONE,
      type: "BUILT_IN",
      objectClass: ["okta:user_group"],
      profile: { name: "Everyone", description: "All users in your organization" },
    });
    const listed = await call("GET", `/groups?filter=${encodeURIComponent('type eq "BUILT_IN"')}`);
    expect(listed.body.map((g: Json) => g.id)).toEqual([EVERYONE]);

    const user = await seedUser();
    const members: string[] = [];
    let next: string | undefined = `${ORIGIN}/api/v1/groups/${EVERYONE}/users?limit=200`;
    while (next) {
      const page = await call("GET", next);
      expect(page.status).toBe(200);
      members.push(...page.body.map((u: Json) => u.id));
      next = /<([^>]+)>; rel="next"/.exec(page.headers.get("Link") ?? "")?.[1];
    }
    const total = await db().prepare("SELECT count(*) AS n FROM users").first<{ n: number }>();
    expect(members).toContain(user.id);
    expect(members).toHaveLength(total?.n ?? -1);

    const groups = await call("GET", `/users/${user.id}/groups`);
    expect(groups.status).toBe(200);
    expect(groups.body.map((g: Json) => g.id)).toEqual([EVERYONE]);
  });

  it("cannot be changed, deleted, or have members added or removed: Okta's E0000060, nothing written", async () => {
    const user = await seedUser();
    for (const [method, path, body] of [
      ["PUT", `/groups/${EVERYONE}`, { profile: { name: "Everybody" } }],
      ["DELETE", `/groups/${EVERYONE}`, undefined],
      ["PUT", `/groups/${EVERYONE}/users/${user.id}`, undefined],
      ["DELETE", `/groups/${EVERYONE}/users/${user.id}`, undefined],
    ] as const) {
      const error = await expectRefusedUnchanged(() => call(method, path, body), 400, "E0000060");
      expect(error.errorSummary).toBe("Unsupported operation.");
    }
    // Even a PUT with a valid body is refused before the body is read: the refusal names Everyone.
    expect((await call("GET", `/groups/${EVERYONE}`)).body.profile.name).toBe("Everyone");
  });
});

describe("members", () => {
  it("adds and removes members idempotently (204), moving lastMembershipUpdated only on a change", async () => {
    const group = await createGroup();
    const user = await seedUser({ nickName: "Nick" });
    await new Promise((r) => setTimeout(r, 5));
    expect((await call("PUT", `/groups/${group.id}/users/${user.id}`)).status).toBe(204);
    const added = (await call("GET", `/groups/${group.id}`)).body;
    expect(Date.parse(added.lastMembershipUpdated)).toBeGreaterThan(Date.parse(group.lastMembershipUpdated));
    expect(added.lastUpdated).toBe(group.lastUpdated);
    await new Promise((r) => setTimeout(r, 5));
    expect((await call("PUT", `/groups/${group.id}/users/${user.id}`)).status).toBe(204);
    expect((await call("GET", `/groups/${group.id}`)).body.lastMembershipUpdated).toBe(
      added.lastMembershipUpdated,
    );

    const members = await call("GET", `/groups/${group.id}/users`);
    expect(members.status).toBe(200);
    expect(members.body).toHaveLength(1);
    const member = members.body[0];
    expect(member).toMatchObject({
      id: user.id,
      status: "ACTIVE",
      profile: { login: user.login, nickName: "Nick" },
      credentials: { provider: { type: "OKTA", name: "OKTA" } },
      _links: { self: { href: `${ORIGIN}/api/v1/users/${user.id}` } },
    });
    // No hash, counter or password value ever leaves D1.
    expect(JSON.stringify(member)).not.toMatch(/hash|failed_attempts|password_hash/);
    expect(member.credentials.password).toBeUndefined();

    const groups = await call("GET", `/users/${user.id}/groups`);
    expect(groups.body.map((g: Json) => g.id)).toEqual([EVERYONE, group.id]);

    expect((await call("DELETE", `/groups/${group.id}/users/${user.id}`)).status).toBe(204);
    expect((await call("DELETE", `/groups/${group.id}/users/${user.id}`)).status).toBe(204);
    expect((await call("GET", `/groups/${group.id}/users`)).body).toEqual([]);
    expect((await call("GET", `/users/${user.id}/groups`)).body.map((g: Json) => g.id)).toEqual([EVERYONE]);
  });

  it("answers an unknown group or user with 404 E0000007 naming it, writing nothing", async () => {
    const group = await createGroup();
    const user = await seedUser();
    const noGroup = "00gNoSuchGroup000000";
    const noUser = "00uNoSuchUser0000000";
    for (const [method, path, kind, id] of [
      ["PUT", `/groups/${noGroup}/users/${user.id}`, "UserGroup", noGroup],
      ["DELETE", `/groups/${noGroup}/users/${user.id}`, "UserGroup", noGroup],
      ["GET", `/groups/${noGroup}/users`, "UserGroup", noGroup],
      ["PUT", `/groups/${group.id}/users/${noUser}`, "User", noUser],
      ["DELETE", `/groups/${group.id}/users/${noUser}`, "User", noUser],
      ["GET", `/users/${noUser}/groups`, "User", noUser],
    ] as const) {
      const error = await expectRefusedUnchanged(() => call(method, path), 404, "E0000007");
      expect(error.errorSummary).toBe(`Not found: Resource not found: ${id} (${kind})`);
    }
  });

  it("pages members with limit, after and Link", async () => {
    const group = await createGroup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const u = await seedUser();
      ids.push(u.id);
      await call("PUT", `/groups/${group.id}/users/${u.id}`);
    }
    const first = await call("GET", `/groups/${group.id}/users?limit=2`);
    expect(first.body).toHaveLength(2);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("Link") ?? "")?.[1] ?? "";
    expect(next).toContain(`${ORIGIN}/api/v1/groups/${group.id}/users?`);
    const second = await call("GET", next);
    expect(second.body).toHaveLength(1);
    expect(second.headers.get("Link")).not.toContain('rel="next"');
    expect([...first.body, ...second.body].map((u: Json) => u.id)).toEqual([...ids].sort());
  });
});

describe("listing: q, filter, search, limit, after", () => {
  it("q is a case-insensitive name prefix; filter and search narrow by Okta's attributes", async () => {
    const stem = uniqueId("Zeta");
    const a = await createGroup(`${stem} Alpha`, { description: "first of two", level: 3, active: true });
    const b = await createGroup(`${stem} Beta`, { description: "second", level: 7 });
    const ids = async (query: string) => {
      const res = await call("GET", `/groups?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.map((g: Json) => g.id);
    };
    const enc = encodeURIComponent;
    expect(await ids(`q=${enc(stem.toLowerCase())}`)).toEqual([a.id, b.id].sort());
    expect(await ids(`q=${enc(`${stem} al`)}`)).toEqual([a.id]);
    // `%` and `_` are characters, not wildcards.
    expect(await ids(`q=${enc("%")}`)).toEqual([]);
    expect(await ids(`filter=${enc(`profile.name eq "${stem} beta"`)}`)).toEqual([b.id]);
    expect(await ids(`filter=${enc(`id eq "${a.id}" or id eq "${b.id}"`)}`)).toEqual([a.id, b.id].sort());
    expect(await ids(`filter=${enc(`lastUpdated gt "${b.lastUpdated}" and id eq "${a.id}"`)}`)).toEqual([]);
    expect(await ids(`filter=${enc(`lastUpdated ge "${a.lastUpdated}" and id eq "${a.id}"`)}`)).toEqual([
      a.id,
    ]);
    expect(await ids(`search=${enc(`profile.name sw "${stem}" and profile.level gt 5`)}`)).toEqual([b.id]);
    expect(
      await ids(`search=${enc(`profile.name sw "${stem}" and profile.description co "OF TWO"`)}`),
    ).toEqual([a.id]);
    expect(await ids(`search=${enc(`profile.name sw "${stem}" and profile.active pr`)}`)).toEqual([a.id]);
    expect(await ids(`search=${enc(`profile.name sw "${stem}" and not (profile.active eq true)`)}`)).toEqual([
      b.id,
    ]);
    expect(
      await ids(`search=${enc(`type eq "OKTA_GROUP" and profile.name sw "${stem}"`)}&q=${enc(stem)}`),
    ).toEqual([a.id, b.id].sort());
  });

  it("pages with limit and after; next links keep the query", async () => {
    const stem = uniqueId("Paged");
    const made: string[] = [];
    for (let i = 0; i < 3; i += 1) made.push((await createGroup(`${stem} ${i}`)).id);
    const search = encodeURIComponent(`profile.name sw "${stem}"`);
    const seen: string[] = [];
    let next: string | undefined = `/groups?search=${search}&limit=2`;
    let pages = 0;
    while (next) {
      const page = await call("GET", next);
      pages += 1;
      seen.push(...page.body.map((g: Json) => g.id));
      const link = page.headers.get("Link") ?? "";
      expect(link).toContain('rel="self"');
      next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
      if (next) expect(new URL(next).searchParams.get("search")).toBe(`profile.name sw "${stem}"`);
    }
    expect(pages).toBe(2);
    expect(seen).toEqual([...made].sort());
  });

  it("refuses a filter or search it cannot run with 400 E0000031, and bad paging with E0000001", async () => {
    const or = (n: number, term: (i: number) => string) =>
      Array.from({ length: n }, (_, i) => term(i)).join(" or ");
    const cases: Record<string, string>[] = [
      { filter: 'profile.name eq "unterminated' },
      { filter: 'profile.name co "x"' },
      { filter: 'profile.description eq "x"' },
      { filter: 'not (type eq "BUILT_IN")' },
      { filter: 'id gt "00g"' },
      { search: 'profile.costCenter co "x"' },
      { search: 'unknownAttribute eq "x"' },
      { search: 'profile.a.b eq "x"' },
      { search: 'lastUpdated gt "yesterday"' },
      { search: "" },
      // More comparisons than the grammar takes, or together more values than one D1 statement binds.
      { search: or(33, (i) => `profile.n eq "${i}"`) },
      { filter: 'profile.name eq "a"', search: or(32, (i) => `profile.x sw "${i}"`) },
      { search: `${"(".repeat(12)}type eq "x"${")".repeat(12)}` },
    ];
    for (const params of cases) {
      const res = await call("GET", `/groups?${new URLSearchParams(params)}`);
      expectError(res, 400, "E0000031");
    }
    for (const query of [
      "limit=0",
      "limit=abc",
      "after=not%20a%20cursor",
      "limit=1&limit=2",
      `q=${"x".repeat(300)}`,
    ]) {
      expectError(await call("GET", `/groups?${query}`), 400, "E0000001");
    }
  });

  it("no SQL reaches D1 from q, filter, search or a path id: injections are data, tables intact", async () => {
    const counts = await directoryCounts();
    const enc = encodeURIComponent;
    for (const query of [
      `q=${enc("x' OR '1'='1")}`,
      `q=${enc("'; DROP TABLE groups; --")}`,
      `filter=${enc(`profile.name eq "x\\" OR 1=1 --"`)}`,
      `search=${enc(`profile.name sw "') OR 1=1; DROP TABLE users; --"`)}`,
    ]) {
      const res = await call("GET", `/groups?${query}`);
      expect(res.status, query).toBe(200);
      expect(res.body, query).toEqual([]);
    }
    for (const search of [
      `profile.name);DROP TABLE groups;-- eq "x"`,
      `profile.x'] eq "x"`,
      `type; eq "x"`,
    ]) {
      expectError(await call("GET", `/groups?search=${enc(search)}`), 400, "E0000031");
    }
    expectError(await call("GET", `/groups/${enc("x' OR '1'='1")}`), 404, "E0000007");
    expect(await directoryCounts()).toEqual(counts);
  });
});

describe("bad bodies are a 4xx that writes nothing", () => {
  it("refuses a missing or invalid profile, a huge one, invalid UTF-8 and non-JSON", async () => {
    const group = await createGroup();
    const tooMany = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`a${i}`, i]));
    const cases: [unknown, number, string, string?][] = [
      [{}, 400, "E0000001", "profile"],
      [{ profile: {} }, 400, "E0000001", "profile.name"],
      [{ profile: { name: "   " } }, 400, "E0000001", "profile.name"],
      [{ profile: { name: "x".repeat(256) } }, 400, "E0000001", "profile.name"],
      [{ profile: { name: "ok", description: "d".repeat(1025) } }, 400, "E0000001", "profile.description"],
      [{ profile: { name: "ok", nested: { deep: 1 } } }, 400, "E0000001", "profile.nested"],
      [{ profile: { name: "ok", "bad name": 1 } }, 400, "E0000001", "profile.bad name"],
      [{ profile: { name: "ok", ...tooMany } }, 400, "E0000001", "profile"],
      [{ profile: { name: "ok", long: "v".repeat(1025) } }, 400, "E0000001", "profile.long"],
      [{ profile: { name: 42 } }, 400, "E0000001", "profile.name"],
      [[{ profile: { name: "array" } }], 400, "E0000001"],
      [{ profile: { name: "big", blob: "x".repeat(40 * 1024) } }, 400, "E0000003"],
      ["{not json", 400, "E0000003"],
    ];
    for (const [body, status, code, field] of cases) {
      for (const [method, path] of [
        ["POST", "/groups"],
        ["PUT", `/groups/${group.id}`],
      ] as const) {
        const error = await expectRefusedUnchanged(() => call(method, path, body), status, code);
        if (field) expect(error.errorSummary, JSON.stringify(body)).toContain(field);
      }
    }
  });

  it("refuses a body that is not UTF-8 or not JSON by its media type", async () => {
    const invalid = new Uint8Array([
      ...new TextEncoder().encode('{"profile":{"name":"'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('"}}'),
    ]);
    for (const [body, type] of [
      [invalid, "application/json"],
      [new TextEncoder().encode('{"profile":{"name":"text"}}'), "text/plain"],
    ] as const) {
      await expectRefusedUnchanged(
        async () => {
          const res = await freshApp()(
            new Request(`${ORIGIN}/api/v1/groups`, {
              method: "POST",
              headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "Content-Type": type },
              body,
            }),
          );
          return { status: res.status, body: await res.json() };
        },
        400,
        "E0000003",
      );
    }
  });
});

describe("rights", () => {
  it("okta.groups.read reads groups and members but cannot write; okta.users.read reads a user's groups only", async () => {
    const group = await createGroup();
    const user = await seedUser();
    const read = await tokenWith(["okta.groups.read"]);
    expect((await call("GET", "/groups", undefined, read)).status).toBe(200);
    expect((await call("GET", `/groups/${group.id}/users`, undefined, read)).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", "/groups", { profile: { name: uniqueId("nope") } }],
      ["PUT", `/groups/${group.id}`, { profile: { name: uniqueId("nope") } }],
      ["DELETE", `/groups/${group.id}`, undefined],
      ["PUT", `/groups/${group.id}/users/${user.id}`, undefined],
      ["DELETE", `/groups/${group.id}/users/${user.id}`, undefined],
    ] as const) {
      await expectRefusedUnchanged(() => call(method, path, body, read), 403, "E0000006");
    }
    // A user's groups are the Users API's (okta.users.read); that right reads no group itself.
    const users = await tokenWith(["okta.users.read"]);
    expect((await call("GET", `/users/${user.id}/groups`, undefined, users)).status).toBe(200);
    expectError(await call("GET", `/groups/${group.id}`, undefined, users), 403, "E0000006");
    expectError(await call("GET", `/users/${user.id}/groups`, undefined, read), 403, "E0000006");
    // A token with groups.manage cannot mint a token with more than it holds.
    const manage = await tokenWith(["okta.groups.manage", "okta.apiTokens.manage"]);
    expectError(
      await call("POST", "/api-tokens", { name: uniqueId("t"), scopes: ["okta.users.manage"] }, manage),
      403,
      "E0000006",
    );
    expect((await call("PUT", `/groups/${group.id}/users/${user.id}`, undefined, manage)).status).toBe(204);
  });

  it("answers methods a path does not take with 405 and Allow", async () => {
    const res = await call("POST", `/groups/${EVERYONE}/users`);
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, HEAD");
  });
});

describe("system log", () => {
  it("records group and membership writes as Okta's event types with their targets", async () => {
    const sent: LogMessage[] = [];
    const queue: LogQueue = {
      sendBatch: async (messages) => {
        for (const m of messages) sent.push(m.body);
      },
    };
    const bound = { ...(env as Env), LOG_QUEUE: queue as unknown as Env["LOG_QUEUE"] };
    const app = freshApp();
    const send = async (method: string, path: string, body?: unknown) =>
      app(adminRequest(method, path, body), bound);
    const created = (await (
      await send("POST", "/groups", { profile: { name: uniqueId("Logged") } })
    ).json()) as {
      id: string;
    };
    const user = await seedUser();
    await send("PUT", `/groups/${created.id}`, { profile: { name: uniqueId("Logged again") } });
    await send("PUT", `/groups/${created.id}/users/${user.id}`);
    await send("DELETE", `/groups/${created.id}/users/${user.id}`);
    await send("DELETE", `/groups/${created.id}`);
    // A refused write is no event.
    await send("DELETE", `/groups/${EVERYONE}`);
    const events = sent.flatMap((m) => ("event" in m && m.event ? [m.event] : []));
    expect(events.map((e) => [e.eventType, e.target.map((t) => `${t.type}:${t.id}`)])).toEqual([
      ["group.lifecycle.create", [`UserGroup:${created.id}`]],
      ["group.profile.update", [`UserGroup:${created.id}`]],
      ["group.user_membership.add", [`UserGroup:${created.id}`, `User:${user.id}`]],
      ["group.user_membership.remove", [`UserGroup:${created.id}`, `User:${user.id}`]],
      ["group.lifecycle.delete", [`UserGroup:${created.id}`]],
    ]);
  });
});
