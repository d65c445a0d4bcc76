import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ADMIN_TOKEN,
  basic,
  controlPlane,
  decodeJwt,
  freshApp,
  importConfig,
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";
import { claim, SCOPES, tokenPreview } from "./preview-fixtures";

async function tokenClaims(issuer: string, clientId: string, scope: string) {
  const res = await freshApp()(
    tokenRequest(
      issuer,
      { grant_type: "client_credentials", scope },
      { authorization: basic(clientId, SECRET) },
    ),
  );
  expect(res.status).toBe(200);
  return decodeJwt(((await res.json()) as { access_token: string }).access_token).payload;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("custom claims in access tokens", () => {
  it("adds expression claims, by scope condition, status and type", async () => {
    const f = await seedServer({
      config: {
        scopes: SCOPES,
        claims: [
          claim("client_upper", "String.toUpperCase(app.clientId)"),
          claim("can_write", 'Arrays.contains(access.scope, "write")'),
          claim("writer_only", '"yes"', { conditions: { scopes: ["write"] } }),
          claim("switched_off", '"no"', { status: "INACTIVE" }),
          claim("id_token_only", '"no"', { claimType: "IDENTITY" }),
          claim("no_user", "user.email"),
          claim("tier", 'app.clientId == "x" ? "gold" : "silver"'),
        ],
      },
    });
    const read = await tokenClaims(f.issuer, f.clientId, "read");
    expect(read).toMatchObject({ client_upper: f.clientId.toUpperCase(), can_write: false, tier: "silver" });
    for (const absent of ["writer_only", "switched_off", "id_token_only", "no_user"])
      expect(read).not.toHaveProperty(absent);

    const write = await tokenClaims(f.issuer, f.clientId, "read write");
    expect(write).toMatchObject({ can_write: true, writer_only: "yes" });
  });

  it("omits a claim that fails at token time, records why, and still issues the token", async () => {
    const f = await seedServer({
      config: { scopes: SCOPES, claims: [claim("broken", "access.scope.first"), claim("fine", '"ok"')] },
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const payload = await tokenClaims(f.issuer, f.clientId, "read");
    expect(payload).not.toHaveProperty("broken");
    expect(payload.fine).toBe("ok");
    const event = JSON.parse(warn.mock.calls[0]?.[0] as string);
    expect(event).toMatchObject({
      event: "token.claims_omitted",
      failures: [{ claim: "broken", reason: "evaluation_failed" }],
    });
  });

  it("leaves groups claims out for client_credentials, which has no user", async () => {
    const f = await seedServer({
      config: {
        scopes: SCOPES,
        claims: [
          {
            id: "g",
            name: "groups",
            claimType: "RESOURCE",
            valueType: "GROUPS",
            group_filter_type: "REGEX",
            value: ".*",
          },
        ],
      },
    });
    expect(await tokenClaims(f.issuer, f.clientId, "read")).not.toHaveProperty("groups");
  });

  it("reads Okta's app profile as app.profile.*, in tokens and in Token Preview alike", async () => {
    const f = await seedServer({
      config: {
        scopes: SCOPES,
        claims: [
          claim("tier", "app.profile.tier"),
          claim("in_eu", "Arrays.contains(app.profile.regions, 'eu')"),
          claim("half_quota", "app.profile.quota / 2"),
          claim("label", "app.profile.limits.label + ' ' + app.profile.limits.burst"),
          claim("missing", "app.profile.nothing"),
        ],
      },
    });
    await importConfig({
      clients: [
        {
          client_id: f.clientId,
          client_name: "basic",
          client_secrets: [SECRET],
          profile: { tier: "gold", regions: ["us", "eu"], quota: 7, limits: { label: "burst", burst: 2.0 } },
        },
      ],
    });
    const payload = await tokenClaims(f.issuer, f.clientId, "read");
    // 7 / 2 is integer division; the profile's 2.0 arrives through JSON as 2, an integer.
    expect(payload).toMatchObject({ tier: "gold", in_eu: true, half_quota: 3, label: "burst 2" });
    expect(payload).not.toHaveProperty("missing");

    const res = await tokenPreview(f.serverId, {
      clientId: f.clientId,
      grantType: "client_credentials",
      scopes: ["read"],
    });
    const preview = (await res.json()) as { accessToken: { payload: Record<string, unknown> } };
    expect(preview.accessToken.payload).toMatchObject({ tier: "gold", in_eu: true, half_quota: 3 });
  });

  it("refuses an app profile that is too large, too deep, or has unreadable members", async () => {
    const refused = async (profile: unknown) => {
      const res = await freshApp()(
        new Request(`${ORIGIN}/api/v1/warden/import`, {
          method: "POST",
          headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
          body: JSON.stringify({ clients: [{ client_id: uniqueId("p"), client_name: "p", profile }] }),
        }),
      );
      expect(res.status).toBe(400);
      return ((await res.json()) as { errorCauses: { errorSummary: string }[] }).errorCauses[0]?.errorSummary;
    };
    expect(await refused({ big: "x".repeat(20_000) })).toMatch(/profile: must be at most 16384 bytes/);
    expect(await refused({ a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } })).toMatch(
      /profile: must not nest more than 8 levels deep/,
    );
    expect(await refused({ nested: { prototype: 1 } })).toMatch(/member named 'prototype'/);
  });

  it("shows the same claims in Token Preview", async () => {
    const f = await seedServer({
      config: { scopes: SCOPES, claims: [claim("client_upper", "String.toUpperCase(app.clientId)")] },
    });
    const res = await tokenPreview(f.serverId, {
      clientId: f.clientId,
      grantType: "client_credentials",
      scopes: ["read"],
    });
    const preview = (await res.json()) as {
      accessToken: { payload: Record<string, unknown> };
      claimFailures: unknown[];
    };
    expect(preview.accessToken.payload.client_upper).toBe(f.clientId.toUpperCase());
    expect(preview.claimFailures).toEqual([]);
  });
});

describe("claims at configuration time", () => {
  async function importClaims(claims: unknown[]) {
    const id = uniqueId("cl");
    const res = await freshApp()(
      new Request(`${ORIGIN}/api/v1/warden/import`, {
        method: "POST",
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          authorizationServers: [{ server: { id, name: id, audiences: ["a"] }, scopes: SCOPES, claims }],
        }),
      }),
    );
    return {
      id,
      res,
      body: (await res.json()) as { errorCode?: string; errorCauses?: { errorSummary: string }[] },
    };
  }

  it.each(["sub", "iss", "scp", "cid", "exp", "jti", "scope", "client_id", "amr", "username"])(
    "refuses the reserved name %s",
    async (name) => {
      const { id, res, body } = await importClaims([claim(name, '"x"')]);
      expect(res.status).toBe(400);
      expect(body.errorCauses?.[0]?.errorSummary).toMatch(
        new RegExp(`claims\\.0\\.name: '${name}' is a reserved claim name in access tokens`),
      );
      expect(await controlPlane().getServerConfig(id)).toBeUndefined();
    },
  );

  it.each(["nonce", "at_hash", "c_hash", "amr", "acr", "idp", "azp", "sid", "auth_time", "sub"])(
    "refuses the ID-token name %s for an IDENTITY claim",
    async (name) => {
      const { res, body } = await importClaims([claim(name, '"x"', { claimType: "IDENTITY" })]);
      expect(res.status).toBe(400);
      expect(body.errorCauses?.[0]?.errorSummary).toMatch(
        new RegExp(`claims\\.0\\.name: '${name}' is a reserved claim name in ID tokens`),
      );
    },
  );

  it("refuses SYSTEM claims and empty group filters, each with a clear message", async () => {
    const system = await importClaims([claim("sys", "", { valueType: "SYSTEM" })]);
    expect(system.res.status).toBe(400);
    expect(system.body.errorCauses?.[0]?.errorSummary).toMatch(
      /claims\.0\.valueType: SYSTEM is reserved for the authorization server's own claims/,
    );
    const empty = await importClaims([
      claim("groups", "", { valueType: "GROUPS", group_filter_type: "STARTS_WITH" }),
    ]);
    expect(empty.res.status).toBe(400);
    expect(empty.body.errorCauses?.[0]?.errorSummary).toMatch(
      /claims\.0\.value: must not be empty for a GROUPS claim/,
    );
  });

  it("stores alwaysIncludeInToken true for access-token claims, as Okta does, and as sent for ID-token ones", async () => {
    const { id, res } = await importClaims([
      claim("resource", '"r"', { alwaysIncludeInToken: false }),
      claim("identity", '"i"', { claimType: "IDENTITY", alwaysIncludeInToken: false }),
    ]);
    expect(res.status).toBe(200);
    const stored = (await controlPlane().getServerConfig(id))?.claims.map((c) => [
      c.name,
      c.alwaysIncludeInToken,
    ]);
    expect(stored).toEqual([
      ["resource", true],
      ["identity", false],
    ]);
  });

  it("reports a parse error with its position and the expected token", async () => {
    const { res, body } = await importClaims([claim("bad", "String.toUpperCase(app.clientId")]);
    expect(res.status).toBe(400);
    const summary = body.errorCauses?.[0]?.errorSummary ?? "";
    expect(summary).toMatch(/^authorizationServers\.0\.claims\.0\.value: /);
    expect(summary).toMatch(/column \d+/);
    expect(summary).toMatch(/expected .*'\)'/);
  });

  it("refuses a type error it can see before any token, and a GROUPS claim without a filter", async () => {
    expect((await importClaims([claim("len", "String.len(5)")])).res.status).toBe(400);
    const groups = await importClaims([
      { id: "g", name: "groups", claimType: "RESOURCE", valueType: "GROUPS", value: "x" },
    ]);
    expect(groups.body.errorCauses?.[0]?.errorSummary).toMatch(/group_filter_type/);
  });
});
