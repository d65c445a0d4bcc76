/**
 * The claims screen's pure rules (console/src/claim-check.ts, console/src/claim-draft.ts): the
 * value check the console runs while an admin types says, input by input, exactly what the server's
 * refusal of that save says beside the value (src/config/schemas.ts `Claim`), so the two cannot
 * drift apart; the form's body is Okta's OAuth2Claim.
 */
import { describe, expect, it } from "vitest";
import { checkClaimValue, positionOf } from "../../console/src/claim-check";
import { claimBodyOf, claimDraftOf, EMPTY_CLAIM, faultOf } from "../../console/src/claim-draft";
import type { Claim as ConsoleClaim } from "../../console/src/types";
import { Claim } from "../../src/config/schemas";

type Value = Pick<ConsoleClaim, "valueType" | "value" | "group_filter_type">;

/** The server's words for the value of this claim, or undefined when it accepts the value. */
function serverSays(value: Value): string | undefined {
  const parsed = Claim.safeParse({ id: "ocl1", name: "tier", claimType: "RESOURCE", ...value });
  if (parsed.success) return undefined;
  return parsed.error.issues.find((i) => i.path.join(".") === "value")?.message;
}

const CASES: Value[] = [
  { valueType: "EXPRESSION", value: "user.email" },
  { valueType: "EXPRESSION", value: 'String.toUpperCase(user.firstName) + " " + user.lastName' },
  { valueType: "EXPRESSION", value: "user.email +" },
  { valueType: "EXPRESSION", value: "company.name" },
  { valueType: "EXPRESSION", value: "String.nope(user.email)" },
  { valueType: "EXPRESSION", value: '"unterminated' },
  { valueType: "EXPRESSION", value: "user.email\n  && (" },
  { valueType: "EXPRESSION", value: "user.__proto__" },
  { valueType: "EXPRESSION", value: "1 < 2 < 3" },
  { valueType: "EXPRESSION", value: "" },
  { valueType: "EXPRESSION", value: "(".repeat(300) },
  { valueType: "EXPRESSION", value: "x".repeat(5000) },
  { valueType: "EXPRESSION", value: `"${"a".repeat(1022)}"` },
  { valueType: "EXPRESSION", value: `"${"a".repeat(1023)}"` },
  { valueType: "GROUPS", group_filter_type: "REGEX", value: "a".repeat(1025) },
  { valueType: "GROUPS", group_filter_type: "STARTS_WITH", value: "eng-" },
  { valueType: "GROUPS", group_filter_type: "EQUALS", value: "" },
  { valueType: "GROUPS", group_filter_type: "REGEX", value: ".*" },
  { valueType: "GROUPS", group_filter_type: "REGEX", value: "eng-(a|b" },
  { valueType: "GROUPS", group_filter_type: "REGEX", value: "(a+)+$[" },
  { valueType: "GROUPS", group_filter_type: "REGEX", value: "\\" },
];

describe("checkClaimValue: the server's compiler and the server's words", () => {
  it.each(CASES)("%o", (value) => {
    const check = checkClaimValue(value);
    const server = serverSays(value);
    if (server === undefined) {
      expect(check).toEqual({ ok: true });
    } else {
      expect(check).toMatchObject({ ok: false, message: server });
    }
  });

  it("says where the compiler stopped: line and column of the fault", () => {
    const check = checkClaimValue({ valueType: "EXPRESSION", value: "user.email\n  && (" });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.position).toEqual({ offset: 17, line: 2, column: 7 });
    expect(check.message).toMatch(/line 2, column 7/);
  });

  it("places a regex fault by its offset, as the compiler counts lines and columns", () => {
    const check = checkClaimValue({ valueType: "GROUPS", group_filter_type: "REGEX", value: "eng-(a|b" });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.position?.offset).toBe(Number(/at offset (\d+)/.exec(check.message)?.[1]));
    expect(positionOf("ab\ncd", 4)).toEqual({ offset: 4, line: 2, column: 2 });
    expect(positionOf("ab", 99)).toEqual({ offset: 2, line: 1, column: 3 });
    expect(positionOf("ab", -5)).toEqual({ offset: 0, line: 1, column: 1 });
  });

  it("checks no expression for a plain group filter, and nothing for SYSTEM (refused on valueType)", () => {
    expect(checkClaimValue({ valueType: "GROUPS", group_filter_type: "CONTAINS", value: "(" })).toEqual({
      ok: true,
    });
    expect(checkClaimValue({ valueType: "SYSTEM", value: "((" })).toEqual({ ok: true });
  });
});

describe("faultOf: the line at fault, cut where the compiler stopped", () => {
  it("cuts the fault's own line, the character at the offset apart", () => {
    expect(faultOf("user.email\n  && (x", 15)).toEqual({ before: "  &&", at: " ", after: "(x" });
    expect(faultOf("abc", 1)).toEqual({ before: "a", at: "b", after: "c" });
  });

  it("at the end of the value or of a line there is no character: an empty mark", () => {
    expect(faultOf("user.email +", 12)).toEqual({ before: "user.email +", at: "", after: "" });
    expect(faultOf("ab\ncd", 2)).toEqual({ before: "ab", at: "", after: "" });
    expect(faultOf("\nab", 0)).toEqual({ before: "", at: "", after: "" });
  });

  it("never splits a surrogate pair, and clamps an offset out of range", () => {
    expect(faultOf("a😀b", 1)).toEqual({ before: "a", at: "😀", after: "b" });
    expect(faultOf("abc", 99)).toEqual({ before: "abc", at: "", after: "" });
    expect(faultOf("abc", -3)).toEqual({ before: "", at: "a", after: "bc" });
  });
});

describe("the claim form's body", () => {
  const stored: ConsoleClaim = {
    id: "ocl1",
    name: "groups",
    status: "INACTIVE",
    claimType: "IDENTITY",
    valueType: "GROUPS",
    value: "eng-",
    group_filter_type: "STARTS_WITH",
    alwaysIncludeInToken: false,
    conditions: { scopes: ["openid"] },
    system: false,
  };

  it("round-trips a stored claim into the same OAuth2Claim body", () => {
    expect(claimBodyOf(claimDraftOf(stored))).toEqual({
      name: "groups",
      status: "INACTIVE",
      claimType: "IDENTITY",
      valueType: "GROUPS",
      value: "eng-",
      group_filter_type: "STARTS_WITH",
      alwaysIncludeInToken: false,
      conditions: { scopes: ["openid"] },
    });
  });

  it("sends no group filter with an expression, and always-include true for an access-token claim", () => {
    const body = claimBodyOf({
      ...EMPTY_CLAIM,
      name: "tier",
      value: "user.email",
      alwaysIncludeInToken: false,
    });
    expect(body).not.toHaveProperty("group_filter_type");
    expect(body.alwaysIncludeInToken).toBe(true);
    expect(body.conditions).toEqual({ scopes: [] });
  });

  it("the body it sends is one the server's schema accepts", () => {
    const body = claimBodyOf({ ...EMPTY_CLAIM, name: "tier", value: "user.email" });
    expect(Claim.safeParse({ id: "ocl2", ...body }).success).toBe(true);
    expect(Claim.safeParse({ id: "ocl3", ...claimBodyOf(claimDraftOf(stored)) }).success).toBe(true);
  });
});
