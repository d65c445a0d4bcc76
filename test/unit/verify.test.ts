/**
 * The verifier's checks, one reason at a time: every negative case issue 4 names, plus positive
 * cases for both profiles and all four algorithms. JWKS from an in-test fetch, fixed clock.
 */
import { base64url, CompactSign, exportSPKI, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Algorithm,
  createVerifier,
  TokenVerificationError,
  type VerifierOptions,
  type VerifyFailureReason,
} from "../../src/verify";
import {
  AUDIENCE,
  b64json,
  clock,
  FakeJwksServer,
  ISSUER,
  makeKey,
  oktaClaims,
  rfc9068Claims,
  sign,
  signOkta,
  signRfc9068,
  T0_SECONDS,
  type TestKey,
  unsecured,
} from "./verify-fixtures";

function setup(keys: TestKey[], options: Partial<VerifierOptions> = {}) {
  const server = new FakeJwksServer(keys);
  const time = clock();
  const verifier = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    fetch: server.fetch,
    cache: null,
    now: time.now,
    ...options,
  });
  return { server, time, verifier };
}

async function reasonOf(promise: Promise<unknown>): Promise<VerifyFailureReason | "verified"> {
  try {
    await promise;
    return "verified";
  } catch (error) {
    if (error instanceof TokenVerificationError) return error.reason;
    throw error;
  }
}

let rsa: TestKey;
beforeAll(async () => {
  rsa = await makeKey("RS256", "rsa-1");
});

describe("verify: positive cases", () => {
  const algs: Algorithm[] = ["RS256", "ES256", "EdDSA", "PS256"];

  for (const alg of algs) {
    it(`accepts an okta-profile token signed with ${alg}`, async () => {
      const key = await makeKey(alg);
      const { verifier } = setup([key]);
      const token = await verifier.verify(await signOkta(key, { scp: ["orders:read", "orders:write"] }));
      expect(token).toMatchObject({
        profile: "okta",
        issuer: ISSUER,
        subject: "svc-client",
        audience: [AUDIENCE],
        clientId: "svc-client",
        scopes: ["orders:read", "orders:write"],
        header: { alg, kid: key.kid },
        expiresAt: T0_SECONDS + 3600,
      });
      expect(token.tokenId).toMatch(/^AT\./);
    });

    it(`accepts an rfc9068-profile token signed with ${alg}`, async () => {
      const key = await makeKey(alg);
      const { verifier } = setup([key], { profile: "rfc9068" });
      const token = await verifier.verify(await signRfc9068(key, { scope: "orders:read orders:write" }));
      expect(token).toMatchObject({
        profile: "rfc9068",
        clientId: "svc-client",
        scopes: ["orders:read", "orders:write"],
        header: { alg, kid: key.kid, typ: "at+jwt" },
      });
    });
  }

  it("profile 'any' decides by typ and accepts both", async () => {
    const { verifier } = setup([rsa], { profile: "any" });
    expect((await verifier.verify(await signOkta(rsa))).profile).toBe("okta");
    expect((await verifier.verify(await signRfc9068(rsa))).profile).toBe("rfc9068");
  });

  it("accepts application/at+jwt in any letter case (RFC 9068 §4, media types are case-insensitive)", async () => {
    const { verifier } = setup([rsa], { profile: "rfc9068" });
    for (const typ of ["application/at+jwt", "AT+JWT", "Application/At+Jwt"]) {
      expect((await verifier.verify(await sign(rsa, rfc9068Claims(), { typ }))).profile).toBe("rfc9068");
    }
  });

  it("accepts an array aud containing the audience, and any of several configured audiences", async () => {
    const { verifier } = setup([rsa], { audience: ["api://other", AUDIENCE] });
    const token = await verifier.verify(await signOkta(rsa, { aud: ["api://billing", AUDIENCE] }));
    expect(token.audience).toEqual(["api://billing", AUDIENCE]);
  });

  it("exposes uid for user tokens and every custom claim", async () => {
    const { verifier } = setup([rsa]);
    const token = await verifier.verify(
      await signOkta(rsa, { uid: "00u1", sub: "ada@example.com", tenant: "t1" }),
    );
    expect(token.userId).toBe("00u1");
    expect(token.claims.tenant).toBe("t1");
  });

  it("an rfc9068 token without scope has no scopes", async () => {
    const { verifier } = setup([rsa], { profile: "rfc9068" });
    const claims = rfc9068Claims();
    delete claims.scope;
    expect((await verifier.verify(await sign(rsa, claims, { typ: "at+jwt" }))).scopes).toEqual([]);
  });
});

