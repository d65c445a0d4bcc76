/**
 * The Users API against real D1: create (statuses, password, groups), get by id or login, partial
 * update and replace, lifecycle, two-step delete with cascading memberships, list with q / filter /
 * search / sort / cursors, system-log events, and the attacks: duplicate logins, unknown groups,
 * oversized and malformed bodies, SQL through filters and cursors, a read-only token writing.
 * Every refusal is checked to leave the tables as they were.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { Env } from "../../src/env";
import type { LogMessage, LogQueue } from "../../src/log/event-log";
import { adminCall, adminRequest, freshApp, ORIGIN, uniqueId } from "./helpers";

// biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
type Json = any;

const db = (env as Env).DIRECTORY;
const PASSWORD = "Correct-Horse-42";

function login(tag = "u"): string {
  return `${uniqueId(tag)}@example.test`;
}

function profile(overrides: Record<string, unknown> = {}) {
  const l = login();
  return { login: l, email: l, firstName: "Ada", lastName: "Lovelace", ...overrides };
}

async function create(body: Record<string, unknown>, query = "") {
  return adminCall("POST", `/users${query}`, body);
}

async function createOk(body: Record<string, unknown>, query = "") {
  const res = await create(body, query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function row(id: string) {
  return db.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

async function countUsers(where = "1", ...params: unknown[]): Promise<number> {
  const r = await db
    .prepare(`SELECT count(*) AS n FROM users WHERE ${where}`)
    .bind(...params)
    .first<{ n: number }>();
  return r?.n ?? 0;
}

async function seedGroup(type: "OKTA_GROUP" | "BUILT_IN" = "OKTA_GROUP"): Promise<string> {
  const id = `00g${uniqueId("g").replace(/[^A-Za-z0-9]/g, "")}`.slice(0, 20);
  await db
    .prepare(
      "INSERT INTO groups (id, type, profile, created, last_updated, last_membership_updated) VALUES (?, ?, ?, 0, 0, 0)",
    )
    .bind(id, type, JSON.stringify({ name: id }))
    .run();
  return id;
}

function expectError(res: { status: number; body: Json }, status: number, code: string, cause?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.errorCode).toBe(code);
  if (cause !== undefined) {
    expect(res.body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join("\n")).toContain(
      cause,
    );
  }
}

describe("create", () => {
  it("with a password: ACTIVE, Okta's shape, the password hashed and never echoed", async () => {
    const p = profile({ department: "Engineering", tags: ["a", "b"], level: 3, admin: false });
    const user = await createOk({ profile: p, credentials: { password: { value: PASSWORD } } });
    expect(user.id).toMatch(/^00u[A-Za-z0-9]{17}$/);
    expect(user).toMatchObject({
      status: "ACTIVE",
      profile: p,
      credentials: { password: {}, provider: { type: "OKTA", name: "OKTA" } },
      lastLogin: null,
      _links: {
        self: { href: `${ORIGIN}/api/v1/users/${user.id}` },
        suspend: { href: `${ORIGIN}/api/v1/users/${user.id}/lifecycle/suspend`, method: "POST" },
        deactivate: { href: `${ORIGIN}/api/v1/users/${user.id}/lifecycle/deactivate`, method: "POST" },
      },
    });
    expect(user._links.activate).toBeUndefined();
    for (const field of ["created", "activated", "statusChanged", "lastUpdated", "passwordChanged"]) {
      expect(user[field]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    expect(JSON.stringify(user)).not.toContain(PASSWORD);
    expect(JSON.stringify(user)).not.toContain("pbkdf2");
    const stored = await row(user.id);
    expect(stored?.password_hash).toMatch(/^\$pbkdf2-sha256\$i=600000\$/);
  });

  it("without a password: PROVISIONED; activate=false: STAGED; nextLogin=changePassword: PASSWORD_EXPIRED", async () => {
    const provisioned = await createOk({ profile: profile() });
    expect(provisioned.status).toBe("PROVISIONED");
    expect(provisioned.credentials).toEqual({ provider: { type: "OKTA", name: "OKTA" } });
    const staged = await createOk({ profile: profile() }, "?activate=false");
    expect(staged).toMatchObject({ status: "STAGED", activated: null, statusChanged: null });
    expect(staged._links.activate.href).toBe(`${ORIGIN}/api/v1/users/${staged.id}/lifecycle/activate`);
    const expired = await createOk(
      { profile: profile(), credentials: { password: { value: PASSWORD } } },
      "?activate=true&nextLogin=changePassword",
    );
    expect(expired.status).toBe("PASSWORD_EXPIRED");
  });

  it("refuses a login another user has, whatever its case, and writes nothing", async () => {
    const first = await createOk({ profile: profile() });
    const before = await countUsers();
    const upper = first.profile.login.toUpperCase();
    const res = await create({ profile: profile({ login: upper }) });
    expectError(res, 400, "E0000001");
    expect(res.body.errorSummary).toBe("Api validation failed: login");
    expect(res.body.errorCauses).toEqual([
      { errorSummary: "login: An object with this field already exists in the current organization" },
    ]);
    expect(await countUsers()).toBe(before);
  });

  it("joins groupIds in the same write; an unknown group, or Everyone, refuses the whole", async () => {
    const [g1, g2] = [await seedGroup(), await seedGroup()];
    const user = await createOk({ profile: profile(), groupIds: [g1, g2, g1] });
    const { results } = await db
      .prepare("SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id")
      .bind(user.id)
      .all<{ group_id: string }>();
    expect(results.map((r) => r.group_id)).toEqual([g1, g2].sort());

    for (const bad of ["00gDoesNotExist00000", "00gEveryone000000000"]) {
      const p = profile();
      const res = await create({ profile: p, groupIds: [g1, bad] });
      expectError(res, 400, "E0000001", `groupIds: no OKTA_GROUP has the id '${bad}'`);
      expect(await countUsers("login_key = lower(?)", p.login)).toBe(0);
    }
  });

  it("refuses a password the policy refuses, naming every rule it misses, and writes nothing", async () => {
    const p = profile({ login: "grace.hopper@example.test", email: "grace.hopper@example.test" });
    await db.prepare("DELETE FROM users WHERE login_key = ?").bind(p.login).run();
    const res = await create({ profile: p, credentials: { password: { value: "hopper" } } });
    expectError(res, 400, "E0000001");
    expect(res.body.errorSummary).toBe("Api validation failed: password");
    const cause = res.body.errorCauses[0].errorSummary;
    expect(cause).toMatch(/^password: Password requirements were not met\./);
    for (const rule of [
      "at least 8 characters",
      "an uppercase letter",
      "a number",
      "no parts of your username",
    ]) {
      expect(cause).toContain(rule);
    }
    expect(await countUsers("login_key = ?", p.login)).toBe(0);
  });

  it("answers malformed input with a 4xx in Okta's shape and writes nothing", async () => {
    const l = login("bad");
    const good = { login: l, email: l, firstName: "A", lastName: "B" };
    const cases: [unknown, number, string, string?][] = [
      [{}, 400, "E0000001", "profile: is required"],
      [[], 400, "E0000001", "must be a JSON object"],
      [{ profile: { ...good, email: undefined } }, 400, "E0000001", "email: The field cannot be left blank"],
      [
        { profile: { ...good, login: "not-an-email" } },
        400,
        "E0000001",
        "login: Username must be in the form",
      ],
      [{ profile: { ...good, firstName: 42 } }, 400, "E0000001", "firstName: must be a string"],
      [
        { profile: { ...good, address: { city: "x" } } },
        400,
        "E0000001",
        "address: must be a string, number",
      ],
      [{ profile: { ...good, "bad-name": 1 } }, 400, "E0000001", "attribute names are letters"],
      [
        { profile: { ...good, notes: "x".repeat(20_000) } },
        400,
        "E0000001",
        "profile: must be at most 16384 bytes",
      ],
      [
        { profile: good, credentials: { password: { value: 12345678 } } },
        400,
        "E0000001",
        "must be a string",
      ],
      [
        { profile: good, credentials: { password: { hash: { algorithm: "BCRYPT" } } } },
        400,
        "E0000001",
        "hash",
      ],
      [{ profile: good, groupIds: "00g1" }, 400, "E0000001", "groupIds: must be an array"],
      [{ profile: { ...good, notes: "x".repeat(200_000) } }, 400, "E0000003"],
    ];
    for (const [body, status, code, cause] of cases) {
      expectError(await create(body as Record<string, unknown>), status, code, cause);
    }
    expectError(
      await create({ profile: good }, "?activate=yes"),
      400,
      "E0000001",
      "activate: must be true or false",
    );
    expectError(await create({ profile: good }, "?nextLogin=now"), 400, "E0000001", "nextLogin");
    expectError(await adminCall("POST", "/users", "{not json"), 400, "E0000003");
    // Invalid UTF-8: a lone continuation byte inside a string.
    const bytes = new TextEncoder().encode(JSON.stringify({ profile: { ...good, firstName: "AB" } }));
    bytes[bytes.indexOf(0x41)] = 0x80;
    const raw = adminRequest("POST", "/users");
    const res = await freshApp()(
      new Request(raw, {
        body: bytes,
        headers: { ...Object.fromEntries(raw.headers), "Content-Type": "application/json" },
      }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorCode: string }).errorCode).toBe("E0000003");
    expect(await countUsers("login_key = ?", l)).toBe(0);
  });
});

describe("get, update, replace", () => {
  it("finds a user by id and by login without regard to case; 404 otherwise", async () => {
    const user = await createOk({ profile: profile() });
    expect((await adminCall("GET", `/users/${user.id}`)).body).toEqual(user);
    expect((await adminCall("GET", `/users/${user.profile.login.toUpperCase()}`)).body.id).toBe(user.id);
    const missing = await adminCall("GET", "/users/00uNobody00000000000");
    expectError(missing, 404, "E0000007");
    expect(missing.body.errorSummary).toBe("Not found: Resource not found: 00uNobody00000000000 (User)");
  });

  it("POST merges the profile (null unsets); PUT replaces it; a login clash changes nothing", async () => {
    const user = await createOk({ profile: profile({ department: "R&D", level: 1 }) });
    const merged = await adminCall("POST", `/users/${user.id}`, {
      profile: { firstName: "Augusta", level: null, city: "London" },
    });
    expect(merged.status).toBe(200);
    expect(merged.body.profile).toEqual({
      ...user.profile,
      firstName: "Augusta",
      city: "London",
      level: undefined,
    });
    expect(merged.body.profile).not.toHaveProperty("level");
    expect(Date.parse(merged.body.lastUpdated)).toBeGreaterThanOrEqual(Date.parse(user.lastUpdated));

    const replacement = profile();
    const replaced = await adminCall("PUT", `/users/${user.id}`, { profile: replacement });
    expect(replaced.body.profile).toEqual(replacement);

    const other = await createOk({ profile: profile() });
    const before = await row(user.id);
    const clash = await adminCall("POST", `/users/${user.id}`, {
      profile: { login: other.profile.login.toUpperCase() },
    });
    expectError(clash, 400, "E0000001", "login: An object with this field already exists");
    expect(await row(user.id)).toEqual(before);
    expectError(
      await adminCall("PUT", `/users/${user.id}`, { credentials: {} }),
      400,
      "E0000001",
      "profile: is required",
    );
  });

  it("changes a password through the policy, sets passwordChanged; a refused one leaves the hash", async () => {
    const user = await createOk({ profile: profile() });
    expect(user.passwordChanged).toBeNull();
    const changed = await adminCall("POST", `/users/${user.id}`, {
      credentials: { password: { value: PASSWORD } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.passwordChanged).not.toBeNull();
    expect(changed.body.credentials.password).toEqual({});
    const hash = (await row(user.id))?.password_hash;
    const refused = await adminCall("POST", `/users/${user.id}`, {
      credentials: { password: { value: "short" } },
    });
    expectError(refused, 400, "E0000001", "Password requirements were not met");
    expect((await row(user.id))?.password_hash).toBe(hash);
  });

  it("takes back what Okta's SDK sends from a read (PUT of the whole user) without touching the password", async () => {
    const user = await createOk({ profile: profile(), credentials: { password: { value: PASSWORD } } });
    const hash = (await row(user.id))?.password_hash;
    const res = await adminCall("PUT", `/users/${user.id}`, {
      ...user,
      profile: { ...user.profile, title: "Countess" },
    });
    expect(res.status).toBe(200);
    expect(res.body.profile.title).toBe("Countess");
    expect(res.body.id).toBe(user.id);
    expect((await row(user.id))?.password_hash).toBe(hash);
  });
});

describe("lifecycle", () => {
  it("suspends and unsuspends an ACTIVE user; refuses a wrong status with Okta's errors", async () => {
    const user = await createOk({ profile: profile(), credentials: { password: { value: PASSWORD } } });
    const path = `/users/${user.id}/lifecycle`;
    const suspended = await adminCall("POST", `${path}/suspend`);
    expect(suspended).toMatchObject({ status: 200, body: {} });
    const got = (await adminCall("GET", `/users/${user.id}`)).body;
    expect(got.status).toBe("SUSPENDED");
    expect(Object.keys(got._links).sort()).toEqual(["deactivate", "self", "unsuspend"]);
    const again = await adminCall("POST", `${path}/suspend`);
    expectError(again, 400, "E0000001", "Cannot suspend a user that is not active");
    expect(again.body.errorSummary).toBe("Api validation failed: Cannot suspend a user that is not active");
    expectError(await adminCall("POST", `${path}/activate`), 403, "E0000016");
    expect((await adminCall("POST", `${path}/unsuspend`)).status).toBe(200);
    expectError(await adminCall("POST", `${path}/unsuspend`), 400, "E0000001", "not suspended");
    expect((await adminCall("GET", `/users/${user.id}`)).body.status).toBe("ACTIVE");
  });

  it("activates a STAGED user: ACTIVE with a password, PROVISIONED without", async () => {
    const withPassword = await createOk(
      { profile: profile(), credentials: { password: { value: PASSWORD } } },
      "?activate=false",
    );
    const without = await createOk({ profile: profile() }, "?activate=false");
    expect((await adminCall("POST", `/users/${withPassword.id}/lifecycle/activate`)).status).toBe(200);
    expect((await adminCall("POST", `/users/${without.id}/lifecycle/activate`)).status).toBe(200);
    const [a, b] = [
      (await adminCall("GET", `/users/${withPassword.id}`)).body,
      (await adminCall("GET", `/users/${without.id}`)).body,
    ];
    expect(a.status).toBe("ACTIVE");
    expect(a.activated).not.toBeNull();
    expect(b.status).toBe("PROVISIONED");
  });

  it("unlocks a LOCKED_OUT user and forgets its failures; refuses a SUSPENDED one", async () => {
    const user = await createOk({ profile: profile(), credentials: { password: { value: PASSWORD } } });
    await db
      .prepare("UPDATE users SET status = 'LOCKED_OUT', failed_attempts = 5 WHERE id = ?")
      .bind(user.id)
      .run();
    expect((await adminCall("GET", `/users/${user.id}`)).body._links.unlock).toBeDefined();
    expect((await adminCall("POST", `/users/${user.profile.login}/lifecycle/unlock`)).status).toBe(200);
    expect(await row(user.id)).toMatchObject({ status: "ACTIVE", failed_attempts: 0 });
    await adminCall("POST", `/users/${user.id}/lifecycle/suspend`);
    const refused = await adminCall("POST", `/users/${user.id}/lifecycle/unlock`);
    expectError(refused, 403, "E0000032");
    expect(refused.body.errorSummary).toBe("Unlock is not allowed for this user.");
  });

  it("answers an unknown action or user with 404, changing nothing", async () => {
    const user = await createOk({ profile: profile(), credentials: { password: { value: PASSWORD } } });
    const before = await row(user.id);
    expectError(await adminCall("POST", `/users/${user.id}/lifecycle/explode`), 404, "E0000007");
    expectError(await adminCall("POST", "/users/00uNobody00000000000/lifecycle/suspend"), 404, "E0000007");
    expect(await row(user.id)).toEqual(before);
  });
});

describe("delete", () => {
  it("deactivates first, deletes second with its memberships (foreign keys cascade), then 404", async () => {
    const group = await seedGroup();
    const user = await createOk({ profile: profile(), groupIds: [group] });
    await db
      .prepare("INSERT INTO app_users (app_id, user_id, created, last_updated) VALUES ('0oaApp', ?, 0, 0)")
      .bind(user.id)
      .run();
    expect((await adminCall("DELETE", `/users/${user.id}`)).status).toBe(204);
    const deactivated = (await adminCall("GET", `/users/${user.id}`)).body;
    expect(deactivated.status).toBe("DEPROVISIONED");
    expect(Object.keys(deactivated._links).sort()).toEqual(["activate", "self"]);
    expectError(await adminCall("POST", `/users/${user.id}/lifecycle/deactivate`), 403, "E0000038");

    expect((await adminCall("DELETE", `/users/${user.id}`)).status).toBe(204);
    expect(await row(user.id)).toBeNull();
    for (const table of ["group_members", "app_users"]) {
      expect(
        (
          await db
            .prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`)
            .bind(user.id)
            .first<{ n: number }>()
        )?.n,
      ).toBe(0);
    }
    expectError(await adminCall("DELETE", `/users/${user.id}`), 404, "E0000007");
  });
});

describe("list", () => {
  /** Users sharing a unique `team` and lastName, for queries no other test's users answer. */
  async function cohort(n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
    const team = uniqueId("team").replace(/-/g, "_");
    const users = [];
    for (let i = 0; i < n; i++) {
      users.push(await createOk({ profile: profile({ lastName: team, team, ...extra(i) }) }));
    }
    return { team, users };
  }

  async function all(query: string): Promise<Json[]> {
    const out: Json[] = [];
    let url: string | undefined = `/users?${query}`;
    for (let pages = 0; url && pages < 50; pages++) {
      const res = await adminCall("GET", url);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      out.push(...res.body);
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get("Link") ?? "")?.[1];
    }
    return out;
  }

  it("without a query: everyone but DEPROVISIONED users, by id, in pages linked by rel=next", async () => {
    const { users } = await cohort(3);
    await adminCall("DELETE", `/users/${users[0].id}`);
    const ids = (await all("limit=2")).map((u) => u.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(users[1].id);
    expect(ids).not.toContain(users[0].id);
    const first = await adminCall("GET", "/users?limit=1");
    expect(first.headers.get("Link")).toContain(`<${ORIGIN}/api/v1/users?limit=1>; rel="self"`);
  });

  it("q: a case-insensitive prefix of firstName, lastName or email, 10 by default, no next page", async () => {
    const prefix = uniqueId("Zq").replace(/-/g, "");
    const { users } = await cohort(11, (i) => ({ firstName: `${prefix}${i}` }));
    const res = await adminCall("GET", `/users?q=${prefix.toLowerCase()}`);
    expect(res.body).toHaveLength(10);
    expect(res.headers.get("Link")).not.toContain('rel="next"');
    expect((await adminCall("GET", `/users?q=${prefix}&limit=20`)).body).toHaveLength(11);
    expect(
      (await adminCall("GET", `/users?q=${encodeURIComponent(users[0].profile.email)}`)).body.map(
        (u: Json) => u.id,
      ),
    ).toEqual([users[0].id]);
  });

  it("filter: eq on the supported attributes, ranges on lastUpdated, and/or; values case-sensitive", async () => {
    const { team, users } = await cohort(3);
    expect((await adminCall("POST", `/users/${users[1].id}/lifecycle/suspend`)).status).toBe(200);
    await adminCall("POST", `/users/${users[2].id}/lifecycle/deactivate`);
    const f = (expr: string) => all(`filter=${encodeURIComponent(expr)}`);
    expect((await f(`profile.lastName eq "${team}"`)).map((u) => u.id).sort()).toEqual(
      users.map((u) => u.id).sort(),
    );
    expect(await f(`profile.lastName eq "${team.toUpperCase()}"`)).toEqual([]);
    expect((await f(`profile.lastName eq "${team}" and status eq "DEPROVISIONED"`)).map((u) => u.id)).toEqual(
      [users[2].id],
    );
    expect(
      (
        await f(
          `(id eq "${users[0].id}" or id eq "${users[2].id}") and lastUpdated gt "2000-01-01T00:00:00.000Z"`,
        )
      ).length,
    ).toBe(2);
    expect(await f(`profile.lastName eq "${team}" and lastUpdated lt "2000-01-01T00:00:00.000Z"`)).toEqual(
      [],
    );
    expect((await f(`profile.login eq "${users[0].profile.login.toUpperCase()}"`)).map((u) => u.id)).toEqual([
      users[0].id,
    ]);
  });

  it("search: eq, sw, co, gt, pr over profile attributes (arrays by element), sorted, paged stably", async () => {
    const { team, users } = await cohort(5, (i) => ({
      age: 20 + (i % 3),
      skills: i % 2 === 0 ? ["go", "rust"] : ["ts"],
      ...(i === 4 ? {} : { nickname: `Nick${i}` }),
    }));
    const s = (expr: string, extra = "") => all(`search=${encodeURIComponent(expr)}${extra}`);
    const ids = (list: Json[]) => list.map((u) => u.id);
    expect((await s(`profile.team eq "${team.toUpperCase()}"`)).length).toBe(5);
    expect((await s(`profile.team eq "${team}" and profile.skills eq "rust"`)).length).toBe(3);
    expect((await s(`profile.team eq "${team}" and profile.age gt 20`)).length).toBe(3);
    expect((await s(`profile.team eq "${team}" and profile.nickname pr`)).length).toBe(4);
    expect((await s(`profile.team sw "${team.slice(0, -2)}" and profile.nickname sw "nick1"`)).length).toBe(
      1,
    );
    expect((await s(`profile.lastName co "${team.slice(3)}" and status eq "active"`)).length).toBe(0);
    expect((await s(`profile.lastName co "${team.slice(3)}" and status eq "provisioned"`)).length).toBe(5);

    // Sorted by age descending, ties by id, two per page: every user once, in order.
    const sorted = await s(`profile.team eq "${team}"`, "&sortBy=profile.age&sortOrder=desc&limit=2");
    const expected = [...users].sort((a, b) => b.profile.age - a.profile.age || (a.id < b.id ? 1 : -1));
    expect(ids(sorted)).toEqual(ids(expected));
    // Sorted by an attribute one user lacks: NULL first ascending.
    const byNick = await s(`profile.team eq "${team}"`, "&sortBy=profile.nickname&limit=2");
    expect(byNick[0].id).toBe(users[4].id);
  });

  it("keeps a cursor stable when users are added during paging", async () => {
    const { team } = await cohort(4, (i) => ({ rank: i * 10 }));
    const search = `search=${encodeURIComponent(`profile.team eq "${team}"`)}&sortBy=profile.rank&limit=2`;
    const page1 = await adminCall("GET", `/users?${search}`);
    const next = /<([^>]+)>; rel="next"/.exec(page1.headers.get("Link") ?? "")?.[1] as string;
    expect(next).toBeDefined();
    await createOk({ profile: profile({ team, rank: 5 }) }); // before the cursor: not seen
    const late = await createOk({ profile: profile({ team, rank: 25 }) }); // after it: seen once
    const rest = await all(next.slice(`${ORIGIN}/api/v1/users?`.length));
    const seen = [...page1.body, ...rest].map((u) => u.profile.rank);
    expect(seen).toEqual([0, 10, 20, 25, 30]);
    expect(rest.map((u) => u.id)).toContain(late.id);
  });

  it("refuses bad queries with Okta's codes, never a 500, and runs nothing a query string says", async () => {
    const before = await countUsers();
    const cases: [string, number, string][] = [
      ["filter=status%20eq", 400, "E0000031"],
      [`filter=${encodeURIComponent('profile.city eq "x"')}`, 400, "E0000031"],
      [`filter=${encodeURIComponent('status sw "A"')}`, 400, "E0000031"],
      [`search=${encodeURIComponent('not (status eq "ACTIVE")')}`, 400, "E0000031"],
      [`search=${encodeURIComponent('status ne "ACTIVE"')}`, 400, "E0000031"],
      [`search=${encodeURIComponent('profile.team co "x"')}`, 400, "E0000031"],
      [`search=${encodeURIComponent('lastUpdated gt "yesterday"')}`, 400, "E0000031"],
      [`search=${encodeURIComponent('profile.x"; DROP TABLE users; -- eq "1"')}`, 400, "E0000031"],
      [`search=${encodeURIComponent(Array(33).fill('id eq "x"').join(" or "))}`, 400, "E0000031"],
      [`search=${encodeURIComponent(`id eq "${"x".repeat(3000)}"`)}`, 400, "E0000031"],
      ["q=a&filter=status%20eq%20%22ACTIVE%22", 400, "E0000033"],
      ["limit=0", 400, "E0000001"],
      ["limit=ten", 400, "E0000001"],
      ["after=not-a-cursor!", 400, "E0000001"],
      [`after=${btoa('{"id":"x\'--"}')}`, 400, "E0000001"],
      ["sortBy=profile.lastName", 400, "E0000001"],
      [`search=${encodeURIComponent('status eq "ACTIVE"')}&sortBy=profile.bad-name`, 400, "E0000001"],
      [`search=${encodeURIComponent('status eq "ACTIVE"')}&sortOrder=sideways`, 400, "E0000001"],
      ["filter=a&filter=b", 400, "E0000001"],
    ];
    for (const [query, status, code] of cases)
      expectError(await adminCall("GET", `/users?${query}`), status, code);
    // Injection through values: bound, so they match nothing and change nothing.
    const injected = await adminCall(
      "GET",
      `/users?search=${encodeURIComponent(`profile.team eq "x' OR '1'='1"`)}`,
    );
    expect(injected).toMatchObject({ status: 200, body: [] });
    const viaQ = await adminCall("GET", `/users?q=${encodeURIComponent("%' OR 1=1 --")}`);
    expect(viaQ).toMatchObject({ status: 200, body: [] });
    expect(await countUsers()).toBe(before);
  });
});

