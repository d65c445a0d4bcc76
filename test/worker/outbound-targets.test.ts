/**
 * Where Warden's own outbound calls go (DESIGN §8, issue 13): a stranger who can configure a token
 * inline hook or a client's jwks_uri tries to make Warden call loopback, private or metadata
 * addresses, in every spelling, and to use Token Preview to tell open ports from closed ones.
 *
 * This tier runs with LOCAL_DEVELOPMENT on (its hook service listens on 127.0.0.1); a deployment is
 * the same app given the same bindings without it. Ports are bound per env object, so a copy of the
 * bindings with LOCAL_DEVELOPMENT removed is a deployment here.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDeps } from "../../src/app";
import { ALL_RIGHTS } from "../../src/config/rights";
import type { Env } from "../../src/env";
import { AUTHENTICATION_FAILED } from "../../src/oauth/client-auth";
import { ClientKeyStore, type FetchLike } from "../../src/oauth/client-keys";
import {
  adminCall,
  anyClientServer,
  assertionParams,
  basic,
  clientAssertion,
  clientKey,
  controlPlane,
  decodeJwt,
  freshApp,
  importConfig,
  ORIGIN,
  SECRET,
  tokenRequest,
  uniqueId,
} from "./helpers";
import { type HookDoc, hookDoc, hookedServer, recorded, tokenPreview } from "./preview-fixtures";

const LOCAL = env as Env;
const DEPLOYED: Env = { ...LOCAL, LOCAL_DEVELOPMENT: undefined };
const PORT = new URL(hookDoc("success", "x").channel.config.uri).port;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A hook on the test service under `tag`, configured at `uri(tag)`, and a server whose rule names it. */
async function hookAt(uri: (tag: string) => string) {
  const tag = uniqueId("t");
  const doc = hookDoc("success", tag);
  const hook: HookDoc = {
    ...doc,
    channel: { ...doc.channel, config: { ...doc.channel.config, uri: uri(tag) } },
  };
  await importConfig({ inlineHooks: [hook] });
  return { ...(await hookedServer(hook.id)), hook, tag };
}

async function issue(f: { issuer: string; clientId: string }, bindings: Env) {
  const res = await freshApp()(
    tokenRequest(
      f.issuer,
      { grant_type: "client_credentials", scope: "read" },
      { authorization: basic(f.clientId, SECRET) },
    ),
    bindings,
  );
  const body = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return decodeJwt(body.access_token as string).payload;
}

