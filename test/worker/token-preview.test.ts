import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import {
  basic,
  decodeJwt,
  type Fixture,
  freshApp,
  importConfig,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";
import { tokenPreview as preview, withHook } from "./preview-fixtures";

interface Preview {
  result: "ALLOW" | "DENY";
  /** DENY: the HTTP status the token endpoint would answer. */
  status?: number;
  accessToken?: { header: Record<string, unknown>; payload: Record<string, unknown> };
  error?: Record<string, unknown>;
  policy?: { id: string };
  rule?: { id: string };
  inlineHook?: { id: string; called: boolean; outcome: string } | null;
  trace: { kind: string; id: string; outcome: string; reason?: string }[];
}

/** Compares a preview with a real request for the same client and scopes. */
async function sameAsReal(f: Fixture, clientId: string, scopes: string[]) {
  const previewed = (await (
    await preview(f.serverId, { clientId, grantType: "client_credentials", scopes })
  ).json()) as Preview;
  const params: Record<string, string> = { grant_type: "client_credentials" };
  if (scopes.length > 0) params.scope = scopes.join(" ");
  const real = await freshApp()(tokenRequest(f.issuer, params, { authorization: basic(clientId, SECRET) }));
  const body = (await real.json()) as Record<string, string>;
  if (real.status === 200) {
    expect(previewed).not.toHaveProperty("status");
    expect(previewed.result).toBe("ALLOW");
    const { header, payload } = decodeJwt(body.access_token as string);
    const volatile = { iat: expect.any(Number), exp: expect.any(Number), jti: expect.any(String) };
    expect(previewed.accessToken?.header).toEqual(header);
    expect({ ...previewed.accessToken?.payload, ...volatile }).toEqual({ ...payload, ...volatile });
    const p = previewed.accessToken?.payload as { iat: number; exp: number };
    expect(p.exp - p.iat).toBe((payload.exp as number) - (payload.iat as number));
  } else {
    expect(previewed.result).toBe("DENY");
    expect(previewed.status).toBe(real.status);
    // Okta's API error body carries a fresh errorId per response; everything else must agree.
    const { errorId: _errorId, ...comparable } = body;
    expect(previewed.error).toEqual(comparable);
  }
  return previewed;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /api/v1/authorizationServers/{id}/tokenPreview", () => {
  it("gives the same answer as a real request, allowed or denied", async () => {
    const f = await seedServer();
    const allowed = await sameAsReal(f, f.clientId, ["read", "write"]);
    expect(allowed).toMatchObject({ policy: { id: "p1" }, rule: { id: "r1" } });
    await sameAsReal(f, f.clientId, []);
    const denied = await sameAsReal(f, f.clientId, ["admin"]);
    expect(denied.trace).toEqual([
      {
        kind: "rule",
        policyId: "p1",
        id: "r1",
        name: "read-write",
        outcome: "skipped",
        reason: "scopes_not_covered",
      },
      { kind: "policy", id: "p1", name: "services", outcome: "skipped", reason: "no_rule_matched" },
    ]);
    await sameAsReal(f, f.clientId, ["nope"]);
    await sameAsReal(f, f.clientId, ["openid"]);
  });

  it("shows why each policy and rule was skipped", async () => {
    const f = await seedServer({
      config: {
        scopes: [{ id: "s-read", name: "read", default: true }],
        policies: [
          {
            id: "p0",
            name: "off",
            priority: 1,
            status: "INACTIVE",
            conditions: { clients: { include: ["ALL_CLIENTS"] } },
          },
          {
            id: "p1",
            name: "main",
            priority: 2,
            conditions: { clients: { include: ["ALL_CLIENTS"] } },
            rules: [
              {
                id: "r0",
                name: "codes",
                priority: 1,
                conditions: { grantTypes: { include: ["authorization_code"] }, scopes: { include: ["*"] } },
              },
              {
                id: "r1",
                name: "cc",
                priority: 2,
                conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
              },
            ],
          },
        ],
      },
    });
    const previewed = await sameAsReal(f, f.clientId, ["read"]);
    expect(previewed.trace.map((t) => [t.id, t.outcome, t.reason])).toEqual([
      ["p0", "skipped", "inactive"],
      ["r0", "skipped", "grant_type_not_included"],
      ["p1", "matched", undefined],
      ["r1", "matched", undefined],
    ]);
  });

  it("matches real requests for inactive clients and clients without the grant", async () => {
    const f = await seedServer();
    await importConfig({
      clients: [
        {
          client_id: f.postClientId,
          client_name: "post",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://app.example/callback"],
          token_endpoint_auth_method: "client_secret_post",
        },
      ],
    });
    const previewed = (await (
      await preview(f.serverId, { clientId: f.postClientId, grantType: "client_credentials" })
    ).json()) as Preview;
    expect(previewed).toMatchObject({ status: 400, error: { error: "unauthorized_client" } });

    const noGrant = uniqueId("code-only");
    const inactive = uniqueId("inactive");
    await importConfig({
      clients: [
        {
          client_id: noGrant,
          client_name: "code",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://app.example/callback"],
          client_secrets: [SECRET],
        },
        { client_id: inactive, client_name: "off", status: "INACTIVE", client_secrets: [SECRET] },
      ],
    });
    await sameAsReal(f, noGrant, ["read"]);
    // A deactivated client reads exactly as any failed client authentication.
    const deactivated = await sameAsReal(f, inactive, ["read"]);
    expect(deactivated).toMatchObject({
      status: 401,
      error: {
        error: "invalid_client",
        error_description:
          "Client authentication failed. Either the client or the client credentials are invalid.",
      },
      trace: [],
    });
  });

  it("matches real requests for an inactive authorization server: 404, as for an unknown one", async () => {
    const f = await seedServer({ server: { status: "INACTIVE" } });
    const previewed = await sameAsReal(f, f.clientId, ["read"]);
    expect(previewed).toMatchObject({
      result: "DENY",
      status: 404,
      error: {
        errorCode: "E0000007",
        errorSummary: `Not found: Resource not found: ${f.serverId} (AuthorizationServer)`,
      },
    });
  });

  it("matches real requests through the rule's inline hook: the patched token, or the hook's error", async () => {
    const patched = await withHook("success");
    const allowed = await sameAsReal(patched, patched.clientId, ["read"]);
    expect(allowed).toMatchObject({
      result: "ALLOW",
      accessToken: { payload: { team: "red", external_guid: expect.any(String) } },
      inlineHook: { id: patched.hook.id, called: true, outcome: "applied" },
    });
    expect(allowed.accessToken?.payload).not.toHaveProperty("legacy");

    const failing = await withHook("status");
    const unchanged = await sameAsReal(failing, failing.clientId, ["read"]);
    expect(unchanged).toMatchObject({
      accessToken: { payload: { team: "blue", legacy: "old" } },
      inlineHook: { outcome: "failed" },
    });

    vi.spyOn(console, "warn").mockImplementation(() => {});
    const refusing = await withHook("error");
    const denied = await sameAsReal(refusing, refusing.clientId, ["read"]);
    expect(denied).toMatchObject({ status: 500, error: { error: "server_error" } });
  });

  it("has no side effect: nothing signed, nothing published, nothing logged", async () => {
    const f = await seedServer();
    const kv = (env as Env).CONFIG;
    const before = await Promise.all([kv.get(`keyset/${f.serverId}`), kv.get(`snapshot/${f.serverId}`)]);
    const warn = vi.spyOn(console, "warn");
    const res = await preview(f.serverId, {
      clientId: f.clientId,
      grantType: "client_credentials",
      scopes: ["admin"],
    });
    expect(res.status).toBe(200);
    expect(warn).not.toHaveBeenCalled();
    expect(await Promise.all([kv.get(`keyset/${f.serverId}`), kv.get(`snapshot/${f.serverId}`)])).toEqual(
      before,
    );
    const allowed = (await (
      await preview(f.serverId, { clientId: f.clientId, grantType: "client_credentials" })
    ).json()) as Preview;
    expect(JSON.stringify(allowed)).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it("rejects bad input with Okta's errors and unknown servers or clients with 404", async () => {
    const f = await seedServer();
    const bad = await preview(f.serverId, { clientId: f.clientId, grantType: "password" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errorCode: string }).errorCode).toBe("E0000001");
    expect((await preview("nope", { clientId: f.clientId, grantType: "client_credentials" })).status).toBe(
      404,
    );
    expect((await preview(f.serverId, { clientId: "ghost", grantType: "client_credentials" })).status).toBe(
      404,
    );
  });
});

describe("denials are recorded with their trace", () => {
  it("logs one structured event per real denial, with the same trace Token Preview shows", async () => {
    const f = await seedServer();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", scope: "admin" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(res.status).toBe(400);
    expect(warn).toHaveBeenCalledTimes(1);
    const event = JSON.parse(warn.mock.calls[0]?.[0] as string);
    const previewed = (await (
      await preview(f.serverId, { clientId: f.clientId, grantType: "client_credentials", scopes: ["admin"] })
    ).json()) as Preview;
    expect(event).toEqual({
      event: "token.denied",
      serverId: f.serverId,
      clientId: f.clientId,
      grantType: "client_credentials",
      error: "access_denied",
      description: "Policy evaluation failed for this request, please check the policy configurations.",
      trace: previewed.trace,
    });
    expect(await res.text()).not.toContain("scopes_not_covered");
  });

  it("logs denials decided before any policy too: a client without the grant, OIDC scopes", async () => {
    const f = await seedServer();
    const codeOnly = uniqueId("code-only");
    await importConfig({
      clients: [
        {
          client_id: codeOnly,
          client_name: "code",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://app.example/callback"],
          client_secrets: [SECRET],
        },
      ],
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const request = (clientId: string, scope: string) =>
      freshApp()(
        tokenRequest(
          f.issuer,
          { grant_type: "client_credentials", scope },
          { authorization: basic(clientId, SECRET) },
        ),
      );
    expect((await request(codeOnly, "read")).status).toBe(400);
    expect((await request(f.clientId, "read openid")).status).toBe(400);
    expect(warn.mock.calls.map((call) => JSON.parse(call[0] as string))).toEqual([
      {
        event: "token.denied",
        serverId: f.serverId,
        clientId: codeOnly,
        grantType: "client_credentials",
        error: "unauthorized_client",
        description: "The client is not authorized to use the provided grant type.",
        trace: [],
      },
      {
        event: "token.denied",
        serverId: f.serverId,
        clientId: f.clientId,
        grantType: "client_credentials",
        error: "invalid_scope",
        description: "The following scopes are not allowed for client_credentials: openid",
        trace: [],
      },
    ]);
  });
});
