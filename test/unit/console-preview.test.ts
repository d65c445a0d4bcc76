/**
 * Token Preview's pure rules (console/src/preview-view.ts): the request body, the trace drawn
 * policy by policy with each rule under its policy and the reason in words, and what became of
 * each of the server's access-token claims.
 */
import { describe, expect, it } from "vitest";
import {
  claimOutcomes,
  denialText,
  grantedScopes,
  instantOf,
  PREVIEW_GRANT_TYPES,
  previewBody,
  ruleWords,
  type TraceEntry,
  tracePolicies,
} from "../../console/src/preview-view";
import { OIDC_SCOPES, scopeChoices } from "../../console/src/scope-choices";
import type { Claim } from "../../console/src/types";
import { PREVIEW_USER_GRANT_TYPES } from "../../src/admin/token-preview";
import { RESERVED_SCOPES } from "../../src/config/defaults";
import { evaluate } from "../../src/policy";
import { config, policy, request, rule } from "./policy-fixtures";

describe("previewBody", () => {
  it("names a user only for a grant that has one (the API refuses a user with client_credentials)", () => {
    const draft = { clientId: "0oa1", userId: "00u1", scopes: ["a", "b"] };
    expect(previewBody({ ...draft, grantType: "client_credentials" })).toEqual({
      clientId: "0oa1",
      grantType: "client_credentials",
      scopes: ["a", "b"],
    });
    expect(previewBody({ ...draft, grantType: "password" })).toEqual({
      clientId: "0oa1",
      grantType: "password",
      scopes: ["a", "b"],
      userId: "00u1",
    });
  });

  it("offers exactly the grant types the API previews, the user ones with a user", () => {
    expect(
      PREVIEW_GRANT_TYPES.filter((g) => g.user)
        .map((g) => g.value)
        .sort(),
    ).toEqual([...PREVIEW_USER_GRANT_TYPES].sort());
    expect(PREVIEW_GRANT_TYPES.filter((g) => !g.user).map((g) => g.value)).toEqual(["client_credentials"]);
  });
});

describe("tracePolicies", () => {
  const trace: TraceEntry[] = [
    { kind: "policy", id: "p1", name: "Partners", outcome: "skipped", reason: "client_not_included" },
    {
      kind: "rule",
      policyId: "p1",
      id: "r1",
      name: "Partner rule",
      outcome: "not_evaluated",
      reason: "policy_skipped",
    },
    { kind: "policy", id: "p2", name: "Default", outcome: "matched" },
    { kind: "rule", policyId: "p2", id: "r2", name: "Off", outcome: "skipped", reason: "inactive" },
    {
      kind: "rule",
      policyId: "p2",
      id: "r3",
      name: "Humans",
      outcome: "skipped",
      reason: "grant_type_not_included",
    },
    { kind: "rule", policyId: "p2", id: "r4", name: "Machines", outcome: "matched" },
    { kind: "policy", id: "p3", name: "Later", outcome: "not_evaluated", reason: "earlier_match" },
  ];

  it("puts each rule under its policy, in order, with its reason in words", () => {
    const policies = tracePolicies(trace);
    expect(policies.map((p) => [p.name, p.verdict, p.rules.map((r) => [r.name, r.verdict])])).toEqual([
      ["Partners", "skipped", [["Partner rule", "not_evaluated"]]],
      [
        "Default",
        "matched",
        [
          ["Off", "skipped"],
          ["Humans", "skipped"],
          ["Machines", "matched"],
        ],
      ],
      ["Later", "not_evaluated", []],
    ]);
    expect(policies[0]?.because).toBe("The client is not assigned to this policy.");
    expect(policies[1]?.because).toBeUndefined();
    expect(policies[1]?.rules.map((r) => r.because)).toEqual([
      "The rule is inactive.",
      "Grant type not allowed by this rule.",
      undefined,
    ]);
    expect(policies[2]?.because).toMatch(/earlier policy/);
  });

  it("draws the real engine's trace: skipped rules under their policy, though written before it", () => {
    const server = config([
      policy("p1", 1, [rule("r1", 1)], { name: "Partners", clients: ["someone-else"] }),
      policy(
        "p2",
        2,
        [
          rule("r2", 1, { name: "Off", status: "INACTIVE" }),
          rule("r3", 2, { name: "Humans", grantTypes: ["authorization_code"] }),
          rule("r4", 3, { name: "Machines" }),
          rule("r5", 4, { name: "Spare" }),
        ],
        { name: "Main" },
      ),
      policy("p3", 3, [rule("r6", 1)], { name: "Later" }),
    ]);
    const decision = evaluate(request({ requestedScopes: ["read"] }), server);
    expect(decision.ok).toBe(true);
    const drawn = tracePolicies(decision.trace);
    expect(drawn.map((p) => [p.name, p.verdict, p.rules.map((r) => `${r.name}:${r.verdict}`)])).toEqual([
      ["Partners", "skipped", ["Rule r1:not_evaluated"]],
      ["Main", "matched", ["Off:skipped", "Humans:skipped", "Machines:matched", "Spare:not_evaluated"]],
      ["Later", "not_evaluated", ["Rule r6:not_evaluated"]],
    ]);
    expect(drawn[1]?.rules.map((r) => r.because)).toEqual([
      "The rule is inactive.",
      "Grant type not allowed by this rule.",
      undefined,
      "Not evaluated: an earlier rule already granted the token.",
    ]);
  });

  it("drops a rule naming no policy of the trace rather than inventing one", () => {
    expect(
      tracePolicies([{ kind: "rule", policyId: "gone", id: "r", name: "r", outcome: "matched" }]),
    ).toEqual([]);
  });

  it("has words for each of the engine's people and scope reasons", () => {
    expect(ruleWords("user_not_included")).toMatch(/^User not included/);
    expect(ruleWords("user_excluded")).toMatch(/^User excluded/);
    expect(ruleWords("group_excluded")).toMatch(/group this rule excludes/);
    expect(ruleWords("scopes_not_covered")).toMatch(/^Scope not allowed/);
  });
});

