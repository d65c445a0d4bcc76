import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { readBoundedText } from "../../src/http/bounded-body";
import {
  ASSERTION_TYPE,
  assertionParams,
  basic,
  clientAssertion,
  clientKey,
  controlPlane,
  type Fixture,
  freshApp,
  importConfig,
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

let f: Fixture;
beforeAll(async () => {
  f = await seedServer();
});

async function expectOAuthError(res: Response, status: number, error: string, description?: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toContain("application/json");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(body.error_description).toEqual(expect.any(String));
  if (description) expect(body.error_description).toMatch(description);
  return body;
}

const cc = { grant_type: "client_credentials" };

describe("token endpoint — request format", () => {
  it.each([
    ["application/json", JSON.stringify(cc)],
    [
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--',
    ],
    ["text/plain", "grant_type=client_credentials"],
  ])("rejects %s bodies", async (contentType, body) => {
    const res = await freshApp()(
      tokenRequest(f.issuer, {}, { authorization: basic(f.clientId, SECRET), contentType, body }),
    );
    await expectOAuthError(res, 400, "invalid_request", /x-www-form-urlencoded/);
  });

  it("rejects a repeated parameter, naming it", async () => {
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        {},
        {
          authorization: basic(f.clientId, SECRET),
          body: "grant_type=client_credentials&scope=read&scope=write",
        },
      ),
    );
    await expectOAuthError(res, 400, "invalid_request", /'scope'/);
  });

  it("rejects a body over the size limit, declared or streamed", async () => {
    const big = `grant_type=client_credentials&pad=${"a".repeat(20_000)}`;
    const declared = await freshApp()(
      tokenRequest(f.issuer, {}, { authorization: basic(f.clientId, SECRET), body: big }),
    );
    await expectOAuthError(declared, 400, "invalid_request", /exceeds/);

    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("a".repeat(1024)));
        controller.close();
      },
    });
    const streamed = await freshApp()(
      new Request(`${f.issuer}/v1/token`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Authorization: basic(f.clientId, SECRET),
        },
        body: stream,
      }),
    );
    await expectOAuthError(streamed, 400, "invalid_request", /exceeds/);
  });

  it("requires grant_type and knows only the grants it implements", async () => {
    const auth = { authorization: basic(f.clientId, SECRET) };
    await expectOAuthError(
      await freshApp()(tokenRequest(f.issuer, { scope: "read" }, auth)),
      400,
      "invalid_request",
      /grant_type/,
    );
    await expectOAuthError(
      await freshApp()(
        tokenRequest(
          f.issuer,
          { grant_type: "urn:ietf:params:oauth:grant-type:saml2-bearer", assertion: "a" },
          auth,
        ),
      ),
      400,
      "unsupported_grant_type",
    );
  });

  it.each(["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"])(
    "answers %s on the token endpoint with 405 and Allow: POST (RFC 9110 §15.5.6)",
    async (method) => {
      for (const url of [`${f.issuer}/v1/token`, `${ORIGIN}/oauth2/v1/token`]) {
        const res = await freshApp()(new Request(url, { method }));
        expect(res.status).toBe(405);
        expect(res.headers.get("Allow")).toBe("POST");
        expect(res.headers.get("Cache-Control")).toBe("no-store");
        if (method === "HEAD") continue; // no body, by definition
        expect(await res.json()).toEqual({ error: "invalid_request", error_description: expect.any(String) });
      }
    },
  );
});