describe("verify: algorithm attacks (RFC 8725 §2.1, §3.1)", () => {
  for (const alg of ["none", "NONE", "nOnE", "None"]) {
    it(`refuses alg ${alg} without fetching the JWKS`, async () => {
      const { verifier, server } = setup([rsa]);
      const token = unsecured({ alg, kid: rsa.kid }, oktaClaims());
      expect(await reasonOf(verifier.verify(token))).toBe("alg_not_allowed");
      // Also with a signature segment that looks real.
      expect(await reasonOf(verifier.verify(`${token}c2ln`))).toBe("alg_not_allowed");
      expect(server.count).toBe(0);
    });
  }

  it("refuses HS256 signed with the RSA public key's bytes (PEM, JWK JSON, raw modulus)", async () => {
    const { verifier, server } = setup([rsa]);
    const pem = await exportSPKI(rsa.publicKey);
    const secrets = [pem, JSON.stringify(rsa.jwk), rsa.jwk.n as string];
    for (const secret of secrets) {
      for (const alg of ["HS256", "HS384", "HS512"]) {
        const token = await new SignJWT(oktaClaims())
          .setProtectedHeader({ alg, kid: rsa.kid })
          .sign(new TextEncoder().encode(secret));
        expect(await reasonOf(verifier.verify(token))).toBe("alg_not_allowed");
      }
    }
    expect(server.count).toBe(0);
  });

  it("refuses to be configured with none, HS* or anything outside the four algorithms", () => {
    for (const algorithms of [["none"], ["HS256"], ["RS256", "HS256"], ["RS512"], []]) {
      expect(() =>
        createVerifier({
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: algorithms as Algorithm[],
          cache: null,
        }),
      ).toThrow(TypeError);
    }
  });

  it("refuses an allowed alg the named key is not bound to (PS256 token, RS256 key)", async () => {
    const { verifier } = setup([rsa]);
    // Any PS256 signature will do: the key's binding refuses the token before the signature is checked.
    const pss = await makeKey("PS256");
    const token = await sign({ ...pss, kid: rsa.kid }, oktaClaims());
    expect(await reasonOf(verifier.verify(token))).toBe("alg_not_allowed");
  });

  it("by default allows only the algorithms the JWKS keys carry", async () => {
    const { verifier, server } = setup([rsa]);
    const ec = await makeKey("ES256", "ec-unpublished");
    expect(await reasonOf(verifier.verify(await signOkta(ec)))).toBe("alg_not_allowed");
    expect(server.count).toBe(2); // the kid was unknown, so one refetch checked for a new key first
  });

  it("refuses an alg outside a configured allow-list before fetching", async () => {
    const { verifier, server } = setup([rsa], { algorithms: ["ES256"] });
    expect(await reasonOf(verifier.verify(await signOkta(rsa)))).toBe("alg_not_allowed");
    expect(server.count).toBe(0);
  });
});

describe("verify: key material in the header (RFC 8725 §3.10)", () => {
  it("refuses an embedded jwk even when it verifies the signature", async () => {
    const attacker = await makeKey("RS256", "attacker");
    const { verifier, server } = setup([rsa]);
    const token = await sign(attacker, oktaClaims(), { jwk: attacker.jwk });
    expect(await reasonOf(verifier.verify(token))).toBe("key_material_in_header");
    expect(server.count).toBe(0);
  });

  for (const [member, value] of [
    ["jku", "https://attacker.example/jwks.json"],
    ["x5u", "https://attacker.example/cert.pem"],
    ["x5c", ["MIIBszCCAVmgAwIBAgIU"]],
    ["jwk", null],
  ] as const) {
    it(`refuses a ${member} header (${JSON.stringify(value)}) before any fetch`, async () => {
      const { verifier, server } = setup([rsa]);
      const token = await sign(rsa, oktaClaims(), { [member]: value });
      expect(await reasonOf(verifier.verify(token))).toBe("key_material_in_header");
      expect(server.count).toBe(0);
    });
  }
});

