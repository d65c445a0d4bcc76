/**
 * The people screens' pure rules (console/src/people.ts): the query strings the users, groups and
 * system-log screens send, read back by the server's own parsers (src/directory/user-query.ts,
 * src/log/query.ts) so that what the console builds is what the API takes; typed values that try to
 * leave their string literal; the `Link` header the lists page with, including links that name
 * another origin or a path outside the API; and which lifecycle operations a user's links allow.
 */
import { describe, expect, it } from "vitest";
import {
  canDelete,
  EMPTY_LOG_SEARCH,
  groupsPath,
  instantOf,
  lifecycleOf,
  logFilterOf,
  logsPath,
  nextPathOf,
  personName,
  scimString,
  userSearchOf,
  usersPath,
} from "../../console/src/people";
import { parseUserQuery } from "../../src/directory/user-query";
import { userView } from "../../src/directory/user-view";
import type { UserRecord } from "../../src/directory/users";
import { parseFilter } from "../../src/log/filter";
import { parseLogQuery } from "../../src/log/query";

const NOW = Date.parse("2026-12-07T12:00:00.000Z");

/** The query string of a path relative to /api/v1. */
const paramsOf = (path: string) => new URL(`http://x/api/v1${path}`).searchParams;

describe("scimString", () => {
  it("escapes quotes and backslashes, so a value stays one literal", () => {
    expect(scimString('a"b\\c')).toBe('"a\\"b\\\\c"');
    // The server's parser reads it back as the same value.
    const node = parseFilter(`eventType eq ${scimString('x" or eventType pr or "y\\')}`);
    expect(node).toEqual({
      kind: "compare",
      path: "eventType",
      op: "eq",
      value: 'x" or eventType pr or "y\\',
    });
  });
});

describe("user search", () => {
  it("nothing typed: no search, the first page", () => {
    expect(userSearchOf({ text: " ", status: "" })).toBeUndefined();
    expect(usersPath({ text: "", status: "" })).toBe("/users?limit=20");
  });

  it("a beginning of any of the four names, and a status, in Okta's search syntax", () => {
    expect(userSearchOf({ text: " Ann ", status: "SUSPENDED" })).toBe(
      '(profile.login sw "Ann" or profile.email sw "Ann" or profile.firstName sw "Ann" or profile.lastName sw "Ann") and status eq "SUSPENDED"',
    );
    expect(userSearchOf({ text: "", status: "DEPROVISIONED" })).toBe('status eq "DEPROVISIONED"');
  });

  it("is taken by the Users API's own parser (search mode, paged)", () => {
    const query = parseUserQuery(paramsOf(usersPath({ text: 'o"brien\\', status: "ACTIVE" })));
    expect(query).toMatchObject({ limit: 20 });
    expect(JSON.stringify(query)).toContain('o\\"brien\\\\');
  });
});

describe("groupsPath", () => {
  it("q is the typed name's beginning, trimmed; nothing typed asks for every group", () => {
    expect(groupsPath("")).toBe("/groups?limit=20");
    expect(paramsOf(groupsPath("  Eng & Ops ")).get("q")).toBe("Eng & Ops");
  });
});

describe("nextPathOf", () => {
  it("takes rel=next among the links, as a path relative to /api/v1", () => {
    const link =
      '<https://org.example/api/v1/users?limit=20>; rel="self", <https://org.example/api/v1/users?limit=20&after=00u2>; rel="next"';
    expect(nextPathOf(link)).toBe("/users?limit=20&after=00u2");
  });

  it("no next link, no header: no next page", () => {
    expect(nextPathOf('<https://org.example/api/v1/logs?x=1>; rel="self"')).toBeUndefined();
    expect(nextPathOf(null)).toBeUndefined();
    expect(nextPathOf("")).toBeUndefined();
    expect(nextPathOf("garbage")).toBeUndefined();
  });

  it("keeps only the path of a link to another origin: the token is never sent there", () => {
    expect(nextPathOf('<https://evil.example/api/v1/users?after=1>; rel="next"')).toBe("/users?after=1");
  });

  it("a next link outside the management API is no page", () => {
    expect(nextPathOf('<https://org.example/oauth2/v1/token>; rel="next"')).toBeUndefined();
    expect(nextPathOf('<https://org.example/api/v1>; rel="next"')).toBeUndefined();
    expect(nextPathOf('<https://org.example/api/v1/../../admin>; rel="next"')).toBeUndefined();
  });
});

