/**
 * private_key_jwt client authentication (RFC 7523 §2.2 / §3, OIDC Core §9) on a custom authorization
 * server's token endpoint: registered keys inline or at a jwks_uri, every check of the assertion, and
 * replay protection that holds across isolates.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { base64url, exportJWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import { ALL_RIGHTS } from "../../src/config/rights";
import type { Env } from "../../src/env";
import { AUTHENTICATION_FAILED } from "../../src/oauth/client-auth";
import { ClientKeyStore, type FetchLike } from "../../src/oauth/client-keys";
import {
  ASSERTION_TYPE,
  anyClientServer,
  assertionParams,
  basic,
  type ClientKey,
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

const bindings = env as Env;

interface Setup {
  serverId: string;
  issuer: string;
  tokenEndpoint: string;
  rsa: ClientKey;
  ec: ClientKey;
  rsaClient: string;
  ecClient: string;
  uriClient: string;
  uriKey: ClientKey;
  jwksUri: string;
  secretClient: string;
}

let s: Setup;

beforeAll(async () => {
  const serverId = uniqueId("pkj");
  const [rsa, ec, uriKey] = await Promise.all([clientKey("RS256"), clientKey("ES256"), clientKey("RS256")]);
  const rsaClient = uniqueId("rsa");
  const ecClient = uniqueId("ec");
  const uriClient = uniqueId("uri");
  const secretClient = uniqueId("basic");
  const jwksUri = `https://${uriClient}.client.test/jwks.json`;
  await importConfig({
    clients: [
      {
        client_id: rsaClient,
        client_name: "rsa",
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [rsa.publicJwk] },
      },
      {
        client_id: ecClient,
        client_name: "ec",
        token_endpoint_auth_method: "private_key_jwt",
        // No kid and no alg registered: the key is found by its type.
        jwks: { keys: [{ ...ec.publicJwk, kid: undefined, alg: undefined }] },
      },
      {
        client_id: uriClient,
        client_name: "uri",
        token_endpoint_auth_method: "private_key_jwt",
        jwks_uri: jwksUri,
      },
      { client_id: secretClient, client_name: "basic", client_secrets: [SECRET] },
    ],
    authorizationServers: [anyClientServer(serverId, "api://pkj")],
  });
  const issuer = `${ORIGIN}/oauth2/${serverId}`;
  s = {
    serverId,
    issuer,
    tokenEndpoint: `${issuer}/v1/token`,
    rsa,
    // Registered without kid or alg (below), so its assertions name no kid: found by key type.
    ec: { ...ec, kid: "" },
    rsaClient,
    ecClient,
    uriClient,
    uriKey,
    jwksUri,
    secretClient,
  };
});

/**
 * A fetch that serves the given JWKS documents at their URLs and counts requests; `clock` drives the
 * key cache. `control.down` makes requests fail as a network error; `control.holdNext` holds the next
 * answer back until `release()`, as a request that is slow or whose request was cancelled.
 */
function jwksHost(documents: Map<string, { keys: unknown[] }>) {
  const requests: string[] = [];
  const clock = { now: Date.now() };
  const control = { down: false, holdNext: false };
  const releases: (() => void)[] = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push(url);
    expect(init.redirect).toBe("manual");
    // What the host had when asked, even if the answer is held back.
    const doc = documents.get(url);
    const down = control.down;
    if (control.holdNext) {
      control.holdNext = false;
      await new Promise<void>((resolve) => releases.push(resolve));
    }
    if (down) throw new TypeError("fetch failed");
    if (!doc) return new Response("not found", { status: 404 });
    return Response.json(doc);
  };
  const release = () => {
    for (const resolve of releases.splice(0)) resolve();
  };
  const app = (fetchImpl: FetchLike = fetch) =>
    freshApp({ ...createDeps(), clientKeys: new ClientKeyStore({ fetch: fetchImpl, now: () => clock.now }) });
  return { requests, fetch, app, clock, control, release };
}

