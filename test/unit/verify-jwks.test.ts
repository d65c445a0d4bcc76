/**
 * JWKS handling: freshness from the response's Cache-Control (RFC 9111, RFC 5861), revalidation with
 * If-None-Match (RFC 9110 §13.1.2), outages, ordering of overlapping reloads, concurrent callers that
 * never wait on each other's requests, and which published keys are usable. Node has no Cache API, so
 * this is the in-memory tier.
 */
import { exportJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createVerifier, TokenVerificationError, type VerifierOptions } from "../../src/verify";
import {
  AUDIENCE,
  clock,
  FakeJwksServer,
  ISSUER,
  makeKey,
  oktaClaims,
  settle,
  sign,
  signOkta,
  type TestKey,
} from "./verify-fixtures";

/** A verifier of the fixtures' issuer and audience, in memory only (no Cache API). */
function verifierWith(
  fetch: VerifierOptions["fetch"],
  now = clock().now,
  options: Partial<VerifierOptions> = {},
) {
  return createVerifier({ issuer: ISSUER, audience: AUDIENCE, fetch, cache: null, now, ...options });
}

function setup(keys: TestKey[], options: Partial<VerifierOptions> = {}, cacheControl?: string) {
  const server = new FakeJwksServer(keys);
  if (cacheControl !== undefined) server.cacheControl = cacheControl;
  const time = clock();
  const verifier = verifierWith(server.fetch, time.now, options);
  return { server, time, verifier };
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "verified";
  } catch (error) {
    if (error instanceof TokenVerificationError) return error.reason;
    throw error;
  }
}

let rsa: TestKey;
let rsa2: TestKey;
let token: string;
let token2: string;
beforeAll(async () => {
  rsa = await makeKey("RS256", "k1");
  rsa2 = await makeKey("RS256", "k2");
  token = await signOkta(rsa, { exp: Date.UTC(2026, 0, 3) / 1000 });
  token2 = await signOkta(rsa2, { exp: Date.UTC(2026, 0, 3) / 1000 });
});

describe("JWKS freshness (Cache-Control)", () => {
  it("serves from memory inside max-age, then revalidates with If-None-Match and takes the 304", async () => {
    const { verifier, server, time } = setup([rsa], {}, "public, max-age=300");
    await verifier.verify(token);
    time.advance(299);
    await verifier.verify(token);
    expect(server.count).toBe(1);

    time.advance(1);
    await verifier.verify(token);
    expect(server.calls[1]).toMatchObject({ ifNoneMatch: server.etag, outcome: 304 });

    // The 304 renewed the freshness (RFC 9111 §4.3.4): another full max-age without a request.
    time.advance(299);
    await verifier.verify(token);
    expect(server.count).toBe(2);
    time.advance(1);
    await verifier.verify(token);
    expect(server.count).toBe(3);
  });

  it("a 304 without Cache-Control keeps the stored directives (RFC 9111 §4.3.4)", async () => {
    const { verifier, server, time } = setup([rsa], {}, "max-age=100");
    await verifier.verify(token);
    server.cacheControl = "";
    time.advance(100);
    await verifier.verify(token); // 304 without Cache-Control: max-age=100 still applies, not the 300 s default
    time.advance(99);
    await verifier.verify(token);
    expect(server.calls.map((c) => c.outcome)).toEqual([200, 304]);
    time.advance(1);
    await verifier.verify(token);
    expect(server.calls.map((c) => c.outcome)).toEqual([200, 304, 304]);
  });

  it("a changed JWKS is fetched in full after max-age and replaces the set", async () => {
    const { verifier, server, time } = setup([rsa], {}, "max-age=60");
    await verifier.verify(token);
    server.setKeys([rsa2]);
    time.advance(60);
    await verifier.verify(token2);
    expect(server.calls.map((c) => c.outcome)).toEqual([200, 200]);
    expect(server.count).toBe(2);
  });

  it("Age shortens the freshness of a response that sat in a cache (RFC 9111 §4.2.3)", async () => {
    const { verifier, server, time } = setup([rsa], {}, "max-age=300");
    server.headers = { Age: "200" };
    await verifier.verify(token);
    time.advance(99);
    await verifier.verify(token);
    expect(server.count).toBe(1);
    time.advance(1);
    await verifier.verify(token);
    expect(server.count).toBe(2);
  });

  it("s-maxage wins over max-age: the Cache API makes this a shared cache (RFC 9111 §5.2.2.10)", async () => {
    const { verifier, server, time } = setup([rsa], {}, "public, max-age=600, s-maxage=60");
    await verifier.verify(token);
    time.advance(60);
    await verifier.verify(token);
    expect(server.count).toBe(2);
  });

  it("no-cache revalidates on every use and still verifies", async () => {
    const { verifier, server } = setup([rsa], {}, "no-cache");
    for (let i = 0; i < 3; i++) await verifier.verify(token);
    expect(server.calls.map((c) => c.outcome)).toEqual([200, 304, 304]);
  });

  it("caps an absurd max-age at 24 hours", async () => {
    const { verifier, server, time } = setup([rsa], {}, "max-age=31536000");
    await verifier.verify(token);
    time.advance(24 * 3600);
    await verifier.verify(token);
    expect(server.count).toBe(2);
  });

  it("stale-while-revalidate answers at once from the stale set and refreshes behind it (RFC 5861 §3)", async () => {
    const { verifier, server, time } = setup([rsa], {}, "max-age=60, stale-while-revalidate=600");
    await verifier.verify(token);
    time.advance(61);
    server.holdNextResponse();
    const background: Promise<unknown>[] = [];
    // Resolves although the JWKS request is still pending.
    await verifier.verify(token, { waitUntil: (p) => background.push(p) });
    expect(background).toHaveLength(1);
    expect(server.calls[1]?.outcome).toBe("pending");
    // Another verification meanwhile answers from the stale set too: it neither starts a second
    // refresh nor waits on the pending one.
    await verifier.verify(token);
    expect(server.count).toBe(2);
    server.release();
    await Promise.all(background);
    expect(server.calls[1]?.outcome).toBe(304);
    time.advance(59);
    await verifier.verify(token);
    expect(server.count).toBe(2);
  });
});

