/**
 * `/api/v1/openapi.json` and `/api/v1/reference`: the document is well-formed OpenAPI 3.1, it lists
 * exactly the routes the app registers, real responses validate against the schemas it names, and
 * the reference page shows every operation with everything escaped.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { requiredScopes } from "../../src/admin/auth";
import { requestSchemas, responseSchemas } from "../../src/admin/openapi/components";
import type {
  Method,
  OpenApiDocument,
  OperationObject,
  Reference,
  Response,
} from "../../src/admin/openapi/document";
import { renderReferencePage } from "../../src/admin/openapi/reference-page";
import { createApp, createDeps, managementApp } from "../../src/app";
import { bindPorts } from "../../src/context";
import { authorizationHeader, tokenHook } from "../fixtures/inline-hook";
import { ADMIN_TOKEN, adminCall, freshApp, ORIGIN, seedServer, uniqueId } from "./helpers";

const METHODS: readonly Method[] = ["get", "post", "put", "delete"];

let doc: OpenApiDocument;

beforeAll(async () => {
  // The document as served, without credentials: it is public.
  const res = await freshApp()(new Request(`${ORIGIN}/api/v1/openapi.json`));
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApiDocument;
});

function operations(): { path: string; method: Method; op: OperationObject }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = item[method];
      return op ? [{ path, method, op }] : [];
    }),
  );
}

/** The JSON Pointer (RFC 6901) target of a local `$ref`, or undefined. */
function resolve(ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let target: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof target !== "object" || target === null || !Object.hasOwn(target, key)) return undefined;
    target = (target as Record<string, unknown>)[key];
  }
  return target;
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** A JSON Schema from the document as a zod validator, `$ref`s to its components included. */
function validator(schema: unknown): z.ZodType {
  const local = (v: unknown) =>
    JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"#/$defs/'));
  return z.fromJSONSchema({ ...local(schema), $defs: local(doc.components.schemas) });
}

function responseOf(answer: Response | Reference): Response {
  return "$ref" in answer ? (resolve(answer.$ref) as Response) : answer;
}

/** The documented operation for a request, from the path template the request was made on. */
function operation(method: string, template: string): OperationObject {
  const op = doc.paths[template]?.[method.toLowerCase() as Method];
  if (!op) throw new Error(`${method} ${template} is not documented`);
  return op;
}

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
  body: any;
}

/**
 * A management-API call whose request body must be what the document says the operation takes,
 * and whose answer must be one the document lists, with a body of the schema it names.
 */
async function call(method: string, template: string, path: string, body?: unknown): Promise<Answer> {
  const op = operation(method, template);
  if (body !== undefined) {
    const schema = op.requestBody?.content["application/json"]?.schema;
    expect(schema, `${op.operationId} takes no body`).toBeDefined();
    const checked = validator(schema).safeParse(body);
    expect(checked.error?.issues ?? [], `${op.operationId} request`).toEqual([]);
  }
  const answer = await adminCall(method, path, body);
  expectDocumented(op, answer);
  return answer;
}

