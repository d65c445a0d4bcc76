import { describe, expect, it } from "vitest";
import { GrantType } from "../../src/config/schemas";
import {
  describeNotEvaluated,
  describeSkip,
  evaluate,
  POLICY_DENIED_DESCRIPTION,
  type PolicySkipReason,
  type RuleNotEvaluatedReason,
  type RuleSkipReason,
  type TraceEntry,
} from "../../src/policy";
import {
  CLIENT,
  config,
  expectGranted,
  expectRefused,
  policy,
  request,
  rule,
  STANDARD_SCOPES,
  scope,
  userRequest,
} from "./policy-fixtures";

const OKTA_DENIED = "Policy evaluation failed for this request, please check the policy configurations.";
const OKTA_NO_DEFAULTS =
  "The authorization server resource does not have any configured default scopes, 'scope' must be provided.";

describe("policy ordering", () => {
  it("evaluates policies in ascending priority, whatever the configuration order", () => {
    const cfg = config([
      policy("p3", 3, [rule("r3", 1)]),
      policy("p1", 1, [rule("r1", 1)]),
      policy("p2", 2, [rule("r2", 1)]),
    ]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.policy).toEqual({ id: "p1", name: "Policy p1" });
    expect(decision.rule).toEqual({ id: "r1", name: "Rule r1" });
  });

  it("keeps configuration order for policies with equal priority", () => {
    const cfg = config([
      policy("second-listed", 5, [rule("rb", 1)]),
      policy("first-listed", 5, [rule("ra", 1)]),
    ]);
    expect(expectGranted(evaluate(request(), cfg)).policy.id).toBe("second-listed");

    const swapped = config([
      policy("first-listed", 5, [rule("ra", 1)]),
      policy("second-listed", 5, [rule("rb", 1)]),
    ]);
    expect(expectGranted(evaluate(request(), swapped)).policy.id).toBe("first-listed");
  });

  it("evaluates rules in ascending priority, whatever the configuration order", () => {
    const cfg = config([policy("p", 1, [rule("r30", 30), rule("r2", 2), rule("r10", 10)])]);
    expect(expectGranted(evaluate(request(), cfg)).rule.id).toBe("r2");
  });

  it("keeps configuration order for rules with equal priority", () => {
    const cfg = config([policy("p", 1, [rule("rz", 3), rule("rx", 1), rule("ry", 1)])]);
    expect(expectGranted(evaluate(request(), cfg)).rule.id).toBe("rx");
  });

  it("orders numerically, not lexically (priority 10 after priority 9)", () => {
    const cfg = config([policy("p10", 10, [rule("r", 1)]), policy("p9", 9, [rule("r", 1)])]);
    expect(expectGranted(evaluate(request(), cfg)).policy.id).toBe("p9");
  });

  it("does not reorder or otherwise mutate the configuration", () => {
    const cfg = config([
      policy("p2", 2, [rule("r2", 2), rule("r1", 1)]),
      policy("p1", 1, [rule("r4", 4), rule("r3", 3)], { clients: ["nobody"] }),
    ]);
    const before = structuredClone(cfg);
    const first = evaluate(request({ requestedScopes: ["read", "read"] }), cfg);
    expect(cfg).toEqual(before);
    expect(cfg.policies.map((p) => p.id)).toEqual(["p2", "p1"]);
    expect(cfg.policies[0]?.rules.map((r) => r.id)).toEqual(["r2", "r1"]);
    // Deterministic: the same input gives the same decision.
    expect(evaluate(request({ requestedScopes: ["read", "read"] }), cfg)).toEqual(first);
  });
});

