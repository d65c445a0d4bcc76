import { describe, expect, it } from "vitest";
import { RESERVED_CLAIMS } from "../../src/claims/reserved-names";
import { buildAccessToken } from "../../src/tokens/access-token";

const base = {
  issuer: "https://warden.test/oauth2/default",
  audiences: ["api://default"],
  clientId: "0oa123",
  subject: "0oa123",
  scopes: ["read", "write"],
  issuedAt: 1_800_000_000,
  lifetimeSeconds: 3600,
  jti: "AT.abc",
};

describe("buildAccessToken", () => {
  it("builds Okta's claim set for the okta profile", () => {
    expect(buildAccessToken({ ...base, profile: "okta" })).toEqual({
      header: {},
      payload: {
        ver: 1,
        jti: "AT.abc",
        iss: base.issuer,
        aud: "api://default",
        iat: 1_800_000_000,
        exp: 1_800_003_600,
        cid: "0oa123",
        scp: ["read", "write"],
        sub: "0oa123",
      },
    });
  });

  it("adds uid only for user tokens", () => {
    expect(buildAccessToken({ ...base, profile: "okta", userId: "00u1" }).payload.uid).toBe("00u1");
    expect(buildAccessToken({ ...base, profile: "okta" }).payload).not.toHaveProperty("uid");
  });

  it("builds RFC 9068 claims and the at+jwt type for the rfc9068 profile", () => {
    const token = buildAccessToken({ ...base, profile: "rfc9068" });
    expect(token.header).toEqual({ typ: "at+jwt" });
    expect(token.payload).toEqual({
      iss: base.issuer,
      exp: 1_800_003_600,
      aud: "api://default",
      sub: "0oa123",
      client_id: "0oa123",
      iat: 1_800_000_000,
      jti: "AT.abc",
      scope: "read write",
    });
  });

  it("emits several audiences as an array (RFC 7519 §4.1.3)", () => {
    const token = buildAccessToken({ ...base, profile: "okta", audiences: ["a", "b"] });
    expect(token.payload.aud).toEqual(["a", "b"]);
  });

  it("does not share arrays with its input", () => {
    const scopes = ["read"];
    const token = buildAccessToken({ ...base, profile: "okta", scopes });
    scopes.push("write");
    expect(token.payload.scp).toEqual(["read"]);
  });

  it("reserves every claim either profile sets", () => {
    for (const profile of ["okta", "rfc9068"] as const) {
      const token = buildAccessToken({ ...base, profile, userId: "00u1" });
      for (const claim of Object.keys(token.payload)) expect(RESERVED_CLAIMS.has(claim)).toBe(true);
    }
  });
});
