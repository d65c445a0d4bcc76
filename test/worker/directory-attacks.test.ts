/**
 * The directory attacked as a stranger would, against real D1: what an attacker at the token
 * endpoint can learn from the work a refusal does, logins that are "the same" to a person but not to
 * SQLite's ASCII `lower()`, query attribute names that are JavaScript's own (`constructor`,
 * `__proto__`), profile keys that are JavaScript's own, config as code pruning an app whose users
 * stay assigned to its id, a new password that inherits the old one's failures, and a page of an app
 * assigned to Everyone that reads every user. Each was a finding; each test failed before its fix.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { PASSWORD_LOCKOUT_ATTEMPTS } from "../../src/config/defaults";
import { assignGroup, listAppUsers } from "../../src/directory/assignments";
import { EVERYONE_GROUP_ID } from "../../src/directory/directory";
import { checkPassword } from "../../src/directory/sign-in";
import type { Env } from "../../src/env";
import { adminCall, adminRequest, basic, freshApp, SECRET, tokenRequest, uniqueId } from "./helpers";
import { PASSWORD, type PeopleWorld, seedPeople } from "./people-fixtures";

const db = (env as Env).DIRECTORY;
const NOW = Date.UTC(2026, 0, 15, 12);
const INVALID = { error: "invalid_grant", error_description: "The credentials provided were invalid." };

/**
 * `db` as it is, and the SQL of every statement run through it, in order (a batch's statements each
 * in their place), with what D1 reported reading and changing: the work a request makes the
 * directory do, seen from outside.
 */