/**
 * Workers bind a promise's I/O to the request that created it, so no verification may await a JWKS
 * request another one started: that request's code stops when its request ends, and whoever waited on
 * it would hang. A held-back response stands in for such a request here; callers share only values.
 */
describe("JWKS across concurrent verifications", () => {
  it("a cold start: each caller loads for itself, every one verifies, and the set serves the next", async () => {
    const { verifier, server } = setup([rsa]);
    const results = await Promise.all(Array.from({ length: 25 }, () => reasonOf(verifier.verify(token))));
    expect(results).toEqual(Array(25).fill("verified"));
    // Nothing was held, so nothing could be answered from memory: one bounded request per caller.
    expect(server.count).toBe(25);
    await verifier.verify(token);
    expect(server.count).toBe(25);
  });

  it("a cold caller is not held up by another caller's request that never answers", async () => {
    // A timeout far beyond the test's: only a caller's own request can explain a prompt answer.
    const { verifier, server } = setup([rsa], { jwksTimeoutMs: 60_000 });
    server.holdNextResponse();
    const stuck = reasonOf(verifier.verify(token));
    await settle();
    expect(server.calls.map((c) => c.outcome)).toEqual(["pending"]);
    expect(await reasonOf(verifier.verify(token))).toBe("verified");
    expect(server.calls.map((c) => c.outcome)).toEqual(["pending", 200]);
    server.release();
    expect(await stuck).toBe("verified");
  });

  it("while one caller revalidates a set past max-age, the others verify with it instead of waiting", async () => {
    const { verifier, server, time } = setup([rsa], { jwksTimeoutMs: 60_000 }, "max-age=60");
    await verifier.verify(token);
    time.advance(61);
    server.holdNextResponse();
    const revalidating = reasonOf(verifier.verify(token));
    await settle();
    expect(server.calls[1]?.outcome).toBe("pending");
    const others = await Promise.all(Array.from({ length: 10 }, () => reasonOf(verifier.verify(token))));
    expect(others).toEqual(Array(10).fill("verified"));
    expect(server.count).toBe(2);

    server.release();
    expect(await revalidating).toBe("verified");
    expect(server.calls[1]?.outcome).toBe(304);
    time.advance(59); // the 304 renewed the set for everyone
    await verifier.verify(token);
    expect(server.count).toBe(2);
  });

  it("the claim of a caller that never finishes expires after the fetch timeout", async () => {
    const { verifier, server, time } = setup([rsa], { jwksTimeoutMs: 60_000 }, "max-age=60");
    await verifier.verify(token);
    time.advance(61);
    server.holdNextResponse();
    // In Workers, a cancelled request's code never resumes: it cannot give its claim back.
    const abandoned = reasonOf(verifier.verify(token));
    await settle();
    time.advance(59);
    expect(await reasonOf(verifier.verify(token))).toBe("verified");
    expect(server.count).toBe(2);
    time.advance(1);
    expect(await reasonOf(verifier.verify(token))).toBe("verified");
    expect(server.calls.map((c) => c.outcome)).toEqual([200, "pending", 304]);
    server.release();
    await abandoned;
  });

  it("past stale-if-error, a set another caller is revalidating is not used: each caller loads", async () => {
    const { verifier, server, time } = setup(
      [rsa],
      { jwksTimeoutMs: 60_000 },
      "max-age=60, stale-if-error=60",
    );
    await verifier.verify(token);
    time.advance(121);
    server.holdNextResponse();
    const first = reasonOf(verifier.verify(token));
    await settle();
    server.setKeys([rsa2]); // k1 revoked meanwhile: a set this old must not vouch for it
    expect(await reasonOf(verifier.verify(token))).toBe("unknown_kid"); // its own load brought {k2}
    expect(await reasonOf(verifier.verify(token2))).toBe("verified");
    // The held-back answer, "{k1} not modified", is older than {k2} and changes nothing.
    server.release();
    expect(await first).toBe("unknown_kid");
    // The first caller's, the second's load ({k2}), and its one unknown-kid refetch for k1.
    expect(server.calls.map((c) => c.outcome)).toEqual([200, 304, 200, 304]);
  });
});

