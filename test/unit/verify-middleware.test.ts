/**
 * `wardenAuth` and `requireScopes` as an API sees them: RFC 6750 responses (status,
 * WWW-Authenticate, JSON body), the typed reason for the app, and scope guards for both profiles.
 */
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AuthFailure,
  type AuthFailureReason,
  bearerError,
  requireScopes,
  type WardenAuthOptions,
  type WardenVariables,
  wardenAuth,
} from "warden/verify";
import { extractBearer } from "../../src/verify/bearer";
import { bearerChallenge } from "../../src/verify/rfc6750";
import {
  AUDIENCE,
  clock,
  FakeJwksServer,
  ISSUER,
  makeKey,
  signOkta,
  signRfc9068,
  T0_SECONDS,
  type TestKey,
} from "./verify-fixtures";

let rsa: TestKey;
beforeAll(async () => {
  rsa = await makeKey("RS256", "k1");
});

function ordersApi(options: Partial<WardenAuthOptions> = {}) {
  const server = new FakeJwksServer([rsa]);
  const failures: AuthFailure[] = [];
  const app = new Hono<{ Variables: WardenVariables }>();
  // An outer middleware that logs refusals, as an app would.
  app.use(async (c, next) => {
    await next();
    const failure = c.get("authFailure");
    if (failure) failures.push(failure);
  });
  app.use(
    "/orders/*",
    wardenAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      fetch: server.fetch,
      cache: null,
      now: clock().now,
      ...options,
    }),
  );
  app.get("/orders/list", requireScopes("orders:read"), (c) => {
    const token = c.get("token");
    return c.json({ client: token.clientId, scopes: token.scopes, profile: token.profile });
  });
  app.post("/orders/list", requireScopes("orders:read", "orders:write"), (c) =>
    c.json({ created: true }, 201),
  );
  return { app, server, failures };
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe("wardenAuth: finding the token (RFC 6750 §2)", () => {
  it("answers a request without a token 401 with a bare challenge: no error code (§3.1)", async () => {
    const { app, failures } = ordersApi();
    for (const init of [{}, { headers: { Authorization: "Basic dXNlcjpwYXNz" } }]) {
      const res = await app.request("/orders/list", init);
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe(`Bearer realm="${AUDIENCE}"`);
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      expect(await res.json()).toEqual({ error_description: expect.stringContaining("Bearer") });
    }
    expect(failures.map((f) => f.reason)).toEqual(["missing_token", "missing_token"]);
  });

  it("accepts the Bearer scheme in any letter case (RFC 7235 §2.1)", async () => {
    const { app } = ordersApi();
    const token = await signOkta(rsa);
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      const res = await app.request("/orders/list", { headers: { Authorization: `${scheme} ${token}` } });
      expect([scheme, res.status]).toEqual([scheme, 200]);
    }
  });

  it("refuses a token in the query string, alone or with a header: 400 invalid_request", async () => {
    const { app, failures } = ordersApi();
    const token = await signOkta(rsa);
    const alone = await app.request(`/orders/list?access_token=${token}`);
    expect(alone.status).toBe(400);
    expect(alone.headers.get("WWW-Authenticate")).toMatch(
      /^Bearer realm="api:\/\/orders", error="invalid_request"/,
    );
    const both = await app.request(`/orders/list?access_token=${token}`, bearer(token));
    expect(both.status).toBe(400);
    expect(failures.map((f) => f.reason)).toEqual(["token_in_query", "multiple_methods"]);
  });

  it("refuses more than one credential, and a Bearer header that is not Bearer <b64token>", async () => {
    const { app, failures } = ordersApi();
    const token = await signOkta(rsa);
    for (const authorization of [`Bearer ${token}, Bearer ${token}`, `Basic dXNlcjpwYXNz, Bearer ${token}`]) {
      expect((await app.request("/orders/list", { headers: { Authorization: authorization } })).status).toBe(
        400,
      );
    }
    for (const authorization of ["Bearer", "Bearer ", "Bearer a b", "Bearer tok\u00e9n", "Bearer =abc"]) {
      expect((await app.request("/orders/list", { headers: { Authorization: authorization } })).status).toBe(
        400,
      );
    }
    expect(failures.map((f) => f.reason)).toEqual([
      "multiple_methods",
      "multiple_methods",
      ...Array(5).fill("invalid_authorization_header"),
    ]);
  });
});