function observed(database: D1Database) {
  const runs: { sql: string; rowsRead?: number; changes?: number; rowsWritten?: number }[] = [];
  const unwrapped = new WeakMap<object, { target: D1PreparedStatement; sql: string }>();
  const statement = (s: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(s, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => statement(target.bind(...values), sql);
        if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
          return async (...args: unknown[]) => {
            const run: { sql: string; rowsRead?: number; changes?: number } = { sql };
            runs.push(run);
            if (prop === "all" || prop === "run") {
              const result = (await (target[prop] as (...a: unknown[]) => Promise<D1Result>)(
                ...args,
              )) as D1Result;
              run.rowsRead = result.meta.rows_read;
              run.changes = result.meta.changes;
              return result;
            }
            return (target[prop] as (...a: unknown[]) => Promise<unknown>)(...args);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    unwrapped.set(proxy, { target: s, sql });
    return proxy;
  };
  const wrapped = new Proxy(database, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => statement(target.prepare(sql), sql);
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const inner = statements.map((s) => unwrapped.get(s) ?? { target: s, sql: "(unobserved)" });
          const results = await target.batch(inner.map((s) => s.target));
          inner.forEach((s, i) => {
            runs.push({
              sql: s.sql,
              rowsRead: results[i]?.meta.rows_read,
              changes: results[i]?.meta.changes,
              rowsWritten: results[i]?.meta.rows_written,
            });
          });
          return results;
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: wrapped, runs };
}

function newUser(login: string, password?: string) {
  return {
    profile: { login, email: "someone@example.test", firstName: "Jürgen", lastName: "Test" },
    ...(password ? { credentials: { password: { value: password } } } : {}),
  };
}

async function userRow(id: string) {
  return db
    .prepare("SELECT status, failed_attempts, login_key FROM users WHERE id = ?")
    .bind(id)
    .first<{ status: string; failed_attempts: number; login_key: string }>();
}

let world: PeopleWorld;
beforeAll(async () => {
  world = await seedPeople();
});

async function passwordGrant(username: string, password: string, scope = "public") {
  const res = await freshApp()(
    tokenRequest(
      world.issuer,
      { grant_type: "password", username, password, scope },
      { authorization: basic(world.clientId, SECRET) },
    ),
  );
  // biome-ignore lint/suspicious/noExplicitAny: tests read the token response field by field.
  return { status: res.status, body: (await res.json()) as any };
}

describe("user enumeration by the work a refusal does", () => {
  it("unknown login, no password, locked, suspended, inactive: the same D1 statements as a wrong password", async () => {
    const created = async (status: string, password: boolean) => {
      const login = `${uniqueId("enum")}@example.test`;
      const res = await adminCall(
        "POST",
        "/users?activate=true",
        newUser(login, password ? PASSWORD : undefined),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      await db.prepare("UPDATE users SET status = ? WHERE id = ?").bind(status, res.body.id).run();
      return { login, id: res.body.id as string };
    };
    const active = await created("ACTIVE", true);
    const cases: [string, string, string][] = [
      ["wrong password", active.login, "Wrong-Horse-9"],
      ["unknown login", `${uniqueId("nobody")}@example.test`, PASSWORD],
      ["no password", (await created("ACTIVE", false)).login, PASSWORD],
      ["locked", (await created("LOCKED_OUT", true)).login, PASSWORD],
      ["suspended", (await created("SUSPENDED", true)).login, "Wrong-Horse-9"],
      ["deprovisioned", (await created("DEPROVISIONED", true)).login, PASSWORD],
      ["expired, right password", (await created("PASSWORD_EXPIRED", true)).login, PASSWORD],
    ];
    const seen: Record<string, string[]> = {};
    const written: Record<string, number> = {};
    for (const [name, login, password] of cases) {
      const { db: watched, runs } = observed(db);
      const check = await checkPassword(watched, login, password, NOW);
      expect(check.ok, name).toBe(false);
      seen[name] = runs.map((r) => r.sql);
      // A write to the primary that changes nothing commits nothing, and answers sooner: every
      // refusal changes exactly one row, as a wrong password does (its count, or the login's bucket).
      const changed = runs.reduce((sum, r) => sum + (r.changes ?? 0), 0);
      expect(changed, `${name}: rows changed`).toBe(1);
      written[name] = runs.reduce((sum, r) => sum + (r.rowsWritten ?? 0), 0);
    }
    const wrong = seen["wrong password"];
    // The lookup, then one batch of the bucket's and the user's failure count.
    expect(wrong).toHaveLength(3);
    for (const [name] of cases) expect(seen[name], name).toEqual(wrong);
    // And as much of it: D1's rows_written counts index entries too. A counted failure rewrites the
    // user's row and its users_status and users_last_updated entries; the bucket's upsert its row
    // and two index entries (migrations/0008_sign_in_failures.sql).
    expect(written["wrong password"]).toBe(3);
    for (const [name] of cases)
      expect(written[name], `${name}: rows written`).toBe(written["wrong password"]);
    // The refusals that are not a wrong password changed nothing: only that one counts.
    expect((await userRow(active.id))?.failed_attempts).toBe(1);
  });
});

describe("logins the same to a person are the same login", () => {
  it("refuses a second login that differs only in Unicode case or normalisation, and upper case outside ASCII", async () => {
    const local = uniqueId("jürgen");
    const first = await adminCall("POST", "/users?activate=false", newUser(`${local}@example.test`));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const before = (
      await adminCall("GET", `/users?search=${encodeURIComponent('profile.lastName eq "Test"')}`)
    ).body.length;

    // The same letters, decomposed (NFD): a person cannot tell them apart.
    const decomposed = await adminCall(
      "POST",
      "/users?activate=false",
      newUser(`${local.normalize("NFD")}@EXAMPLE.test`),
    );
    expect(decomposed.status).toBe(400);
    expect(JSON.stringify(decomposed.body.errorCauses)).toContain("already exists");

    for (const login of [
      `${local.toUpperCase()}@example.test`, // Ü
      `${uniqueId("ＡＢＣ")}@example.test`, // fullwidth capitals
      `${uniqueId("İstanbul")}@example.test`,
    ]) {
      const res = await adminCall("POST", "/users?activate=false", newUser(login));
      expect(res.status, login).toBe(400);
      expect(res.body.errorCode).toBe("E0000001");
    }
    // KELVIN SIGN is K in NFC: "\u212Aate@…" is kate's login, not a second one.
    const kate = `${uniqueId("kate")}@example.test`;
    expect((await adminCall("POST", "/users?activate=false", newUser(kate))).status).toBe(200);
    const kelvin = await adminCall("POST", "/users?activate=false", newUser(`\u212A${kate.slice(1)}`));
    expect(kelvin.status).toBe(400);
    expect(JSON.stringify(kelvin.body.errorCauses)).toContain("already exists");

    const after = (
      await adminCall("GET", `/users?search=${encodeURIComponent('profile.lastName eq "Test"')}`)
    ).body.length;
    expect(after).toBe(before + 1);
  });

  it("stores the login in NFC, finds it by any case and form, and counts every variant's failures on one user", async () => {
    const local = uniqueId("jürgen");
    const login = `${local}@example.test`;
    const created = await adminCall(
      "POST",
      "/users?activate=true",
      newUser(`${local.normalize("NFD")}@example.test`, PASSWORD),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.profile.login).toBe(login);
    const id = created.body.id as string;
    expect((await adminCall("GET", `/users/${encodeURIComponent(login.toUpperCase())}`)).body.id).toBe(id);
    expect(
      (
        await adminCall(
          "GET",
          `/users?filter=${encodeURIComponent(`profile.login eq "${login.toUpperCase()}"`)}`,
        )
      ).body[0]?.id,
    ).toBe(id);
    expect((await adminCall("POST", `/apps/${world.clientId}/users`, { id })).status).toBe(200);

    const upper = await passwordGrant(login.toUpperCase(), PASSWORD);
    expect(upper.status, JSON.stringify(upper.body)).toBe(200);
    const nfd = await passwordGrant(login.normalize("NFD"), PASSWORD);
    expect(nfd.status, JSON.stringify(nfd.body)).toBe(200);

    for (const variant of [login.toUpperCase(), login.normalize("NFD"), login]) {
      expect(await passwordGrant(variant, "Wrong-Horse-9")).toEqual({ status: 400, body: INVALID });
    }
    expect(await userRow(id)).toMatchObject({ status: "ACTIVE", failed_attempts: 3 });
  });
});

describe("attribute names that are JavaScript's own", () => {
  it("a group search or log filter on constructor, __proto__ or toString is 400 E0000031, never a 500", async () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      for (const path of [
        `/groups?search=${encodeURIComponent(`${name} eq "x"`)}`,
        `/groups?search=${encodeURIComponent(`${name} pr`)}`,
        `/logs?filter=${encodeURIComponent(`${name} eq "x"`)}`,
      ]) {
        const res = await adminCall("GET", path);
        expect(res.status, path).toBe(400);
        expect(res.body.errorCode, path).toBe("E0000031");
      }
    }
  });

  it("a profile attribute named __proto__ is refused, not silently dropped; constructor is an attribute like any other", async () => {
    const login = `${uniqueId("proto")}@example.test`;
    const profile = `"login":"${login}","email":"p@example.test","firstName":"P","lastName":"Q"`;
    const user = await adminCall(
      "POST",
      "/users?activate=false",
      `{"profile":{${profile},"__proto__":["x"]}}`,
    );
    expect(user.status).toBe(400);
    expect(JSON.stringify(user.body.errorCauses)).toContain("__proto__");
    const name = uniqueId("proto-group");
    const group = await adminCall("POST", "/groups", `{"profile":{"name":"${name}","__proto__":["x"]}}`);
    expect(group.status).toBe(400);
    expect((await adminCall("GET", `/groups?q=${name}`)).body).toEqual([]);
    const assignment = await adminCall(
      "POST",
      `/apps/${world.clientId}/users`,
      `{"id":"${world.carol.id}","profile":{"__proto__":["x"]}}`,
    );
    expect(assignment.status).toBe(400);

    const kept = await adminCall(
      "POST",
      "/users?activate=false",
      `{"profile":{${profile},"constructor":"c"}}`,
    );
    expect(kept.status).toBe(200);
    expect(kept.body.profile.constructor).toBe("c");
  });
});

describe("state that outlives its object", () => {
  it("an app pruned by config as code takes its assignments with it: recreated under the same id, nobody is assigned", async () => {
    const appId = uniqueId("pruned-app");
    const app = { client_id: appId, client_name: "pruned", client_secrets: [SECRET] };
    expect((await adminCall("POST", "/warden/import", { clients: [app] })).status).toBe(200);
    const login = `${uniqueId("assigned")}@example.test`;
    const user = await adminCall("POST", "/users?activate=false", newUser(login));
    const group = await adminCall("POST", "/groups", { profile: { name: uniqueId("pruned-group") } });
    expect((await adminCall("POST", `/apps/${appId}/users`, { id: user.body.id })).status).toBe(200);
    expect((await adminCall("PUT", `/apps/${appId}/groups/${group.body.id}`, {})).status).toBe(200);

    const exported = (await adminCall("GET", "/warden/export")).body;
    const without = {
      ...exported,
      clients: exported.clients.filter((c: { client_id: string }) => c.client_id !== appId),
    };
    const pruned = await adminCall("POST", "/warden/import?prune=true", without);
    expect(pruned.status, JSON.stringify(pruned.body)).toBe(200);
    expect(pruned.body.deleted.clients).toContain(appId);
    const rows = await db
      .prepare(
        "SELECT (SELECT count(*) FROM app_users WHERE app_id = ?1) + (SELECT count(*) FROM app_groups WHERE app_id = ?1) AS n",
      )
      .bind(appId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);

    expect((await adminCall("POST", "/warden/import", { clients: [app] })).status).toBe(200);
    expect((await adminCall("GET", `/apps/${appId}/users`)).body).toEqual([]);
    expect((await adminCall("GET", `/apps/${appId}/groups`)).body).toEqual([]);
  });

  it("a new password starts a new failure count: the old password's failures do not lock the new one", async () => {
    const login = `${uniqueId("reset")}@example.test`;
    const created = await adminCall("POST", "/users?activate=true", newUser(login, PASSWORD));
    const id = created.body.id as string;
    await db
      .prepare("UPDATE users SET failed_attempts = ? WHERE id = ?")
      .bind(PASSWORD_LOCKOUT_ATTEMPTS - 1, id)
      .run();
    const changed = await adminCall("POST", `/users/${id}`, {
      credentials: { password: { value: "Brand-New-Horse-7" } },
    });
    expect(changed.status).toBe(200);
    expect((await userRow(id))?.failed_attempts).toBe(0);
    expect((await checkPassword(db, login, "typo-Horse-7", NOW)).ok).toBe(false);
    expect(await userRow(id)).toMatchObject({ status: "ACTIVE", failed_attempts: 1 });
  });

  it("a user deleted and created again with the same login inherits no group, assignment or token", async () => {
    const login = `${uniqueId("again")}@example.test`;
    const first = await adminCall("POST", "/users?activate=true", {
      ...newUser(login, PASSWORD),
      groupIds: [world.engineers],
    });
    expect(first.status).toBe(200);
    expect((await adminCall("POST", `/apps/${world.clientId}/users`, { id: first.body.id })).status).toBe(
      200,
    );
    expect((await passwordGrant(login, PASSWORD, "read")).status).toBe(200);

    // The first DELETE deactivates: DEPROVISIONED keeps its rows, and gets no token.
    expect((await adminCall("DELETE", `/users/${first.body.id}`)).status).toBe(204);
    expect(await passwordGrant(login, PASSWORD, "read")).toEqual({ status: 400, body: INVALID });
    expect((await adminCall("DELETE", `/users/${first.body.id}`)).status).toBe(204);

    const second = await adminCall("POST", "/users?activate=true", newUser(login.toUpperCase(), PASSWORD));
    expect(second.status).toBe(200);
    expect(second.body.id).not.toBe(first.body.id);
    const groups = (await adminCall("GET", `/users/${second.body.id}/groups`)).body;
    expect(groups.map((g: { id: string }) => g.id)).toEqual([EVERYONE_GROUP_ID]);
    expect(await passwordGrant(login, PASSWORD, "read")).toEqual({
      status: 400,
      body: { error: "access_denied", error_description: "User is not assigned to the client application." },
    });
  });
});

describe("D1 limits", () => {
  it("a page of an app assigned to Everyone reads about a page of users, not every user", async () => {
    const appId = uniqueId("everyone-app");
    const marker = uniqueId("bulk").replaceAll("-", "");
    await db
      .prepare(
        `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3000)
         INSERT INTO users (id, status, profile, created, last_updated)
         SELECT printf('00u%s%06d', ?1, i), 'ACTIVE',
                json_object('login', ?1 || i || '@bulk.test', 'email', 'b@bulk.test', 'firstName', 'B', 'lastName', 'K'),
                0, 0 FROM k`,
      )
      .bind(marker)
      .run();
    await assignGroup(db, appId, EVERYONE_GROUP_ID, {}, NOW);
    const { db: watched, runs } = observed(db);
    const page = await listAppUsers(watched, appId, { limit: 20, after: `00u${marker}` });
    expect(page.users.map((u) => u.user.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `00u${marker}${String(i + 1).padStart(6, "0")}`),
    );
    expect(page.users.every((u) => u.scope === "GROUP" && u.group?.id === EVERYONE_GROUP_ID)).toBe(true);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.rowsRead ?? Number.POSITIVE_INFINITY).toBeLessThan(500);
  });
});

