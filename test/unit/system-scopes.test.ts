/**
 * The reserved OIDC scopes exist on every authorization server (DESIGN §3; Okta lists them as
 * `system` scopes of every custom server), and the management API refuses to create them. So a
 * server made through the API, which defines none of them, must still let a rule name `openid`,
 * `profile` or `email` and a request ask for them; before this, such a rule was a 400
 * ("scope 'openid' is not defined on this authorization server") and no API-made server could sign
 * anyone in with OpenID Connect.
 */
import { describe, expect, it } from "vitest";
import { RESERVED_SCOPES } from "../../src/config/defaults";
import { ServerConfig } from "../../src/config/schemas";
import { evaluate } from "../../src/policy";
import { expectGranted, policy, rule, SERVER, scope } from "./policy-fixtures";

const OWN = [scope("inventory:read")];

function serverNaming(scopes: string[]) {
  return ServerConfig.safeParse({
    server: SERVER,
    scopes: OWN,
    policies: [policy("p", 1, [rule("r", 1, { scopes, grantTypes: ["authorization_code"] })])],
  });
}

describe("reserved OIDC scopes on a server that does not define them", () => {
  it("a rule may name every reserved scope", () => {
    for (const name of RESERVED_SCOPES)
      expect(serverNaming([name, "inventory:read"]).success, name).toBe(true);
  });

  it("a rule naming a scope that is neither defined nor reserved is still refused", () => {
    const parsed = serverNaming(["openid", "inventory:write"]);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain("scope 'inventory:write' is not defined");
  });

  it("a user's request for openid profile email is granted by a rule that names them", () => {
    const parsed = serverNaming(["openid", "profile", "email", "inventory:read"]);
    if (!parsed.success) throw parsed.error;
    const decision = expectGranted(
      evaluate(
        {
          clientId: "c",
          grantType: "authorization_code",
          requestedScopes: ["openid", "profile", "email", "inventory:read"],
        },
        parsed.data,
      ),
    );
    expect([...decision.scopes].sort()).toEqual(["email", "inventory:read", "openid", "profile"]);
  });

  it("an unknown scope beside openid is still invalid_scope, naming only the unknown one", () => {
    const parsed = serverNaming(["*"]);
    if (!parsed.success) throw parsed.error;
    const decision = evaluate(
      { clientId: "c", grantType: "authorization_code", requestedScopes: ["openid", "nope"] },
      parsed.data,
    );
    expect(decision).toMatchObject({
      ok: false,
      error: "invalid_scope",
      description: "One or more scopes are not configured for the authorization server resource: nope",
    });
  });
});