describe("wardenAuth: verification results", () => {
  it("lets a valid token through and hands the handler its typed claims", async () => {
    const { app } = ordersApi();
    const res = await app.request("/orders/list", bearer(await signOkta(rsa)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ client: "svc-client", scopes: ["orders:read"], profile: "okta" });
  });

  it("answers an invalid token 401 invalid_token with a description, in the header and the body", async () => {
    const { app, failures } = ordersApi();
    const res = await app.request("/orders/list", bearer(await signOkta(rsa, { exp: T0_SECONDS - 3600 })));
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe(
      `Bearer realm="${AUDIENCE}", error="invalid_token", error_description="The access token expired."`,
    );
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      error: "invalid_token",
      error_description: "The access token expired.",
    });
    expect(failures[0]?.reason).toBe("expired");
    expect(failures[0]?.error?.message).toContain("exp");
  });

  it("answers 503 with Retry-After and no challenge when the JWKS cannot be had", async () => {
    const { app, server } = ordersApi();
    server.mode = "network_error";
    const res = await app.request("/orders/list", bearer(await signOkta(rsa)));
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("5");
    expect(res.headers.get("WWW-Authenticate")).toBeNull();
    expect(await res.json()).toMatchObject({ error: "temporarily_unavailable" });
  });

  it("gives onError the typed reason and uses its response, or the default when it returns nothing", async () => {
    const seen: AuthFailureReason[] = [];
    const { app } = ordersApi({
      realm: "orders",
      onError: (failure, c) => {
        seen.push(failure.reason);
        if (failure.reason === "audience_mismatch") return c.json({ message: "wrong API" }, 401);
        return undefined;
      },
    });
    const custom = await app.request("/orders/list", bearer(await signOkta(rsa, { aud: "api://billing" })));
    expect(await custom.json()).toEqual({ message: "wrong API" });
    const standard = await app.request("/orders/list", bearer("x.y.z"));
    expect(standard.status).toBe(401);
    expect(standard.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="orders", error="invalid_token"/);
    expect(seen).toEqual(["audience_mismatch", "malformed"]);
  });

  it("takes options from the Worker's bindings and keeps one verifier (one JWKS fetch) across requests", async () => {
    const server = new FakeJwksServer([rsa]);
    let calls = 0;
    const app = new Hono<{ Bindings: { ISSUER: string }; Variables: WardenVariables }>();
    app.use(
      wardenAuth((env: { ISSUER: string }) => {
        calls += 1;
        return { issuer: env.ISSUER, audience: AUDIENCE, fetch: server.fetch, cache: null, now: clock().now };
      }),
    );
    app.get("/", (c) => c.text(c.get("token").subject));
    const token = await signOkta(rsa);
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/", bearer(token), { ISSUER });
      expect(await res.text()).toBe("svc-client");
    }
    expect(calls).toBe(3);
    expect(server.count).toBe(1);
  });

  it("fails at startup, not per request, when the static configuration is wrong", () => {
    expect(() => wardenAuth({ issuer: "http://evil.example", audience: AUDIENCE, cache: null })).toThrow(
      TypeError,
    );
  });
});