function expectDocumented(op: OperationObject, answer: Answer): void {
  const documented = op.responses[String(answer.status)];
  expect(
    documented,
    `${op.operationId} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
  ).toBeDefined();
  const schema = responseOf(documented as Response | Reference).content?.["application/json"]?.schema;
  if (answer.status === 204 || !schema) {
    expect(answer.body).toBeUndefined();
    return;
  }
  const checked = validator(schema).safeParse(answer.body);
  expect(
    checked.error?.issues ?? [],
    `${op.operationId} ${answer.status} ${JSON.stringify(answer.body)}`,
  ).toEqual([]);
}

describe("the OpenAPI document", () => {
  it("is served publicly as JSON, cacheable", async () => {
    const res = await freshApp()(new Request(`${ORIGIN}/api/v1/openapi.json`));
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(res.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+$/);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("is well-formed OpenAPI 3.1: every $ref resolves, operations are complete and unique", () => {
    const unresolved = refsIn(doc).filter((ref) => resolve(ref) === undefined);
    expect(unresolved).toEqual([]);

    const tags = new Set(doc.tags.map((t) => t.name));
    const schemes = doc.components.securitySchemes;
    const oauthScopes = Object.keys(
      (schemes.oauth2 as { flows: { clientCredentials: { scopes: Record<string, string> } } }).flows
        .clientCredentials.scopes,
    );
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.length).toBeGreaterThan(50);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);

    for (const { path, op } of operations()) {
      const where = `${op.operationId}`;
      expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
      for (const status of Object.keys(op.responses)) expect(status, where).toMatch(/^[1-5]\d\d$/);
      for (const tag of op.tags) expect(tags.has(tag), `${where} tag ${tag}`).toBe(true);
      // Path parameters are exactly the template's, each required; no parameter twice.
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const inPath = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(inPath.map((p) => p.name).sort(), where).toEqual(templated.sort());
      for (const p of inPath) expect(p.required, where).toBe(true);
      const keys = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(new Set(keys).size, where).toBe(keys.length);
      for (const requirement of op.security) {
        for (const [scheme, scopes] of Object.entries(requirement)) {
          expect(schemes[scheme], `${where} scheme ${scheme}`).toBeDefined();
          for (const scope of scopes) expect(oauthScopes, where).toContain(scope);
        }
      }
    }
    expect(
      (schemes.oauth2 as { flows: { clientCredentials: { tokenUrl: string } } }).flows.clientCredentials
        .tokenUrl,
    ).toBe("/oauth2/v1/token");
    // Request and response schemas share one namespace: a name in both would lose one of them.
    expect(Object.keys(requestSchemas).filter((name) => Object.hasOwn(responseSchemas, name))).toEqual([]);
    // Every component is a JSON Schema zod can read back, and none claims to be its own document.
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(schema.$id, name).toBeUndefined();
      expect(schema.$schema, name).toBeUndefined();
      expect(() => validator(schema), name).not.toThrow();
    }
  });

  it("documents every /api/v1 route the app registers, and no other", async () => {
    const normal = (path: string) => path.replace(/:[^/]+|\{[^}]+\}/g, "{}");
    // The management API is mounted lazily (src/app.ts): its routes are those of the app it loads.
    const deps = createDeps();
    const all = [...createApp(deps).routes, ...(await managementApp(deps, bindPorts(deps))).routes];
    const routes = all.filter((r) => r.path.startsWith("/api/v1/") && !r.path.endsWith("*"));
    // `ALL` handlers are the routers' 405 answers for methods a path does not support.
    const registered = new Set(
      routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${normal(r.path)}`),
    );
    const documented = new Set(
      operations().map(({ path, method }) => `${method.toUpperCase()} ${normal(path)}`),
    );
    expect(
      [...registered].filter((r) => !documented.has(r)),
      "routes missing from the document",
    ).toEqual([]);
    expect(
      [...documented].filter((d) => !registered.has(d)),
      "operations with no route",
    ).toEqual([]);

    expect(
      routes.filter((r) => r.method === "ALL"),
      "405s come from the one fallback",
    ).toEqual([]);
  });

  it("answers every documented path's other methods with 405 and the documented ones in Allow", async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const documented = ["get", "post", "put", "delete", "patch"].filter((m) => m in item);
      const other = ["PATCH", "PUT", "DELETE", "POST"].find((m) => !documented.includes(m.toLowerCase()));
      if (!other) continue;
      const url = `${ORIGIN}${path.replace(/\{[^}]+\}/g, "x")}`;
      const res = await freshApp()(
        new Request(url, { method: other, headers: { Authorization: `SSWS ${ADMIN_TOKEN}` } }),
      );
      expect(res.status, `${other} ${path}`).toBe(405);
      // `/api-tokens/current` is also an `/api-tokens/{apiTokenId}`: every matching template counts.
      const concrete = path.replace(/\{[^}]+\}/g, "x");
      const allow = Object.entries(doc.paths)
        .filter(([template]) => new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(concrete))
        .flatMap(([, other]) => ["get", "post", "put", "delete", "patch"].filter((m) => m in other))
        .map((m) => m.toUpperCase());
      if (allow.includes("GET")) allow.push("HEAD");
      expect(res.headers.get("Allow"), path).toBe([...new Set(allow)].sort().join(", "));
    }
  });

  it("requires the okta.* scope the admin check requires: read for GET, manage for writes", () => {
    for (const { method, op } of operations()) {
      const scopes = op.security.flatMap((s) => s.oauth2 ?? []);
      for (const scope of scopes)
        expect(scope, op.operationId).toMatch(method === "get" ? /\.read$/ : /\.manage$/);
    }
    // The import writes servers, clients and hooks: it takes every scope the check asks for.
    expect(operation("POST", "/api/v1/warden/import").security).toContainEqual({
      oauth2: requiredScopes("POST", "/api/v1/warden/import"),
    });
    expect(operation("GET", "/api/v1/openapi.json").security).toEqual([]);
  });
});