describe("inactive policies and rules", () => {
  it("skips an inactive policy (reason 'inactive') and moves on to the next", () => {
    const cfg = config([
      policy("off", 1, [rule("r-off", 1)], { status: "INACTIVE" }),
      policy("on", 2, [rule("r-on", 1)]),
    ]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.policy.id).toBe("on");
    expect(decision.trace[0]).toEqual({
      kind: "policy",
      id: "off",
      name: "Policy off",
      outcome: "skipped",
      reason: "inactive",
    });
    // An inactive policy's rules are never looked at, and the trace says so.
    expect(decision.trace[1]).toEqual({
      kind: "rule",
      policyId: "off",
      id: "r-off",
      name: "Rule r-off",
      outcome: "not_evaluated",
      reason: "policy_skipped",
    });
  });

  it("skips an inactive rule (reason 'inactive') and moves on to the next rule", () => {
    const cfg = config([policy("p", 1, [rule("off", 1, { status: "INACTIVE" }), rule("on", 2)])]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.rule.id).toBe("on");
    expect(decision.trace[0]).toEqual({
      kind: "rule",
      policyId: "p",
      id: "off",
      name: "Rule off",
      outcome: "skipped",
      reason: "inactive",
    });
  });

  it("denies when the only policy that would match is inactive", () => {
    const cfg = config([policy("off", 1, [rule("r", 1)], { status: "INACTIVE" })]);
    const decision = expectRefused(evaluate(request(), cfg));
    expect(decision.error).toBe("access_denied");
    expect(decision.trace).toEqual([
      { kind: "policy", id: "off", name: "Policy off", outcome: "skipped", reason: "inactive" },
      {
        kind: "rule",
        policyId: "off",
        id: "r",
        name: "Rule r",
        outcome: "not_evaluated",
        reason: "policy_skipped",
      },
    ]);
  });

  it("denies when every rule is inactive, recording no_rule_matched for the policy", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { status: "INACTIVE" })])]);
    const decision = expectRefused(evaluate(request(), cfg));
    expect(decision.error).toBe("access_denied");
    expect(decision.trace).toEqual([
      { kind: "rule", policyId: "p", id: "r", name: "Rule r", outcome: "skipped", reason: "inactive" },
      { kind: "policy", id: "p", name: "Policy p", outcome: "skipped", reason: "no_rule_matched" },
    ]);
  });
});

describe("client condition", () => {
  it("matches a policy that lists the client id", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)], { clients: ["other", CLIENT] })]);
    expect(expectGranted(evaluate(request(), cfg)).policy.id).toBe("p");
  });

  it("skips a policy that does not list the client (reason 'client_not_included')", () => {
    const cfg = config([
      policy("theirs", 1, [rule("r1", 1)], { clients: ["other"] }),
      policy("ours", 2, [rule("r2", 1)], { clients: [CLIENT] }),
    ]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.policy.id).toBe("ours");
    expect(decision.trace[0]).toEqual({
      kind: "policy",
      id: "theirs",
      name: "Policy theirs",
      outcome: "skipped",
      reason: "client_not_included",
    });
  });

  it("matches any client when the policy includes ALL_CLIENTS", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)], { clients: ["ALL_CLIENTS"] })]);
    for (const clientId of [CLIENT, "another-client", "0oa1b2c3d4"]) {
      expect(expectGranted(evaluate(request({ clientId }), cfg)).policy.id).toBe("p");
    }
  });

  it("matches client ids exactly: no case folding, no prefix matching", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)], { clients: [CLIENT] })]);
    for (const clientId of ["CLIENT-A", "client-", "client-ab"]) {
      const decision = expectRefused(evaluate(request({ clientId }), cfg));
      expect(decision.error).toBe("access_denied");
      expect(decision.trace).toEqual([
        { kind: "policy", id: "p", name: "Policy p", outcome: "skipped", reason: "client_not_included" },
        {
          kind: "rule",
          policyId: "p",
          id: "r",
          name: "Rule r",
          outcome: "not_evaluated",
          reason: "policy_skipped",
        },
      ]);
    }
  });
});

describe("grant-type condition", () => {
  it("skips a rule whose grant types exclude the request's (reason 'grant_type_not_included')", () => {
    const cfg = config([
      policy("p", 1, [
        rule("code-only", 1, { grantTypes: ["authorization_code"] }),
        rule("cc", 2, { grantTypes: ["client_credentials"] }),
      ]),
    ]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.rule.id).toBe("cc");
    expect(decision.trace[0]).toEqual({
      kind: "rule",
      policyId: "p",
      id: "code-only",
      name: "Rule code-only",
      outcome: "skipped",
      reason: "grant_type_not_included",
    });
  });

  it.each(GrantType.options)("matches %s when the rule lists it among others", (grantType) => {
    const cfg = config([policy("p", 1, [rule("r", 1, { grantTypes: [...GrantType.options] })])]);
    const user = grantType === "client_credentials" ? undefined : { id: "u1", groupIds: [] };
    expect(expectGranted(evaluate(request({ grantType, user }), cfg)).rule.id).toBe("r");
  });

  it.each(GrantType.options)("does not match %s when the rule lists every other grant type", (grantType) => {
    const others = GrantType.options.filter((g) => g !== grantType);
    const cfg = config([policy("p", 1, [rule("r", 1, { grantTypes: others })])]);
    const decision = expectRefused(evaluate(request({ grantType }), cfg));
    expect(decision.error).toBe("access_denied");
    expect(decision.trace[0]).toMatchObject({ kind: "rule", id: "r", reason: "grant_type_not_included" });
  });
});

