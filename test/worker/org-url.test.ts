/**
 * The issuer never follows the `Host` header outside local development (DESIGN §8,
 * src/oauth/org-url.ts), tried the way a stranger would: another host in the request target, a
 * `Host` or `X-Forwarded-Host` header naming one, and a deployment that forgot `ORG_URL`. This tier
 * pins `ORG_URL` to https://warden.test (vitest.worker.config.ts); each test here runs the app on a
 * copy of the bindings with the vars it needs.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import {
  ADMIN_TOKEN,
  assertionParams,
  basic,
  clientAssertion,
  decodeJwt,
  type Fixture,
  freshApp,
  ORIGIN,
  type OrgClient,
  orgAccessToken,
  SECRET,
  seedOrgClient,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

const bindings = env as Env;
/** A deployment that forgot ORG_URL: no local development either. */
const UNSET: Env = { ...bindings, ORG_URL: undefined, LOCAL_DEVELOPMENT: undefined };
/** `npm start`: local development, ORG_URL unset. */
const LOCAL: Env = { ...bindings, ORG_URL: undefined, LOCAL_DEVELOPMENT: "true" };

let f: Fixture;
let svc: OrgClient;

beforeAll(async () => {
  f = await seedServer();
  svc = await seedOrgClient(["okta.authorizationServers.read", "okta.authorizationServers.manage"]);
});

afterEach(() => vi.restoreAllMocks());

/** A client_credentials request for `f`'s server at `origin`, with extra headers. */
function tokenAt(origin: string, headers: Record<string, string> = {}): Request {
  const request = tokenRequest(
    `${origin}/oauth2/${f.serverId}`,
    { grant_type: "client_credentials" },
    { authorization: basic(f.clientId, SECRET) },
  );
  for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
  return request;
}

async function issuedIss(res: Response): Promise<unknown> {
  const body = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return decodeJwt(body.access_token ?? "").payload.iss;
}

async function expectIssuerNotConfigured(res: Response): Promise<void> {
  expect(res.status).toBe(500);
  const body = (await res.json()) as Record<string, unknown>;
  if ("error" in body) {
    expect(body).toEqual({
      error: "server_error",
      error_description: "The issuer is not configured (ORG_URL).",
    });
  } else {
    expect(body).toMatchObject({
      errorCode: "E0000009",
      errorSummary: "The issuer is not configured (ORG_URL).",
    });
  }
}

describe("ORG_URL set: the request's host changes nothing", () => {
  it("a token requested at another host, or with Host / X-Forwarded-Host naming one, carries ORG_URL's issuer", async () => {
    const fetch = freshApp();
    const expected = `${ORIGIN}/oauth2/${f.serverId}`;
    expect(await issuedIss(await fetch(tokenAt("https://evil.example")))).toBe(expected);
    expect(await issuedIss(await fetch(tokenAt(ORIGIN, { Host: "evil.example" })))).toBe(expected);
    expect(
      await issuedIss(
        await fetch(tokenAt(ORIGIN, { "X-Forwarded-Host": "evil.example", Forwarded: "host=evil.example" })),
      ),
    ).toBe(expected);
  });

  it("discovery and the org server's metadata name ORG_URL's issuer at any host", async () => {
    const fetch = freshApp();
    const custom = await fetch(
      new Request(`http://evil.example/oauth2/${f.serverId}/.well-known/openid-configuration`, {
        headers: { "X-Forwarded-Host": "evil.example" },
      }),
    );
    const document = (await custom.json()) as { issuer: string; token_endpoint: string };
    expect(document.issuer).toBe(`${ORIGIN}/oauth2/${f.serverId}`);
    expect(document.token_endpoint).toBe(`${ORIGIN}/oauth2/${f.serverId}/v1/token`);
    const org = await fetch(new Request("http://evil.example/.well-known/oauth-authorization-server"));
    expect(((await org.json()) as { issuer: string }).issuer).toBe(ORIGIN);
  });

  it("the org server mints ORG_URL's issuer at another host; the admin API verifies it there too", async () => {
    const fetch = freshApp();
    const assertion = await clientAssertion(svc.key, svc.clientId, `${ORIGIN}/oauth2/v1/token`);
    const res = await fetch(
      tokenRequest(
        "http://evil.example/oauth2",
        assertionParams(assertion, { scope: "okta.authorizationServers.read" }),
      ),
    );
    expect(await issuedIss(res)).toBe(ORIGIN);
    const token = await orgAccessToken(svc, "okta.authorizationServers.read");
    const admin = await fetch(
      new Request(`http://evil.example/api/v1/authorizationServers/${f.serverId}`, {
        headers: { Authorization: `Bearer ${token}` },
      }),
    );
    expect(admin.status).toBe(200);
  });

  it("admin `_links` and Token Preview's issuer use ORG_URL, not the request's host", async () => {
    const fetch = freshApp();
    const server = await fetch(
      new Request(`http://evil.example/api/v1/authorizationServers/${f.serverId}`, {
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "X-Forwarded-Host": "evil.example" },
      }),
    );
    const body = (await server.json()) as { issuer: string; _links: Record<string, { href: string }> };
    expect(body.issuer).toBe(`${ORIGIN}/oauth2/${f.serverId}`);
    expect(JSON.stringify(body._links)).not.toContain("evil.example");
    expect(JSON.stringify(body._links)).toContain(ORIGIN);
  });
});