describe("log search", () => {
  it("an empty form: newest first, no filter", () => {
    expect(logsPath(EMPTY_LOG_SEARCH)).toBe("/logs?sortOrder=DESCENDING&limit=20");
    expect(logFilterOf(EMPTY_LOG_SEARCH)).toBeUndefined();
  });

  it("event type by its beginning, outcome exactly, the admin's expression in parentheses", () => {
    expect(logFilterOf({ eventType: "user.lifecycle", outcome: "FAILURE", advanced: "" })).toBe(
      'eventType sw "user.lifecycle" and outcome.result eq "FAILURE"',
    );
    expect(
      logFilterOf({ eventType: "policy", outcome: "", advanced: 'target.id eq "a" or target.id eq "b"' }),
    ).toBe('eventType sw "policy" and (target.id eq "a" or target.id eq "b")');
    // Alone, the admin's expression is sent as typed.
    expect(logFilterOf({ eventType: "", outcome: "", advanced: ' severity eq "WARN" ' })).toBe(
      'severity eq "WARN"',
    );
  });

  it("an event type that tries to widen the filter stays one value", () => {
    const filter = logFilterOf({ eventType: '" or eventType pr or "', outcome: "DENY", advanced: "" });
    const node = parseFilter(filter as string);
    expect(node).toMatchObject({
      kind: "and",
      left: { kind: "compare", path: "eventType", op: "sw", value: '" or eventType pr or "' },
    });
  });

  it("is taken by the System Log API's own parser", () => {
    const path = logsPath({
      since: "2026-12-01T08:30",
      until: "2026-12-02T08:30",
      eventType: "app.oauth2",
      outcome: "FAILURE",
      advanced: 'actor.alternateId eq "ann@example.com"',
      q: " denied  token ",
    });
    const query = parseLogQuery(paramsOf(path), NOW);
    expect(query.descending).toBe(true);
    expect(query.limit).toBe(20);
    expect(query.keywords).toEqual(["denied", "token"]);
    expect(query.sinceMs).toBe(new Date("2026-12-01T08:30").getTime());
    expect(query.untilMs).toBe(new Date("2026-12-02T08:30").getTime());
    expect(query.filter?.params).toContain("app.oauth2");
  });

  it("a bad expression reaches the server as typed, for it to refuse in its own words", () => {
    const path = logsPath({ ...EMPTY_LOG_SEARCH, advanced: "nosuch eq 1" });
    expect(() => parseLogQuery(paramsOf(path), NOW)).toThrow(expect.objectContaining({ code: "E0000031" }));
  });
});

describe("instantOf", () => {
  it("a datetime-local value is the same instant in ISO 8601; empty is none", () => {
    expect(instantOf("")).toBeUndefined();
    expect(instantOf("2026-12-01T08:30")).toBe(new Date("2026-12-01T08:30").toISOString());
    expect(instantOf("2026-12-01T08:30:15")).toBe(new Date("2026-12-01T08:30:15").toISOString());
  });

  it("anything else is sent as typed (the server refuses it)", () => {
    expect(instantOf("yesterday")).toBe("yesterday");
    expect(instantOf("2026-13-45T99:99")).toBe("2026-13-45T99:99");
  });
});

describe("user lifecycle", () => {
  const record = (status: UserRecord["status"]): UserRecord =>
    ({
      id: "00uabc",
      status,
      created: NOW,
      activated: null,
      statusChanged: null,
      lastLogin: null,
      lastUpdated: NOW,
      passwordChanged: null,
      profile: { login: "a@example.com", email: "a@example.com", firstName: "A", lastName: "B" },
      hasPassword: true,
    }) as unknown as UserRecord;
  const offered = (status: UserRecord["status"]) =>
    lifecycleOf(userView(record(status), "https://org.example"));

  it("offers what the server's links allow for each status, nothing else", () => {
    expect(offered("STAGED")).toEqual(["activate", "deactivate"]);
    expect(offered("ACTIVE")).toEqual(["suspend", "deactivate"]);
    expect(offered("SUSPENDED")).toEqual(["unsuspend", "deactivate"]);
    expect(offered("LOCKED_OUT")).toEqual(["unlock", "deactivate"]);
    expect(offered("DEPROVISIONED")).toEqual(["activate"]);
    expect(lifecycleOf({ status: "ACTIVE" })).toEqual([]);
  });

  it("a link named after an Object prototype key is no operation", () => {
    expect(lifecycleOf({ status: "ACTIVE", _links: JSON.parse('{"__proto__": {"activate": 1}}') })).toEqual(
      [],
    );
  });

  it("only a deactivated user can be deleted (Okta's two steps)", () => {
    expect(canDelete({ status: "DEPROVISIONED" })).toBe(true);
    expect(canDelete({ status: "ACTIVE" })).toBe(false);
    expect(canDelete({ status: "SUSPENDED" })).toBe(false);
  });
});

describe("personName", () => {
  it("first and last name, else the login", () => {
    expect(personName({ firstName: "Ann", lastName: "Lee", login: "ann@x.io" })).toBe("Ann Lee");
    expect(personName({ firstName: " ", lastName: "", login: "ann@x.io" })).toBe("ann@x.io");
    expect(personName({ firstName: "Ann", login: "ann@x.io" })).toBe("Ann");
  });
});
