/**
 * The pure half of "rights never grow" (src/config/rights.ts, src/control-plane/client-rights.ts):
 * what a scope set holds, and which scopes a client write needs.
 */
import { describe, expect, it } from "vitest";
import { ALL_RIGHTS, holds, intersect, lacking, minimal } from "../../src/config/rights";
import type { Client } from "../../src/config/schemas";
import { type ClientPower, clientWriteNeeds } from "../../src/control-plane/client-rights";

describe("rights", () => {
  it("lets a manage scope cover its read scope, never the reverse", () => {
    expect(holds(["okta.apps.manage"], "okta.apps.read")).toBe(true);
    expect(holds(["okta.apps.read"], "okta.apps.manage")).toBe(false);
    expect(holds(["okta.apps.manage"], "okta.users.read")).toBe(false);
  });

  it("names what is lacking, drops covered reads, and intersects by coverage", () => {
    expect(lacking(["okta.apps.manage"], ["okta.apps.read", "okta.users.read", "okta.users.read"])).toEqual([
      "okta.users.read",
    ]);
    expect(minimal(["okta.apps.read", "okta.apps.manage", "okta.logs.read"])).toEqual([
      "okta.apps.manage",
      "okta.logs.read",
    ]);
    expect(
      intersect(["okta.apps.manage", "okta.users.read"], ["okta.apps.read", "okta.users.manage"]),
    ).toEqual(["okta.apps.read", "okta.users.read"]);
    expect(intersect(["okta.apps.manage"], ALL_RIGHTS)).toEqual(["okta.apps.manage"]);
    expect(intersect(["okta.apps.manage"], [])).toEqual([]);
  });
});

describe("clientWriteNeeds", () => {
  const key = { kty: "EC", crv: "P-256", x: "x", y: "y", kid: "k1" } as const;
  const victim: ClientPower = {
    status: "ACTIVE",
    token_endpoint_auth_method: "private_key_jwt",
    jwks: { keys: [key] },
    grants: [{ scopeId: "okta.users.manage" }],
  };
  const change = (patch: Partial<Client>): ClientPower => ({ ...victim, ...patch });

  it("needs the grants a new client gets, and nothing for a client without grants", () => {
    expect(clientWriteNeeds(undefined, victim)).toEqual(["okta.users.manage"]);
    expect(clientWriteNeeds(undefined, change({ grants: undefined }))).toEqual([]);
  });

  it("needs every scope added or removed", () => {
    expect(clientWriteNeeds(victim, change({ grants: [{ scopeId: "okta.apps.read" }] })).sort()).toEqual([
      "okta.apps.read",
      "okta.users.manage",
    ]);
    expect(clientWriteNeeds(victim, change({ grants: [] }))).toEqual(["okta.users.manage"]);
  });

  it("needs the held grants for new credentials, a secret change or re-activation", () => {
    for (const after of [
      change({ jwks: { keys: [{ ...key, kid: "k2" }] } }),
      change({ jwks: undefined, jwks_uri: "https://evil.example/jwks" }),
      change({ token_endpoint_auth_method: "client_secret_basic" }),
    ]) {
      expect(clientWriteNeeds(victim, after)).toEqual(["okta.users.manage"]);
    }
    expect(clientWriteNeeds(victim, victim, true)).toEqual(["okta.users.manage"]);
    expect(clientWriteNeeds(change({ status: "INACTIVE" }), victim)).toEqual(["okta.users.manage"]);
  });

  it("needs the held grants for a new redirect URI or grant type (a new way to the client's tokens)", () => {
    const console: ClientPower = {
      ...victim,
      token_endpoint_auth_method: "none",
      jwks: undefined,
      grant_types: ["authorization_code"],
      redirect_uris: ["https://org.example/admin/callback"],
    };
    const edit = (patch: Partial<Client>): ClientPower => ({ ...console, ...patch });
    for (const after of [
      edit({ redirect_uris: ["https://org.example/admin/callback", "https://evil.example/cb"] }),
      edit({ redirect_uris: ["https://evil.example/cb"] }),
      edit({ grant_types: ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"] }),
    ]) {
      expect(clientWriteNeeds(console, after)).toEqual(["okta.users.manage"]);
    }
    // Taking a way away, or restating the same ones in another order, takes nothing from anyone.
    expect(clientWriteNeeds(console, edit({ redirect_uris: [] }))).toEqual([]);
    expect(
      clientWriteNeeds(console, edit({ post_logout_redirect_uris: ["https://evil.example/out"] })),
    ).toEqual([]);
    const two = edit({ redirect_uris: ["https://a.example/cb", "https://b.example/cb"] });
    expect(
      clientWriteNeeds(two, { ...two, redirect_uris: ["https://b.example/cb", "https://a.example/cb"] }),
    ).toEqual([]);
    // A client without okta.* grants needs nothing for any of it.
    expect(
      clientWriteNeeds(
        { ...console, grants: [] },
        { ...edit({ redirect_uris: ["https://evil.example/cb"] }), grants: [] },
      ),
    ).toEqual([]);
  });

  it("needs nothing for a restatement (keys in any member order) or a deactivation", () => {
    const reordered = change({ jwks: { keys: [{ kid: "k1", y: "y", x: "x", crv: "P-256", kty: "EC" }] } });
    expect(clientWriteNeeds(victim, reordered)).toEqual([]);
    expect(clientWriteNeeds(victim, change({ status: "INACTIVE" }))).toEqual([]);
  });
});