describe("requested scopes", () => {
  it("grants exactly the requested scopes when a rule covers them all", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { scopes: ["read", "write", "admin"] })])]);
    const decision = expectGranted(evaluate(request({ requestedScopes: ["write", "read"] }), cfg));
    // The requested scopes, in request order, not the rule's list.
    expect(decision.scopes).toEqual(["write", "read"]);
  });

  it("does not match a rule that covers only some requested scopes (reason 'scopes_not_covered')", () => {
    const cfg = config([policy("p", 1, [rule("partial", 1, { scopes: ["read"] })])]);
    const decision = expectRefused(evaluate(request({ requestedScopes: ["read", "write"] }), cfg));
    expect(decision.error).toBe("access_denied");
    expect(decision.description).toBe(OKTA_DENIED);
    expect(decision.trace).toEqual([
      {
        kind: "rule",
        policyId: "p",
        id: "partial",
        name: "Rule partial",
        outcome: "skipped",
        reason: "scopes_not_covered",
      },
      { kind: "policy", id: "p", name: "Policy p", outcome: "skipped", reason: "no_rule_matched" },
    ]);
  });

  it("never grants a subset: a later rule that covers every requested scope wins", () => {
    const cfg = config([
      policy("p", 1, [
        rule("read-only", 1, { scopes: ["read"] }),
        rule("write-only", 2, { scopes: ["write"] }),
        rule("both", 3, { scopes: ["read", "write"] }),
        rule("everything", 4, { scopes: ["*"] }),
      ]),
    ]);
    const decision = expectGranted(evaluate(request({ requestedScopes: ["read", "write"] }), cfg));
    expect(decision.rule.id).toBe("both");
    expect(decision.scopes).toEqual(["read", "write"]);
    expect(decision.trace.filter((e) => e.outcome === "skipped").map((e) => [e.id, e.reason])).toEqual([
      ["read-only", "scopes_not_covered"],
      ["write-only", "scopes_not_covered"],
    ]);
  });

  it("lets '*' cover any scope the server defines", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { scopes: ["*"] })])]);
    const decision = expectGranted(
      evaluate(request({ requestedScopes: ["read", "write", "admin", "openid"] }), cfg),
    );
    expect(decision.scopes).toEqual(["read", "write", "admin", "openid"]);
  });

  it("treats '*' alongside named scopes as covering everything", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { scopes: ["read", "*"] })])]);
    expect(expectGranted(evaluate(request({ requestedScopes: ["admin"] }), cfg)).scopes).toEqual(["admin"]);
  });

  it("dedupes repeated requested scopes in the result (and still matches)", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { scopes: ["read", "write"] })])]);
    const decision = expectGranted(
      evaluate(request({ requestedScopes: ["read", "write", "read", "read", "write"] }), cfg),
    );
    expect(decision.scopes).toEqual(["read", "write"]);
  });

  it("does not let a duplicated covered scope mask an uncovered one", () => {
    const cfg = config([
      policy("p", 1, [
        rule("read-only", 1, { scopes: ["read"] }),
        rule("both", 2, { scopes: ["read", "admin"] }),
      ]),
    ]);
    const decision = expectGranted(evaluate(request({ requestedScopes: ["read", "read", "admin"] }), cfg));
    expect(decision.rule.id).toBe("both");
    expect(decision.scopes).toEqual(["read", "admin"]);
  });
});

describe("unknown scopes", () => {
  it("refuses with invalid_scope, naming the unknown scopes", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)])]);
    const decision = expectRefused(evaluate(request({ requestedScopes: ["read", "bogus"] }), cfg));
    expect(decision.error).toBe("invalid_scope");
    expect(decision.description).toBe(
      "One or more scopes are not configured for the authorization server resource: bogus",
    );
  });

  it("names every unknown scope, in request order", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)])]);
    const decision = expectRefused(
      evaluate(request({ requestedScopes: ["zeta", "read", "alpha", "api:thing"] }), cfg),
    );
    expect(decision.error).toBe("invalid_scope");
    expect(decision.description).toMatch(/: zeta alpha api:thing$/);
    expect(decision.description).not.toContain("read");
  });

  it("checks scopes before any policy: every policy and rule not evaluated, even one not for the client", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)], { clients: ["someone-else"] })]);
    const decision = expectRefused(evaluate(request({ requestedScopes: ["bogus"] }), cfg));
    expect(decision.error).toBe("invalid_scope");
    expect(decision.trace).toEqual([
      { kind: "policy", id: "p", name: "Policy p", outcome: "not_evaluated", reason: "request_refused" },
      {
        kind: "rule",
        policyId: "p",
        id: "r",
        name: "Rule r",
        outcome: "not_evaluated",
        reason: "request_refused",
      },
    ]);

    const empty = config([]);
    expect(expectRefused(evaluate(request({ requestedScopes: ["bogus"] }), empty)).error).toBe(
      "invalid_scope",
    );
  });

  it("does not let a '*' rule grant a scope the server does not define", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { scopes: ["*"] })])]);
    expect(expectRefused(evaluate(request({ requestedScopes: ["undefined-scope"] }), cfg)).error).toBe(
      "invalid_scope",
    );
  });

  it("matches scope names case-sensitively", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)])]);
    const decision = expectRefused(evaluate(request({ requestedScopes: ["READ"] }), cfg));
    expect(decision.error).toBe("invalid_scope");
    expect(decision.description).toMatch(/: READ$/);
  });
});

