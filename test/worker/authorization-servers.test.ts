/**
 * `/api/v1/authorizationServers`: Okta's CRUD and lifecycle, and what each does to the edge: a new
 * server issues tokens at once, an inactive one answers 404, a deleted one leaves no snapshot, keys
 * or routes behind.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../src/config/kv-keys";
import type { Env } from "../../src/env";
import {
  basic,
  adminCall as call,
  freshApp,
  importConfig,
  ORIGIN,
  SECRET,
  tokenRequest,
  uniqueId,
} from "./helpers";

const bindings = env as Env;

/** A server with one client and one rule, created through the REST API only. */
async function restServer(id = uniqueId("rest")) {
  const clientId = uniqueId("cli");
  await importConfig({ clients: [{ client_id: clientId, client_name: "c", client_secrets: [SECRET] }] });
  const created = await call("POST", "/authorizationServers", {
    id,
    name: `Server ${id}`,
    description: "made by REST",
    audiences: ["api://rest"],
  });
  expect(created.status).toBe(201);
  const scope = await call("POST", `/authorizationServers/${id}/scopes`, { name: "read", default: true });
  expect(scope.status).toBe(201);
  const policy = await call("POST", `/authorizationServers/${id}/policies`, {
    type: "OAUTH_AUTHORIZATION_POLICY",
    name: "services",
    conditions: { clients: { include: [clientId] } },
  });
  expect(policy.status).toBe(201);
  const rule = await call("POST", `/authorizationServers/${id}/policies/${policy.body.id}/rules`, {
    name: "cc",
    conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
  });
  expect(rule.status).toBe(201);
  return {
    id,
    clientId,
    issuer: `${ORIGIN}/oauth2/${id}`,
    server: created.body,
    policyId: policy.body.id as string,
  };
}

function token(issuer: string, clientId: string) {
  return freshApp()(
    tokenRequest(issuer, { grant_type: "client_credentials" }, { authorization: basic(clientId, SECRET) }),
  );
}