describe("JWKS outages", () => {
  for (const mode of ["network_error", "status_500", "invalid_json"] as const) {
    it(`keeps the last good set through ${mode} for stale-if-error, then fails closed`, async () => {
      const { verifier, server, time } = setup([rsa], {}, "max-age=60, stale-if-error=3600");
      await verifier.verify(token);
      server.mode = mode;
      time.advance(61);
      await verifier.verify(token);
      expect(server.count).toBe(2);
      // Retries are spaced out while the outage lasts: no request storm, no wait per verification.
      await verifier.verify(token);
      time.advance(4);
      await verifier.verify(token);
      expect(server.count).toBe(2);
      time.advance(1);
      await verifier.verify(token);
      expect(server.count).toBe(3);

      time.set(Date.UTC(2026, 0, 1) + (60 + 3600) * 1000);
      expect(await reasonOf(verifier.verify(token))).toBe("jwks_unavailable");

      server.mode = "ok";
      time.advance(5);
      expect(await reasonOf(verifier.verify(token))).toBe("verified");
    });
  }

  it("without stale-if-error, the last good set serves through an outage for 24 hours", async () => {
    const { verifier, server, time } = setup([rsa], {}, "max-age=60");
    await verifier.verify(token);
    server.mode = "network_error";
    time.advance(60 + 24 * 3600 - 1);
    expect(await reasonOf(verifier.verify(token))).toBe("verified");
    time.advance(1);
    expect(await reasonOf(verifier.verify(token))).toBe("jwks_unavailable");
  });

  it("with no set yet, an outage is jwks_unavailable, retried after a short backoff", async () => {
    const { verifier, server, time } = setup([rsa]);
    server.mode = "status_500";
    expect(await reasonOf(verifier.verify(token))).toBe("jwks_unavailable");
    expect(await reasonOf(verifier.verify(token))).toBe("jwks_unavailable");
    expect(server.count).toBe(1);
    server.mode = "ok";
    time.advance(5);
    expect(await reasonOf(verifier.verify(token))).toBe("verified");
    expect(server.count).toBe(2);
  });

  it("a failed unknown-kid refetch keeps the set and spends the cooldown", async () => {
    const { verifier, server, time } = setup([rsa]);
    await verifier.verify(token);
    server.mode = "network_error";
    expect(await reasonOf(verifier.verify(token2))).toBe("unknown_kid");
    expect(await reasonOf(verifier.verify(token2))).toBe("unknown_kid");
    expect(await reasonOf(verifier.verify(token))).toBe("verified");
    expect(server.count).toBe(2);
    server.mode = "ok";
    server.setKeys([rsa, rsa2]);
    time.advance(30);
    expect(await reasonOf(verifier.verify(token2))).toBe("verified");
  });
});

