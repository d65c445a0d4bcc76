/**
 * GROUPS claims through resolveClaims, with a user's groups in the context: Okta's four filters,
 * case-sensitivity, the 100-group cap and the one budget a claim's filter gets.
 */
import { describe, expect, it } from "vitest";
import type { ExpressionContext, ExpressionGroup } from "../../src/claims/expression";
import { MAX_GROUPS_IN_CLAIM } from "../../src/claims/group-filter";
import { resolveClaims } from "../../src/claims/resolve";
import { type Claim, ServerConfig } from "../../src/config/schemas";
import { withinMs } from "./expression-fixtures";

type FilterType = NonNullable<Claim["group_filter_type"]>;

const GROUPS: ExpressionGroup[] = [
  { id: "00g1", name: "Everyone" },
  { id: "00g2", name: "IT-Admins" },
  { id: "00g3", name: "IT-Support" },
  { id: "00g4", name: "it-interns" },
  { id: "00g5", name: "Sales IT" },
  { id: "00g6", name: "IT" },
];

function groupsClaim(type: FilterType, value: string, name = "groups") {
  return ServerConfig.parse({
    server: { id: "aus_groups", name: "groups", audiences: ["api://groups"] },
    scopes: [{ id: "s-read", name: "read", default: true }],
    claims: [
      { id: `c-${name}`, name, claimType: "RESOURCE", valueType: "GROUPS", group_filter_type: type, value },
    ],
  });
}

function context(groups: readonly ExpressionGroup[] | null = GROUPS): ExpressionContext {
  return {
    user: groups ? { login: "ada@example.com" } : null,
    appuser: null,
    groups,
    app: { clientId: "0oaclient", profile: {} },
    access: { scope: ["read"] },
    now: () => 0,
  };
}

function groupsFor(type: FilterType, value: string, groups: readonly ExpressionGroup[] = GROUPS) {
  return resolveClaims(groupsClaim(type, value), "RESOURCE", ["read"], context(groups));
}

describe("GROUPS claims: Okta's filters over the user's group names", () => {
  it.each<[FilterType, string, string[]]>([
    ["STARTS_WITH", "IT", ["IT-Admins", "IT-Support", "IT"]],
    ["STARTS_WITH", "IT-", ["IT-Admins", "IT-Support"]],
    ["STARTS_WITH", "Nope", []],
    ["EQUALS", "IT", ["IT"]],
    ["EQUALS", "IT-Admins", ["IT-Admins"]],
    ["EQUALS", "IT-Admin", []],
    ["CONTAINS", "IT", ["IT-Admins", "IT-Support", "Sales IT", "IT"]],
    ["CONTAINS", "-", ["IT-Admins", "IT-Support", "it-interns"]],
    ["REGEX", ".*", ["Everyone", "IT-Admins", "IT-Support", "it-interns", "Sales IT", "IT"]],
    ["REGEX", "IT-.*", ["IT-Admins", "IT-Support"]],
    ["REGEX", "(?i)it-.*", ["IT-Admins", "IT-Support", "it-interns"]],
    ["REGEX", "IT-(Admins|Support)", ["IT-Admins", "IT-Support"]],
  ])("%s %j", (type, value, expected) => {
    expect(groupsFor(type, value)).toEqual({ values: { groups: expected }, failures: [] });
  });

  it("matches a REGEX against the whole name, as Java's String.matches, never a substring", () => {
    expect(groupsFor("REGEX", "Admins").values.groups).toEqual([]);
    expect(groupsFor("REGEX", "IT").values.groups).toEqual(["IT"]);
    expect(groupsFor("REGEX", "Sales").values.groups).toEqual([]);
  });

  it("compares case-sensitively, as Okta's expression language and group rules do", () => {
    expect(groupsFor("STARTS_WITH", "it").values.groups).toEqual(["it-interns"]);
    expect(groupsFor("EQUALS", "everyone").values.groups).toEqual([]);
    expect(groupsFor("CONTAINS", "admins").values.groups).toEqual([]);
    expect(groupsFor("REGEX", "it.*").values.groups).toEqual(["it-interns"]);
  });

  it("keeps the user's group order and includes an empty list when nothing matches", () => {
    const reversed = [...GROUPS].reverse();
    expect(groupsFor("STARTS_WITH", "IT-", reversed).values.groups).toEqual(["IT-Support", "IT-Admins"]);
    expect(groupsFor("EQUALS", "Nobody").values).toEqual({ groups: [] });
  });

  it("omits the claim when there is no user (client_credentials)", () => {
    expect(resolveClaims(groupsClaim("REGEX", ".*"), "RESOURCE", ["read"], context(null))).toEqual({
      values: {},
      failures: [],
    });
  });
});

describe("GROUPS claims: bounds", () => {
  const many = Array.from({ length: 250 }, (_, i) => ({
    id: `g${i}`,
    name: `team-${String(i).padStart(3, "0")}`,
  }));

  it(`caps the claim at Okta's ${MAX_GROUPS_IN_CLAIM} groups, the first ones in the user's order`, () => {
    const names = groupsFor("STARTS_WITH", "team-", many).values.groups as string[];
    expect(MAX_GROUPS_IN_CLAIM).toBe(100);
    expect(names).toHaveLength(100);
    expect(names[0]).toBe("team-000");
    expect(names.at(-1)).toBe("team-099");
    expect(groupsFor("REGEX", "team-2.*", many).values.groups).toHaveLength(50);
  });

  it("gives one budget to all of a claim's groups: a costly regex over many groups fails, in bounded time", () => {
    // Each name alone is cheap for this pattern; 2,000 of them are not.
    const long = Array.from({ length: 2000 }, (_, i) => ({ id: `g${i}`, name: `${"a".repeat(60)}${i}` }));
    const resolved = withinMs(1000, () => groupsFor("REGEX", "(a|aa)*(b|c)", long));
    expect(resolved.values).toEqual({});
    expect(resolved.failures).toEqual([
      { claim: "groups", reason: "regex_budget", message: expect.stringContaining("budget") },
    ]);
    // The same pattern over a handful of the same names is fine.
    expect(groupsFor("REGEX", "(a|aa)*(b|c)", long.slice(0, 5))).toEqual({
      values: { groups: [] },
      failures: [],
    });
  });

  it("records a failing groups claim and still resolves the others", () => {
    const config = ServerConfig.parse({
      server: { id: "aus_groups", name: "groups", audiences: ["api://groups"] },
      claims: [
        {
          id: "c1",
          name: "costly",
          claimType: "RESOURCE",
          valueType: "GROUPS",
          group_filter_type: "REGEX",
          value: "(a|aa)*(b|c)",
        },
        {
          id: "c2",
          name: "it",
          claimType: "RESOURCE",
          valueType: "GROUPS",
          group_filter_type: "STARTS_WITH",
          value: "IT-",
        },
      ],
    });
    const long = Array.from({ length: 2000 }, (_, i) => ({ id: `g${i}`, name: `${"a".repeat(60)}${i}` }));
    const resolved = resolveClaims(config, "RESOURCE", [], context([...long, { id: "x", name: "IT-Ops" }]));
    expect(resolved.values).toEqual({ it: ["IT-Ops"] });
    expect(resolved.failures.map((f) => f.claim)).toEqual(["costly"]);
  });
});