describe("default scopes (no scope requested)", () => {
  it("grants every default scope a '*' rule allows, in configuration order", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { scopes: ["*"] })])]);
    const decision = expectGranted(evaluate(request({ requestedScopes: [] }), cfg));
    expect(decision.scopes).toEqual(["read", "write"]);
  });

  it("grants only the default scopes the matched rule allows", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { scopes: ["write", "admin"] })])]);
    const decision = expectGranted(evaluate(request(), cfg));
    // `admin` is allowed but not a default; `read` is a default but not allowed.
    expect(decision.scopes).toEqual(["write"]);
  });

  it("skips a rule that grants none of the defaults (reason 'scopes_not_covered')", () => {
    const cfg = config([
      policy("p", 1, [
        rule("non-defaults", 1, { scopes: ["admin", "openid"] }),
        rule("some-default", 2, { scopes: ["read"] }),
      ]),
    ]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.rule.id).toBe("some-default");
    expect(decision.scopes).toEqual(["read"]);
    expect(decision.trace[0]).toMatchObject({
      kind: "rule",
      id: "non-defaults",
      reason: "scopes_not_covered",
    });
  });

  it("denies when no rule grants any default scope", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { scopes: ["admin"] })])]);
    const decision = expectRefused(evaluate(request(), cfg));
    expect(decision.error).toBe("access_denied");
    expect(decision.description).toBe(OKTA_DENIED);
  });

  it("refuses with invalid_scope when the server has no default scopes", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)])], [scope("read"), scope("write")]);
    const decision = expectRefused(evaluate(request(), cfg));
    expect(decision.error).toBe("invalid_scope");
    expect(decision.description).toBe(OKTA_NO_DEFAULTS);
    expect(decision.trace.map((e) => [e.id, e.outcome, "reason" in e ? e.reason : undefined])).toEqual([
      ["p", "not_evaluated", "request_refused"],
      ["r", "not_evaluated", "request_refused"],
    ]);
  });

  it("refuses with invalid_scope when the server defines no scopes at all", () => {
    const cfg = config([], []);
    const decision = expectRefused(evaluate(request(), cfg));
    expect(decision.error).toBe("invalid_scope");
    expect(decision.description).toBe(OKTA_NO_DEFAULTS);
  });

  it("needs no default scopes when the request names its scopes", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)])], [scope("read")]);
    expect(expectGranted(evaluate(request({ requestedScopes: ["read"] }), cfg)).scopes).toEqual(["read"]);
  });
});

describe("no match", () => {
  it("denies with access_denied and Okta's exact description", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)], { clients: ["other"] })]);
    const decision = expectRefused(evaluate(request(), cfg));
    expect(decision).toMatchObject({ ok: false, error: "access_denied" });
    expect(decision.description).toBe(OKTA_DENIED);
    expect(POLICY_DENIED_DESCRIPTION).toBe(OKTA_DENIED);
  });

  it("denies when the server has no policies", () => {
    const decision = expectRefused(evaluate(request(), config([])));
    expect(decision.error).toBe("access_denied");
    expect(decision.description).toBe(OKTA_DENIED);
    expect(decision.trace).toEqual([]);
  });

  it("denies when the matching policy has no rules (reason 'no_rule_matched')", () => {
    const cfg = config([policy("empty", 1, [])]);
    const decision = expectRefused(evaluate(request(), cfg));
    expect(decision.error).toBe("access_denied");
    expect(decision.trace).toEqual([
      { kind: "policy", id: "empty", name: "Policy empty", outcome: "skipped", reason: "no_rule_matched" },
    ]);
  });
});

