/**
 * What the org authorization server grants a signing-in user (src/oauth/org/scopes.ts
 * `grantOrgUserScopes`), and how the okta_post_message page embeds values in its script
 * (src/signin/pages.ts `scriptJson`). Pure.
 */
import { describe, expect, it } from "vitest";
import { Client, type OktaScope } from "../../src/config/schemas";
import { OAuthError } from "../../src/errors";
import { grantOrgUserScopes } from "../../src/oauth/org/scopes";
import { scriptJson } from "../../src/signin/pages";

const app = (grants: string[] = []) =>
  Client.parse({
    client_id: "console",
    client_name: "Console",
    grant_types: ["authorization_code"],
    redirect_uris: ["https://app.test/cb"],
    client_secrets: ["s3cret-0123456789-abcdefghijklmnopqrstuvwxyz"],
    grants: grants.map((scopeId) => ({ scopeId })),
  });

const noRights = async () => [] as OktaScope[];

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  expect((error as OAuthError).code).toBe("invalid_scope");
  return (error as OAuthError).description;
}

describe("grantOrgUserScopes", () => {
  it("grants the OIDC scopes asked for, in request order, to any user (no policies)", async () => {
    expect(await grantOrgUserScopes(app(), ["email", "openid", "profile"], noRights)).toEqual([
      "email",
      "openid",
      "profile",
    ]);
  });

  it("refuses no scope, custom scopes and offline_access, naming what is wrong", async () => {
    expect(await refusal(grantOrgUserScopes(app(), [], noRights))).toMatch(/'scope' must be provided/);
    expect(await refusal(grantOrgUserScopes(app(), ["openid", "orders:read"], noRights))).toBe(
      "Custom scopes are not allowed for this request",
    );
    expect(await refusal(grantOrgUserScopes(app(), ["openid", "offline_access"], noRights))).toMatch(
      /offline_access/,
    );
  });

  it("asks the user's rights only for okta.* scopes granted to the app, and only for those", async () => {
    expect(await refusal(grantOrgUserScopes(app(), ["openid", "okta.users.read"], noRights))).toMatch(
      /not granted to the client: okta\.users\.read/,
    );
    const asked: (readonly string[])[] = [];
    const rights = async (requested: readonly OktaScope[]) => {
      asked.push(requested);
      return requested.filter((s) => s === "okta.users.read");
    };
    const granted = await grantOrgUserScopes(
      app(["okta.users.read", "okta.apps.read"]),
      ["openid", "okta.users.read", "okta.apps.read"],
      rights,
    );
    expect(asked).toEqual([["okta.users.read", "okta.apps.read"]]);
    // A right the user lacks is not granted (a narrow right never grows).
    expect(granted).toEqual(["openid", "okta.users.read"]);
    await grantOrgUserScopes(app(), ["openid"], rights);
    expect(asked).toHaveLength(1);
  });
});

describe("scriptJson", () => {
  it("round-trips through JSON and leaves nothing that closes a script or starts markup", () => {
    const value = { state: "</script><script>x()</script><!-- & \u2028\u2029 \"'" };
    const text = scriptJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
  });
});