describe("JWKS reload ordering", () => {
  it("a slow revalidation (304) answering after a newer full reload never replaces it", async () => {
    const { verifier, server, time } = setup([rsa], { jwksTimeoutMs: 50 }, "max-age=300");
    await verifier.verify(token); // #1: set {k1}
    time.advance(301);
    server.holdNextResponse();
    // #2 hangs; the caller gives up after 50 ms and keeps using {k1}.
    expect(await reasonOf(verifier.verify(token))).toBe("verified");
    expect(server.calls[1]?.outcome).toBe("pending");

    // Emergency rotation: k1 revoked, k2 signs. #3 brings {k2}.
    server.setKeys([rsa2]);
    time.advance(6);
    expect(await reasonOf(verifier.verify(token2))).toBe("verified");
    expect(server.calls[2]?.outcome).toBe(200);

    // #2 finally answers "not modified" for the {k1} it was asked about.
    server.release();
    await settle();
    expect(server.calls[1]?.outcome).toBe(304);
    expect(await reasonOf(verifier.verify(token2))).toBe("verified");
    expect(server.count).toBe(3);
  });

  it("a slow full load answering after a newer one never replaces it", async () => {
    const { verifier, server, time } = setup([rsa], { jwksTimeoutMs: 50 });
    server.holdNextResponse();
    // #1 (a cold start) hangs with the old set {k1}.
    expect(await reasonOf(verifier.verify(token2))).toBe("jwks_unavailable");
    server.setKeys([rsa2]);
    time.advance(5);
    expect(await reasonOf(verifier.verify(token2))).toBe("verified"); // #2: {k2}
    server.release();
    await settle();
    expect(server.calls.map((c) => c.outcome)).toEqual([200, 200]);
    // Still {k2}: k2 verifies without a request, k1 is unknown.
    expect(await reasonOf(verifier.verify(token2))).toBe("verified");
    expect(server.count).toBe(2);
    time.advance(30);
    expect(await reasonOf(verifier.verify(token))).toBe("unknown_kid");
  });
});

describe("JWKS contents", () => {
  it("uses only keys fit for verifying a supported algorithm, and only their public members", async () => {
    const priv = await makeKey("RS256", "with-private-members");
    const privateJwk = { ...(await exportJWK(priv.privateKey)), kid: priv.kid, alg: "RS256", use: "sig" };
    const ec = await makeKey("ES256", "ec-no-alg");
    const { alg: _drop, ...ecNoAlg } = ec.jwk;
    const rsaNoAlg = await makeKey("RS256", "rsa-no-alg");
    const { alg: _drop2, ...rsaNoAlgJwk } = rsaNoAlg.jwk;
    const weak = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const weakJwk = { ...(await exportJWK(weak.publicKey)), kid: "weak", alg: "RS256" };

    const keys = [
      privateJwk,
      ecNoAlg,
      rsaNoAlgJwk,
      weakJwk,
      { ...rsa.jwk, kid: "enc", use: "enc" },
      { ...rsa.jwk, kid: "ops", key_ops: ["encrypt"] },
      { ...rsa.jwk, kid: "rs512", alg: "RS512" },
      { kty: "oct", kid: "oct", alg: "HS256", k: "c2VjcmV0" },
      { kty: "EC", kid: "bad-point", alg: "ES256", crv: "P-256", x: "AAAA", y: "AAAA" },
      "not a key",
    ];
    const server = new FakeJwksServer([]);
    server.setKeys(keys);
    const verifier = verifierWith(server.fetch);

    expect(await reasonOf(verifier.verify(await signOkta(priv)))).toBe("verified");
    expect(await reasonOf(verifier.verify(await signOkta(ec)))).toBe("verified");
    for (const kid of ["rsa-no-alg", "weak", "enc", "ops", "rs512", "oct", "bad-point"]) {
      const forKid = await sign({ ...rsa, kid }, oktaClaims());
      expect([kid, await reasonOf(verifier.verify(forKid))]).toEqual([kid, "unknown_kid"]);
    }

    // An RSA key without alg fits RS256 and PS256; once the allow-list names one, it is bound to it.
    const rs256Only = verifierWith(server.fetch, clock().now, { algorithms: ["RS256"] });
    expect(await reasonOf(rs256Only.verify(await signOkta(rsaNoAlg)))).toBe("verified");
  });

  it("a document that is not a JWK Set is an outage, not an empty set", async () => {
    const { verifier, server, time } = setup([rsa], {}, "max-age=60");
    await verifier.verify(token);
    server.setKeys([]);
    const original = server.fetch;
    const broken = async (input: string, init?: RequestInit) => {
      const res = await original(input, init);
      return new Response(JSON.stringify({ kees: [] }), { status: 200, headers: res.headers });
    };
    const verifier2 = verifierWith(broken, time.now);
    expect(await reasonOf(verifier2.verify(token))).toBe("jwks_unavailable");
    // An empty but valid set is the server's word: every key revoked.
    time.advance(60);
    expect(await reasonOf(verifier.verify(token))).toBe("unknown_kid");
  });
});

