/**
 * `/api/v1/api-tokens`: Okta's API token management plus Warden's create, with the tokens accepted
 * as `SSWS` credentials beside the bootstrap `ADMIN_API_TOKEN` and refused once revoked or expired.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import {
  adminRequest,
  expectApiError,
  freshApp,
  ORIGIN,
  orgAccessToken,
  seedOrgClient,
  uniqueId,
} from "./helpers";

const TOKENS = `${ORIGIN}/api/v1/api-tokens`;

function call(
  method: string,
  url: string,
  options: { auth?: string; body?: unknown; fetch?: ReturnType<typeof freshApp> } = {},
) {
  return (options.fetch ?? freshApp())(adminRequest(method, url, options.body, options.auth));
}

interface ApiToken {
  id: string;
  name: string;
  userId: string | null;
  clientName: string;
  created: string;
  expiresAt: string | null;
  token?: string;
  _links: Record<string, unknown>;
}

async function createToken(body: Record<string, unknown> = {}): Promise<ApiToken & { token: string }> {
  const res = await call("POST", TOKENS, { body: { name: uniqueId("tok"), ...body } });
  expect(res.status).toBe(201);
  return (await res.json()) as ApiToken & { token: string };
}

/** An admin read with this SSWS token. */
function useToken(token: string, fetch?: ReturnType<typeof freshApp>) {
  return call("GET", `${ORIGIN}/api/v1/apps?limit=1`, { auth: `SSWS ${token}`, ...(fetch ? { fetch } : {}) });
}

describe("POST /api/v1/api-tokens", () => {
  it("returns the token once, in Okta's shape; lists and gets never show it", async () => {
    const created = await createToken({ name: "ci deploys", userId: "00u1" });
    expect(created).toMatchObject({
      name: "ci deploys",
      userId: "00u1",
      clientName: expect.any(String),
      created: expect.any(String),
      expiresAt: null,
      _links: { self: { href: `${TOKENS}/${created.id}` }, user: [{ href: `${ORIGIN}/api/v1/users/00u1` }] },
    });
    expect(created.id).toMatch(/^00T/);
    // `00` and 32 random bytes, base64url: 256 bits.
    expect(created.token).toMatch(/^00[A-Za-z0-9_-]{43}$/);

    const got = await (await call("GET", `${TOKENS}/${created.id}`)).text();
    const listed = await (await call("GET", TOKENS)).text();
    for (const text of [got, listed]) {
      expect(text).toContain(created.id);
      expect(text).not.toContain(created.token);
    }
    const { token: _value, ...metadata } = created;
    expect(JSON.parse(got)).toEqual(metadata);
  });

  it("refuses invalid input with 400 E0000001 naming the field, and stores nothing", async () => {
    const name = uniqueId("never");
    const cases: [unknown, RegExp][] = [
      [{}, /^name: /],
      [{ name: "" }, /^name: /],
      [{ name, scopes: ["everything"] }, /^scopes.0: /],
      [{ name, scopes: [] }, /^scopes: /],
      [{ name, owner: { type: "BOOTSTRAP" } }, /^body: .*owner/],
      [{ name, expiresAt: "tomorrow" }, /^expiresAt: /],
      [{ name, expiresAt: "2001-01-01T00:00:00Z" }, /^expiresAt: must be in the future/],
    ];
    for (const [body, cause] of cases) {
      const error = await expectApiError(await call("POST", TOKENS, { body }), 400, "E0000001");
      expect(error.errorCauses.map((c) => c.errorSummary).join("\n")).toMatch(cause);
    }
    expect(await (await call("GET", TOKENS)).text()).not.toContain(name);
  });
});

describe("managed API tokens as SSWS credentials", () => {
  it("authenticates admin requests, and the bootstrap token keeps working", async () => {
    const { token } = await createToken();
    expect((await useToken(token)).status).toBe(200);
    expect((await useToken((env as Env).ADMIN_API_TOKEN)).status).toBe(200);
    await expectApiError(await useToken(`${token}x`), 401, "E0000011");
  });

  it("refuses a revoked token at once in the isolate that revoked it (its cached acceptance is dropped)", async () => {
    const { id, token } = await createToken();
    const warm = freshApp();
    expect((await useToken(token, warm)).status).toBe(200);
    expect((await call("DELETE", `${TOKENS}/${id}`, { fetch: warm })).status).toBe(204);
    await expectApiError(await useToken(token, warm), 401, "E0000011");
    await expectApiError(await useToken(token), 401, "E0000011");
    await expectApiError(await call("GET", `${TOKENS}/${id}`), 404, "E0000007");
    await expectApiError(await call("DELETE", `${TOKENS}/${id}`), 404, "E0000007");
  });

  it("DELETE /current revokes the token making the request; the bootstrap token cannot", async () => {
    const { id, token } = await createToken();
    const warm = freshApp();
    expect((await call("DELETE", `${TOKENS}/current`, { auth: `SSWS ${token}`, fetch: warm })).status).toBe(
      204,
    );
    await expectApiError(await useToken(token, warm), 401, "E0000011");
    await expectApiError(await call("GET", `${TOKENS}/${id}`), 404, "E0000007");
    await expectApiError(await call("DELETE", `${TOKENS}/current`), 400, "E0000001");
  });

  it("refuses a token past its expiresAt", async () => {
    const { token } = await createToken({ expiresAt: new Date(Date.now() + 1500).toISOString() });
    const warm = freshApp();
    expect((await useToken(token, warm)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await expectApiError(await useToken(token, warm), 401, "E0000011");
    await expectApiError(await useToken(token), 401, "E0000011");
  });

  it("allows org bearer tokens by okta.apiTokens.* scope: read lists, only manage creates", async () => {
    const reader = await seedOrgClient(["okta.apiTokens.read"]);
    const bearer = `Bearer ${await orgAccessToken(reader, "okta.apiTokens.read")}`;
    expect((await call("GET", TOKENS, { auth: bearer })).status).toBe(200);
    await expectApiError(await call("POST", TOKENS, { auth: bearer, body: { name: "x" } }), 403, "E0000006");
    const manager = await seedOrgClient(["okta.apiTokens.manage"]);
    const managing = `Bearer ${await orgAccessToken(manager, "okta.apiTokens.manage")}`;
    expect(
      (await call("POST", TOKENS, { auth: managing, body: { name: uniqueId("by-bearer") } })).status,
    ).toBe(201);
  });
});