/** Waits (in real time) until `condition` holds; fails the test after a second. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 1000) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function expectToken(res: Response, clientId: string) {
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  const { payload } = decodeJwt(body.access_token as string);
  expect(payload).toMatchObject({ cid: clientId, sub: clientId, iss: s.issuer, scp: ["read"] });
}

async function expectInvalidClient(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="warden"');
  expect(await res.json()).toEqual({ error: "invalid_client", error_description: AUTHENTICATION_FAILED });
}

async function expectInvalidRequest(res: Response, description: RegExp) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe("invalid_request");
  expect(body.error_description).toMatch(description);
}

const post = (params: Record<string, string>, authorization?: string) =>
  tokenRequest(s.issuer, params, authorization ? { authorization } : {});

describe("private_key_jwt — happy paths", () => {
  it("authenticates an RS256 assertion against inline jwks (aud = token endpoint)", async () => {
    const assertion = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint);
    await expectToken(await freshApp()(post(assertionParams(assertion))), s.rsaClient);
  });

  it("authenticates an ES256 assertion with aud = the issuer, a client_id parameter and a kid-less key", async () => {
    const assertion = await clientAssertion(s.ec, s.ecClient, s.issuer);
    const res = await freshApp()(post(assertionParams(assertion, { client_id: s.ecClient })));
    await expectToken(res, s.ecClient);
  });

  it("accepts aud as an array holding the token endpoint, and nbf in the past", async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await clientAssertion(
      s.rsa,
      s.rsaClient,
      ["https://elsewhere.example", s.tokenEndpoint],
      {
        claims: { nbf: now - 5 },
      },
    );
    await expectToken(await freshApp()(post(assertionParams(assertion))), s.rsaClient);
  });

  it("fetches a jwks_uri once, serves it from isolate memory, and refetches for a new kid", async () => {
    const documents = new Map([[s.jwksUri, { keys: [s.uriKey.publicJwk] }]]);
    const host = jwksHost(documents);
    const fetch = host.app();
    for (let i = 0; i < 3; i++) {
      const assertion = await clientAssertion(s.uriKey, s.uriClient, s.tokenEndpoint);
      await expectToken(await fetch(post(assertionParams(assertion))), s.uriClient);
    }
    expect(host.requests).toEqual([s.jwksUri]);

    // The client rotates: its new key is published. Right after a fetch an unknown kid is refused
    // without another (cooldown); past the cooldown the first assertion naming it refetches.
    const rotated = await clientKey("ES256");
    documents.set(s.jwksUri, { keys: [s.uriKey.publicJwk, rotated.publicJwk] });
    const early = await clientAssertion(rotated, s.uriClient, s.tokenEndpoint);
    await expectInvalidClient(await fetch(post(assertionParams(early))));
    expect(host.requests).toHaveLength(1);
    host.clock.now += 31_000;
    const withNewKey = await clientAssertion(rotated, s.uriClient, s.tokenEndpoint);
    await expectToken(await fetch(post(assertionParams(withNewKey))), s.uriClient);
    expect(host.requests).toHaveLength(2);

    // Made-up kids within the cooldown cost the client's host nothing.
    const stranger = await clientKey("RS256");
    for (let i = 0; i < 3; i++) {
      const forged = await clientAssertion(stranger, s.uriClient, s.tokenEndpoint);
      await expectInvalidClient(await fetch(post(assertionParams(forged))));
    }
    expect(host.requests).toHaveLength(2);

    // Past the TTL the set is fetched again.
    host.clock.now += 301_000;
    const later = await clientAssertion(s.uriKey, s.uriClient, s.tokenEndpoint);
    await expectToken(await fetch(post(assertionParams(later))), s.uriClient);
    expect(host.requests).toHaveLength(3);
  });

  it("refuses when the jwks_uri cannot be fetched (404, timeout-like failure), without a 5xx", async () => {
    const host = jwksHost(new Map());
    const assertion = await clientAssertion(s.uriKey, s.uriClient, s.tokenEndpoint);
    await expectInvalidClient(await host.app()(post(assertionParams(assertion))));
    const failing = host.app(async () => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    });
    const again = await clientAssertion(s.uriKey, s.uriClient, s.tokenEndpoint);
    await expectInvalidClient(await failing(post(assertionParams(again))));
  });
});

/**
 * Workers bind a promise's I/O to the request that created it, so no token request may await a
 * jwks_uri fetch another one started: that request's code stops when its request ends, and whoever
 * waited on it would hang. The store's requests share values only; a held-back answer stands in for
 * another request's fetch here.
 */
