/**
 * The token pipeline's outbound calls on in-memory ports, with local development off as in a
 * deployment: hooks and jwks_uris aimed at loopback, private and metadata addresses (records that
 * were stored before config refused them, or reached KV some other way) are never fetched; the
 * token is issued without the hook, as Okta does when a hook fails, and client authentication
 * fails with the one invalid_client answer.
 */
import { importJWK, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it, type Mock, type MockInstance, vi } from "vitest";
import type { Client } from "../../src/config/schemas";
import { callHook } from "../../src/hooks/hook-call";
import { AUTHENTICATION_FAILED } from "../../src/oauth/client-auth";
import { ClientKeyStore, type FetchLike } from "../../src/oauth/client-keys";
import {
  CLIENT_JWK,
  type MemoryPorts,
  memoryApp,
  memoryPorts,
  NOW_SECONDS,
  ORIGIN,
  publicJwk,
  SECRET,
} from "./memory-ports";
import { rule, scope } from "./policy-fixtures";

/** Hook targets a stranger would try; each is published as is (no config check on this path). */
const TARGETS = [
  "http://127.1:8080/hook",
  "http://[::ffff:127.0.0.1]:8080/hook",
  "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
  "https://0xa9fea9fe/latest/meta-data/",
  "https://[::ffff:a9fe:a9fe]/",
  "https://10.0.0.1/",
  "https://167772161/",
  "https://[fd00::1]/",
  "https://metadata.google.internal/computeMetadata/v1/",
  "https://user:pw@hooks.example.com/",
  "http://hooks.example.com/",
] as const;

function server(i: number) {
  return {
    server: { id: `aus_${i}`, name: `aus_${i}`, audiences: ["api://unit"] },
    scopes: [scope("read", true)],
    claims: [
      {
        id: "c-team",
        name: "team",
        claimType: "RESOURCE" as const,
        valueType: "EXPRESSION" as const,
        value: '"blue"',
      },
    ],
    policies: [
      {
        id: "p1",
        name: "all",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [rule("r1", 1, { inlineHookId: `hook${i}` })],
      },
    ],
  };
}

let ports: MemoryPorts;
let warn: MockInstance<typeof console.warn>;
let fetchSpy: Mock<typeof fetch>;