describe("fall-through", () => {
  it("falls through to a later policy when no rule of a matched policy matches", () => {
    const cfg = config([
      policy("first", 1, [rule("code-only", 1, { grantTypes: ["authorization_code"] })], {
        clients: [CLIENT],
      }),
      policy("second", 2, [rule("cc", 1, { lifetimeMinutes: 15 })]),
    ]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.policy.id).toBe("second");
    expect(decision.rule.id).toBe("cc");
    expect(decision.accessTokenLifetimeSeconds).toBe(900);
    expect(decision.trace).toEqual([
      {
        kind: "rule",
        policyId: "first",
        id: "code-only",
        name: "Rule code-only",
        outcome: "skipped",
        reason: "grant_type_not_included",
      },
      { kind: "policy", id: "first", name: "Policy first", outcome: "skipped", reason: "no_rule_matched" },
      { kind: "policy", id: "second", name: "Policy second", outcome: "matched" },
      { kind: "rule", policyId: "second", id: "cc", name: "Rule cc", outcome: "matched" },
    ]);
  });

  it("stops at the first policy and rule that match: what follows is listed as not evaluated", () => {
    const cfg = config([
      policy("first", 1, [rule("a", 1, { lifetimeMinutes: 10 }), rule("a2", 2)]),
      policy("second", 2, [rule("b", 1, { lifetimeMinutes: 20 })]),
    ]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.policy.id).toBe("first");
    expect(decision.accessTokenLifetimeSeconds).toBe(600);
    expect(
      decision.trace.map((e) => [e.kind, e.id, e.outcome, "reason" in e ? e.reason : undefined]),
    ).toEqual([
      ["policy", "first", "matched", undefined],
      ["rule", "a", "matched", undefined],
      ["rule", "a2", "not_evaluated", "earlier_match"],
      ["policy", "second", "not_evaluated", "earlier_match"],
      ["rule", "b", "not_evaluated", "earlier_match"],
    ]);
  });
});

describe("token actions of the matched rule", () => {
  it("returns accessTokenLifetimeMinutes * 60 from the matched rule, not an earlier one", () => {
    const cfg = config([
      policy("p", 1, [
        rule("skipped", 1, { lifetimeMinutes: 5, grantTypes: ["password"] }),
        rule("matched", 2, { lifetimeMinutes: 1440 }),
      ]),
    ]);
    expect(expectGranted(evaluate(request(), cfg)).accessTokenLifetimeSeconds).toBe(86_400);
  });

  it("uses the schema's default lifetime (60 minutes) when the rule sets none", () => {
    const cfg = config([policy("p", 1, [rule("r", 1)])]);
    expect(expectGranted(evaluate(request(), cfg)).accessTokenLifetimeSeconds).toBe(3600);
  });

  it("returns the matched rule's inline hook id", () => {
    const cfg = config([
      policy("p", 1, [
        rule("skipped", 1, { inlineHookId: "hook-wrong", grantTypes: ["password"] }),
        rule("matched", 2, { inlineHookId: "hook-right" }),
      ]),
    ]);
    expect(expectGranted(evaluate(request(), cfg)).inlineHookId).toBe("hook-right");
  });

  it("returns undefined inlineHookId when the matched rule has no hook", () => {
    const cfg = config([
      policy("p", 1, [
        rule("skipped", 1, { inlineHookId: "hook-wrong", grantTypes: ["password"] }),
        rule("matched", 2),
      ]),
    ]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.inlineHookId).toBeUndefined();
  });
});