describe("POST /api/v1/authorizationServers", () => {
  it("creates an ACTIVE server in Okta's shape, with keys, that issues tokens at once", async () => {
    const { id, clientId, issuer, server } = await restServer();
    expect(server).toMatchObject({
      id,
      name: `Server ${id}`,
      description: "made by REST",
      audiences: ["api://rest"],
      issuer,
      issuerMode: "ORG_URL",
      status: "ACTIVE",
      credentials: {
        signing: {
          rotationMode: "AUTO",
          use: "sig",
          alg: "RS256",
          kid: expect.any(String),
          lastRotated: expect.stringMatching(/Z$/),
          nextRotation: expect.stringMatching(/Z$/),
        },
      },
      _links: {
        self: { href: `${ORIGIN}/api/v1/authorizationServers/${id}` },
        policies: { href: `${ORIGIN}/api/v1/authorizationServers/${id}/policies` },
        deactivate: { href: `${ORIGIN}/api/v1/authorizationServers/${id}/lifecycle/deactivate` },
        metadata: [
          { name: "oauth-authorization-server", href: `${issuer}/.well-known/oauth-authorization-server` },
          { name: "openid-configuration", href: `${issuer}/.well-known/openid-configuration` },
        ],
      },
    });
    const res = await token(issuer, clientId);
    expect(res.status).toBe(200);
    expect((await call("GET", `/authorizationServers/${id}`)).body).toEqual(server);
  });

  it("generates an Okta-style id when none is given, and ignores read-only fields", async () => {
    const created = await call("POST", "/authorizationServers", {
      name: "generated",
      audiences: ["api://gen"],
      status: "INACTIVE",
      issuer: "https://evil.example",
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^aus[A-Za-z0-9]{17}$/);
    expect(created.body).toMatchObject({ status: "ACTIVE", issuer: `${ORIGIN}/oauth2/${created.body.id}` });
  });

  it("refuses invalid input with 400 E0000001 naming the field, and creates nothing", async () => {
    const id = uniqueId("bad");
    const cases: [Record<string, unknown>, string][] = [
      [{ id, name: "x", audiences: [] }, "audiences"],
      [{ id, audiences: ["api://x"] }, "name"],
      [{ id, name: "x", audiences: ["api://x"], issuerMode: "SOMETIMES" }, "issuerMode"],
      [
        { id, name: "x", audiences: ["api://x"], credentials: { signing: { rotationMode: "WEEKLY" } } },
        "credentials.signing.rotationMode",
      ],
      [
        { id, name: "x", audiences: ["api://x"], credentials: { signing: { alg: "HS256" } } },
        "credentials.signing.alg",
      ],
      [{ id: "has space", name: "x", audiences: ["api://x"] }, "id"],
      [{ id: "v1", name: "x", audiences: ["api://x"] }, "id"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", "/authorizationServers", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({
        errorCode: "E0000001",
        errorCauses: [{ errorSummary: expect.stringContaining(`${field}:`) }],
      });
    }
    expect((await call("GET", `/authorizationServers/${id}`)).status).toBe(404);
    const dup = await restServer();
    const again = await call("POST", "/authorizationServers", {
      id: dup.id,
      name: "x",
      audiences: ["api://x"],
    });
    expect(again).toMatchObject({
      status: 400,
      body: { errorCauses: [{ errorSummary: expect.stringContaining("already exists") }] },
    });
    expect((await call("GET", `/authorizationServers/${dup.id}`)).body.name).toBe(`Server ${dup.id}`);
  });

  it("serialises 50 concurrent creates into 50 servers", { timeout: 30_000 }, async () => {
    const prefix = uniqueId("many");
    // ES256: each server generates two keys, and RSA key generation would dominate the test.
    const signing = { credentials: { signing: { alg: "ES256" } } };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call("POST", "/authorizationServers", {
          id: `${prefix}-${i}`,
          name: `many ${i}`,
          audiences: ["api://many"],
          ...signing,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const listed = await call("GET", `/authorizationServers?q=${prefix}&limit=200`);
    expect(listed.body).toHaveLength(0); // q searches names and audiences, not ids
    const byName = (await call("GET", "/authorizationServers?q=many&limit=200")).body as { id: string }[];
    for (let i = 0; i < 50; i++) expect(byName.map((s) => s.id)).toContain(`${prefix}-${i}`);
  });
});

describe("GET /api/v1/authorizationServers", () => {
  it("pages with limit and after, and Link headers the SDKs follow", async () => {
    const tag = uniqueId("paged");
    for (let i = 0; i < 5; i++) {
      await call("POST", "/authorizationServers", {
        id: `${tag}-${i}`,
        name: tag,
        audiences: ["api://paged"],
      });
    }
    const seen: string[] = [];
    let next: string | undefined = `/authorizationServers?q=${tag}&limit=2`;
    while (next) {
      const page = await call("GET", next);
      expect(page.status).toBe(200);
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((s: { id: string }) => s.id));
      const link = page.headers.get("Link") ?? "";
      expect(link).toContain('rel="self"');
      const match = /<([^>]+)>; rel="next"/.exec(link);
      next = match?.[1]?.replace(`${ORIGIN}/api/v1`, "");
    }
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `${tag}-${i}`));
    expect((await call("GET", "/authorizationServers?limit=0")).status).toBe(400);
    expect((await call("GET", "/authorizationServers?limit=two")).status).toBe(400);
  });
});

