import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALL_RIGHTS } from "../../src/config/rights";
import type { Env } from "../../src/env";
import {
  ADMIN_TOKEN,
  configRecord,
  controlPlane,
  expectApiError as expectError,
  freshApp,
  ORIGIN,
  uniqueId,
} from "./helpers";

function importRequest(body: unknown, init: { token?: string | null; contentType?: string } = {}) {
  const headers = new Headers({ "Content-Type": init.contentType ?? "application/json" });
  if (init.token !== null) headers.set("Authorization", `SSWS ${init.token ?? ADMIN_TOKEN}`);
  return new Request(`${ORIGIN}/api/v1/warden/import`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function server(id: string, overrides: Record<string, unknown> = {}) {
  return { server: { id, name: id, audiences: ["api://x"] }, ...overrides };
}

/** Okta's error in full: a summary, the code as its link, and an id. */
function expectApiError(res: Response, status: number, errorCode: string) {
  return expectError(res, status, errorCode, {
    errorSummary: expect.any(String),
    errorLink: errorCode,
    errorId: expect.any(String),
  });
}

describe("admin authentication (SSWS)", () => {
  it("refuses a missing, malformed or wrong token with 401 in Okta's shape", async () => {
    await expectApiError(await freshApp()(importRequest({}, { token: null })), 401, "E0000011");
    await expectApiError(await freshApp()(importRequest({}, { token: "wrong-token" })), 401, "E0000011");
    const bearer = new Request(`${ORIGIN}/api/v1/warden/import`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    await expectApiError(await freshApp()(bearer), 401, "E0000011");
  });

  it("never accepts any token when the secret is unset", async () => {
    const unset = { ...(env as Env), ADMIN_API_TOKEN: "" };
    await expectApiError(await freshApp()(importRequest({}, { token: "" }), unset), 401, "E0000011");
    await expectApiError(await freshApp()(importRequest({}, { token: "x" }), unset), 401, "E0000011");
  });
});

describe("POST /api/v1/warden/import", () => {
  it("creates servers and clients, and generates a secret shown once when none is given", async () => {
    const id = uniqueId("imp");
    const clientId = uniqueId("cli");
    const res = await freshApp()(
      importRequest({
        authorizationServers: [server(id)],
        clients: [{ client_id: clientId, client_name: "c" }],
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      servers: unknown[];
      clients: unknown[];
      generatedSecrets: Record<string, string>;
    };
    expect(body.servers).toEqual([{ id, version: 1 }]);
    expect(body.clients).toEqual([{ client_id: clientId, created: true }]);
    expect(body.generatedSecrets[clientId]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await (env as Env).CONFIG.get(`client/${clientId}`);
    expect(stored).not.toContain(body.generatedSecrets[clientId]);

    const again = await freshApp()(
      importRequest({
        authorizationServers: [server(id)],
        clients: [{ client_id: clientId, client_name: "c" }],
      }),
    );
    const second = (await again.json()) as { servers: unknown[]; generatedSecrets: Record<string, string> };
    expect(second.servers).toEqual([{ id, version: 2 }]);
    expect(second.generatedSecrets).toEqual({});
  });

  it("rejects invalid input with 400 E0000001 naming each field, and stores nothing", async () => {
    const id = uniqueId("bad");
    const res = await freshApp()(
      importRequest({
        authorizationServers: [
          server(id, {
            scopes: [{ id: "s", name: "has space" }],
            policies: [
              {
                id: "p",
                name: "p",
                priority: 1,
                conditions: { clients: { include: ["ALL_CLIENTS"] } },
                rules: [
                  {
                    id: "r",
                    name: "r",
                    priority: 1,
                    conditions: { grantTypes: { include: ["magic"] }, scopes: { include: ["*"] } },
                    actions: { token: { accessTokenLifetimeMinutes: 2 } },
                  },
                ],
              },
            ],
          }),
        ],
      }),
    );
    const body = await expectApiError(res, 400, "E0000001");
    const causes = body.errorCauses.map((c) => c.errorSummary).join("\n");
    expect(causes).toMatch(/scopes\.0\.name/);
    expect(causes).toMatch(/grantTypes\.include\.0/);
    expect(causes).toMatch(/accessTokenLifetimeMinutes/);
    expect(await controlPlane().getServerConfig(id)).toBeUndefined();
    expect(await (env as Env).CONFIG.get(`snapshot/${id}`)).toBeNull();
  });

  it("refuses a rule that names an undefined scope and a policy that names an unknown client", async () => {
    const id = uniqueId("ref");
    const res = await freshApp()(
      importRequest({
        authorizationServers: [
          server(id, {
            policies: [
              {
                id: "p",
                name: "p",
                priority: 1,
                conditions: { clients: { include: ["ghost"] } },
                rules: [
                  {
                    id: "r",
                    name: "r",
                    priority: 1,
                    conditions: {
                      grantTypes: { include: ["client_credentials"] },
                      scopes: { include: ["nope"] },
                    },
                  },
                ],
              },
            ],
          }),
        ],
      }),
    );
    const body = await expectApiError(res, 400, "E0000001");
    expect(body.errorCauses.map((c) => c.errorSummary).join("\n")).toMatch(/scope 'nope' is not defined/);
    const clientRes = await freshApp()(
      importRequest({
        authorizationServers: [
          server(id, {
            policies: [{ id: "p", name: "p", priority: 1, conditions: { clients: { include: ["ghost"] } } }],
          }),
        ],
      }),
    );
    const clientBody = await expectApiError(clientRes, 400, "E0000001");
    expect(clientBody.errorCauses[0]?.errorSummary).toMatch(/client 'ghost' does not exist/);
    expect(await controlPlane().getServerConfig(id)).toBeUndefined();
  });

  it("rejects malformed JSON, a non-JSON content type and an oversized body with 400", async () => {
    await expectApiError(await freshApp()(importRequest("{not json")), 400, "E0000003");
    await expectApiError(
      await freshApp()(importRequest("{}", { contentType: "text/plain" })),
      400,
      "E0000003",
    );
    await expectApiError(
      await freshApp()(importRequest(`{"pad":"${"a".repeat(1024 * 1024)}"}`)),
      400,
      "E0000003",
    );
  });

  it("serialises concurrent writes: every import lands, versions are consecutive", async () => {
    const id = uniqueId("conc");
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        controlPlane().importConfig({ authorizationServers: [server(id)] }, ALL_RIGHTS),
      ),
    );
    const versions = results
      .map((r) => (r.ok ? r.value.servers[0]?.version : -1))
      .sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const snapshot = (await configRecord("snapshot", id)) as { version: number };
    expect(snapshot.version).toBe(10);
  });
});

describe("unknown routes", () => {
  it("answer 404 in Okta's shape", async () => {
    const res = await freshApp()(new Request(`${ORIGIN}/nothing/here`));
    await expectApiError(res, 404, "E0000007");
  });
});

describe("a method a management-API path does not support", () => {
  it.each([
    ["PATCH", "/api/v1/apps", "GET, HEAD, POST"],
    ["PATCH", "/api/v1/apps/0oa1", "DELETE, GET, HEAD, PUT"],
    ["GET", "/api/v1/apps/0oa1/lifecycle/activate", "POST"],
    ["PUT", "/api/v1/inlineHooks", "GET, HEAD, POST"],
    ["POST", "/api/v1/api-tokens/00T1", "DELETE, GET, HEAD"],
    ["DELETE", "/api/v1/authorizationServers/x/credentials/keys", "GET, HEAD"],
    ["GET", "/api/v1/authorizationServers/x/tokenPreview", "POST"],
    ["GET", "/api/v1/authorizationServers/x/lifecycle/deactivate", "POST"],
    ["DELETE", "/api/v1/warden/export", "GET, HEAD"],
    ["PATCH", "/api/v1/authorizationServers/x/policies/p/rules/r", "DELETE, GET, HEAD, PUT"],
  ])("%s %s → 405 E0000022, Allow: %s", async (method, path, allow) => {
    const res = await freshApp()(
      new Request(`${ORIGIN}${path}`, { method, headers: { Authorization: `SSWS ${ADMIN_TOKEN}` } }),
    );
    expect(res.headers.get("Allow")).toBe(allow);
    await expectApiError(res, 405, "E0000022");
  });

  it("leaves an unknown path a 404", async () => {
    const res = await freshApp()(
      new Request(`${ORIGIN}/api/v1/authorizationServers/x/nothing`, {
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}` },
      }),
    );
    expect(res.headers.get("Allow")).toBeNull();
    await expectApiError(res, 404, "E0000007");
  });
});
