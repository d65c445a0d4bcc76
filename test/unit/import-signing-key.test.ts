/**
 * `importSigningKey` (src/keys/import-signing-key.ts): the key store's import of an unsealed private
 * JWK with WebCrypto alone. Keys generated as the key vault generates them sign tokens that jose
 * verifies, for every algorithm; what jose's `importJWK` refused, this refuses too: a public key, a
 * key of another type or curve, an `alg` or `use` that names something else.
 */
import { exportJWK, generateKeyPair, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import type { SigningAlg } from "../../src/config/schemas";
import { generateSigningKey } from "../../src/keys/generate";
import { importSigningKey } from "../../src/keys/import-signing-key";
import { signToken } from "../../src/tokens/sign";

const ALGS = ["RS256", "PS256", "ES256", "EdDSA"] as const;
const payload = { iss: "https://warden.test/oauth2/default", sub: "c", iat: 1, exp: 4_000_000_000 };

async function publicKeyOf(privateJwk: Record<string, unknown>, alg: SigningAlg): Promise<CryptoKey> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = privateJwk;
  const { importJWK } = await import("jose");
  return (await importJWK(pub, alg)) as CryptoKey;
}

describe("importSigningKey", () => {
  it.each(ALGS)("imports the key vault's %s keys, which sign tokens jose verifies", async (alg) => {
    const { kid, privateJwk } = await generateSigningKey(alg);
    const key = await importSigningKey(privateJwk, alg);
    expect(key.type).toBe("private");
    expect(key.usages).toEqual(["sign"]);
    // Not extractable: a generated JWK carries no `ext`, and a private key leaves memory only sealed.
    expect(key.extractable).toBe(false);
    const token = await signToken({ header: {}, payload }, { kid, alg, activatesAt: 0, sequence: 1, key });
    const verified = await jwtVerify(token, await publicKeyOf(privateJwk, alg), { algorithms: [alg] });
    expect(verified.payload).toEqual(payload);
  });

  it.each(ALGS)("refuses the public half of a %s key", async (alg) => {
    const { privateJwk } = await generateSigningKey(alg);
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = privateJwk;
    await expect(importSigningKey(pub, alg)).rejects.toThrow();
  });

  it("refuses a key of another type or curve than the algorithm's", async () => {
    const ec = await generateSigningKey("ES256");
    const ed = await generateSigningKey("EdDSA");
    const rsa = await generateSigningKey("RS256");
    await expect(importSigningKey(ec.privateJwk, "RS256")).rejects.toThrow();
    await expect(importSigningKey(ec.privateJwk, "EdDSA")).rejects.toThrow();
    await expect(importSigningKey(ed.privateJwk, "ES256")).rejects.toThrow();
    await expect(importSigningKey(rsa.privateJwk, "ES256")).rejects.toThrow();
    // A P-384 key is an EC key, but not ES256's curve.
    const { privateKey } = await generateKeyPair("ES384", { extractable: true });
    await expect(importSigningKey(await exportJWK(privateKey), "ES256")).rejects.toThrow();
  });

  it("refuses a JWK whose own alg, use or key_ops name something else", async () => {
    const rsa = await generateSigningKey("RS256");
    await expect(importSigningKey({ ...rsa.privateJwk, alg: "PS256" }, "RS256")).rejects.toThrow();
    await expect(importSigningKey({ ...rsa.privateJwk, alg: "RS384" }, "RS256")).rejects.toThrow();
    await expect(importSigningKey({ ...rsa.privateJwk, use: "enc" }, "RS256")).rejects.toThrow();
    await expect(importSigningKey({ ...rsa.privateJwk, key_ops: ["verify"] }, "RS256")).rejects.toThrow();
    // Its own matching alg is fine, as jose's export of a key with one would write it.
    await expect(importSigningKey({ ...rsa.privateJwk, alg: "RS256" }, "RS256")).resolves.toBeDefined();
  });

  it("refuses an algorithm Warden does not sign with, before WebCrypto sees the key", async () => {
    const ec = await generateSigningKey("ES256");
    await expect(importSigningKey(ec.privateJwk, "none" as SigningAlg)).rejects.toThrow(TypeError);
    await expect(importSigningKey(ec.privateJwk, "toString" as SigningAlg)).rejects.toThrow(TypeError);
  });
});