describe("token endpoint — client authentication", () => {
  it("gives an unknown client and a wrong secret the very same answer", async () => {
    const wrong = await freshApp()(
      tokenRequest(f.issuer, cc, { authorization: basic(f.clientId, "not-the-secret") }),
    );
    const unknown = await freshApp()(tokenRequest(f.issuer, cc, { authorization: basic("nobody", SECRET) }));
    expect(wrong.headers.get("WWW-Authenticate")).toBe('Basic realm="warden"');
    expect(unknown.headers.get("WWW-Authenticate")).toBe('Basic realm="warden"');
    expect(await expectOAuthError(wrong, 401, "invalid_client")).toEqual(
      await expectOAuthError(unknown, 401, "invalid_client"),
    );
  });

  describe("a client_id too long to be one (past KV's 512-byte key limit) is an unknown client, not a 5xx", () => {
    const long = "c".repeat(600);
    const unknownAnswer = async () =>
      expectOAuthError(
        await freshApp()(tokenRequest(f.issuer, cc, { authorization: basic("nobody", SECRET) })),
        401,
        "invalid_client",
      );

    it("in Basic credentials", async () => {
      const res = await freshApp()(tokenRequest(f.issuer, cc, { authorization: basic(long, SECRET) }));
      expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="warden"');
      expect(await expectOAuthError(res, 401, "invalid_client")).toEqual(await unknownAnswer());
    });

    it("in the body (client_secret_post)", async () => {
      const res = await freshApp()(tokenRequest(f.issuer, { ...cc, client_id: long, client_secret: SECRET }));
      expect(await expectOAuthError(res, 401, "invalid_client")).toEqual(await unknownAnswer());
    });

    it("as a client assertion's iss and sub, with or without a client_id parameter", async () => {
      const key = await clientKey("ES256");
      for (const extra of [{}, { client_id: long }]) {
        const assertion = await clientAssertion(key, long, `${f.issuer}/v1/token`);
        const res = await freshApp()(tokenRequest(f.issuer, assertionParams(assertion, extra)));
        expect(await expectOAuthError(res, 401, "invalid_client")).toEqual(await unknownAnswer());
      }
      // the same on the org authorization server
      const org = await clientAssertion(key, long, `${ORIGIN}/oauth2/v1/token`);
      const res = await freshApp()(
        tokenRequest(`${ORIGIN}/oauth2`, {
          ...cc,
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: org,
        }),
      );
      await expectOAuthError(res, 401, "invalid_client");
    });

    it("holds for any id outside the client_id alphabet, e.g. with a space or non-ASCII", async () => {
      for (const id of ["has space", "naïve", "x".repeat(101)]) {
        const res = await freshApp()(tokenRequest(f.issuer, cc, { authorization: basic(id, SECRET) }));
        await expectOAuthError(res, 401, "invalid_client");
      }
    });
  });

  it("rejects malformed Basic credentials with 401", async () => {
    for (const authorization of [
      "Basic !!!",
      `Basic ${btoa("no-colon")}`,
      `Basic ${btoa(`${f.clientId}:`)}`,
      "Bearer abc",
      // not UTF-8 (RFC 7617 §2.1), and a malformed form escape (RFC 6749 §2.3.1)
      `Basic ${btoa(`${f.clientId}:\xff\xfe${SECRET}`)}`,
      `Basic ${btoa(`${f.clientId}:%zz${SECRET}`)}`,
    ]) {
      const res = await freshApp()(tokenRequest(f.issuer, cc, { authorization }));
      await expectOAuthError(res, 401, "invalid_client");
    }
  });

  it("rejects a request that uses two authentication methods", async () => {
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { ...cc, client_id: f.clientId, client_secret: SECRET },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    await expectOAuthError(res, 400, "invalid_request", /more than one/);
  });

  it("rejects a body client_id that differs from the Basic one", async () => {
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { ...cc, client_id: f.postClientId },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    await expectOAuthError(res, 400, "invalid_request");
  });

  it("rejects a request with no client authentication", async () => {
    await expectOAuthError(await freshApp()(tokenRequest(f.issuer, cc)), 401, "invalid_client");
    await expectOAuthError(
      await freshApp()(tokenRequest(f.issuer, { ...cc, client_id: f.clientId })),
      401,
      "invalid_client",
    );
  });

  it("holds a client to the authentication method it registered", async () => {
    const postAsBasic = await freshApp()(
      tokenRequest(f.issuer, cc, { authorization: basic(f.postClientId, SECRET) }),
    );
    await expectOAuthError(postAsBasic, 401, "invalid_client");
    const basicAsPost = await freshApp()(
      tokenRequest(f.issuer, { ...cc, client_id: f.clientId, client_secret: SECRET }),
    );
    await expectOAuthError(basicAsPost, 401, "invalid_client");
  });

  it("decodes form-encoded Basic credentials (RFC 6749 §2.3.1)", async () => {
    const clientId = uniqueId("odd id:+&");
    const secret = "p@ss word:with+special&chars/0123456789";
    await importConfig({
      clients: [{ client_id: clientId.replace(/ /g, "_"), client_name: "odd", client_secrets: [secret] }],
    });
    await importConfig({
      authorizationServers: [
        {
          server: { id: f.serverId, name: f.serverId, audiences: ["api://test"] },
          scopes: [{ id: "s-read", name: "read", default: true }],
          policies: [
            {
              id: "p1",
              name: "all",
              priority: 1,
              conditions: { clients: { include: ["ALL_CLIENTS"] } },
              rules: [
                {
                  id: "r1",
                  name: "r",
                  priority: 1,
                  conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await freshApp()(
      tokenRequest(f.issuer, cc, { authorization: basic(clientId.replace(/ /g, "_"), secret) }),
    );
    expect(res.status).toBe(200);
    // restore the shared fixture's configuration for the other tests in this file
    f = await seedServer();
  });

  it("decodes UTF-8 Basic credentials, sent raw or form-encoded", async () => {
    const clientId = uniqueId("utf8");
    const secret = "clé-secrète-pour-les-tests-0123456789";
    await importConfig({ clients: [{ client_id: clientId, client_name: "utf8", client_secrets: [secret] }] });
    const utf8 = String.fromCharCode(...new TextEncoder().encode(`${clientId}:${secret}`));
    for (const authorization of [`Basic ${btoa(utf8)}`, basic(clientId, secret)]) {
      const res = await freshApp()(tokenRequest(f.issuer, cc, { authorization }));
      // Authenticated: what follows is the policy's answer (no policy names this client), not invalid_client.
      await expectOAuthError(res, 400, "access_denied");
    }
    const wrong = `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${clientId}:${secret}x`)))}`;
    await expectOAuthError(
      await freshApp()(tokenRequest(f.issuer, cc, { authorization: wrong })),
      401,
      "invalid_client",
    );
  });

  it("refuses a deactivated client", async () => {
    const g = await seedServer();
    await importConfig({ clients: [{ client_id: g.clientId, client_name: "basic", status: "INACTIVE" }] });
    await expectOAuthError(
      await freshApp()(tokenRequest(g.issuer, cc, { authorization: basic(g.clientId, SECRET) })),
      401,
      "invalid_client",
    );
  });

  it("refuses a client not allowed the grant type", async () => {
    const g = await seedServer();
    await importConfig({
      clients: [
        {
          client_id: g.clientId,
          client_name: "basic",
          grant_types: ["authorization_code"],
          redirect_uris: ["https://app.example/callback"],
        },
      ],
    });
    await expectOAuthError(
      await freshApp()(tokenRequest(g.issuer, cc, { authorization: basic(g.clientId, SECRET) })),
      400,
      "unauthorized_client",
    );
  });
});

describe("token endpoint — scopes and policy", () => {
  const auth = () => ({ authorization: basic(f.clientId, SECRET) });

  it("refuses unknown scopes with invalid_scope, naming them", async () => {
    const res = await freshApp()(tokenRequest(f.issuer, { ...cc, scope: "read nope" }, auth()));
    await expectOAuthError(res, 400, "invalid_scope", /nope/);
  });

  it("refuses OIDC scopes for client_credentials", async () => {
    await expectOAuthError(
      await freshApp()(tokenRequest(f.issuer, { ...cc, scope: "openid read" }, auth())),
      400,
      "invalid_scope",
      /openid/,
    );
  });

  it("refuses a malformed scope parameter", async () => {
    await expectOAuthError(
      await freshApp()(tokenRequest(f.issuer, { ...cc, scope: "read  write" }, auth())),
      400,
      "invalid_scope",
    );
    await expectOAuthError(
      await freshApp()(tokenRequest(f.issuer, { ...cc, scope: 'read "x"' }, auth())),
      400,
      "invalid_scope",
    );
  });

  it("denies, in Okta's words, a scope no rule grants", async () => {
    const res = await freshApp()(tokenRequest(f.issuer, { ...cc, scope: "read admin" }, auth()));
    await expectOAuthError(
      res,
      400,
      "access_denied",
      /^Policy evaluation failed for this request, please check the policy configurations\.$/,
    );
  });

  it("denies a client no policy includes", async () => {
    const other = uniqueId("outsider");
    await importConfig({
      clients: [{ client_id: other, client_name: "outsider", client_secrets: [SECRET] }],
    });
    await expectOAuthError(
      await freshApp()(tokenRequest(f.issuer, cc, { authorization: basic(other, SECRET) })),
      400,
      "access_denied",
    );
  });

  it("answers invalid_scope when nothing is requested and the server has no default scope", async () => {
    const g = await seedServer({
      config: {
        scopes: [
          { id: "s-read", name: "read" },
          { id: "s-write", name: "write" },
        ],
      },
    });
    await expectOAuthError(
      await freshApp()(tokenRequest(g.issuer, cc, { authorization: basic(g.clientId, SECRET) })),
      400,
      "invalid_scope",
      /default scopes/,
    );
  });
});

describe("unknown and inactive authorization servers", () => {
  it("answers 404 in Okta's error shape for an unknown server on every endpoint", async () => {
    for (const path of [
      "/v1/token",
      "/v1/keys",
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
    ]) {
      const method = path === "/v1/token" ? "POST" : "GET";
      const res = await freshApp()(new Request(`https://warden.test/oauth2/nope${path}`, { method }));
      expect(res.status).toBe(404);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ errorCode: "E0000007", errorSummary: expect.stringContaining("nope") });
      expect(body).toHaveProperty("errorId");
      expect(body).toHaveProperty("errorCauses");
    }
  });

  it("answers 404 JSON, before any KV read, for a path segment that cannot be a server id", async () => {
    for (const id of ["a".repeat(600), "a".repeat(65), "has%20space", "%C3%A9t%C3%A9"]) {
      for (const path of [
        "/v1/token",
        "/v1/keys",
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
      ]) {
        const init =
          path === "/v1/token"
            ? { method: "POST", headers: { Authorization: basic(f.clientId, SECRET) }, body: "" }
            : {};
        const res = await freshApp()(new Request(`${ORIGIN}/oauth2/${id}${path}`, init));
        expect(res.status).toBe(404);
        expect(res.headers.get("Content-Type")).toContain("application/json");
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).toMatchObject({ errorCode: "E0000007" });
        expect(JSON.stringify(body)).not.toContain("aaaaaaaaaa");
      }
      const rfc8414 = await freshApp()(
        new Request(`${ORIGIN}/.well-known/oauth-authorization-server/oauth2/${id}`),
      );
      expect(rfc8414.status).toBe(404);
    }
  });

  it("treats an inactive server as unknown", async () => {
    const g = await seedServer({ server: { status: "INACTIVE" } });
    const res = await freshApp()(tokenRequest(g.issuer, cc, { authorization: basic(g.clientId, SECRET) }));
    expect(res.status).toBe(404);
    expect((await freshApp()(new Request(`${g.issuer}/v1/keys`))).status).toBe(404);
  });
});

