import { afterEach, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import type { Claim } from "../../src/config/schemas";
import {
  ADMIN_TOKEN,
  basic,
  controlPlane,
  decodeJwt,
  freshApp,
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

type ClaimInput = z.input<typeof Claim>;

const SCOPES = [
  { id: "s-read", name: "read", default: true },
  { id: "s-write", name: "write" },
];

const claim = (name: string, value: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({
  id: `c-${name}`,
  name,
  claimType: "RESOURCE",
  valueType: "EXPRESSION",
  value,
  ...extra,
});

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
            group_filter_type: "STARTS_WITH",
            value: "",
          },
        ],
      },
    });
    expect(await tokenClaims(f.issuer, f.clientId, "read")).not.toHaveProperty("groups");
  });

  it("shows the same claims in Token Preview", async () => {
    const f = await seedServer({
      config: { scopes: SCOPES, claims: [claim("client_upper", "String.toUpperCase(app.clientId)")] },
    });
    const res = await freshApp()(
      new Request(`${ORIGIN}/api/v1/authorizationServers/${f.serverId}/tokenPreview`, {
        method: "POST",
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ clientId: f.clientId, grantType: "client_credentials", scopes: ["read"] }),
      }),
    );
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

  it.each(["sub", "iss", "scp", "cid", "exp", "jti", "scope", "client_id"])(
    "refuses the reserved name %s",
    async (name) => {
      const { id, res, body } = await importClaims([claim(name, '"x"')]);
      expect(res.status).toBe(400);
      expect(body.errorCauses?.[0]?.errorSummary).toMatch(
        new RegExp(`claims\\.0\\.name: '${name}' is a reserved claim name`),
      );
      expect(await controlPlane().getServerConfig(id)).toBeUndefined();
    },
  );

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
