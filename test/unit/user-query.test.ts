/**
 * The Users API's pure parts: `q` / `filter` / `search` / sort / cursors compiled to parameterised
 * SQL (every value bound, nothing from the query string in the SQL text), profile checks, and the
 * lifecycle's transitions and Okta errors. The SQL itself runs against real D1 in
 * test/worker/users.test.ts.
 */
import { describe, expect, it } from "vitest";
import { USER_PROFILE_MAX_BYTES, USERS_FILTER_MAX_PARAMS } from "../../src/config/defaults";
import { USER_STATUSES } from "../../src/directory/directory";
import { LIFECYCLE_ACTIONS, transition } from "../../src/directory/user-lifecycle";
import { checkProfile, mergeProfile } from "../../src/directory/user-profile";
import {
  decodeUserCursor,
  encodeUserCursor,
  parseUserQuery,
  userListStatement,
} from "../../src/directory/user-query";
import { ApiError } from "../../src/errors";

const parse = (query: Record<string, string>) => parseUserQuery(new URLSearchParams(query));

function refusal(fn: () => unknown): { code: string; causes: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) {
      return { code: error.code, causes: error.causes.map((c) => c.errorSummary).join("\n") };
    }
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("list queries", () => {
  it("lists everyone but DEPROVISIONED users by id, 200 a page; q 10, unpaged", () => {
    const list = parse({});
    expect(list).toMatchObject({ mode: "list", limit: 200, paged: true, descending: false });
    expect(list.where.sql).toBe("status <> 'DEPROVISIONED'");
    const q = parse({ q: "ad" });
    expect(q).toMatchObject({ mode: "q", limit: 10, paged: false });
    expect(q.where.params).toEqual(["ad", "ad", "ad", "ad", "ad", "ad"]);
    expect(parse({ limit: "5000" }).limit).toBe(200);
  });

  it("binds every value: the SQL text never holds what the query string said", () => {
    const hostile = `x' OR 1=1; DROP TABLE users; --`;
    const queries: Record<string, string>[] = [
      { q: hostile },
      { filter: `profile.email eq "${hostile}"` },
      { search: `profile.team eq "${hostile}" or profile.team sw "${hostile}"` },
      { search: `profile.email co "${hostile}"` },
    ];
    for (const query of queries) {
      const compiled = parse(query);
      expect(compiled.where.sql).not.toContain("DROP");
      expect(compiled.where.params).toContain(hostile);
    }
    // A profile attribute's name is a bound JSON path too, and only letters, digits and _ reach it.
    expect(parse({ search: 'profile.team eq "a"' }).where.params).toEqual(["$.team", "a"]);
    expect(refusal(() => parse({ search: 'profile.te"am eq "a"' })).code).toBe("E0000031");
  });

  it("filter takes Okta's attributes and eq only, ranges on lastUpdated; search more, never not or ne", () => {
    expect(parse({ filter: 'lastUpdated gt "2026-01-01T00:00:00.000Z"' }).where).toEqual({
      sql: "last_updated > ?",
      params: [Date.parse("2026-01-01T00:00:00.000Z")],
    });
    const refused: Record<string, string>[] = [
      { filter: 'profile.city eq "x"' },
      { filter: 'status sw "A"' },
      { filter: "status pr" },
      { filter: 'created gt "2026-01-01T00:00:00.000Z"' },
      { search: 'not (status eq "ACTIVE")' },
      { search: 'status ne "ACTIVE"' },
      { search: 'profile.team co "x"' },
      { search: 'lastUpdated gt "today"' },
      { search: "profile.age eq null" },
      { search: "status eq" },
      { search: "" },
    ];
    for (const query of refused)
      expect(refusal(() => parse(query)).code, JSON.stringify(query)).toBe("E0000031");
    expect(parse({ search: 'status eq "active"' }).where.params).toEqual(["ACTIVE"]);
  });

  it("bounds what one statement binds below D1's 100 parameters", () => {
    const terms = Array.from({ length: 32 }, (_, i) => `profile.a${i} sw "x"`).join(" or ");
    const { causes } = refusal(() => parse({ search: terms }));
    expect(causes).toContain(`more than ${USERS_FILTER_MAX_PARAMS} values`);
    const ok = parse({ search: Array.from({ length: 32 }, () => 'id eq "x"').join(" or ") });
    expect(ok.where.params.length).toBeLessThanOrEqual(USERS_FILTER_MAX_PARAMS);
  });

  it("refuses two of q, filter and search (E0000033), repeats, bad limits, sorts outside search", () => {
    expect(refusal(() => parse({ q: "a", search: 'status eq "ACTIVE"' })).code).toBe("E0000033");
    expect(refusal(() => parse({ filter: 'status eq "ACTIVE"', search: 'status eq "ACTIVE"' })).code).toBe(
      "E0000033",
    );
    expect(refusal(() => parseUserQuery(new URLSearchParams("q=a&q=b"))).code).toBe("E0000001");
    for (const limit of ["0", "-1", "1.5", "ten", ""]) {
      expect(refusal(() => parse({ limit })).causes).toContain("limit: must be a positive integer");
    }
    expect(refusal(() => parse({ sortBy: "profile.lastName" })).causes).toContain("search queries only");
    expect(refusal(() => parse({ search: "id pr", sortBy: "profile.a-b" })).code).toBe("E0000001");
    expect(refusal(() => parse({ search: "id pr", sortOrder: "up" })).causes).toContain("asc or desc");
  });

  it("pages on (sort key, id) with a cursor bound to the sort it was made for", () => {
    const sorted = parse({ search: "id pr", sortBy: "profile.age", sortOrder: "desc" });
    const cursor = encodeUserCursor({ id: "00uA", key: 30 });
    expect(decodeUserCursor(cursor, true)).toEqual({ id: "00uA", key: 30 });
    // An id-only cursor does not fit a sorted query, nor a sorted one an unsorted query.
    expect(decodeUserCursor(encodeUserCursor({ id: "00uA" }), true)).toBeNull();
    expect(decodeUserCursor(cursor, false)).toBeNull();
    for (const bad of ["", "!!!", btoa("not json"), btoa('{"id":"a b"}'), btoa('{"id":"a","key":{}}')]) {
      expect(decodeUserCursor(bad, true), bad).toBeNull();
    }
    const statement = userListStatement({ ...sorted, after: { id: "00uA", key: 30 } });
    expect(statement.orderBy.sql).toBe("json_extract(profile, ?) DESC, id DESC");
    // The sort key's path is bound where it is used: the cursor's condition names it three times.
    expect(statement.where.params).toEqual(["$.age", 30, "$.age", 30, "00uA", "$.age"]);
    expect(statement.limit).toBe(201);
    // Unicode survives the cursor.
    expect(decodeUserCursor(encodeUserCursor({ id: "00uB", key: "Zoë 😀" }), true)).toEqual({
      id: "00uB",
      key: "Zoë 😀",
    });
  });
});