describe("people condition", () => {
  const grants = ["authorization_code", "client_credentials"] as const;

  it("matches any user under the default condition (groups include EVERYONE)", () => {
    const cfg = config([policy("p", 1, [rule("r", 1, { grantTypes: [...grants] })])]);
    expect(expectGranted(evaluate(userRequest({ id: "u1" }), cfg)).rule.id).toBe("r");
    expect(expectGranted(evaluate(userRequest({ id: "u2", groupIds: ["g1"] }), cfg)).rule.id).toBe("r");
  });

  it("EVERYONE matches a user in no group and a user in many", () => {
    const cfg = config([
      policy("p", 1, [
        rule("r", 1, { grantTypes: [...grants], people: { groups: { include: ["EVERYONE"] } } }),
      ]),
    ]);
    expect(evaluate(userRequest({ id: "lonely", groupIds: [] }), cfg).ok).toBe(true);
    expect(evaluate(userRequest({ id: "social", groupIds: ["a", "b", "c"] }), cfg).ok).toBe(true);
  });

  it("includes a listed user and skips others (reason 'user_not_included')", () => {
    const cfg = config([
      policy("p", 1, [
        rule("alice-only", 1, {
          grantTypes: [...grants],
          people: { users: { include: ["alice"] }, groups: { include: [] } },
        }),
      ]),
    ]);
    expect(expectGranted(evaluate(userRequest({ id: "alice" }), cfg)).rule.id).toBe("alice-only");

    const bob = expectRefused(evaluate(userRequest({ id: "bob", groupIds: ["alice"] }), cfg));
    expect(bob.error).toBe("access_denied");
    expect(bob.trace[0]).toEqual({
      kind: "rule",
      policyId: "p",
      id: "alice-only",
      name: "Rule alice-only",
      outcome: "skipped",
      reason: "user_not_included",
    });
  });

  it("includes members of a listed group and skips non-members", () => {
    const cfg = config([
      policy("p", 1, [
        rule("admins", 1, { grantTypes: [...grants], people: { groups: { include: ["g-admins"] } } }),
        rule("fallback", 2, { grantTypes: [...grants], scopes: ["read"], lifetimeMinutes: 5 }),
      ]),
    ]);
    const member = expectGranted(evaluate(userRequest({ id: "u1", groupIds: ["g-staff", "g-admins"] }), cfg));
    expect(member.rule.id).toBe("admins");

    const outsider = expectGranted(evaluate(userRequest({ id: "u2", groupIds: ["g-staff"] }), cfg));
    expect(outsider.rule.id).toBe("fallback");
    expect(outsider.trace[0]).toMatchObject({ kind: "rule", id: "admins", reason: "user_not_included" });
  });

  it("matches when the user is listed even if none of their groups is (users OR groups)", () => {
    const cfg = config([
      policy("p", 1, [
        rule("r", 1, {
          grantTypes: [...grants],
          people: { users: { include: ["alice"] }, groups: { include: ["g-admins"] } },
        }),
      ]),
    ]);
    expect(evaluate(userRequest({ id: "alice", groupIds: [] }), cfg).ok).toBe(true);
    expect(evaluate(userRequest({ id: "bob", groupIds: ["g-admins"] }), cfg).ok).toBe(true);
    expect(evaluate(userRequest({ id: "carol", groupIds: ["g-staff"] }), cfg).ok).toBe(false);
  });

  it("excludes a listed user even when EVERYONE is included", () => {
    const cfg = config([
      policy("p", 1, [
        rule("r", 1, {
          grantTypes: [...grants],
          people: { users: { exclude: ["mallory"] }, groups: { include: ["EVERYONE"] } },
        }),
      ]),
    ]);
    expect(evaluate(userRequest({ id: "alice" }), cfg).ok).toBe(true);
    const mallory = expectRefused(evaluate(userRequest({ id: "mallory" }), cfg));
    expect(mallory.trace[0]).toMatchObject({ kind: "rule", id: "r", reason: "user_excluded" });
  });

  it("lets a user exclusion win over the same user's inclusion", () => {
    const cfg = config([
      policy("p", 1, [
        rule("r", 1, {
          grantTypes: [...grants],
          people: { users: { include: ["mallory"], exclude: ["mallory"] }, groups: { include: [] } },
        }),
      ]),
    ]);
    expect(evaluate(userRequest({ id: "mallory" }), cfg).ok).toBe(false);
  });

  it("excludes members of an excluded group, even a user included by id", () => {
    const cfg = config([
      policy("p", 1, [
        rule("r", 1, {
          grantTypes: [...grants],
          people: {
            users: { include: ["alice"] },
            groups: { include: ["EVERYONE"], exclude: ["g-contractors"] },
          },
        }),
      ]),
    ]);
    expect(evaluate(userRequest({ id: "bob", groupIds: ["g-staff"] }), cfg).ok).toBe(true);
    expect(evaluate(userRequest({ id: "carol", groupIds: ["g-staff", "g-contractors"] }), cfg).ok).toBe(
      false,
    );
    const alice = expectRefused(evaluate(userRequest({ id: "alice", groupIds: ["g-contractors"] }), cfg));
    expect(alice.trace[0]).toMatchObject({ kind: "rule", id: "r", reason: "group_excluded" });
  });

  it("does not apply the people condition to client_credentials (no user)", () => {
    const cfg = config([
      policy("p", 1, [
        rule("restricted", 1, {
          people: { users: { include: ["alice"], exclude: ["bob"] }, groups: { include: ["g-admins"] } },
        }),
      ]),
    ]);
    const decision = expectGranted(evaluate(request({ grantType: "client_credentials" }), cfg));
    expect(decision.rule.id).toBe("restricted");
  });

  it("checks the grant type before the people condition", () => {
    const cfg = config([
      policy("p", 1, [
        rule("code-admins", 1, {
          grantTypes: ["authorization_code"],
          people: { groups: { include: ["g-admins"] } },
        }),
      ]),
    ]);
    const decision = expectRefused(evaluate(userRequest({ id: "u1" }, { grantType: "password" }), cfg));
    expect(decision.trace[0]).toMatchObject({ id: "code-admins", reason: "grant_type_not_included" });
  });
});