describe("verify: unknown kid", () => {
  it("a flood of random kids costs exactly one JWKS refetch per cooldown window", async () => {
    const attacker = await makeKey("RS256", "attacker");
    const { verifier, server, time } = setup([rsa], { kidRefetchCooldownSeconds: 30 });
    await verifier.verify(await signOkta(rsa)); // warm: 1 fetch
    expect(server.count).toBe(1);

    const flood = async (n: number) => {
      const tokens = await Promise.all(
        Array.from({ length: n }, () => sign({ ...attacker, kid: crypto.randomUUID() }, oktaClaims())),
      );
      return Promise.all(tokens.map((t) => reasonOf(verifier.verify(t))));
    };

    // 100 concurrent misses: the first spends the window on one refetch, the rest answer from the set held.
    expect(new Set(await flood(100))).toEqual(new Set(["unknown_kid"]));
    expect(server.count).toBe(2);
    // More misses inside the window: no fetch at all.
    time.advance(29);
    expect(new Set(await flood(50))).toEqual(new Set(["unknown_kid"]));
    expect(server.count).toBe(2);
    // The next window allows one more.
    time.advance(1);
    expect(new Set(await flood(50))).toEqual(new Set(["unknown_kid"]));
    expect(server.count).toBe(3);
    // Every refetch revalidated the set it held (RFC 9110 §13.1.2), and the known key still works.
    expect(server.calls.slice(1).map((c) => c.outcome)).toEqual([304, 304]);
    await verifier.verify(await signOkta(rsa));
    expect(server.count).toBe(3);
  });

  it("callers that find the window spent answer at once, never waiting on the refetch in flight", async () => {
    const attacker = await makeKey("RS256", "attacker");
    // A timeout far beyond the test's: an answer while the refetch is held back cannot be a timeout.
    const { verifier, server } = setup([rsa], { jwksTimeoutMs: 60_000 });
    await verifier.verify(await signOkta(rsa));
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => sign({ ...attacker, kid: crypto.randomUUID() }, oktaClaims())),
    );
    server.holdNextResponse();
    const answered: string[] = [];
    const all = tokens.map((t) =>
      reasonOf(verifier.verify(t)).then((reason) => {
        answered.push(reason);
        return reason;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.calls.map((c) => c.outcome)).toEqual([200, "pending"]);
    expect(answered).toEqual(Array(19).fill("unknown_kid"));
    server.release();
    expect(await Promise.all(all)).toEqual(Array(20).fill("unknown_kid"));
    expect(server.count).toBe(2);
  });

  it("an unknown kid is refetched by its own caller even while another caller revalidates", async () => {
    const { verifier, server, time } = setup([rsa], { jwksTimeoutMs: 60_000 });
    await verifier.verify(await signOkta(rsa));
    time.advance(301); // past max-age (the fixture's 300 s, no stale-while-revalidate)
    server.holdNextResponse();
    const revalidating = reasonOf(verifier.verify(await signOkta(rsa))); // asks about {rsa-1}, held back
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Emergency rotation meanwhile. The pending revalidation predates the new key, so waiting on it
    // would not help even where waiting were allowed: the new kid's caller spends the window itself.
    const rotated = await makeKey("RS256", "rsa-3");
    server.setKeys([rsa, rotated]);
    expect(await reasonOf(verifier.verify(await signOkta(rotated)))).toBe("verified");
    server.release();
    expect(await revalidating).toBe("verified");
    expect(server.calls.map((c) => c.outcome)).toEqual([200, 304, 200]);
  });

  it("picks up a key published after an emergency rotation with one refetch", async () => {
    const { verifier, server, time } = setup([rsa]);
    await verifier.verify(await signOkta(rsa));
    const rotated = await makeKey("RS256", "rsa-2");
    server.setKeys([rotated]);
    time.advance(31);
    const token = await verifier.verify(await signOkta(rotated));
    expect(token.header.kid).toBe("rsa-2");
    expect(server.calls.map((c) => c.outcome)).toEqual([200, 200]);
    // The revoked key left the JWKS, so its tokens no longer verify.
    expect(await reasonOf(verifier.verify(await signOkta(rsa)))).toBe("unknown_kid");
  });

  it("needs no refetch when the NEXT key, published ahead, starts signing", async () => {
    const next = await makeKey("RS256", "rsa-next");
    const { verifier, server } = setup([rsa, next]);
    await verifier.verify(await signOkta(rsa));
    await verifier.verify(await signOkta(next));
    expect(server.count).toBe(1);
  });
});

