/**
 * The verifier inside workerd: the Cache API tier (`caches.default`, shared by the isolates of a
 * location), and the verifier and the example API against the real Warden app — tokens it issues in
 * both profiles and all four algorithms, its JWKS with ETag/304.
 */
import { describe, expect, it } from "vitest";
import { createVerifier, TokenVerificationError, type VerifierOptions } from "warden/verify";
import ordersApi from "../../examples/orders-api/src/index";
import {
  AUDIENCE,
  clock,
  FakeJwksServer,
  makeKey,
  signOkta,
  signRfc9068,
  type TestKey,
} from "../unit/verify-fixtures";
import { basic, freshApp, importConfig, ORIGIN, SECRET, seedServer, tokenRequest, uniqueId } from "./helpers";

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "verified";
  } catch (error) {
    if (error instanceof TokenVerificationError) return error.reason;
    throw error;
  }
}

/** A fresh issuer per test, so Cache API entries of one test never meet another's. */
function cacheScenario(keys: TestKey[], cacheControl = "public, max-age=300") {
  const issuer = `https://${uniqueId("as")}.warden.test/oauth2/default`;
  const server = new FakeJwksServer(keys);
  server.cacheControl = cacheControl;
  const time = clock();
  // No `cache` option: the default is `caches.default` where the runtime has it.
  const isolate = (options: Partial<VerifierOptions> = {}) =>
    createVerifier({ issuer, audience: AUDIENCE, fetch: server.fetch, now: time.now, ...options });
  const token = (key: TestKey) => signOkta(key, { iss: issuer });
  return { issuer, server, time, isolate, token };
}

describe("Cache API tier (caches.default)", () => {
  it("a cold isolate starts from the copy another isolate stored: no JWKS request", async () => {
    const k1 = await makeKey("RS256");
    const s = cacheScenario([k1]);
    await s.isolate().verify(await s.token(k1));
    expect(s.server.count).toBe(1);
    await s.isolate().verify(await s.token(k1));
    await s.isolate().verify(await s.token(k1));
    expect(s.server.count).toBe(1);
  });

  it("the stored copy keeps its schedule: once stale, the next isolate revalidates it (304)", async () => {
    const k1 = await makeKey("ES256");
    const s = cacheScenario([k1], "public, max-age=60");
    await s.isolate().verify(await s.token(k1));
    s.time.advance(59);
    await s.isolate().verify(await s.token(k1));
    expect(s.server.count).toBe(1);
    s.time.advance(1);
    await s.isolate().verify(await s.token(k1));
    expect(s.server.calls.map((c) => [c.ifNoneMatch, c.outcome])).toEqual([
      [null, 200],
      [s.server.etag, 304],
    ]);
    // The 304 refreshed the stored copy too.
    await s.isolate().verify(await s.token(k1));
    expect(s.server.count).toBe(2);
  });

  it("a stale isolate picks up a copy another isolate refreshed, instead of asking the server", async () => {
    const k1 = await makeKey("RS256");
    const s = cacheScenario([k1], "public, max-age=60");
    const first = s.isolate();
    await first.verify(await s.token(k1));
    s.time.advance(60);
    await s.isolate().verify(await s.token(k1)); // revalidates and stores
    expect(s.server.count).toBe(2);
    await first.verify(await s.token(k1)); // stale in memory, fresh in the Cache API
    expect(s.server.count).toBe(2);
  });

  it("never stores a no-store response", async () => {
    const k1 = await makeKey("RS256");
    const s = cacheScenario([k1], "no-store");
    await s.isolate().verify(await s.token(k1));
    await s.isolate().verify(await s.token(k1));
    expect(s.server.calls.map((c) => c.outcome)).toEqual([200, 200]);
  });

  it("a slow isolate's older set never overwrites a newer stored copy", async () => {
    const k1 = await makeKey("RS256");
    const k2 = await makeKey("RS256");
    const s = cacheScenario([k1]);
    const slow = s.isolate();
    s.server.holdNextResponse();
    const slowResult = reasonOf(slow.verify(await s.token(k1))); // asks at T0, answer {k1} held back
    while (s.server.calls.length === 0) await new Promise((r) => setTimeout(r, 1));

    s.server.setKeys([k2]); // rotation: k1 revoked
    s.time.advance(10);
    await s.isolate().verify(await s.token(k2)); // asks at T0+10 s, stores {k2}
    s.server.release();
    expect(await slowResult).toBe("verified"); // the slow isolate got {k1}: all it knows

    const before = s.server.count;
    expect(await reasonOf(s.isolate().verify(await s.token(k2)))).toBe("verified");
    expect(s.server.count).toBe(before); // from the stored {k2}, not the slow {k1}
  });

  it("cache: null keeps everything in memory", async () => {
    const k1 = await makeKey("RS256");
    const s = cacheScenario([k1]);
    await s.isolate({ cache: null }).verify(await s.token(k1));
    await s.isolate({ cache: null }).verify(await s.token(k1));
    expect(s.server.count).toBe(2);
  });
});

/** The Warden app as the JWKS server, counting what it answered. */
function wardenJwks() {
  const app = freshApp();
  const statuses: number[] = [];
  const fetch = async (input: string, init?: RequestInit) => {
    const res = await app(new Request(input, init));
    statuses.push(res.status);
    return res;
  };
  return { app, fetch, statuses };
}