describe("trace", () => {
  it("records every policy and rule considered, in evaluation order, for a representative case", () => {
    const cfg = config([
      // Listed out of priority order on purpose.
      policy("later", 5, [rule("never", 1, { grantTypes: ["authorization_code"] })]),
      policy(
        "main",
        4,
        [
          rule("after", 3, { grantTypes: ["authorization_code"] }),
          rule("winner", 2, {
            grantTypes: ["authorization_code"],
            scopes: ["read", "admin"],
            lifetimeMinutes: 30,
          }),
          rule("admins", 1, {
            grantTypes: ["authorization_code"],
            people: { groups: { include: ["g-admins"] } },
          }),
        ],
        { clients: [CLIENT], name: "Main" },
      ),
      policy(
        "fall",
        3,
        [
          rule("narrow", 3, { grantTypes: ["authorization_code"], scopes: ["read"] }),
          rule("machine", 2, { grantTypes: ["client_credentials"] }),
          rule("disabled", 1, { status: "INACTIVE", grantTypes: ["authorization_code"] }),
        ],
        { name: "Fall" },
      ),
      policy("other", 2, [rule("o", 1)], { clients: ["other-client"], name: "Other" }),
      policy("off", 1, [rule("x", 1)], { status: "INACTIVE", name: "Off" }),
    ]);
    const decision = expectGranted(
      evaluate(userRequest({ id: "u1", groupIds: ["g-staff"] }, { requestedScopes: ["read", "admin"] }), cfg),
    );
    const expected: TraceEntry[] = [
      { kind: "policy", id: "off", name: "Off", outcome: "skipped", reason: "inactive" },
      {
        kind: "rule",
        policyId: "off",
        id: "x",
        name: "Rule x",
        outcome: "not_evaluated",
        reason: "policy_skipped",
      },
      { kind: "policy", id: "other", name: "Other", outcome: "skipped", reason: "client_not_included" },
      {
        kind: "rule",
        policyId: "other",
        id: "o",
        name: "Rule o",
        outcome: "not_evaluated",
        reason: "policy_skipped",
      },
      {
        kind: "rule",
        policyId: "fall",
        id: "disabled",
        name: "Rule disabled",
        outcome: "skipped",
        reason: "inactive",
      },
      {
        kind: "rule",
        policyId: "fall",
        id: "machine",
        name: "Rule machine",
        outcome: "skipped",
        reason: "grant_type_not_included",
      },
      {
        kind: "rule",
        policyId: "fall",
        id: "narrow",
        name: "Rule narrow",
        outcome: "skipped",
        reason: "scopes_not_covered",
      },
      { kind: "policy", id: "fall", name: "Fall", outcome: "skipped", reason: "no_rule_matched" },
      {
        kind: "rule",
        policyId: "main",
        id: "admins",
        name: "Rule admins",
        outcome: "skipped",
        reason: "user_not_included",
      },
      { kind: "policy", id: "main", name: "Main", outcome: "matched" },
      { kind: "rule", policyId: "main", id: "winner", name: "Rule winner", outcome: "matched" },
      {
        kind: "rule",
        policyId: "main",
        id: "after",
        name: "Rule after",
        outcome: "not_evaluated",
        reason: "earlier_match",
      },
      {
        kind: "policy",
        id: "later",
        name: "Policy later",
        outcome: "not_evaluated",
        reason: "earlier_match",
      },
      {
        kind: "rule",
        policyId: "later",
        id: "never",
        name: "Rule never",
        outcome: "not_evaluated",
        reason: "earlier_match",
      },
    ];
    expect(decision.trace).toEqual(expected);
    expect(decision).toMatchObject({
      ok: true,
      policy: { id: "main", name: "Main" },
      rule: { id: "winner", name: "Rule winner" },
      scopes: ["read", "admin"],
      accessTokenLifetimeSeconds: 1800,
      inlineHookId: undefined,
    });
  });

  it("records the full path on a denial", () => {
    const cfg = config([
      policy("a", 1, [rule("a1", 1, { scopes: ["read"] })]),
      policy("b", 2, [rule("b1", 1)], { clients: ["other"] }),
    ]);
    const decision = expectRefused(evaluate(request({ requestedScopes: ["write"] }), cfg));
    expect(decision.trace).toEqual([
      {
        kind: "rule",
        policyId: "a",
        id: "a1",
        name: "Rule a1",
        outcome: "skipped",
        reason: "scopes_not_covered",
      },
      { kind: "policy", id: "a", name: "Policy a", outcome: "skipped", reason: "no_rule_matched" },
      { kind: "policy", id: "b", name: "Policy b", outcome: "skipped", reason: "client_not_included" },
      {
        kind: "rule",
        policyId: "b",
        id: "b1",
        name: "Rule b1",
        outcome: "not_evaluated",
        reason: "policy_skipped",
      },
    ]);
  });

  it("gives every skipped or unevaluated entry a reason and no matched entry one", () => {
    const cfg = config([
      policy("a", 1, [rule("a1", 1, { status: "INACTIVE" }), rule("a2", 2), rule("a3", 3)]),
      policy("b", 2, [rule("b1", 1)]),
    ]);
    const trace = expectGranted(evaluate(request(), cfg)).trace;
    expect(new Set(trace.map((e) => e.outcome))).toEqual(new Set(["skipped", "matched", "not_evaluated"]));
    for (const entry of trace) {
      if (entry.outcome === "matched") expect(entry).not.toHaveProperty("reason");
      else expect(entry.reason).toBeTruthy();
    }
  });

  it("lists every policy and rule of the server exactly once, allowed, denied or refused", () => {
    const cfg = config([
      policy("a", 1, [rule("a1", 1, { scopes: ["read"] }), rule("a2", 2)]),
      policy("b", 2, [rule("b1", 1), rule("b2", 2)], { clients: ["other"] }),
      policy("c", 3, [rule("c1", 1), rule("c2", 2)]),
    ]);
    const everything = ["a", "a1", "a2", "b", "b1", "b2", "c", "c1", "c2"];
    for (const requestedScopes of [["read"], ["write"], ["bogus"], []]) {
      const decision = evaluate(request({ requestedScopes }), cfg);
      expect(decision.trace.map((e) => e.id).sort()).toEqual(everything);
    }
  });
});