describe("verify: claims", () => {
  it("refuses a wrong iss before fetching keys, and after (exact match, no normalisation)", async () => {
    const { verifier, server } = setup([rsa]);
    for (const iss of ["https://evil.example/oauth2/default", `${ISSUER}/`, ISSUER.toUpperCase()]) {
      expect(await reasonOf(verifier.verify(await signOkta(rsa, { iss })))).toBe("issuer_mismatch");
    }
    expect(server.count).toBe(0);
  });

  it("refuses a wrong aud, as string or array", async () => {
    const { verifier } = setup([rsa]);
    for (const aud of ["api://billing", ["api://billing", "api://default"], "api://orders/"]) {
      expect(await reasonOf(verifier.verify(await signOkta(rsa, { aud })))).toBe("audience_mismatch");
    }
  });

  it("refuses an expired token, with the 30 s default leeway", async () => {
    const { verifier } = setup([rsa]);
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { exp: T0_SECONDS - 30 })))).toBe("expired");
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { exp: T0_SECONDS - 3600 })))).toBe("expired");
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { exp: T0_SECONDS - 29 })))).toBe("verified");
  });

  it("refuses a token not yet valid (nbf) and one issued in the future (iat)", async () => {
    const { verifier } = setup([rsa]);
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { nbf: T0_SECONDS + 31 })))).toBe(
      "not_yet_valid",
    );
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { nbf: T0_SECONDS + 30 })))).toBe("verified");
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { iat: T0_SECONDS + 31 })))).toBe(
      "issued_in_future",
    );
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { iat: T0_SECONDS + 30 })))).toBe("verified");
  });

  it("honours a configured clock tolerance, including zero", async () => {
    const { verifier } = setup([rsa], { clockToleranceSeconds: 0 });
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { exp: T0_SECONDS })))).toBe("expired");
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { iat: T0_SECONDS + 1 })))).toBe(
      "issued_in_future",
    );
  });

  it("requires every claim of the okta profile", async () => {
    const { verifier } = setup([rsa]);
    for (const name of ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "scp", "sub"]) {
      const claims = oktaClaims();
      delete claims[name];
      expect([name, await reasonOf(verifier.verify(await sign(rsa, claims)))]).toEqual([
        name,
        "missing_claim",
      ]);
    }
  });

  it("requires every claim of the rfc9068 profile (RFC 9068 §2.2)", async () => {
    const { verifier } = setup([rsa], { profile: "rfc9068" });
    for (const name of ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]) {
      const claims = rfc9068Claims();
      delete claims[name];
      const token = await sign(rsa, claims, { typ: "at+jwt" });
      expect([name, await reasonOf(verifier.verify(token))]).toEqual([name, "missing_claim"]);
    }
  });

  it("requires configured extra claims", async () => {
    const { verifier } = setup([rsa], { requiredClaims: ["tenant"] });
    expect(await reasonOf(verifier.verify(await signOkta(rsa)))).toBe("missing_claim");
    expect(await reasonOf(verifier.verify(await signOkta(rsa, { tenant: "t1" })))).toBe("verified");
  });

  it("refuses claims of the wrong JSON type", async () => {
    const { verifier } = setup([rsa]);
    for (const bad of [
      { exp: String(T0_SECONDS + 60) },
      { iat: "now" },
      { nbf: "soon" },
      { aud: 42 },
      { aud: [AUDIENCE, 42] },
      { scp: "orders:read" },
      { scp: [1] },
      { cid: 7 },
      { sub: { id: 1 } },
      { ver: "1" },
      { uid: 5 },
    ]) {
      expect([bad, await reasonOf(verifier.verify(await signOkta(rsa, bad)))]).toEqual([
        bad,
        "invalid_claim",
      ]);
    }
  });
});

