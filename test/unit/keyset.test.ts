import { describe, expect, it } from "vitest";
import { publicJwk, selectSigningKey } from "../../src/keys/keyset";

describe("selectSigningKey", () => {
  const keys = [
    { kid: "old", activatesAt: 100, sequence: 1 },
    { kid: "next", activatesAt: 300, sequence: 3 },
    { kid: "active", activatesAt: 200, sequence: 2 },
  ];

  it("picks the latest key already active", () => {
    expect(selectSigningKey(keys, 250)?.kid).toBe("active");
  });

  it("switches exactly at the NEXT key's activation instant", () => {
    expect(selectSigningKey(keys, 299)?.kid).toBe("active");
    expect(selectSigningKey(keys, 300)?.kid).toBe("next");
  });

  it("lets the later-created key sign when two activate in the same second", () => {
    const rotated = [
      { kid: "first", activatesAt: 100, sequence: 1 },
      { kid: "rotated-in", activatesAt: 100, sequence: 2 },
    ];
    expect(selectSigningKey(rotated, 100)?.kid).toBe("rotated-in");
    expect(selectSigningKey([...rotated].reverse(), 100)?.kid).toBe("rotated-in");
  });

  it("never selects an undated (MANUAL NEXT) key", () => {
    expect(selectSigningKey([{ kid: "manual", activatesAt: null, sequence: 9 }], 1e12)).toBeUndefined();
  });

  it("has nothing to sign with before the first key activates", () => {
    expect(selectSigningKey(keys, 99)).toBeUndefined();
    expect(selectSigningKey([], 1000)).toBeUndefined();
  });
});

describe("publicJwk", () => {
  it("keeps only RSA public members", () => {
    const jwk = {
      kty: "RSA",
      n: "n",
      e: "AQAB",
      d: "d",
      p: "p",
      q: "q",
      dp: "dp",
      dq: "dq",
      qi: "qi",
      ext: true,
      key_ops: ["sign"],
    };
    expect(publicJwk(jwk, "k1", "RS256")).toEqual({
      kty: "RSA",
      n: "n",
      e: "AQAB",
      alg: "RS256",
      kid: "k1",
      use: "sig",
    });
  });

  it("keeps only EC and OKP public members", () => {
    expect(publicJwk({ kty: "EC", crv: "P-256", x: "x", y: "y", d: "d" }, "k", "ES256")).toEqual({
      kty: "EC",
      crv: "P-256",
      x: "x",
      y: "y",
      alg: "ES256",
      kid: "k",
      use: "sig",
    });
    expect(publicJwk({ kty: "OKP", crv: "Ed25519", x: "x", d: "d" }, "k", "EdDSA")).toEqual({
      kty: "OKP",
      crv: "Ed25519",
      x: "x",
      alg: "EdDSA",
      kid: "k",
      use: "sig",
    });
  });

  it("refuses symmetric keys", () => {
    expect(() => publicJwk({ kty: "oct", k: "secret" }, "k", "RS256")).toThrow();
  });
});