describe("unexpected failures on the protocol endpoints", () => {
  it("answer RFC 6749 §5.2 server_error with no internals, not Okta's admin error shape", async () => {
    const g = await seedServer();
    // KV failing on the keyset read, with internals in its message: nothing the edge expects. (A
    // record that is not the vault's is no failure: it is refused, see keyset-forgery.test.ts.)
    const kv = (env as Env).CONFIG;
    const failing: Env = {
      ...(env as Env),
      CONFIG: new Proxy(kv, {
        get(target, prop) {
          const value = Reflect.get(target, prop);
          if (typeof value !== "function") return value;
          return (key: string, ...rest: unknown[]) =>
            prop === "get" && key.startsWith("keyset/")
              ? Promise.reject(new SyntaxError("Unexpected token in JSON at keyset (src/keys/key-store.ts)"))
              : value.apply(target, [key, ...rest]);
        },
      }),
    };
    const app = freshApp();
    const token = await app(
      tokenRequest(g.issuer, cc, { authorization: basic(g.clientId, SECRET) }),
      failing,
    );
    const body = await expectOAuthError(token, 500, "server_error");
    expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
    expect(body.error_description).not.toMatch(/JSON|keyset|at |\.ts/);
    for (const path of ["/v1/keys", "/.well-known/openid-configuration"]) {
      const res = await freshApp()(new Request(`${g.issuer}${path}`), failing);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: string }).error).toBe("server_error");
    }
  });
});