function logged(spy: { mock: { calls: unknown[][] } }, event: string): Record<string, unknown>[] {
  return spy.mock.calls
    .map((call): Record<string, unknown> => {
      try {
        return JSON.parse(String(call[0])) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((line) => line.event === event);
}

async function preview(serverId: string, clientId: string, bindings?: Env) {
  const res = await tokenPreview(
    serverId,
    { clientId, grantType: "client_credentials", scopes: ["read"] },
    bindings,
  );
  expect(res.status).toBe(200);
  return { body: (await res.json()) as { result: string; inlineHook: Record<string, unknown> } };
}

describe("a token inline hook aimed at loopback, outside local development", () => {
  const spellings: [string, (tag: string) => string][] = [
    ["127.1", (tag) => `http://127.1:${PORT}/success/${tag}`],
    ["0x7f.1", (tag) => `http://0x7f.1:${PORT}/success/${tag}`],
    ["2130706433", (tag) => `http://2130706433:${PORT}/success/${tag}`],
    ["0177.0.0.1", (tag) => `http://0177.0.0.1:${PORT}/success/${tag}`],
    ["[::ffff:127.0.0.1]", (tag) => `http://[::ffff:127.0.0.1]:${PORT}/success/${tag}`],
    ["[::ffff:7f00:1]", (tag) => `https://[::ffff:7f00:1]:${PORT}/success/${tag}`],
    ["localhost.", (tag) => `http://localhost.:${PORT}/success/${tag}`],
  ];

  for (const [spelling, uri] of spellings) {
    it(`is never called at ${spelling}: the token is issued without it and the log says refused_target`, async () => {
      const f = await hookAt(uri);
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const payload = await issue(f, DEPLOYED);
      expect(payload).toMatchObject({ team: "blue", legacy: "old", sub: f.clientId });
      expect(payload).not.toHaveProperty("external_guid");
      expect(logged(warn, "token.inline_hook_failed")).toEqual([
        expect.objectContaining({
          hookId: f.hook.id,
          reason: "refused_target",
          detail: expect.stringContaining("loopback"),
        }),
      ]);
      expect(logged(warn, "token.inline_hook_failed")[0]).not.toHaveProperty("elapsedMs");
      expect(await recorded(f.tag)).toEqual([]);
    });
  }

  it("is called in local development, at the normalised address", async () => {
    const f = await hookAt((tag) => `http://0x7f.1:${PORT}/success/${tag}`);
    expect(await issue(f, LOCAL)).toHaveProperty("external_guid");
    expect(await recorded(f.tag)).toHaveLength(1);
  });
});

describe("private, link-local and metadata targets", () => {
  const targets = [
    "https://169.254.169.254/latest/meta-data/",
    "https://0xa9fea9fe/latest/meta-data/",
    "https://[::ffff:169.254.169.254]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://10.0.0.1/hook",
    "https://012.1/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.1/hook",
    "https://100.64.0.1/hook",
    "https://[fd00::1]/hook",
    "https://[fe80::1]/hook",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local./",
  ];

  it("are refused as hook URIs by the management API, local development or not", async () => {
    for (const uri of targets) {
      const doc = hookDoc("success", uniqueId("t"));
      const res = await adminCall("POST", "/inlineHooks", {
        ...doc,
        channel: { ...doc.channel, config: { ...doc.channel.config, uri } },
      });
      expect(res.status, uri).toBe(400);
      expect(JSON.stringify(res.body.errorCauses), uri).toContain(
        "channel.config.uri: must be a public host",
      );
    }
  });

  it("are refused as a client's jwks_uri", async () => {
    for (const jwks_uri of targets) {
      const result = await controlPlane().importConfig(
        {
          clients: [
            {
              client_id: uniqueId("pkj"),
              client_name: "pkj",
              token_endpoint_auth_method: "private_key_jwt",
              jwks_uri,
            },
          ],
        },
        ALL_RIGHTS,
      );
      expect(result.ok, jwks_uri).toBe(false);
      expect(JSON.stringify(result), jwks_uri).toContain("clients.0.jwks_uri");
      expect(JSON.stringify(result), jwks_uri).toContain("must be a public host");
    }
  });
});

describe("Token Preview of a hook that fails", () => {
  // Port 1 on 127.0.0.1 (tcpmux) is closed on any machine this runs on; the hook service's port is open.
  const failing: [string, (tag: string) => string][] = [
    ["a closed port", (tag) => `http://127.0.0.1:1/success/${tag}`],
    ["an open port answering 503", (tag) => `http://127.0.0.1:${PORT}/status/${tag}`],
    ["an open port answering 404", (tag) => `http://127.0.0.1:${PORT}/no-such-path/${tag}`],
    ["an open port answering something not JSON", (tag) => `http://127.0.0.1:${PORT}/bad-json/${tag}`],
  ];

  it("answers alike for a closed port and open ones, naming no status, error or timing", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const answers: unknown[] = [];
    for (const [what, uri] of failing) {
      const f = await hookAt(uri);
      const { body } = await preview(f.serverId, f.clientId);
      expect(body.result, what).toBe("ALLOW");
      const { id, ...rest } = body.inlineHook;
      expect(id).toBe(f.hook.id);
      answers.push(rest);
      const shown = JSON.stringify(body.inlineHook);
      for (const leak of ["503", "404", "HTTP", "elapsed", "detail", "refused", "connect", "JSON"]) {
        expect(shown, `${what}: ${leak}`).not.toContain(leak);
      }
    }
    expect(answers).toEqual(failing.map(() => ({ called: true, outcome: "failed", reason: "call_failed" })));
    // The particulars are in the Worker's log, for the operator.
    expect(logged(info, "token_preview.inline_hook_failed").map((line) => line.reason)).toEqual([
      "network",
      "http_status",
      "http_status",
      "invalid_reply",
    ]);
    expect(logged(info, "token_preview.inline_hook_failed")[1]).toMatchObject({ detail: "HTTP 503" });
  });

  it("outside local development, refuses every loopback port before calling, alike", async () => {
    vi.spyOn(console, "info").mockImplementation(() => {});
    const answers: unknown[] = [];
    for (const [, uri] of failing) {
      const f = await hookAt(uri);
      const { body } = await preview(f.serverId, f.clientId, DEPLOYED);
      const { id: _id, ...rest } = body.inlineHook;
      answers.push(rest);
      expect(await recorded(f.tag)).toEqual([]);
    }
    expect(answers).toEqual(
      failing.map(() => ({ called: false, outcome: "failed", reason: "refused_target" })),
    );
  });
});

describe("a client's jwks_uri on loopback, outside local development", () => {
  it("is never fetched: client authentication fails with the usual invalid_client", async () => {
    const key = await clientKey("ES256");
    const clientId = uniqueId("pkj");
    const serverId = uniqueId("as");
    // The metadata address in one of its spellings would be refused at import; loopback is configurable.
    const jwksUri = `http://0x7f.1:${PORT}/jwks/${clientId}`;
    await importConfig({
      clients: [
        {
          client_id: clientId,
          client_name: "pkj",
          token_endpoint_auth_method: "private_key_jwt",
          jwks_uri: jwksUri,
        },
      ],
      authorizationServers: [anyClientServer(serverId, "api://ssrf")],
    });
    const tokenEndpoint = `${ORIGIN}/oauth2/${serverId}/v1/token`;
    const fetched: string[] = [];
    const fetchJwks: FetchLike = async (url, init) => {
      fetched.push(url);
      expect(init.redirect).toBe("manual");
      return Response.json({ keys: [key.publicJwk] });
    };
    const post = async (bindings: Env) => {
      const app = freshApp({ ...createDeps(), clientKeys: new ClientKeyStore({ fetch: fetchJwks }) });
      const assertion = await clientAssertion(key, clientId, tokenEndpoint);
      return app(tokenRequest(`${ORIGIN}/oauth2/${serverId}`, assertionParams(assertion)), bindings);
    };

    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const refused = await post(DEPLOYED);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: "invalid_client",
      error_description: AUTHENTICATION_FAILED,
    });
    expect(fetched).toEqual([]);
    expect(logged(warn, "client_auth.failed")).toEqual([
      expect.objectContaining({
        clientId,
        reason: "keys_unavailable",
        detail: expect.stringContaining("loopback"),
      }),
    ]);

    // The same client in local development: fetched, at the address the parser normalised.
    const allowed = await post(LOCAL);
    expect(allowed.status).toBe(200);
    expect(fetched).toEqual([`http://127.0.0.1:${PORT}/jwks/${clientId}`]);
  });

  it("keys fetched under local development are not served to a deployment sharing the isolate", async () => {
    // One isolate-scoped key store, two bindings objects: the target is checked before the cache.
    const key = await clientKey("ES256");
    const clientId = uniqueId("pkj");
    const serverId = uniqueId("as");
    await importConfig({
      clients: [
        {
          client_id: clientId,
          client_name: "pkj",
          token_endpoint_auth_method: "private_key_jwt",
          jwks_uri: `http://127.0.0.1:${PORT}/jwks/${clientId}`,
        },
      ],
      authorizationServers: [anyClientServer(serverId, "api://ssrf")],
    });
    const tokenEndpoint = `${ORIGIN}/oauth2/${serverId}/v1/token`;
    const app = freshApp({
      ...createDeps(),
      clientKeys: new ClientKeyStore({ fetch: async () => Response.json({ keys: [key.publicJwk] }) }),
    });
    const post = async (bindings: Env) =>
      app(
        tokenRequest(
          `${ORIGIN}/oauth2/${serverId}`,
          assertionParams(await clientAssertion(key, clientId, tokenEndpoint)),
        ),
        bindings,
      );
    vi.spyOn(console, "warn").mockImplementation(() => {});
    expect((await post(LOCAL)).status).toBe(200);
    expect((await post(DEPLOYED)).status).toBe(401);
  });
});