describe("real responses match the document", () => {
  const servers = "/api/v1/authorizationServers";
  const server = `${servers}/{authServerId}`;

  it("authorization servers, scopes, claims, policies, rules and keys", async () => {
    const id = uniqueId("oas");
    const created = await call("POST", servers, "/authorizationServers", {
      id,
      name: id,
      audiences: ["api://openapi"],
    });
    expect(created.status).toBe(201);
    expect(
      (await call("GET", servers, `/authorizationServers?q=${id}&limit=5`)).headers.get("Link"),
    ).toContain('rel="self"');
    await call("GET", server, `/authorizationServers/${id}`);
    await call("PUT", server, `/authorizationServers/${id}`, {
      name: `${id} renamed`,
      audiences: ["api://x"],
    });

    const scope = await call("POST", `${server}/scopes`, `/authorizationServers/${id}/scopes`, {
      name: "orders:read",
      default: true,
    });
    expect(scope.status).toBe(201);
    await call("GET", `${server}/scopes`, `/authorizationServers/${id}/scopes`);
    await call("GET", `${server}/scopes/{scopeId}`, `/authorizationServers/${id}/scopes/${scope.body.id}`);

    const claim = await call("POST", `${server}/claims`, `/authorizationServers/${id}/claims`, {
      name: "tenant",
      claimType: "RESOURCE",
      valueType: "EXPRESSION",
      value: '"acme"',
      conditions: { scopes: ["orders:read"] },
    });
    expect(claim.status).toBe(201);
    await call("GET", `${server}/claims`, `/authorizationServers/${id}/claims`);

    const policy = await call("POST", `${server}/policies`, `/authorizationServers/${id}/policies`, {
      name: "all",
      conditions: { clients: { include: ["ALL_CLIENTS"] } },
    });
    expect(policy.status).toBe(201);
    const policyPath = `/authorizationServers/${id}/policies/${policy.body.id}`;
    await call("GET", `${server}/policies/{policyId}`, policyPath);
    const rule = await call("POST", `${server}/policies/{policyId}/rules`, `${policyPath}/rules`, {
      name: "read",
      conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["orders:read"] } },
      actions: { token: { accessTokenLifetimeMinutes: 30 } },
    });
    expect(rule.status).toBe(201);
    await call("GET", `${server}/policies/{policyId}/rules`, `${policyPath}/rules`);
    expect(
      (
        await call(
          "POST",
          `${server}/policies/{policyId}/lifecycle/deactivate`,
          `${policyPath}/lifecycle/deactivate`,
        )
      ).status,
    ).toBe(204);

    const keys = await call(
      "GET",
      `${server}/credentials/keys`,
      `/authorizationServers/${id}/credentials/keys`,
    );
    expect(keys.body.length).toBeGreaterThan(0);
    await call(
      "GET",
      `${server}/credentials/keys/{keyId}`,
      `/authorizationServers/${id}/credentials/keys/${keys.body[0].kid}`,
    );
    await call(
      "POST",
      `${server}/credentials/lifecycle/keyRotate`,
      `/authorizationServers/${id}/credentials/lifecycle/keyRotate`,
      {
        use: "sig",
      },
    );

    expect(
      (
        await call(
          "POST",
          `${server}/lifecycle/deactivate`,
          `/authorizationServers/${id}/lifecycle/deactivate`,
        )
      ).status,
    ).toBe(204);
    expect((await call("DELETE", server, `/authorizationServers/${id}`)).status).toBe(204);
  });

  it("apps, their secrets, and Token Preview (allowed and denied)", async () => {
    const { serverId, clientId } = await seedServer();
    const app = await call("POST", "/api/v1/apps", "/apps", {
      name: "oidc_client",
      label: uniqueId("openapi-app"),
      signOnMode: "OPENID_CONNECT",
      settings: { oauthClient: { grant_types: ["client_credentials"] } },
    });
    expect(app.status).toBe(200);
    expect(app.body.credentials.oauthClient.client_secret).toBeTruthy();
    const appPath = `/apps/${encodeURIComponent(app.body.id)}`;
    await call("GET", "/api/v1/apps", "/apps?limit=2");
    await call("GET", "/api/v1/apps/{appId}", appPath);
    const secret = await call(
      "POST",
      "/api/v1/apps/{appId}/credentials/secrets",
      `${appPath}/credentials/secrets`,
    );
    expect(secret.status).toBe(201);
    await call("GET", "/api/v1/apps/{appId}/credentials/secrets", `${appPath}/credentials/secrets`);
    await call(
      "POST",
      "/api/v1/apps/{appId}/credentials/secrets/{secretId}/lifecycle/deactivate",
      `${appPath}/credentials/secrets/${secret.body.id}/lifecycle/deactivate`,
    );
    expect(
      (await call("POST", "/api/v1/apps/{appId}/lifecycle/deactivate", `${appPath}/lifecycle/deactivate`))
        .body,
    ).toEqual({});

    const preview = `${server}/tokenPreview`;
    const allowed = await call("POST", preview, `/authorizationServers/${serverId}/tokenPreview`, {
      clientId,
      grantType: "client_credentials",
      scopes: ["read"],
    });
    expect(allowed.body.result).toBe("ALLOW");
    const denied = await call("POST", preview, `/authorizationServers/${serverId}/tokenPreview`, {
      clientId,
      grantType: "client_credentials",
      scopes: ["admin"],
    });
    expect(denied.body.result).toBe("DENY");
    // Rules after a match, and everything when the request is refused first, are `not_evaluated`.
    await call(
      "POST",
      `${server}/policies/{policyId}/rules`,
      `/authorizationServers/${serverId}/policies/p1/rules`,
      {
        name: "later",
        conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["read"] } },
      },
    );
    const later = await call("POST", preview, `/authorizationServers/${serverId}/tokenPreview`, {
      clientId,
      grantType: "client_credentials",
      scopes: ["read"],
    });
    expect(later.body.trace).toContainEqual(
      expect.objectContaining({ outcome: "not_evaluated", reason: "earlier_match" }),
    );
    const refused = await call("POST", preview, `/authorizationServers/${serverId}/tokenPreview`, {
      clientId,
      grantType: "client_credentials",
      scopes: ["no-such-scope"],
    });
    expect(refused.body.trace).toContainEqual(
      expect.objectContaining({ outcome: "not_evaluated", reason: "request_refused" }),
    );
  });

  it("Token Preview's documented request schema refuses what the route refuses", async () => {
    const { serverId, clientId } = await seedServer();
    const schema = validator(
      operation("POST", `${server}/tokenPreview`).requestBody?.content["application/json"]?.schema,
    );
    const bodies: unknown[] = [
      { clientId, grantType: "client_credentials" },
      { clientId, grantType: "client_credentials", scopes: ["read"] },
      { clientId: "", grantType: "client_credentials" },
      { clientId, grantType: "password" },
      { clientId, grantType: "password", userId: "" },
      { clientId, grantType: "client_credentials", userId: "00uSomeone" },
      { clientId, grantType: "client_credentials", scopes: ["two words"] },
      { grantType: "client_credentials" },
    ];
    for (const body of bodies) {
      const res = await adminCall("POST", `/authorizationServers/${serverId}/tokenPreview`, body);
      expect(res.status === 200, JSON.stringify(body)).toBe(schema.safeParse(body).success);
    }
  });

  it("inline hooks, API tokens, export and a dry-run import", async () => {
    const hook = await call(
      "POST",
      "/api/v1/inlineHooks",
      "/inlineHooks",
      tokenHook({
        name: uniqueId("openapi-hook"),
        headers: [{ key: "X-Tenant", value: "acme" }],
        authScheme: authorizationHeader("secret-value"),
      }),
    );
    expect(hook.status).toBe(200);
    expect(JSON.stringify(hook.body)).not.toContain("secret-value");
    await call("GET", "/api/v1/inlineHooks", "/inlineHooks?type=com.okta.oauth2.tokens.transform");
    await call(
      "POST",
      "/api/v1/inlineHooks/{inlineHookId}/lifecycle/deactivate",
      `/inlineHooks/${hook.body.id}/lifecycle/deactivate`,
    );

    const token = await call("POST", "/api/v1/api-tokens", "/api-tokens", { name: "openapi" });
    expect(token.status).toBe(201);
    await call("GET", "/api/v1/api-tokens", "/api-tokens");
    await call("GET", "/api/v1/api-tokens/{apiTokenId}", `/api-tokens/${token.body.id}`);

    await seedServer();
    await call("GET", "/api/v1/warden/export", "/warden/export");
    const id = uniqueId("dry");
    const dry = await call("POST", "/api/v1/warden/import", "/warden/import?dryRun=true", {
      authorizationServers: [{ server: { id, name: id, audiences: ["api://dry"] } }],
    });
    expect(dry.body.servers).toEqual([{ id, version: 1 }]);
  });

  it("errors: 400, 401, 404 and 405 in Okta's shape, as documented", async () => {
    const { serverId } = await seedServer();
    const scopes = `${server}/scopes`;
    const invalid = await adminCall("POST", `/authorizationServers/${serverId}/scopes`, {
      name: "two words",
    });
    expect(invalid.status).toBe(400);
    expectDocumented(operation("POST", scopes), invalid);
    const missing = await adminCall("GET", "/authorizationServers/no-such-server");
    expect(missing.status).toBe(404);
    expectDocumented(operation("GET", server), missing);
    const badLimit = await adminCall("GET", "/apps?limit=0");
    expect(badLimit.status).toBe(400);
    expectDocumented(operation("GET", "/api/v1/apps"), badLimit);

    const anonymous = await freshApp()(new Request(`${ORIGIN}/api/v1/authorizationServers`));
    expect(anonymous.status).toBe(401);
    expectDocumented(operation("GET", servers), {
      status: anonymous.status,
      headers: anonymous.headers,
      body: await anonymous.json(),
    });

    // A path documented as answering 405 to other methods does, with Okta's error.
    const patched = await freshApp()(
      new Request(`${ORIGIN}/api/v1/authorizationServers/${serverId}/scopes`, {
        method: "PATCH",
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}` },
      }),
    );
    expect(patched.status).toBe(405);
    expect(
      validator(doc.components.responses.MethodNotAllowed?.content?.["application/json"]?.schema).safeParse(
        await patched.json(),
      ).success,
    ).toBe(true);
  });
});

describe("the reference page", () => {
  it("is public, self-contained HTML under a strict CSP, with every operation and schema", async () => {
    const res = await freshApp()(new Request(`${ORIGIN}/api/v1/reference`));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    // The style the CSP allows by hash is the page's one inline style.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(style));
    expect(csp).toContain(`'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`);
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=/i);

    for (const { op } of operations()) expect(html, op.operationId).toContain(`id="op-${op.operationId}"`);
    for (const name of Object.keys(doc.components.schemas))
      expect(html, name).toContain(`id="schema-${name}"`);
    expect(html).toContain("<code>okta.authorizationServers.manage</code>");
  });

  it("escapes everything it takes from the document", () => {
    const hostile = "<script>alert(1)</script>\"'&";
    const copy = structuredClone(doc);
    copy.info.title = hostile;
    copy.info.description = `\`${hostile}\``;
    copy.tags.push({ name: hostile, description: hostile });
    copy.paths[`/x/${hostile}`] = {
      get: {
        operationId: hostile,
        summary: hostile,
        description: hostile,
        tags: [hostile],
        parameters: [
          { name: hostile, in: "query", required: false, description: hostile, schema: { enum: [hostile] } },
        ],
        responses: { 200: { description: hostile, content: { [hostile]: { schema: { const: hostile } } } } },
        security: [{ oauth2: [hostile] }],
      },
    };
    copy.components.schemas[hostile] = {
      description: hostile,
      type: "object",
      properties: { [hostile]: { $ref: `#/components/schemas/${hostile}`, description: hostile } },
    };
    const html = renderReferencePage(copy);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("alert(1)</");
    expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;");
  });
});