describe("private_key_jwt — jwks_uri across concurrent requests", () => {
  const assertion = (key: ClientKey = s.uriKey) => clientAssertion(key, s.uriClient, s.tokenEndpoint);

  it("with no keys held, each request fetches for itself: a fetch that never answers holds no one else up", async () => {
    const host = jwksHost(new Map([[s.jwksUri, { keys: [s.uriKey.publicJwk] }]]));
    const fetch = host.app();
    host.control.holdNext = true;
    const stuck = fetch(post(assertionParams(await assertion())));
    await until(() => host.requests.length === 1);
    await expectToken(await fetch(post(assertionParams(await assertion()))), s.uriClient);
    expect(host.requests).toHaveLength(2);
    host.release();
    await expectToken(await stuck, s.uriClient);
    // Both fetches left one set behind: no further request.
    await expectToken(await fetch(post(assertionParams(await assertion()))), s.uriClient);
    expect(host.requests).toHaveLength(2);
  });

  it("an unknown-kid flood refetches once per cooldown; the others are refused without waiting on it", async () => {
    const host = jwksHost(new Map([[s.jwksUri, { keys: [s.uriKey.publicJwk] }]]));
    const fetch = host.app();
    await expectToken(await fetch(post(assertionParams(await assertion()))), s.uriClient);
    host.clock.now += 31_000; // past the cooldown
    host.control.holdNext = true;
    const stranger = await clientKey("RS256");
    const forged = await Promise.all(Array.from({ length: 6 }, () => assertion(stranger)));
    let answered = 0;
    const flood = forged.map(async (a) => {
      const res = await fetch(post(assertionParams(a)));
      answered += 1;
      return res;
    });
    await until(() => answered === 5);
    expect(host.requests).toHaveLength(2); // the warm-up and the one refetch, still pending
    host.release();
    for (const res of await Promise.all(flood)) await expectInvalidClient(res);
    expect(host.requests).toHaveLength(2);
  });

  it("while one request refetches keys past their TTL, the others authenticate with the keys held", async () => {
    const host = jwksHost(new Map([[s.jwksUri, { keys: [s.uriKey.publicJwk] }]]));
    const fetch = host.app();
    await expectToken(await fetch(post(assertionParams(await assertion()))), s.uriClient);
    host.clock.now += 301_000;
    host.control.holdNext = true;
    const refetching = fetch(post(assertionParams(await assertion())));
    await until(() => host.requests.length === 2);
    const others = await Promise.all(
      Array.from({ length: 3 }, async () => fetch(post(assertionParams(await assertion())))),
    );
    for (const res of others) await expectToken(res, s.uriClient);
    expect(host.requests).toHaveLength(2);
    host.release();
    await expectToken(await refetching, s.uriClient);
  });

  it("an outage keeps the last good keys; with none held, requests fail fast after a failure", async () => {
    const host = jwksHost(new Map([[s.jwksUri, { keys: [s.uriKey.publicJwk] }]]));
    const fetch = host.app();
    await expectToken(await fetch(post(assertionParams(await assertion()))), s.uriClient);
    host.clock.now += 301_000;
    host.control.down = true;
    await expectToken(await fetch(post(assertionParams(await assertion()))), s.uriClient);
    await expectToken(await fetch(post(assertionParams(await assertion()))), s.uriClient);
    expect(host.requests).toHaveLength(2); // the failed attempt, then no retry for 5 s
    host.clock.now += 5_000;
    await expectToken(await fetch(post(assertionParams(await assertion()))), s.uriClient);
    expect(host.requests).toHaveLength(3);

    const cold = host.app();
    await expectInvalidClient(await cold(post(assertionParams(await assertion()))));
    await expectInvalidClient(await cold(post(assertionParams(await assertion()))));
    expect(host.requests).toHaveLength(4); // the second failed fast, without a request
    host.control.down = false;
    host.clock.now += 5_000;
    await expectToken(await cold(post(assertionParams(await assertion()))), s.uriClient);
    expect(host.requests).toHaveLength(5);
  });

  it("a slower fetch started earlier never replaces the keys a later one brought", async () => {
    const documents = new Map([[s.jwksUri, { keys: [s.uriKey.publicJwk] }]]);
    const host = jwksHost(documents);
    const fetch = host.app();
    host.control.holdNext = true;
    const slow = fetch(post(assertionParams(await assertion()))); // will bring {old key}
    await until(() => host.requests.length === 1);
    // The client rotates: only the new key is published now.
    const rotated = await clientKey("ES256");
    documents.set(s.jwksUri, { keys: [rotated.publicJwk] });
    await expectToken(await fetch(post(assertionParams(await assertion(rotated)))), s.uriClient);
    host.release();
    await expectInvalidClient(await slow); // its own answer was older than the set held
    await expectInvalidClient(await fetch(post(assertionParams(await assertion()))));
    await expectToken(await fetch(post(assertionParams(await assertion(rotated)))), s.uriClient);
    expect(host.requests).toHaveLength(2);
  });
});