describe("verify: token type (RFC 9068 §4, RFC 8725 §3.11)", () => {
  const idTokenClaims = (overrides: Record<string, unknown> = {}) => ({
    ver: 1,
    jti: `ID.${crypto.randomUUID()}`,
    iss: ISSUER,
    aud: "svc-client",
    iat: T0_SECONDS,
    exp: T0_SECONDS + 3600,
    sub: "00u1",
    auth_time: T0_SECONDS - 10,
    amr: ["pwd"],
    idp: "00o1",
    nonce: "n-0S6_WzA2Mj",
    at_hash: "77QmUPtjPfzWtF2AnpK9RQ",
    ...overrides,
  });

  it("refuses an ID token presented as an access token, however close to one it looks", async () => {
    const { verifier } = setup([rsa], { profile: "any" });
    const variants = [
      idTokenClaims(),
      idTokenClaims({ aud: AUDIENCE }),
      idTokenClaims({ aud: AUDIENCE, scp: ["orders:read"], cid: "svc-client" }),
      idTokenClaims({ aud: AUDIENCE, nonce: undefined, at_hash: undefined, c_hash: "x" }),
      idTokenClaims({ aud: AUDIENCE, nonce: undefined, at_hash: undefined, scp: ["orders:read"], cid: "c" }),
    ];
    for (const claims of variants) {
      for (const header of [{}, { typ: "JWT" }]) {
        expect(
          await reasonOf(verifier.verify(await sign(rsa, JSON.parse(JSON.stringify(claims)), header))),
        ).toBe("wrong_token_type");
      }
    }
    // Without any ID-token marker, the missing access-token claims still refuse it.
    const bare = idTokenClaims({ aud: AUDIENCE, jti: "x", nonce: undefined, at_hash: undefined });
    expect(await reasonOf(verifier.verify(await sign(rsa, JSON.parse(JSON.stringify(bare)))))).toBe(
      "missing_claim",
    );
  });

  it("rfc9068 profile refuses a token without typ at+jwt", async () => {
    const { verifier } = setup([rsa], { profile: "rfc9068" });
    for (const header of [{}, { typ: "JWT" }, { typ: "id_token+jwt" }, { typ: 1 }]) {
      expect(await reasonOf(verifier.verify(await sign(rsa, rfc9068Claims(), header)))).toBe(
        "wrong_token_type",
      );
    }
  });

  it("okta profile refuses an at+jwt token, and any profile refuses other explicit types", async () => {
    expect(await reasonOf(setup([rsa]).verifier.verify(await signRfc9068(rsa)))).toBe("wrong_token_type");
    const { verifier } = setup([rsa], { profile: "any" });
    for (const typ of ["dpop+jwt", "logout+jwt", "secevent+jwt", "application/jwt+foo"]) {
      expect(await reasonOf(verifier.verify(await sign(rsa, oktaClaims(), { typ })))).toBe(
        "wrong_token_type",
      );
    }
  });
});

describe("verify: another authorization server's token", () => {
  it("is refused for its issuer, without a JWKS fetch, even with a fresh random kid", async () => {
    const other = await makeKey("RS256", crypto.randomUUID());
    const { verifier, server } = setup([rsa]);
    const token = await signOkta(other, { iss: "https://warden.test/oauth2/partners" });
    expect(await reasonOf(verifier.verify(token))).toBe("issuer_mismatch");
    expect(server.count).toBe(0);
  });

  it("claiming our issuer with its own keys: unknown kid, or bad signature when the kid collides", async () => {
    const other = await makeKey("RS256", "other-kid");
    const { verifier } = setup([rsa]);
    expect(await reasonOf(verifier.verify(await signOkta(other)))).toBe("unknown_kid");
    const colliding = await signOkta({ ...other, kid: rsa.kid });
    expect(await reasonOf(verifier.verify(colliding))).toBe("bad_signature");
  });

  it("signed with keys we also trust (shared keys), another issuer's verifier still refuses it", async () => {
    const { verifier } = setup([rsa]);
    const partners = createVerifier({
      issuer: "https://warden.test/oauth2/partners",
      audience: AUDIENCE,
      fetch: new FakeJwksServer([rsa]).fetch,
      cache: null,
      now: clock().now,
    });
    const ours = await signOkta(rsa);
    expect(await reasonOf(partners.verify(ours))).toBe("issuer_mismatch");
    expect(await reasonOf(verifier.verify(ours))).toBe("verified");
  });
});