beforeEach(async () => {
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  // Any call that gets through would be a hook answering with a patch.
  fetchSpy = vi.fn<typeof fetch>(async () =>
    Response.json({
      commands: [
        { type: "com.okta.access.patch", value: [{ op: "add", path: "/claims/pwned", value: true }] },
      ],
    }),
  );
  vi.stubGlobal("fetch", fetchSpy);
  ports = await memoryPorts({
    servers: TARGETS.map((_, i) => server(i)),
    clients: [
      { client_id: "svc", client_name: "svc", secret: SECRET },
      {
        client_id: "remote",
        client_name: "remote",
        token_endpoint_auth_method: "private_key_jwt",
        jwks_uri: "https://keys.example.com/jwks.json",
      },
    ],
    hooks: TARGETS.map((uri, i) => ({
      id: `hook${i}`,
      name: `hook ${i}`,
      status: "ACTIVE",
      uri,
      headers: [],
    })),
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function token(p: MemoryPorts, serverId: string) {
  const res = await memoryApp(p)(
    new Request(`${ORIGIN}/oauth2/${serverId}/v1/token`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${btoa(`svc:${SECRET}`)}`,
      },
      body: "grant_type=client_credentials&scope=read",
    }),
  );
  const body = (await res.json()) as { access_token: string };
  expect(res.status).toBe(200);
  return JSON.parse(atob(body.access_token.split(".")[1] as string)) as Record<string, unknown>;
}

function hookFailures(): Record<string, unknown>[] {
  return warn.mock.calls
    .map((call) => JSON.parse(String(call[0])) as Record<string, unknown>)
    .filter((line) => line.event === "token.inline_hook_failed");
}

describe("token inline hooks outside local development", () => {
  it("never calls a loopback, private, metadata or malformed target: the token is issued without the hook", async () => {
    for (const [i, uri] of TARGETS.entries()) {
      const claims = await token(ports, `aus_${i}`);
      expect(claims, uri).toMatchObject({ team: "blue", sub: "svc" });
      expect(claims, uri).not.toHaveProperty("pwned");
    }
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(hookFailures().map((line) => [line.hookId, line.reason])).toEqual(
      TARGETS.map((_, i) => [`hook${i}`, "refused_target"]),
    );
  });

  it("in local development calls loopback only, at the address the parser normalised", async () => {
    const local = { ...ports, settings: { ...ports.settings, localDevelopment: true } };
    for (const [i] of TARGETS.entries()) await token(local, `aus_${i}`);
    expect(fetchSpy.mock.calls.map((call) => call[0])).toEqual([
      "http://127.0.0.1:8080/hook",
      "http://[::ffff:7f00:1]:8080/hook",
    ]);
  });
});

describe("a hook call", () => {
  it("never follows a redirect, to a metadata address or anywhere else", async () => {
    const seen: [string, RequestInit][] = [];
    const result = await callHook("https://HOOKS.example.com/x", new Headers(), "{}", {
      allowLoopback: false,
      timeoutMs: 1000,
      maxReplyBytes: 1024,
      fetch: async (input, init) => {
        seen.push([String(input), init as RequestInit]);
        return new Response(null, { status: 307, headers: { Location: "http://169.254.169.254/" } });
      },
    });
    expect(result).toEqual({
      ok: false,
      reason: "http_status",
      detail: "HTTP 307 (redirects are not followed)",
    });
    expect(seen.map(([url, init]) => [url, init.redirect])).toEqual([
      ["https://hooks.example.com/x", "manual"],
    ]);
  });
});

describe("a client's jwks_uri outside local development", () => {
  async function assertion(audience: string) {
    return new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "c1" })
      .setIssuer("remote")
      .setSubject("remote")
      .setAudience(audience)
      .setIssuedAt(NOW_SECONDS)
      .setExpirationTime(NOW_SECONDS + 60)
      .setJti(crypto.randomUUID())
      .sign(await importJWK(CLIENT_JWK, "ES256"));
  }

  it("is never fetched from a private or metadata address: invalid_client, as for any failure", async () => {
    const fetched: string[] = [];
    const fetchJwks: FetchLike = async (url) => {
      fetched.push(url);
      return Response.json({ keys: [{ ...publicJwk(CLIENT_JWK), kid: "c1" }] });
    };
    const registered = (await ports.config.client("remote")) as Client;
    const tokenUrl = `${ORIGIN}/oauth2/aus_0/v1/token`;
    for (const jwksUri of [
      "https://169.254.169.254/latest/meta-data/",
      "https://0xa9fea9fe/",
      "https://10.0.0.1/jwks.json",
      "https://[::ffff:192.168.0.1]/jwks.json",
      "https://keys.internal/jwks.json",
      "http://127.1:8080/jwks.json",
    ]) {
      // As if stored before config refused it.
      const p: MemoryPorts = {
        ...ports,
        config: {
          ...ports.config,
          client: async (id) =>
            id === "remote" ? { ...registered, jwks_uri: jwksUri } : ports.config.client(id),
        },
        clientKeys: new ClientKeyStore({ fetch: fetchJwks }).source({ allowLoopback: false }),
      };
      const res = await memoryApp(p)(
        new Request(tokenUrl, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "client_credentials",
            client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            client_assertion: await assertion(tokenUrl),
          }).toString(),
        }),
      );
      expect(res.status, jwksUri).toBe(401);
      expect(await res.json()).toEqual({ error: "invalid_client", error_description: AUTHENTICATION_FAILED });
    }
    expect(fetched).toEqual([]);
    const reasons = warn.mock.calls
      .map((call) => JSON.parse(String(call[0])) as Record<string, unknown>)
      .filter((line) => line.event === "client_auth.failed")
      .map((line) => line.reason);
    expect(reasons).toEqual(new Array(6).fill("keys_unavailable"));
  });
});