describe("private_key_jwt — the assertion is refused", () => {
  const cases: [string, () => Promise<string>][] = [
    [
      "signed by another key under the registered kid",
      async () =>
        clientAssertion({ ...(await clientKey("RS256")), kid: s.rsa.kid }, s.rsaClient, s.tokenEndpoint),
    ],
    [
      "naming an unknown kid",
      async () => clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { header: { kid: "nope" } }),
    ],
    [
      "with alg none",
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
        const claims = {
          iss: s.rsaClient,
          sub: s.rsaClient,
          aud: s.tokenEndpoint,
          jti: crypto.randomUUID(),
          exp: now + 60,
        };
        return `${enc({ alg: "none", kid: s.rsa.kid })}.${enc(claims)}.`;
      },
    ],
    [
      "with HS256 keyed by the registered public key",
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(s.rsa.publicJwk));
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({
          iss: s.rsaClient,
          sub: s.rsaClient,
          aud: s.tokenEndpoint,
          jti: crypto.randomUUID(),
          exp: now + 60,
        })
          .setProtectedHeader({ alg: "HS256", kid: s.rsa.kid })
          .sign(secret);
      },
    ],
    ...(["jwk", "jku", "x5u", "x5c"] as const).map((member): [string, () => Promise<string>] => [
      `carrying ${member} in its header`,
      async () => {
        const attacker = await clientKey("RS256");
        const values = {
          jwk: await exportJWK(attacker.privateKey).then(({ kty, n, e }) => ({ kty, n, e })),
          jku: "https://attacker.example/jwks.json",
          x5u: "https://attacker.example/cert.pem",
          x5c: ["MIIB"],
        };
        // Signed with the registered key, so only the header member can be the reason.
        return clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { header: { [member]: values[member] } });
      },
    ]),
    [
      "with iss naming another client",
      () => clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { claims: { iss: s.ecClient } }),
    ],
    [
      "with sub naming another client",
      () => clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { claims: { sub: s.ecClient } }),
    ],
    ["for another audience", () => clientAssertion(s.rsa, s.rsaClient, `${ORIGIN}/oauth2/other/v1/token`)],
    [
      "for the org authorization server",
      () => clientAssertion(s.rsa, s.rsaClient, `${ORIGIN}/oauth2/v1/token`),
    ],
    [
      "expired",
      () =>
        clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { now: Math.floor(Date.now() / 1000) - 600 }),
    ],
    [
      "with exp more than an hour ahead",
      () =>
        clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, {
          claims: { exp: Math.floor(Date.now() / 1000) + 2 * 3600 },
        }),
    ],
    [
      "without exp",
      () => clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { claims: { exp: undefined } }),
    ],
    [
      "without jti",
      () => clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { claims: { jti: undefined } }),
    ],
    [
      "with a numeric jti",
      () => clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { claims: { jti: 42 } }),
    ],
    [
      "not valid before a minute from now",
      () =>
        clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, {
          claims: { nbf: Math.floor(Date.now() / 1000) + 60 },
        }),
    ],
    [
      "issued in the future",
      () =>
        clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, {
          claims: { iat: Math.floor(Date.now() / 1000) + 300 },
        }),
    ],
    ["that is not a JWT", async () => "not-a-jwt"],
  ];

  it.each(cases)("%s: 401 invalid_client, worded like a wrong secret", async (_name, make) => {
    await expectInvalidClient(await freshApp()(post(assertionParams(await make()))));
  });

  it("reads exactly like a client_secret failure", async () => {
    const secretFailure = await freshApp()(
      tokenRequest(
        s.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(s.secretClient, "wrong") },
      ),
    );
    const assertion = await clientAssertion(s.rsa, s.rsaClient, "https://wrong.example");
    const assertionFailure = await freshApp()(post(assertionParams(assertion)));
    expect(assertionFailure.status).toBe(secretFailure.status);
    expect(await assertionFailure.json()).toEqual(await secretFailure.json());
  });

  it("refuses a client registered for client_secret_basic that sends an assertion", async () => {
    const key = await clientKey("RS256");
    const assertion = await clientAssertion(key, s.secretClient, s.tokenEndpoint);
    await expectInvalidClient(await freshApp()(post(assertionParams(assertion))));
  });

  it("refuses a private_key_jwt client that sends a secret instead", async () => {
    await expectInvalidClient(
      await freshApp()(
        tokenRequest(
          s.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(s.rsaClient, SECRET) },
        ),
      ),
    );
  });

  it("refuses a client_id parameter that names another client", async () => {
    const assertion = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint);
    await expectInvalidClient(await freshApp()(post(assertionParams(assertion, { client_id: s.ecClient }))));
  });

  it("refuses a deactivated client", async () => {
    const key = await clientKey("ES256");
    const clientId = uniqueId("inactive");
    await importConfig({
      clients: [
        {
          client_id: clientId,
          client_name: "inactive",
          status: "INACTIVE",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [key.publicJwk] },
        },
      ],
    });
    const assertion = await clientAssertion(key, clientId, s.tokenEndpoint);
    await expectInvalidClient(await freshApp()(post(assertionParams(assertion))));
  });
});