describe("describeNotEvaluated", () => {
  const reasons: RuleNotEvaluatedReason[] = ["request_refused", "earlier_match", "policy_skipped"];

  it("gives every reason a distinct, non-empty description", () => {
    const texts = reasons.map(describeNotEvaluated);
    for (const text of texts) expect(text.trim().length).toBeGreaterThan(0);
    expect(new Set(texts).size).toBe(reasons.length);
  });
});

describe("describeSkip", () => {
  const reasons: (PolicySkipReason | RuleSkipReason)[] = [
    "inactive",
    "client_not_included",
    "no_rule_matched",
    "grant_type_not_included",
    "user_not_included",
    "scopes_not_covered",
  ];

  it.each(reasons)("describes %s with a non-empty string", (reason) => {
    const text = describeSkip(reason);
    expect(typeof text).toBe("string");
    expect(text.trim().length).toBeGreaterThan(0);
  });

  it("gives distinct descriptions to distinct reasons", () => {
    expect(new Set(reasons.map(describeSkip)).size).toBe(reasons.length);
  });
});

describe("scale", () => {
  it("evaluates 2000 rules and picks the last one, the only one that matches", () => {
    const count = 2000;
    const rules = Array.from({ length: count }, (_, i) => {
      const priority = i + 1;
      if (priority === count)
        return rule(`r${priority}`, priority, { scopes: ["read", "admin"], lifetimeMinutes: 7 });
      // Cycle through three different ways to miss.
      switch (priority % 3) {
        case 0:
          return rule(`r${priority}`, priority, { grantTypes: ["authorization_code"] });
        case 1:
          return rule(`r${priority}`, priority, { scopes: ["read"] });
        default:
          return rule(`r${priority}`, priority, { status: "INACTIVE" });
      }
    });
    // Reverse the configuration order so the engine must sort by priority.
    const cfg = config([policy("big", 1, rules.reverse())], STANDARD_SCOPES);
    const decision = expectGranted(evaluate(request({ requestedScopes: ["read", "admin"] }), cfg));
    expect(decision.rule.id).toBe(`r${count}`);
    expect(decision.scopes).toEqual(["read", "admin"]);
    expect(decision.accessTokenLifetimeSeconds).toBe(420);
    expect(decision.trace).toHaveLength(count + 1);
    expect(decision.trace.filter((e) => e.outcome === "skipped")).toHaveLength(count - 1);
    expect(decision.trace.at(-1)).toMatchObject({ kind: "rule", id: `r${count}`, outcome: "matched" });
  });

  it("evaluates 2000 matching rules and picks the one with the lowest priority, listed last", () => {
    const count = 2000;
    const rules = Array.from({ length: count }, (_, i) => rule(`r${i}`, count - i));
    const cfg = config([policy("big", 1, rules)]);
    const decision = expectGranted(evaluate(request(), cfg));
    expect(decision.rule.id).toBe(`r${count - 1}`);
    expect(decision.trace).toHaveLength(count + 1);
    expect(decision.trace.filter((e) => e.outcome === "not_evaluated")).toHaveLength(count - 1);
  });
});