describe("PUT /api/v1/authorizationServers/{id}", () => {
  it("replaces the settings; a GET-modify-PUT round trip works; the change reaches tokens", async () => {
    const { id, clientId, issuer } = await restServer();
    const current = (await call("GET", `/authorizationServers/${id}`)).body;
    const replaced = await call("PUT", `/authorizationServers/${id}`, {
      ...current,
      name: "renamed",
      audiences: ["api://renamed"],
      credentials: { signing: { ...current.credentials.signing, rotationMode: "MANUAL" } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id,
      name: "renamed",
      audiences: ["api://renamed"],
      status: "ACTIVE",
      credentials: {
        signing: { rotationMode: "MANUAL", kid: current.credentials.signing.kid, nextRotation: null },
      },
    });
    const res = await token(issuer, clientId);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(JSON.parse(atob(access_token.split(".")[1] ?? "")).aud).toBe("api://renamed");

    expect(
      (await call("PUT", `/authorizationServers/${id}`, { ...current, audiences: "api://x" })).status,
    ).toBe(400);
    expect((await call("PUT", "/authorizationServers/nope", current)).status).toBe(404);
  });
});

describe("lifecycle and DELETE", () => {
  it("deactivate → 404 at the edge; activate → tokens again (204 No Content both)", async () => {
    const { id, clientId, issuer } = await restServer();
    const off = await call("POST", `/authorizationServers/${id}/lifecycle/deactivate`);
    expect(off.status).toBe(204);
    expect((await call("GET", `/authorizationServers/${id}`)).body).toMatchObject({
      status: "INACTIVE",
      _links: { activate: { href: expect.stringContaining("/lifecycle/activate") } },
    });
    expect((await token(issuer, clientId)).status).toBe(404);
    expect((await freshApp()(new Request(`${issuer}/v1/keys`))).status).toBe(404);
    expect((await call("POST", `/authorizationServers/${id}/lifecycle/activate`)).status).toBe(204);
    expect((await token(issuer, clientId)).status).toBe(200);
    expect((await call("POST", "/authorizationServers/nope/lifecycle/activate")).status).toBe(404);
  });

  it("deletes only an INACTIVE server, removing its snapshot, keys and routes", async () => {
    const { id, clientId, issuer } = await restServer();
    const kid = (await call("GET", `/authorizationServers/${id}`)).body.credentials.signing.kid;
    const refused = await call("DELETE", `/authorizationServers/${id}`);
    expect(refused).toMatchObject({
      status: 400,
      body: { errorCauses: [{ errorSummary: expect.stringContaining("deactivated") }] },
    });
    expect((await token(issuer, clientId)).status).toBe(200);

    expect((await call("POST", `/authorizationServers/${id}/lifecycle/deactivate`)).status).toBe(204);
    expect((await call("DELETE", `/authorizationServers/${id}`)).status).toBe(204);

    expect((await call("GET", `/authorizationServers/${id}`)).status).toBe(404);
    expect((await call("GET", `/authorizationServers/${id}/credentials/keys`)).status).toBe(404);
    expect((await call("GET", `/authorizationServers/${id}/policies`)).status).toBe(404);
    expect(await bindings.CONFIG.get(kvKeys.snapshot(id))).toBeNull();
    expect(await bindings.CONFIG.get(kvKeys.keyset(id))).toBeNull();
    expect((await token(issuer, clientId)).status).toBe(404);
    expect((await freshApp()(new Request(`${issuer}/v1/keys`))).status).toBe(404);
    expect((await call("DELETE", `/authorizationServers/${id}`)).status).toBe(404);

    // The id is free again, and a new server under it starts with new keys.
    const again = await call("POST", "/authorizationServers", {
      id,
      name: "again",
      audiences: ["api://again"],
    });
    expect(again.status).toBe(201);
    expect(again.body.credentials.signing.kid).not.toBe(kid);
    const keys = (await call("GET", `/authorizationServers/${id}/credentials/keys`)).body as {
      kid: string;
    }[];
    expect(keys.map((k) => k.kid)).not.toContain(kid);
  });

  it("answers 405 for an unsupported method", async () => {
    const { id } = await restServer();
    expect((await call("PATCH", `/authorizationServers/${id}`, {})).status).toBe(405);
    expect((await call("PATCH", "/authorizationServers", {})).status).toBe(405);
  });
});