describe("verify: malformed input", () => {
  it("treats an absent or empty token as missing", async () => {
    const { verifier } = setup([rsa]);
    for (const token of [undefined, null, ""])
      expect(await reasonOf(verifier.verify(token))).toBe("missing_token");
  });

  it("refuses strings that are not a signed compact JWS", async () => {
    const { verifier, server } = setup([rsa]);
    const good = await signOkta(rsa);
    const [h, p, s] = good.split(".") as [string, string, string];
    const cases = [
      "not-a-jwt",
      `${h}.${p}`,
      `${h}.${p}.${s}.x.y`, // JWE shape
      `${h}.${p}.${s}.`,
      `!!.${p}.${s}`,
      `${b64json("string header")}.${p}.${s}`,
      `${b64json([1])}.${p}.${s}`,
      `${base64url.encode("{not json")}.${p}.${s}`,
      `${h}..${s}`,
      `${h}.${p}.`,
      `${h}.${p}.${s}${"A".repeat(20_000)}`,
      `${b64json({ alg: "RS256" })}.${p}.${s}`, // no kid
      `${b64json({ alg: "RS256", kid: 7 })}.${p}.${s}`,
      `${b64json({ alg: "RS256", kid: rsa.kid, crit: ["exp"], exp: 1 })}.${p}.${s}`,
    ];
    for (const token of cases)
      expect([token.slice(0, 40), await reasonOf(verifier.verify(token))]).toEqual([
        token.slice(0, 40),
        "malformed",
      ]);
    expect(server.count).toBe(0);
  });

  it("refuses a payload that is not a JSON object, and a tampered payload", async () => {
    const { verifier } = setup([rsa]);
    const arrayPayload = await new CompactSign(new TextEncoder().encode("[1,2]"))
      .setProtectedHeader({ alg: "RS256", kid: rsa.kid })
      .sign(rsa.privateKey);
    expect(await reasonOf(verifier.verify(arrayPayload))).toBe("malformed");

    const [h, , s] = (await signOkta(rsa)).split(".") as [string, string, string];
    const forged = `${h}.${b64json(oktaClaims({ scp: ["orders:read", "orders:admin"] }))}.${s}`;
    expect(await reasonOf(verifier.verify(forged))).toBe("bad_signature");
  });
});

describe("createVerifier: configuration", () => {
  it("refuses a plain-http issuer except on localhost, an empty audience, negative durations", () => {
    const base = { audience: AUDIENCE, cache: null };
    expect(() => createVerifier({ ...base, issuer: "http://warden.example/oauth2/default" })).toThrow(
      TypeError,
    );
    expect(() => createVerifier({ ...base, issuer: "not a url" })).toThrow(TypeError);
    expect(() => createVerifier({ ...base, issuer: "http://127.0.0.1:8787/oauth2/default" })).not.toThrow();
    expect(() => createVerifier({ ...base, issuer: "http://localhost:8787/oauth2/default" })).not.toThrow();
    expect(() => createVerifier({ ...base, issuer: ISSUER, audience: [] })).toThrow(TypeError);
    expect(() => createVerifier({ ...base, issuer: ISSUER, clockToleranceSeconds: -1 })).toThrow(TypeError);
  });

  it("derives the JWKS URL from the issuer, or takes the configured one", async () => {
    const { verifier, server } = setup([rsa]);
    await verifier.verify(await signOkta(rsa));
    expect(server.calls[0]?.url).toBe(`${ISSUER}/v1/keys`);
    const custom = setup([rsa], { jwksUri: "https://keys.warden.test/jwks" });
    await custom.verifier.verify(await signOkta(rsa));
    expect(custom.server.calls[0]?.url).toBe("https://keys.warden.test/jwks");
  });
});