describe("ORG_URL unset outside local development: fail closed", () => {
  it("the token endpoint mints nothing, with a server_error naming the missing var, logged once per isolate", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const fetch = freshApp();
    for (const origin of [ORIGIN, "https://evil.example", "http://127.0.0.1:8787"]) {
      await expectIssuerNotConfigured(await fetch(tokenAt(origin), UNSET));
    }
    const lines = log.mock.calls.map((call) => String(call[0])).filter((line) => line.includes("ORG_URL"));
    expect(lines.length).toBeLessThanOrEqual(1);
  });

  it("every protocol endpoint that names an issuer refuses: discovery, both metadata locations, the org server", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const fetch = freshApp();
    for (const path of [
      `/oauth2/${f.serverId}/.well-known/openid-configuration`,
      `/oauth2/${f.serverId}/.well-known/oauth-authorization-server`,
      `/.well-known/oauth-authorization-server/oauth2/${f.serverId}`,
      "/.well-known/openid-configuration",
      "/.well-known/oauth-authorization-server",
    ]) {
      await expectIssuerNotConfigured(await fetch(new Request(`${ORIGIN}${path}`), UNSET));
    }
    const assertion = await clientAssertion(svc.key, svc.clientId, `${ORIGIN}/oauth2/v1/token`);
    await expectIssuerNotConfigured(
      await fetch(
        tokenRequest(`${ORIGIN}/oauth2`, assertionParams(assertion, { scope: "okta.apps.read" })),
        UNSET,
      ),
    );
  });

  it("the management API refuses before authentication and before any write", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const fetch = freshApp();
    const id = uniqueId("as");
    const create = await fetch(
      new Request(`${ORIGIN}/api/v1/authorizationServers`, {
        method: "POST",
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ id, name: id, audiences: ["api://x"] }),
      }),
      UNSET,
    );
    await expectIssuerNotConfigured(create);
    const token = await orgAccessToken(svc, "okta.authorizationServers.read");
    await expectIssuerNotConfigured(
      await fetch(
        new Request(`${ORIGIN}/api/v1/authorizationServers/${f.serverId}`, {
          headers: { Authorization: `Bearer ${token}` },
        }),
        UNSET,
      ),
    );
    // With the var back, the server was never created.
    const list = await fetch(
      new Request(`${ORIGIN}/api/v1/authorizationServers`, {
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}` },
      }),
    );
    expect(((await list.json()) as { id: string }[]).map((s) => s.id)).not.toContain(id);
  });

  it("an ORG_URL that is not an absolute http(s) URL fails closed too", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const ORG_URL of [
      "warden.test",
      "javascript:alert(1)",
      "https://user:pw@warden.test",
      "https://warden.test/?x",
    ]) {
      await expectIssuerNotConfigured(await freshApp()(tokenAt(ORIGIN), { ...bindings, ORG_URL }));
    }
  });

  it("the public API description keeps answering: it names no issuer", async () => {
    const res = await freshApp()(new Request(`${ORIGIN}/api/v1/openapi.json`), UNSET);
    expect(res.status).toBe(200);
  });
});

describe("ORG_URL unset in local development: loopback host names only", () => {
  it("a loopback host name gets an issuer of its own origin", async () => {
    const fetch = freshApp();
    for (const origin of [
      "http://127.0.0.1:8787",
      "http://localhost:8787",
      "http://[::1]:8787",
      "http://localhost",
    ]) {
      expect(await issuedIss(await fetch(tokenAt(origin), LOCAL))).toBe(`${origin}/oauth2/${f.serverId}`);
    }
  });

  it("any other host is refused, lookalikes included", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const fetch = freshApp();
    for (const origin of [
      "http://evil.example",
      "https://warden.test",
      "http://127.0.0.1.evil.example",
      "http://localhost.evil.example",
      "http://evil.localhost",
      "http://127.0.0.2",
      "http://0.0.0.0:8787",
      "http://[::ffff:127.0.0.1]",
      "http://192.168.1.10:8787",
    ]) {
      await expectIssuerNotConfigured(await fetch(tokenAt(origin), LOCAL));
    }
  });

  it("admin links follow a loopback origin and refuse another", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const fetch = freshApp();
    const at = (origin: string) =>
      fetch(
        new Request(`${origin}/api/v1/authorizationServers/${f.serverId}`, {
          headers: { Authorization: `SSWS ${ADMIN_TOKEN}` },
        }),
        LOCAL,
      );
    const ok = await at("http://127.0.0.1:8787");
    expect(((await ok.json()) as { issuer: string }).issuer).toBe(
      `http://127.0.0.1:8787/oauth2/${f.serverId}`,
    );
    await expectIssuerNotConfigured(await at("http://evil.example"));
  });
});