describe("private_key_jwt — replay", () => {
  it("accepts a jti once: the same assertion is refused on its second use", async () => {
    const assertion = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint);
    const fetch = freshApp();
    await expectToken(await fetch(post(assertionParams(assertion))), s.rsaClient);
    await expectInvalidClient(await fetch(post(assertionParams(assertion))));
  });

  it("refuses the replay in another isolate too", async () => {
    const assertion = await clientAssertion(s.ec, s.ecClient, s.issuer);
    await expectToken(await freshApp()(post(assertionParams(assertion))), s.ecClient);
    await expectInvalidClient(await freshApp()(post(assertionParams(assertion))));
    await expectInvalidClient(await freshApp()(post(assertionParams(assertion))));
  });

  it("refuses a new assertion that reuses a jti", async () => {
    const jti = crypto.randomUUID();
    const first = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { claims: { jti } });
    const second = await clientAssertion(s.rsa, s.rsaClient, s.issuer, { claims: { jti } });
    await expectToken(await freshApp()(post(assertionParams(first))), s.rsaClient);
    await expectInvalidClient(await freshApp()(post(assertionParams(second))));
  });

  it("lets exactly one of many concurrent uses through", async () => {
    const assertion = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => freshApp()(post(assertionParams(assertion)))),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
  });

  it("keys jtis per client: another client may use the same jti", async () => {
    const jti = crypto.randomUUID();
    const a = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint, { claims: { jti } });
    const b = await clientAssertion(s.ec, s.ecClient, s.tokenEndpoint, { claims: { jti } });
    await expectToken(await freshApp()(post(assertionParams(a))), s.rsaClient);
    await expectToken(await freshApp()(post(assertionParams(b))), s.ecClient);
  });

  it("frees a jti once its assertion has expired, and its alarm empties the store", async () => {
    const stub = bindings.ASSERTION_REPLAY.get(bindings.ASSERTION_REPLAY.idFromName(uniqueId("replay")));
    const now = Math.floor(Date.now() / 1000);
    expect(await stub.consume("j1", now + 30, now)).toBe(true);
    expect(await stub.consume("j1", now + 30, now + 10)).toBe(false);
    // After its expiry the same jti is free again (RFC 7523 §3 only asks for uniqueness while valid).
    expect(await stub.consume("j1", now + 90, now + 31)).toBe(true);
    expect(await stub.consume("j2", now + 60, now)).toBe(true);

    // The alarm is due when the earliest entry first recorded expires; it deletes what expired by then.
    const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarm).toBe((now + 31) * 1000);
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec("UPDATE seen SET expires_at = ? WHERE jti = 'j2'", now - 10);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ jti: string }>("SELECT jti FROM seen")
        .toArray()
        .map((r) => r.jti),
    );
    expect(left).toEqual(["j1"]);
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBe((now + 91) * 1000);
  });
});

describe("private_key_jwt — request shape", () => {
  it("refuses an assertion sent with Basic credentials (one method per request)", async () => {
    const assertion = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint);
    await expectInvalidRequest(
      await freshApp()(post(assertionParams(assertion), basic(s.secretClient, SECRET))),
      /more than one authentication method/,
    );
  });

  it("refuses an assertion sent with a client_secret", async () => {
    const assertion = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint);
    await expectInvalidRequest(
      await freshApp()(post(assertionParams(assertion, { client_id: s.rsaClient, client_secret: SECRET }))),
      /more than one authentication method/,
    );
  });

  it.each([
    [
      "a wrong assertion type",
      { client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer" },
    ],
    ["no assertion type", { client_assertion_type: undefined }],
  ])("refuses %s", async (_name, extra) => {
    const assertion = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint);
    await expectInvalidRequest(
      await freshApp()(post(assertionParams(assertion, extra))),
      /client_assertion_type/,
    );
  });

  it("refuses an assertion type without an assertion", async () => {
    await expectInvalidRequest(
      await freshApp()(post({ grant_type: "client_credentials", client_assertion_type: ASSERTION_TYPE })),
      /'client_assertion' parameter is missing/,
    );
  });

  it("refuses a repeated client_assertion", async () => {
    const assertion = await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint);
    const body = `${new URLSearchParams(assertionParams(assertion))}&client_assertion=${assertion}`;
    await expectInvalidRequest(
      await freshApp()(tokenRequest(s.issuer, {}, { body })),
      /'client_assertion' parameter is repeated/,
    );
  });
});