async function issue(app: ReturnType<typeof freshApp>, issuer: string, clientId: string, scope?: string) {
  const res = await app(
    tokenRequest(
      issuer,
      { grant_type: "client_credentials", ...(scope ? { scope } : {}) },
      { authorization: basic(clientId, SECRET) },
    ),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe("against the real Warden app", () => {
  for (const profile of ["okta", "rfc9068"] as const) {
    for (const alg of ["RS256", "ES256", "EdDSA", "PS256"] as const) {
      it(`verifies a ${profile} token signed with ${alg}`, async () => {
        const f = await seedServer({ server: { tokenProfile: profile, credentials: { signing: { alg } } } });
        const warden = wardenJwks();
        const verifier = createVerifier({
          issuer: f.issuer,
          audience: "api://test",
          profile,
          fetch: warden.fetch,
          cache: null,
        });
        const token = await verifier.verify(await issue(warden.app, f.issuer, f.clientId, "read write"));
        expect(token).toMatchObject({
          profile,
          clientId: f.clientId,
          scopes: ["read", "write"],
          header: { alg },
        });
        // Wrong audience and another server's token are refused.
        const other = await seedServer({
          server: { tokenProfile: profile, credentials: { signing: { alg } } },
        });
        const foreign = await issue(warden.app, other.issuer, other.clientId);
        expect(await reasonOf(verifier.verify(foreign))).toBe("issuer_mismatch");
        const elsewhere = createVerifier({
          issuer: f.issuer,
          audience: "api://x",
          profile,
          fetch: warden.fetch,
          cache: null,
        });
        expect(await reasonOf(elsewhere.verify(await issue(warden.app, f.issuer, f.clientId)))).toBe(
          "audience_mismatch",
        );
      });
    }
  }

  it("revalidates Warden's JWKS with its ETag and gets a 304", async () => {
    const f = await seedServer();
    const warden = wardenJwks();
    const time = clock(Date.now());
    const verifier = createVerifier({
      issuer: f.issuer,
      audience: "api://test",
      fetch: warden.fetch,
      cache: null,
      now: time.now,
      // Only so the token outlives the jump in time below; the JWKS is what is under test.
      clockToleranceSeconds: 2 * 24 * 3600,
    });
    const token = await issue(warden.app, f.issuer, f.clientId);
    await verifier.verify(token);
    time.advance(24 * 3600); // past any max-age the verifier accepts (its ceiling is 24 h)
    await verifier.verify(token);
    expect(warden.statuses).toEqual([200, 304]);
  });
});

describe("examples/orders-api against the real Warden app", () => {
  async function seedOrders() {
    const serverId = uniqueId("orders");
    const reader = uniqueId("reader");
    const writer = uniqueId("writer");
    await importConfig({
      clients: [
        { client_id: reader, client_name: "reader", client_secrets: [SECRET] },
        { client_id: writer, client_name: "writer", client_secrets: [SECRET] },
      ],
      authorizationServers: [
        {
          server: { id: serverId, name: serverId, audiences: ["api://default"] },
          scopes: [
            { id: "s-r", name: "orders:read", default: true },
            { id: "s-w", name: "orders:write" },
          ],
          policies: [
            {
              id: "p",
              name: "services",
              priority: 1,
              conditions: { clients: { include: [reader, writer] } },
              rules: [
                {
                  id: "r",
                  name: "cc",
                  priority: 1,
                  conditions: {
                    grantTypes: { include: ["client_credentials"] },
                    scopes: { include: ["orders:read", "orders:write"] },
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const issuer = `${ORIGIN}/oauth2/${serverId}`;
    const app = freshApp();
    const env = {
      WARDEN_ISSUER: issuer,
      WARDEN_AUDIENCE: "api://default",
      // The example's optional service binding, here straight into the Warden app.
      WARDEN: { fetch: (input: RequestInfo | URL, init?: RequestInit) => app(new Request(input, init)) },
    };
    return { issuer, app, env, reader, writer };
  }

  it("401 without a token, 200 with orders:read, 403 on POST without orders:write, 201 with it", async () => {
    const s = await seedOrders();
    const call = (path: string, init: RequestInit = {}) => ordersApi.request(path, init, s.env);

    const anonymous = await call("/orders");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toBe('Bearer realm="api://default"');

    const read = await issue(s.app, s.issuer, s.reader);
    const list = await call("/orders", { headers: { Authorization: `Bearer ${read}` } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { orders: unknown[] }).orders.length).toBeGreaterThan(0);

    const order = JSON.stringify({ item: "filters", quantity: 3 });
    const post = { method: "POST", body: order, headers: { "Content-Type": "application/json" } };
    const denied = await call("/orders", {
      ...post,
      headers: { ...post.headers, Authorization: `Bearer ${read}` },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope"');
    expect(denied.headers.get("WWW-Authenticate")).toContain('scope="orders:write"');

    const write = await issue(s.app, s.issuer, s.writer, "orders:write");
    const created = await call("/orders", {
      ...post,
      headers: { ...post.headers, Authorization: `Bearer ${write}` },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ item: "filters", quantity: 3, createdBy: s.writer });

    const forged = `${write.slice(0, -4)}AAAA`;
    const refused = await call("/orders", { headers: { Authorization: `Bearer ${forged}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });
});

it("fixtures' RFC 9068 helper is usable in workerd", async () => {
  // Guards the shared fixtures against Node-only APIs (no nodejs_compat in this Worker).
  const k = await makeKey("EdDSA");
  expect((await signRfc9068(k)).split(".")).toHaveLength(3);
});
