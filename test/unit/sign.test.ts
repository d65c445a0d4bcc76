import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import type { SigningAlg } from "../../src/config/schemas";
import type { SigningKey } from "../../src/keys/key-store";
import { encodedProtectedHeader, signToken } from "../../src/tokens/sign";

async function signingKey(
  alg: SigningAlg,
  kid = `kid-${alg}`,
): Promise<{ key: SigningKey; publicKey: CryptoKey }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === "RS256" || alg === "PS256" ? { modulusLength: 2048 } : {}),
    ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}),
  });
  // Imported as the key store imports a keyset's keys: from the private JWK, through jose.
  const imported = (await importJWK(await exportJWK(privateKey), alg)) as CryptoKey;
  return { key: { kid, alg, activatesAt: 0, sequence: 1, key: imported }, publicKey };
}

const payload = {
  iss: "https://warden.test/oauth2/default",
  aud: "api://x",
  sub: "c",
  iat: 1,
  exp: 4_000_000_000,
};

describe("signToken", () => {
  it.each(["RS256", "PS256", "ES256", "EdDSA"] as const)(
    "signs %s tokens that jose verifies",
    async (alg) => {
      const { key, publicKey } = await signingKey(alg);
      const token = await signToken({ header: {}, payload }, key);
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: key.kid });
      const verified = await jwtVerify(token, publicKey, { algorithms: [alg], issuer: payload.iss });
      expect(verified.payload).toEqual(payload);
    },
  );

  it("writes typ first, as before, and keeps one encoded header per key and typ", async () => {
    const { key, publicKey } = await signingKey("ES256");
    const token = await signToken({ header: { typ: "at+jwt" }, payload }, key);
    expect(JSON.parse(atob(token.split(".")[0] as string))).toEqual({
      typ: "at+jwt",
      alg: "ES256",
      kid: key.kid,
    });
    expect(Object.keys(decodeProtectedHeader(token))).toEqual(["typ", "alg", "kid"]);
    await jwtVerify(token, publicKey, { typ: "at+jwt" });
    expect(encodedProtectedHeader(key, "at+jwt")).toBe(token.split(".")[0]);
    expect(encodedProtectedHeader(key, undefined)).not.toBe(encodedProtectedHeader(key, "at+jwt"));
    const other = await signingKey("ES256", "another-kid");
    expect(encodedProtectedHeader(other.key, undefined)).not.toBe(encodedProtectedHeader(key, undefined));
  });
});