describe("requireScopes (RFC 6750 §3.1 insufficient_scope)", () => {
  it("answers 403 with the required scopes in the challenge", async () => {
    const { app, failures } = ordersApi();
    const res = await app.request("/orders/list", { method: "POST", ...bearer(await signOkta(rsa)) });
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toBe(
      `Bearer realm="${AUDIENCE}", error="insufficient_scope", error_description="The access token lacks a scope this request requires.", scope="orders:read orders:write"`,
    );
    expect(await res.json()).toMatchObject({ error: "insufficient_scope" });
    expect(failures[0]).toMatchObject({
      reason: "insufficient_scope",
      requiredScopes: ["orders:read", "orders:write"],
    });
  });

  it("lets a token with every required scope through, for scp (okta) and scope (rfc9068) alike", async () => {
    for (const [profile, token] of [
      ["okta", await signOkta(rsa, { scp: ["orders:write", "orders:read"] })],
      ["rfc9068", await signRfc9068(rsa, { scope: "orders:write orders:read" })],
    ] as const) {
      const { app } = ordersApi({ profile });
      const res = await app.request("/orders/list", { method: "POST", ...bearer(token) });
      expect([profile, res.status]).toEqual([profile, 201]);
      const partial =
        profile === "okta" ? await signOkta(rsa) : await signRfc9068(rsa, { scope: "orders:read" });
      expect((await app.request("/orders/list", { method: "POST", ...bearer(partial) })).status).toBe(403);
    }
  });

  it("fails closed (500) when mounted without wardenAuth, and refuses invalid scope names at startup", async () => {
    const app = new Hono();
    app.onError((_error, c) => c.text("internal error", 500));
    app.get("/", requireScopes("orders:read"), (c) => c.text("open"));
    expect((await app.request("/")).status).toBe(500);
    expect(() => requireScopes()).toThrow(TypeError);
    expect(() => requireScopes("orders read")).toThrow(TypeError);
    expect(() => requireScopes('orders"read')).toThrow(TypeError);
  });
});

describe("RFC 6750 mapping", () => {
  const reasons: AuthFailureReason[] = [
    "missing_token",
    "malformed",
    "alg_not_allowed",
    "key_material_in_header",
    "unknown_kid",
    "bad_signature",
    "issuer_mismatch",
    "audience_mismatch",
    "expired",
    "not_yet_valid",
    "issued_in_future",
    "wrong_token_type",
    "missing_claim",
    "invalid_claim",
    "jwks_unavailable",
    "token_in_query",
    "multiple_methods",
    "invalid_authorization_header",
    "insufficient_scope",
  ];

  it("maps every reason to a status, an RFC 6750 code and a quotable description", () => {
    const byStatus: Record<number, string[]> = {};
    for (const reason of reasons) {
      const e = bearerError(reason);
      byStatus[e.status] = [...(byStatus[e.status] ?? []), `${reason}:${e.error ?? "-"}`];
      expect(e.description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
    }
    expect(byStatus[400]).toEqual([
      "token_in_query:invalid_request",
      "multiple_methods:invalid_request",
      "invalid_authorization_header:invalid_request",
    ]);
    expect(byStatus[403]).toEqual(["insufficient_scope:insufficient_scope"]);
    expect(byStatus[503]).toEqual(["jwks_unavailable:temporarily_unavailable"]);
    expect(byStatus[401]).toEqual([
      "missing_token:-",
      ...reasons.slice(1, 14).map((r) => `${r}:invalid_token`),
    ]);
  });

  it("keeps challenge attribute values inside their quotes", () => {
    expect(bearerChallenge({ realm: 'a"b\\c\r\nd', error: "invalid_token", description: "x" })).toBe(
      'Bearer realm="a?b?c??d", error="invalid_token", error_description="x"',
    );
    expect(bearerChallenge({})).toBe("Bearer");
  });

  it("extractBearer reads only the Authorization header", () => {
    const req = (url: string, authorization?: string) =>
      new Request(url, authorization ? { headers: { Authorization: authorization } } : {});
    expect(extractBearer(req("https://api.test/", "Bearer abc.def-ghi_~+/=="))).toEqual({
      ok: true,
      token: "abc.def-ghi_~+/==",
    });
    expect(extractBearer(req("https://api.test/", "DPoP abc"))).toEqual({
      ok: false,
      reason: "missing_token",
    });
    expect(extractBearer(req("https://api.test/?access_token=abc"))).toEqual({
      ok: false,
      reason: "token_in_query",
    });
  });
});