describe("claimOutcomes", () => {
  const claim = (name: string, extra: Partial<Claim> = {}): Claim => ({
    id: `ocl-${name}`,
    name,
    status: "ACTIVE",
    claimType: "RESOURCE",
    valueType: "EXPRESSION",
    value: "user.email",
    alwaysIncludeInToken: true,
    conditions: { scopes: [] },
    system: false,
    ...extra,
  });
  const claims = [
    claim("tier"),
    claim("region", { conditions: { scopes: ["reports:read", "other"] } }),
    claim("partner", { conditions: { scopes: ["partners"] } }),
    claim("off", { status: "INACTIVE" }),
    claim("broken"),
    claim("nothing"),
    claim("email", { claimType: "IDENTITY" }),
  ];
  const payload = { tier: "gold", region: "eu", scp: ["reports:read"] };
  const failures = [{ claim: "broken", reason: "evaluation_failed" as const, message: "Division by zero" }];

  it("says of each access-token claim whether it is in the token, and why or why not", () => {
    expect(claimOutcomes(claims, payload, failures)).toEqual([
      { name: "tier", included: true, because: "Included: it is in access tokens for any scope." },
      {
        name: "region",
        included: true,
        because: "Included: it is in access tokens for a granted scope (reports:read).",
      },
      { name: "partner", included: false, because: "Left out: none of its scopes (partners) was granted." },
      { name: "off", included: false, because: "Left out: the claim is inactive." },
      {
        name: "broken",
        included: false,
        because: "Left out: its expression failed for this request. Division by zero",
      },
      { name: "nothing", included: false, because: "Left out: its value was empty (null) for this request." },
    ]);
  });

  it("reads RFC 9068's space-separated scope as well as Okta's scp", () => {
    expect(grantedScopes({ scope: "a b" })).toEqual(["a", "b"]);
    expect(grantedScopes({ scp: ["a", 3] })).toEqual(["a"]);
    expect(grantedScopes({})).toEqual([]);
  });
});

describe("denialText and instantOf", () => {
  it("reads the token endpoint's error and Okta's 404 alike", () => {
    expect(denialText({ error: "access_denied", error_description: "Policy evaluation failed" })).toEqual({
      code: "access_denied",
      text: "Policy evaluation failed",
    });
    expect(denialText({ errorCode: "E0000007", errorSummary: "Not found" })).toEqual({
      code: "E0000007",
      text: "Not found",
    });
  });

  it("shows epoch seconds as an instant, and nothing for what is not one", () => {
    expect(instantOf(1_700_000_000)).toBe("2023-11-14T22:13:20.000Z");
    expect(instantOf("1700000000")).toBeUndefined();
    expect(instantOf(1e15)).toBeUndefined();
    expect(instantOf(Number.NaN)).toBeUndefined();
  });
});

describe("scopeChoices", () => {
  // The console's one list (rule form, claim conditions, preview): held to the server's here.
  it("lists the OIDC scopes the server honours, as the server's RESERVED_SCOPES", () => {
    expect([...OIDC_SCOPES]).toEqual([...RESERVED_SCOPES]);
  });

  it("puts the server's own first, in its order, then the OIDC scopes it does not list", () => {
    expect(scopeChoices([{ name: "reports:read" }, { name: "openid" }])).toEqual([
      "reports:read",
      ...RESERVED_SCOPES,
    ]);
  });
});
