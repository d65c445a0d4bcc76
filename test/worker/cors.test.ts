/**
 * CORS on the endpoints a browser app calls (src/oauth/cors.ts), as a browser sees them: preflight
 * and actual request, from a trusted origin, an untrusted one, an INACTIVE one, one trusted for
 * REDIRECT only, a deleted one, and `null`; on a custom server's token endpoint and the org
 * server's. JWKS and discovery stay open to any origin. Every answer a trusted page receives —
 * errors too — carries `Access-Control-Allow-Origin`; nothing ever allows credentials.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import {
  adminCall,
  basic,
  type Fixture,
  freshApp,
  ORG_TOKEN_ENDPOINT,
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

function origin(label: string): string {
  return `https://${uniqueId(label).toLowerCase()}.example`;
}

async function trust(at: string, scopes: string[] = ["CORS"], status = "ACTIVE"): Promise<string> {
  const res = await adminCall("POST", "/trustedOrigins", {
    name: uniqueId("cors"),
    origin: at,
    scopes: scopes.map((type) => ({ type })),
    status,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.id;
}

function preflight(url: string, from: string, method = "POST"): Request {
  return new Request(url, {
    method: "OPTIONS",
    headers: {
      Origin: from,
      "Access-Control-Request-Method": method,
      "Access-Control-Request-Headers": "authorization, content-type, x-okta-user-agent-extended",
    },
  });
}

function withOrigin(request: Request, from: string): Request {
  const headers = new Headers(request.headers);
  headers.set("Origin", from);
  return new Request(request, { headers });
}

let f: Fixture;
let trusted: string;
let inactive: string;
let redirectOnly: string;
let tokenUrl: string;

beforeAll(async () => {
  f = await seedServer();
  tokenUrl = `${f.issuer}/v1/token`;
  trusted = origin("trusted");
  inactive = origin("inactive");
  redirectOnly = origin("redirect");
  await trust(trusted, ["CORS", "REDIRECT"]);
  await trust(inactive, ["CORS"], "INACTIVE");
  await trust(redirectOnly, ["REDIRECT"]);
});

const tokenCall = () =>
  tokenRequest(
    f.issuer,
    { grant_type: "client_credentials", scope: "read" },
    { authorization: basic(f.clientId, SECRET) },
  );

describe("a preflight to the token endpoint", () => {
  it("from a trusted origin: 204 echoing it, the methods, headers and max-age; no credentials", async () => {
    for (const url of [() => tokenUrl, () => ORG_TOKEN_ENDPOINT]) {
      const res = await freshApp()(preflight(url(), trusted));
      expect(res.status).toBe(204);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(trusted);
      expect(res.headers.get("Access-Control-Allow-Methods")).toBe("POST, OPTIONS");
      const allowed = (res.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase();
      for (const header of ["authorization", "content-type", "x-okta-user-agent-extended"]) {
        expect(allowed).toContain(header);
      }
      expect(res.headers.get("Access-Control-Max-Age")).toBe("7200");
      expect(res.headers.get("Vary")).toBe("Origin");
      expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    }
  });

  it.each([
    ["an untrusted origin", () => origin("stranger")],
    ["an INACTIVE origin", () => inactive],
    ["an origin trusted for REDIRECT only", () => redirectOnly],
    ["the opaque origin null", () => "null"],
    ["a trusted origin's other scheme", () => trusted.replace("https:", "http:")],
    ["a trusted origin's other port", () => `${trusted}:8443`],
    ["a trusted origin with a path", () => `${trusted}/`],
    ["a trusted origin in other case", () => trusted.toUpperCase()],
    ["a subdomain of a trusted origin", () => trusted.replace("https://", "https://evil.")],
  ])("from %s: 403 without CORS headers", async (_what, from) => {
    for (const url of [tokenUrl, ORG_TOKEN_ENDPOINT]) {
      const res = await freshApp()(preflight(url, from()));
      expect(res.status).toBe(403);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(res.headers.get("Access-Control-Allow-Methods")).toBeNull();
      expect(res.headers.get("Vary")).toBe("Origin");
    }
  });

  it("OPTIONS that is no preflight is the endpoint's own 405", async () => {
    const res = await freshApp()(new Request(tokenUrl, { method: "OPTIONS", headers: { Origin: trusted } }));
    expect(res.status).toBe(405);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(trusted);
  });
});

describe("an actual request to the token endpoint", () => {
  it("from a trusted origin gets its token with Access-Control-Allow-Origin and Vary", async () => {
    const res = await freshApp()(withOrigin(tokenCall(), trusted));
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(trusted);
    expect(res.headers.get("Vary")).toContain("Origin");
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("WWW-Authenticate");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(((await res.json()) as { access_token?: string }).access_token).toBeTruthy();
  });

  it("from a trusted origin can read the errors too: invalid_client, invalid_grant, unsupported types", async () => {
    const bad = [
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, "wrong") },
      ),
      tokenRequest(
        f.issuer,
        { grant_type: "authorization_code", code: "x" },
        { authorization: basic(f.clientId, SECRET) },
      ),
      tokenRequest(f.issuer, { grant_type: "client_credentials" }, { contentType: "application/json" }),
      tokenRequest(`${ORIGIN}/oauth2/no-such-server`, { grant_type: "client_credentials" }),
    ];
    for (const request of bad) {
      const res = await freshApp()(withOrigin(request, trusted));
      expect(res.status, request.url).toBeGreaterThanOrEqual(400);
      expect(res.headers.get("Access-Control-Allow-Origin"), request.url).toBe(trusted);
      expect(res.headers.get("Vary")).toContain("Origin");
    }
  });

  it("from an untrusted, INACTIVE or REDIRECT-only origin runs but gives the page nothing to read", async () => {
    for (const from of [origin("stranger"), inactive, redirectOnly, "null"]) {
      const res = await freshApp()(withOrigin(tokenCall(), from));
      expect(res.status).toBe(200);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(res.headers.get("Vary")).toBe("Origin");
    }
  });

  it("without an Origin header (a server-side client) is untouched: no CORS header at all", async () => {
    const res = await freshApp()(tokenCall());
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(res.headers.get("Vary")).toBeNull();
  });
});

describe("a trust change", () => {
  it("reaches a new isolate: deactivating, reactivating and deleting the origin", async () => {
    const at = origin("lifecycle");
    const id = await trust(at);
    const allowed = async () => (await freshApp()(preflight(tokenUrl, at))).status;
    expect(await allowed()).toBe(204);
    await adminCall("POST", `/trustedOrigins/${id}/lifecycle/deactivate`);
    expect(await allowed()).toBe(403);
    await adminCall("POST", `/trustedOrigins/${id}/lifecycle/activate`);
    expect(await allowed()).toBe(204);
    await adminCall("PUT", `/trustedOrigins/${id}`, {
      name: uniqueId("redirect"),
      origin: at,
      scopes: [{ type: "REDIRECT" }],
    });
    expect(await allowed()).toBe(403);
    await adminCall("DELETE", `/trustedOrigins/${id}`);
    expect(await allowed()).toBe(403);
  });

  it("is read once per isolate: a warm isolate answers from memory", async () => {
    const deps = createDeps();
    const app = freshApp(deps);
    expect((await app(preflight(tokenUrl, trusted))).status).toBe(204);
    const at = origin("late");
    await trust(at);
    // Cached for CONFIG_CACHE_TTL_SECONDS: this isolate does not see the new origin yet …
    expect((await app(preflight(tokenUrl, at))).status).toBe(403);
    // … a new one does.
    expect((await freshApp()(preflight(tokenUrl, at))).status).toBe(204);
  });
});

describe("public metadata", () => {
  it("stays readable from any origin: JWKS and discovery", async () => {
    const stranger = origin("anyone");
    for (const url of [
      `${f.issuer}/v1/keys`,
      `${f.issuer}/.well-known/openid-configuration`,
      `${f.issuer}/.well-known/oauth-authorization-server`,
      `${ORIGIN}/oauth2/v1/keys`,
    ]) {
      const res = await freshApp()(new Request(url, { headers: { Origin: stranger } }));
      expect(res.status, url).toBe(200);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
      const pre = await freshApp()(preflight(url, stranger, "GET"));
      expect(pre.status, url).toBeLessThan(300);
      expect(pre.headers.get("Access-Control-Allow-Origin")).toBe("*");
    }
  });
});