describe("private_key_jwt — the token path's I/O", () => {
  it("adds exactly one Durable Object call (the replay check) and no KV read on a warm isolate", async () => {
    const calls = { kv: 0, durableObjects: 0 };
    const count = <T extends object>(target: T, key: "kv" | "durableObjects") =>
      new Proxy(target, {
        get(t, prop) {
          const value = Reflect.get(t, prop);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            calls[key] += 1;
            return value.apply(t, args);
          };
        },
      });
    const counted: Env = {
      ...bindings,
      CONFIG: count(bindings.CONFIG, "kv"),
      CONTROL_PLANE: count(bindings.CONTROL_PLANE, "durableObjects"),
      KEY_VAULT: count(bindings.KEY_VAULT, "durableObjects"),
      ASSERTION_REPLAY: count(bindings.ASSERTION_REPLAY, "durableObjects"),
    };
    const fetch = freshApp();
    const request = async () =>
      post(assertionParams(await clientAssertion(s.rsa, s.rsaClient, s.tokenEndpoint)));
    expect((await fetch(await request(), counted)).status).toBe(200);
    calls.kv = 0;
    calls.durableObjects = 0;
    for (let i = 0; i < 5; i++) expect((await fetch(await request(), counted)).status).toBe(200);
    expect(calls.kv).toBe(0);
    // idFromName + get per request: one object, one RPC.
    expect(calls.durableObjects).toBe(5 * 2);
  });
});

describe("private_key_jwt — registration", () => {
  async function importIssues(client: Record<string, unknown>): Promise<string[]> {
    const result = await controlPlane().importConfig(
      {
        clients: [{ client_id: uniqueId("reg"), client_name: "reg", ...client }],
      },
      ALL_RIGHTS,
    );
    return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
  }

  it("requires jwks or jwks_uri, never both", async () => {
    expect(await importIssues({ token_endpoint_auth_method: "private_key_jwt" })).toEqual([
      "clients.0.jwks: private_key_jwt requires jwks or jwks_uri",
    ]);
    expect(
      await importIssues({
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [s.rsa.publicJwk] },
        jwks_uri: "https://client.example/jwks.json",
      }),
    ).toEqual(["clients.0.jwks_uri: jwks and jwks_uri are mutually exclusive"]);
  });

  it("refuses private key material and keys without their public members", async () => {
    const privateJwk = await exportJWK(s.rsa.privateKey);
    const issues = await importIssues({
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [{ ...privateJwk, kid: "k" }] },
    });
    expect(issues.join("\n")).toMatch(/clients\.0\.jwks\.keys\.0.*must be a public key/);
    expect(
      await importIssues({
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [{ kty: "RSA", e: "AQAB" }] },
      }),
    ).toEqual(["clients.0.jwks.keys.0: lacks the public members of its key type"]);
    expect(
      await importIssues({
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [{ kty: "oct", k: "abc" }] },
      }),
    ).not.toEqual([]);
  });

  it("accepts jwks_uri over https or on a loopback host only", async () => {
    const uri = (jwks_uri: string) =>
      importIssues({ token_endpoint_auth_method: "private_key_jwt", jwks_uri });
    expect(await uri("https://client.example/jwks.json")).toEqual([]);
    expect(await uri("http://127.0.0.1:9999/jwks.json")).toEqual([]);
    expect(await uri("http://localhost:9999/jwks.json")).toEqual([]);
    expect((await uri("http://client.example/jwks.json")).join()).toMatch(/jwks_uri: must use https/);
  });

  it("never stores a secret for a private_key_jwt client", async () => {
    const clientId = uniqueId("nosecret");
    const summary = await importConfig({
      clients: [
        {
          client_id: clientId,
          client_name: "n",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: { keys: [s.rsa.publicJwk] },
        },
      ],
    });
    expect(summary.generatedSecrets).toEqual({});
    expect((await controlPlane().getClientRecord(clientId))?.secrets).toEqual([]);
  });
});