describe("rights and the system log", () => {
  it("a read-only token reads users (no hash anywhere) and cannot write them", async () => {
    const user = await createOk({ profile: profile(), credentials: { password: { value: PASSWORD } } });
    const minted = await adminCall("POST", "/api-tokens", {
      name: uniqueId("ro"),
      scopes: ["okta.users.read"],
    });
    expect(minted.status).toBe(201);
    const auth = `SSWS ${minted.body.token}`;
    const as = (method: string, path: string, body?: unknown) =>
      freshApp()(adminRequest(method, path, body, auth));
    const listed = await as("GET", "/users?limit=200");
    expect(listed.status).toBe(200);
    const got = await as("GET", `/users/${user.id}`);
    expect(got.status).toBe(200);
    for (const text of [await listed.text(), await got.text()]) {
      expect(text).not.toContain("pbkdf2");
      expect(text).not.toContain("password_hash");
    }
    const before = await row(user.id);
    const writes: [string, string, unknown?][] = [
      ["POST", "/users", { profile: profile() }],
      ["POST", `/users/${user.id}`, { profile: { firstName: "Eve" } }],
      ["PUT", `/users/${user.id}`, { profile: profile() }],
      ["POST", `/users/${user.id}/lifecycle/suspend`],
      ["DELETE", `/users/${user.id}`],
    ];
    for (const [method, path, body] of writes) {
      const res = await as(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe("E0000006");
    }
    expect(await row(user.id)).toEqual(before);
  });

  it("records Okta's user events with the user as target", async () => {
    const sent: LogMessage[] = [];
    const queue: LogQueue = {
      sendBatch: async (messages) => void sent.push(...Array.from(messages, (m) => m.body)),
    };
    const bound = { ...(env as Env), LOG_QUEUE: queue as unknown as Env["LOG_QUEUE"] };
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await freshApp()(adminRequest(method, path, body), bound);
      return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Json) };
    };
    const created = await call("POST", "/users", {
      profile: profile(),
      credentials: { password: { value: PASSWORD } },
    });
    const id = created.body.id;
    await call("POST", `/users/${id}`, { credentials: { password: { value: `${PASSWORD}x` } } });
    await call("POST", `/users/${id}/lifecycle/suspend`);
    await call("POST", `/users/${id}/lifecycle/suspend`); // refused: no event
    await call("POST", `/users/${id}/lifecycle/unsuspend`);
    await call("DELETE", `/users/${id}`);
    await call("DELETE", `/users/${id}`);
    expect(sent.map((m) => m.event.eventType)).toEqual([
      "user.lifecycle.create",
      "user.lifecycle.activate",
      "user.account.update_profile",
      "user.account.update_password",
      "user.lifecycle.suspend",
      "user.lifecycle.unsuspend",
      "user.lifecycle.deactivate",
      "user.lifecycle.delete.completed",
    ]);
    for (const m of sent) {
      expect(m.event.target).toEqual([
        expect.objectContaining({ id, type: "User", alternateId: created.body.profile.login }),
      ]);
    }
  });

  it("answers in the shapes the OpenAPI document names", async () => {
    const doc = (await (await freshApp()(new Request(`${ORIGIN}/api/v1/openapi.json`))).json()) as Json;
    const local = (v: unknown) =>
      JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"#/$defs/'));
    const schema = (name: string) =>
      z.fromJSONSchema({ ...local(doc.components.schemas[name]), $defs: local(doc.components.schemas) });
    const user = await createOk({
      profile: profile({ tags: ["x"], n: 1 }),
      credentials: { password: { value: PASSWORD } },
    });
    expect(schema("User").safeParse(user).error?.issues ?? []).toEqual([]);
    const list = await adminCall("GET", "/users?limit=3");
    for (const u of list.body) expect(schema("User").safeParse(u).error?.issues ?? []).toEqual([]);
    expect(schema("CreateUserRequest").safeParse({ profile: profile(), groupIds: [] }).success).toBe(true);
    for (const op of [
      "listUsers",
      "createUser",
      "getUser",
      "updateUser",
      "replaceUser",
      "deleteUser",
      "unlockUser",
    ]) {
      const found = Object.values(doc.paths).some((item: Json) =>
        Object.values(item).some((o: Json) => o?.operationId === op),
      );
      expect(found, op).toBe(true);
    }
  });
});