describe("bounded bodies from peers (client jwks_uri documents, hook replies)", () => {
  it("counts the decoded bytes of a compressed response, whose Content-Length counts the encoded ones", async () => {
    // fetch() decodes gzip transparently and keeps the encoded Content-Length (measured: 8 KiB
    // declared, 8 MiB read); this is that response, built without a server.
    const document = JSON.stringify({ keys: [], padding: "x".repeat(1024 * 1024) });
    const gzipped = new Uint8Array(
      await new Response(
        new Blob([document]).stream().pipeThrough(new CompressionStream("gzip")),
      ).arrayBuffer(),
    );
    const decodedByFetch = () =>
      new Response(new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip")), {
        headers: { "Content-Encoding": "gzip", "Content-Length": String(gzipped.byteLength) },
      });
    expect(gzipped.byteLength).toBeLessThan(64 * 1024);
    expect(await readBoundedText(decodedByFetch(), 64 * 1024)).toEqual({ ok: false, reason: "too_large" });
    const small = await readBoundedText(decodedByFetch(), 2 * 1024 * 1024);
    expect(small.ok && small.text.length).toBe(document.length);
  });
});

describe("bad input never yields a 5xx", () => {
  it.each([
    ["%", "application/x-www-form-urlencoded"],
    ["grant_type=client_credentials&scope=%FF", "application/x-www-form-urlencoded"],
    ["\u0000\u0001", "application/x-www-form-urlencoded"],
    ["", ""],
  ])("body %j", async (body, contentType) => {
    const res = await freshApp()(
      tokenRequest(f.issuer, {}, { authorization: basic(f.clientId, SECRET), contentType, body }),
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("leaves the control plane unchanged", async () => {
    const before = await controlPlane().getServerConfig(f.serverId);
    await freshApp()(
      tokenRequest(f.issuer, { ...cc, scope: "admin" }, { authorization: basic(f.clientId, SECRET) }),
    );
    expect(await controlPlane().getServerConfig(f.serverId)).toEqual(before);
  });
});
