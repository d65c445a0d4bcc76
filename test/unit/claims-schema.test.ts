/**
 * What a claim and an app profile may be, checked when configured: reserved names per token type,
 * SYSTEM claims, empty group filters, Okta's alwaysIncludeInToken, and the bounds of `app.profile`.
 */
import { describe, expect, it } from "vitest";
import { APP_PROFILE_LIMITS } from "../../src/claims/app-profile";
import { claimGoesTo } from "../../src/claims/inclusion";
import { RESERVED_CLAIMS, RESERVED_ID_TOKEN_CLAIMS } from "../../src/claims/reserved-names";
import { Claim, Client } from "../../src/config/schemas";

type ClaimInput = Parameters<typeof Claim.parse>[0];

const claim = (extra: Record<string, unknown>): ClaimInput => ({
  id: "c1",
  name: "team",
  claimType: "RESOURCE",
  valueType: "EXPRESSION",
  value: '"blue"',
  ...extra,
});

function issues(input: unknown): string[] {
  const result = Claim.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("reserved claim names", () => {
  it.each([
    "nonce",
    "at_hash",
    "c_hash",
    "amr",
    "acr",
    "idp",
    "azp",
    "sid",
    "auth_time",
    "sub",
    "iss",
    "ver",
  ])("refuses %s for an IDENTITY claim", (name) => {
    expect(issues(claim({ name, claimType: "IDENTITY" }))).toEqual([
      `name: '${name}' is a reserved claim name in ID tokens`,
    ]);
  });

  it.each(["sub", "scp", "cid", "uid", "jti", "amr", "acr", "username", "token_type"])(
    "refuses %s for a RESOURCE claim",
    (name) => {
      expect(issues(claim({ name }))).toEqual([`name: '${name}' is a reserved claim name in access tokens`]);
    },
  );

  it("reserves by token type: an ID-token name is free in an access token, and the reverse", () => {
    expect(issues(claim({ name: "nonce" }))).toEqual([]);
    expect(issues(claim({ name: "c_hash" }))).toEqual([]);
    expect(issues(claim({ name: "scp", claimType: "IDENTITY" }))).toEqual([]);
    expect(issues(claim({ name: "groups" }))).toEqual([]);
  });

  it("covers the names every token of each type carries", () => {
    for (const name of ["iss", "aud", "exp", "iat", "jti", "sub"]) {
      expect(RESERVED_CLAIMS.has(name)).toBe(true);
      expect(RESERVED_ID_TOKEN_CLAIMS.has(name)).toBe(true);
    }
  });
});

describe("valueType SYSTEM", () => {
  it("is refused: system claims are the authorization server's own", () => {
    expect(issues(claim({ valueType: "SYSTEM", value: "" }))).toEqual([
      "valueType: SYSTEM is reserved for the authorization server's own claims; use EXPRESSION or GROUPS",
    ]);
    expect(issues(claim({ valueType: "SYSTEM", value: "sub", system: true }))).toHaveLength(1);
  });
});

describe("GROUPS claims", () => {
  it("need a non-empty filter value and a filter type", () => {
    const groups = { valueType: "GROUPS", group_filter_type: "STARTS_WITH" };
    expect(issues(claim({ ...groups, value: "IT-" }))).toEqual([]);
    expect(issues(claim({ ...groups, value: "" }))).toEqual([
      "value: must not be empty for a GROUPS claim (use REGEX '.*' for every group)",
    ]);
    expect(issues(claim({ valueType: "GROUPS", value: "IT" }))).toEqual([
      "group_filter_type: required when valueType is GROUPS",
    ]);
    expect(issues(claim({ valueType: "GROUPS", group_filter_type: "REGEX", value: "(" }))).toHaveLength(1);
  });
});

describe("alwaysIncludeInToken", () => {
  it("is always true for RESOURCE claims, as in Okta, whatever is sent", () => {
    expect(Claim.parse(claim({ alwaysIncludeInToken: false })).alwaysIncludeInToken).toBe(true);
    expect(Claim.parse(claim({})).alwaysIncludeInToken).toBe(true);
  });

  it("is stored as sent for IDENTITY claims", () => {
    const identity = { claimType: "IDENTITY", name: "department" };
    expect(Claim.parse(claim({ ...identity, alwaysIncludeInToken: false })).alwaysIncludeInToken).toBe(false);
    expect(Claim.parse(claim({ ...identity, alwaysIncludeInToken: true })).alwaysIncludeInToken).toBe(true);
  });

  it("decides where an IDENTITY claim goes; a RESOURCE claim goes to the access token only", () => {
    const always = Claim.parse(claim({ claimType: "IDENTITY", name: "dept", alwaysIncludeInToken: true }));
    const onRequest = Claim.parse(
      claim({ claimType: "IDENTITY", name: "dept", alwaysIncludeInToken: false }),
    );
    const resource = Claim.parse(claim({}));
    const withAccessToken = { idTokenWithAccessTokenOrCode: true };
    const alone = { idTokenWithAccessTokenOrCode: false };

    expect(claimGoesTo(always, "id_token", withAccessToken)).toBe(true);
    expect(claimGoesTo(onRequest, "id_token", withAccessToken)).toBe(false);
    expect(claimGoesTo(onRequest, "id_token", alone)).toBe(true);
    expect(claimGoesTo(onRequest, "userinfo")).toBe(true);
    expect(claimGoesTo(always, "access_token")).toBe(false);

    expect(claimGoesTo(resource, "access_token")).toBe(true);
    expect(claimGoesTo(resource, "id_token", alone)).toBe(false);
    expect(claimGoesTo(resource, "userinfo")).toBe(false);
  });
});

describe("the app profile (app.profile.*)", () => {
  const client = (profile: unknown) => ({ client_id: "svc", client_name: "svc", profile });
  const profileIssues = (profile: unknown) => {
    const result = Client.safeParse(client(profile));
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("accepts any JSON object and is optional", () => {
    const profile = {
      groupallowlist: ["00g1", "00g2"],
      tier: "gold",
      limits: { rps: 10, burst: 2.5 },
      on: true,
      x: null,
    };
    expect(Client.parse(client(profile)).profile).toEqual(profile);
    expect(Client.parse({ client_id: "svc", client_name: "svc" }).profile).toBeUndefined();
  });

  it(`refuses more than ${APP_PROFILE_LIMITS.maxBytes} bytes of JSON`, () => {
    expect(profileIssues({ big: "x".repeat(APP_PROFILE_LIMITS.maxBytes) })).toEqual([
      expect.stringMatching(/^profile: must be at most 16384 bytes of JSON, got \d+$/),
    ]);
    expect(profileIssues({ fits: "x".repeat(APP_PROFILE_LIMITS.maxBytes - 20) })).toEqual([]);
  });

  it(`refuses nesting deeper than ${APP_PROFILE_LIMITS.maxDepth} levels, naming where`, () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < APP_PROFILE_LIMITS.maxDepth + 1; i++) deep = { a: deep };
    expect(profileIssues({ top: deep })).toEqual([
      "profile: must not nest more than 8 levels deep at 'top.a.a.a.a.a.a.a.a'",
    ]);
    let fits: unknown = "bottom";
    for (let i = 0; i < APP_PROFILE_LIMITS.maxDepth; i++) fits = [fits];
    expect(profileIssues({ top: fits })).toEqual([]);
  });

  it("refuses members no expression could read, and values that are not JSON", () => {
    expect(profileIssues(JSON.parse('{"a": {"constructor": 1}}'))).toEqual([
      "profile: must not have a member named 'constructor' at 'a': expressions cannot read it",
    ]);
    expect(profileIssues({ when: new Date(0) })).toEqual([
      "profile: must be JSON: found a non-plain object at 'when'",
    ]);
    expect(profileIssues({ n: Number.NaN })).toEqual(["profile: must hold only finite numbers at 'n'"]);
    expect(profileIssues(["not", "an", "object"])).toHaveLength(1);
  });
});
