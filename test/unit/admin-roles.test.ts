/**
 * What admin roles give (src/config/admin-roles.ts), and the org server's decision for a user's grant
 * asking okta.* scopes (src/oauth/org/org-server.ts): within the app's grants *and* the user's roles,
 * only while the user is ACTIVE; Okta's invalid_scope otherwise.
 */
import { describe, expect, it } from "vitest";
import { ADMIN_ROLE_TYPES, rightsOfRoles } from "../../src/config/admin-roles";
import { OKTA_SCOPES } from "../../src/config/okta-scopes";
import { Client } from "../../src/config/schemas";
import type { TokenSubject } from "../../src/directory/directory";
import { OAuthError } from "../../src/errors";
import type { GrantRequest } from "../../src/oauth/grants/grant";
import { orgServer } from "../../src/oauth/org/org-server";

describe("rightsOfRoles", () => {
  it("gives a SUPER_ADMIN every okta.* scope", () => {
    expect(rightsOfRoles(["SUPER_ADMIN"])).toEqual([...OKTA_SCOPES]);
    expect(rightsOfRoles(["SUPER_ADMIN"])).toContain("okta.roles.manage");
  });

  it("gives a READ_ONLY_ADMIN every okta.*.read scope and nothing that writes", () => {
    const rights = rightsOfRoles(["READ_ONLY_ADMIN"]);
    expect(rights).toEqual(OKTA_SCOPES.filter((s) => s.endsWith(".read")));
    expect(rights).toContain("okta.roles.read");
    expect(rights.some((s) => s.endsWith(".manage"))).toBe(false);
  });

  it("adds roles up, once each, and gives nothing for none", () => {
    expect(rightsOfRoles([])).toEqual([]);
    expect(rightsOfRoles(["READ_ONLY_ADMIN", "SUPER_ADMIN", "READ_ONLY_ADMIN"])).toEqual([...OKTA_SCOPES]);
    expect(ADMIN_ROLE_TYPES).toEqual(["SUPER_ADMIN", "READ_ONLY_ADMIN"]);
  });
});

describe("the org server's decision for a user", () => {
  const server = orgServer("https://warden.test");
  const consoleApp = Client.parse({
    client_id: "console",
    client_name: "Warden console",
    application_type: "browser",
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code"],
    redirect_uris: ["https://warden.test/admin/callback"],
    grants: [{ scopeId: "okta.users.manage" }, { scopeId: "okta.users.read" }, { scopeId: "okta.apps.read" }],
  });

  function subject(
    status: TokenSubject["user"]["status"],
    adminRoles?: TokenSubject["adminRoles"],
  ): TokenSubject {
    return {
      user: { id: "00uAdmin", status, profile: { login: "admin@example.com" } },
      groups: [],
      assigned: true,
      appProfile: {},
      ...(adminRoles ? { adminRoles } : {}),
    };
  }

  function decide(scopes: string[], who?: TokenSubject): readonly string[] {
    const request: GrantRequest = {
      grantType: "authorization_code",
      client: consoleApp,
      requestedScopes: scopes,
      subject: who,
    };
    return server.decide(request).scopes;
  }

  function refusal(scopes: string[], who?: TokenSubject): string {
    try {
      decide(scopes, who);
    } catch (error) {
      expect(error).toBeInstanceOf(OAuthError);
      expect((error as OAuthError).code).toBe("invalid_scope");
      return (error as OAuthError).description ?? "";
    }
    throw new Error("granted");
  }

  it("grants a SUPER_ADMIN what the app was granted", () => {
    expect(decide(["okta.users.manage", "okta.apps.read"], subject("ACTIVE", ["SUPER_ADMIN"]))).toEqual([
      "okta.users.manage",
      "okta.apps.read",
    ]);
  });

  it("grants a READ_ONLY_ADMIN reads only, and names the rest", () => {
    const reader = subject("ACTIVE", ["READ_ONLY_ADMIN"]);
    expect(decide(["okta.users.read", "okta.apps.read"], reader)).toEqual([
      "okta.users.read",
      "okta.apps.read",
    ]);
    expect(refusal(["okta.users.read", "okta.users.manage"], reader)).toBe(
      "The following scopes were requested, but the user's admin roles do not grant them: okta.users.manage",
    );
  });

  it("grants nothing to a user without roles, nor to an admin who is not ACTIVE", () => {
    expect(refusal(["okta.users.read"], subject("ACTIVE"))).toContain("okta.users.read");
    expect(refusal(["okta.users.read"], subject("ACTIVE", []))).toContain("okta.users.read");
    for (const status of ["SUSPENDED", "DEPROVISIONED", "LOCKED_OUT", "PROVISIONED"] as const) {
      expect(refusal(["okta.users.read"], subject(status, ["SUPER_ADMIN"]))).toContain("okta.users.read");
    }
  });

  it("never grants a SUPER_ADMIN beyond the app's grants", () => {
    expect(refusal(["okta.roles.manage"], subject("ACTIVE", ["SUPER_ADMIN"]))).toBe(
      "The following scopes were requested, but not granted to the client: okta.roles.manage",
    );
  });

  it("leaves the client_credentials decision as it was (no subject)", () => {
    expect(decide(["okta.users.manage"])).toEqual(["okta.users.manage"]);
  });
});