describe("JWKS responses are untrusted input", () => {
  /** A JWKS padded past the 256 KiB limit with an extra member: valid JSON, just too big. */
  const oversized = async () => JSON.stringify({ keys: [{ ...rsa.jwk }], padding: "x".repeat(300 * 1024) });

  it("stops reading a body that declares no Content-Length once it passes the limit", async () => {
    // An endless body: an unbounded reader would never return.
    let pulled = 0;
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    const fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled += chunk.byteLength;
            controller.enqueue(chunk);
          },
        }),
        { status: 200, headers: { "Cache-Control": "max-age=300" } },
      );
    const verifier = verifierWith(fetch);
    expect(await reasonOf(verifier.verify(token))).toBe("jwks_unavailable");
    expect(pulled).toBeLessThan(256 * 1024 + 4 * chunk.byteLength);
  });

  it("refuses a compressed body whose small Content-Length hides a large decoded document", async () => {
    // What fetch() hands out for `Content-Encoding: gzip`: the encoded length, the decoded bytes.
    const encoded = new Response(
      new Blob([await oversized()]).stream().pipeThrough(new CompressionStream("gzip")),
    );
    const gzipped = new Uint8Array(await encoded.arrayBuffer());
    const fetch = async () =>
      new Response(new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip")), {
        status: 200,
        headers: {
          "Content-Encoding": "gzip",
          "Content-Length": String(gzipped.byteLength),
          "Cache-Control": "max-age=300",
        },
      });
    expect(gzipped.byteLength).toBeLessThan(16 * 1024);
    const verifier = verifierWith(fetch);
    expect(await reasonOf(verifier.verify(token))).toBe("jwks_unavailable");
  });

  it("follows redirects only to https, each hop re-checked, and at most three", async () => {
    const server = new FakeJwksServer([rsa]);
    const seen: string[] = [];
    const redirecting =
      (hops: string[]) =>
      async (input: string, init: RequestInit): Promise<Response> => {
        seen.push(input);
        expect(init.redirect).toBe("manual");
        const i = hops.indexOf(input);
        const location = hops[i + 1];
        if (i >= 0 && location) return new Response(null, { status: 302, headers: { Location: location } });
        return server.fetch(input, init);
      };
    const verify = (hops: string[]) => reasonOf(verifierWith(redirecting(hops)).verify(token));
    const jwksUri = `${ISSUER}/v1/keys`;

    expect(await verify([jwksUri, "https://cdn.example/jwks.json"])).toBe("verified");
    expect(seen).toEqual([jwksUri, "https://cdn.example/jwks.json"]);
    // a relative Location resolves against the current URL
    expect(await verify([jwksUri, "/elsewhere/keys"])).toBe("verified");

    seen.length = 0;
    expect(await verify([jwksUri, "http://cdn.example/jwks.json"])).toBe("jwks_unavailable");
    expect(seen).toEqual([jwksUri]); // the plain-http hop is never requested

    const chain = [
      jwksUri,
      "https://a.example/1",
      "https://a.example/2",
      "https://a.example/3",
      "https://a.example/4",
    ];
    expect(await verify(chain.slice(0, 4))).toBe("verified");
    expect(await verify(chain)).toBe("jwks_unavailable");
  });
});