describe("profiles", () => {
  const base = { login: "ada@example.test", email: "ada@example.test", firstName: "Ada", lastName: "L" };

  it("takes Okta's base attributes and scalar or array custom ones; drops nulls", () => {
    const checked = checkProfile({ ...base, level: 3, admin: true, tags: ["a", 1], gone: null });
    expect(checked).toEqual({ ok: true, profile: { ...base, level: 3, admin: true, tags: ["a", 1] } });
    expect(mergeProfile({ ...base, city: "x" }, { city: null, firstName: "Augusta" })).toEqual({
      ...base,
      city: null,
      firstName: "Augusta",
    });
  });

  it("refuses what Okta's base schema refuses, and more than the size bound", () => {
    const issues = (input: unknown) => {
      const checked = checkProfile(input);
      return checked.ok ? [] : checked.issues.map((i) => `${i.path}: ${i.message}`);
    };
    expect(issues({})).toEqual([
      "login: The field cannot be left blank",
      "email: The field cannot be left blank",
      "firstName: The field cannot be left blank",
      "lastName: The field cannot be left blank",
    ]);
    expect(issues({ ...base, login: "ada" })).toEqual([
      "login: Username must be in the form of an email address",
    ]);
    expect(issues({ ...base, login: "a\u0000@b" })).toHaveLength(1);
    expect(issues({ ...base, email: "no at" })).toEqual(["email: Does not match required pattern"]);
    expect(issues({ ...base, firstName: "x".repeat(51) })).toEqual([
      "firstName: must be at most 50 characters",
    ]);
    expect(issues({ ...base, nested: { a: 1 } })[0]).toContain("nested: must be a string");
    expect(issues({ ...base, n: Number.NaN })[0]).toContain("n: must be a string");
    expect(issues({ ...base, "1st": 1 })[0]).toContain("attribute names");
    expect(issues({ ...base, big: "x".repeat(USER_PROFILE_MAX_BYTES) })).toEqual([
      `profile: must be at most ${USER_PROFILE_MAX_BYTES} bytes as JSON`,
    ]);
    expect(issues(["not", "an", "object"])).toEqual(["profile: must be an object"]);
  });
});

describe("lifecycle", () => {
  const statuses = USER_STATUSES;

  it("allows Okta's transitions and answers every other with Okta's error", () => {
    const table: Record<string, string> = {};
    for (const action of LIFECYCLE_ACTIONS) {
      for (const status of statuses) {
        try {
          table[`${action} ${status}`] = transition(action, { status, hasPassword: true }).to;
        } catch (error) {
          table[`${action} ${status}`] = (error as ApiError).code;
        }
      }
    }
    expect(table).toMatchObject({
      "activate STAGED": "ACTIVE",
      "activate DEPROVISIONED": "ACTIVE",
      "activate ACTIVE": "E0000016",
      "activate SUSPENDED": "E0000016",
      "deactivate ACTIVE": "DEPROVISIONED",
      "deactivate LOCKED_OUT": "DEPROVISIONED",
      "deactivate DEPROVISIONED": "E0000038",
      "suspend ACTIVE": "SUSPENDED",
      "suspend STAGED": "E0000001",
      "suspend SUSPENDED": "E0000001",
      "unsuspend SUSPENDED": "ACTIVE",
      "unsuspend ACTIVE": "E0000001",
      "unlock LOCKED_OUT": "ACTIVE",
      "unlock ACTIVE": "ACTIVE",
      "unlock SUSPENDED": "E0000032",
      "unlock DEPROVISIONED": "E0000032",
    });
    expect(transition("activate", { status: "STAGED", hasPassword: false }).to).toBe("PROVISIONED");
    expect(transition("unlock", { status: "LOCKED_OUT", hasPassword: true }).clearsFailures).toBe(true);
  });
});
