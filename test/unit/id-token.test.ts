import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import type { DirectoryUser } from "../../src/directory/directory";
import { accessTokenHash, buildIdToken, orgIdpId, scopeClaims } from "../../src/tokens/id-token";

const user: DirectoryUser = {
  id: "00u1234567890abcdefg",
  status: "ACTIVE",
  profile: {
    login: "alice@example.com",
    email: "alice@mail.test",
    firstName: "Alice",
    lastName: "Liddell",
    locale: "en_GB",
    timezone: "Europe/London",
    streetAddress: "1 High St",
    zipCode: "OX1",
    primaryPhone: "+44 1865 000000",
    city: 42,
  },
};

const base = {
  issuer: "https://warden.test/oauth2/default",
  clientId: "0oaweb",
  user,
  scopes: ["openid", "profile", "email"],
  issuedAt: 1_800_000_000,
  lifetimeSeconds: 3600,
  jti: "ID.abc",
  amr: ["pwd"],
  idp: "00oORG",
  authTime: 1_799_999_990,
};

describe("buildIdToken", () => {
  it("builds Okta's thin ID token: base claims, name, preferred_username and email only", () => {
    const { header, payload } = buildIdToken({ ...base, nonce: "n1", atHash: "h" }, "thin");
    expect(header).toEqual({});
    expect(payload).toEqual({
      sub: user.id,
      name: "Alice Liddell",
      email: "alice@mail.test",
      ver: 1,
      iss: base.issuer,
      aud: "0oaweb",
      iat: 1_800_000_000,
      exp: 1_800_003_600,
      jti: "ID.abc",
      amr: ["pwd"],
      idp: "00oORG",
      nonce: "n1",
      preferred_username: "alice@example.com",
      auth_time: 1_799_999_990,
      at_hash: "h",
    });
  });

  it("leaves nonce and at_hash out when absent; no scope claims without their scope", () => {
    const { payload } = buildIdToken({ ...base, scopes: ["openid"] }, "thin");
    expect(Object.keys(payload).sort()).toEqual(
      ["amr", "aud", "auth_time", "exp", "iat", "idp", "iss", "jti", "sub", "ver"].sort(),
    );
  });

  it("custom claims never override registered or standard ones", () => {
    const { payload } = buildIdToken(
      { ...base, custom: { sub: "forged", iss: "https://evil", name: "Mallory", team: "a" } },
      "thin",
    );
    expect(payload).toMatchObject({ sub: user.id, iss: base.issuer, name: "Alice Liddell", team: "a" });
  });
});

describe("scopeClaims (full, for userinfo)", () => {
  it("maps Okta's profile attributes to OIDC Core §5.1 claims; non-strings are left out", () => {
    expect(scopeClaims(user, ["openid", "profile", "email", "address", "phone"], "full")).toEqual({
      name: "Alice Liddell",
      preferred_username: "alice@example.com",
      given_name: "Alice",
      family_name: "Liddell",
      locale: "en_GB",
      zoneinfo: "Europe/London",
      email: "alice@mail.test",
      email_verified: false,
      address: { street_address: "1 High St", postal_code: "OX1" },
      phone_number: "+44 1865 000000",
    });
  });

  it("releases nothing for openid alone", () => {
    expect(scopeClaims(user, ["openid"], "full")).toEqual({});
  });
});

describe("accessTokenHash (OIDC Core §3.1.3.6)", () => {
  it("is the left half of SHA-256 for RS256/ES256/PS256 and of SHA-512 for EdDSA", async () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.e30.sig";
    const bytes = new TextEncoder().encode(token);
    const s256 = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const s512 = new Uint8Array(await crypto.subtle.digest("SHA-512", bytes));
    for (const alg of ["RS256", "ES256", "PS256"] as const) {
      expect(await accessTokenHash(token, alg)).toBe(base64url.encode(s256.slice(0, 16)));
    }
    expect(await accessTokenHash(token, "EdDSA")).toBe(base64url.encode(s512.slice(0, 32)));
  });
});

describe("orgIdpId", () => {
  it("is Okta-shaped, stable for an origin and different between origins", async () => {
    const a = await orgIdpId("https://a.example");
    expect(a).toMatch(/^00o[A-Za-z0-9]{17}$/);
    expect(await orgIdpId("https://a.example")).toBe(a);
    expect(await orgIdpId("https://b.example")).not.toBe(a);
  });
});

describe("updated_at (OIDC Core §5.1)", () => {
  const updated = { ...user, lastUpdated: 1_700_000_123_456 };

  it("is the user's lastUpdated in epoch seconds, in full (userinfo) for profile", () => {
    expect(scopeClaims(updated, ["openid", "profile"], "full").updated_at).toBe(1_700_000_123);
  });

  it("is left out of the thin ID token, without profile, and when the reader has no lastUpdated", () => {
    expect(scopeClaims(updated, ["openid", "profile"], "thin")).not.toHaveProperty("updated_at");
    expect(scopeClaims(updated, ["openid", "email"], "full")).not.toHaveProperty("updated_at");
    expect(scopeClaims(user, ["openid", "profile"], "full")).not.toHaveProperty("updated_at");
    expect(buildIdToken({ ...base, user: updated }, "thin").payload).not.toHaveProperty("updated_at");
  });
});