describe("rights: group membership through the Users API", () => {
  async function call(authorization: string, body: unknown) {
    const res = await freshApp()(adminRequest("POST", "/users?activate=false", body, authorization));
    return { status: res.status, body: (await res.json()) as { errorCauses?: unknown; id?: string } };
  }
  async function tokenWith(scopes: string[]): Promise<string> {
    const res = await adminCall("POST", "/api-tokens", { name: uniqueId("tok"), scopes });
    expect(res.status).toBe(201);
    return `SSWS ${res.body.token}`;
  }

  it("okta.users.manage alone cannot put a new user in a group (group membership decides policy)", async () => {
    const group = await adminCall("POST", "/groups", { profile: { name: uniqueId("Admitted") } });
    const profile = (login: string) => ({ login, email: login, firstName: "G", lastName: "M" });
    const usersOnly = await tokenWith(["okta.users.manage"]);
    const refused = await call(usersOnly, {
      profile: profile(`${uniqueId("gm")}@example.test`),
      groupIds: [group.body.id],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.errorCauses).toEqual([{ errorSummary: "requires okta.groups.manage" }]);
    expect((await adminCall("GET", `/groups/${group.body.id}/users`)).body).toEqual([]);
    // Without groupIds the users right is enough; with both rights the membership is written.
    expect((await call(usersOnly, { profile: profile(`${uniqueId("gm")}@example.test`) })).status).toBe(200);
    const both = await tokenWith(["okta.users.manage", "okta.groups.manage"]);
    const created = await call(both, {
      profile: profile(`${uniqueId("gm")}@example.test`),
      groupIds: [group.body.id],
    });
    expect(created.status).toBe(200);
    const members = (await adminCall("GET", `/groups/${group.body.id}/users`)).body as { id: string }[];
    expect(members.map((m) => m.id)).toEqual([created.body.id]);
  });
});
