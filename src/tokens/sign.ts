/**
 * Signs a claim set with the edge's current key as a JWS compact serialization (RFC 7515 §7.1).
 * The protected header names only `alg`, `kid` and `typ`, never key material (DESIGN §8), so it is
 * the same for every token one key signs with one `typ`: it is encoded once and kept beside the key.
 * A token then costs one JSON serialization of its claims and one WebCrypto signature.
 *
 * jose imports and generates the keys (src/keys/) and verifies everything Warden accepts; here the
 * signature is WebCrypto's own, called as jose calls it, because jose's `SignJWT` re-validates and
 * re-encodes the header for every token — about a fifth of an ES256 token's signing cost on workerd
 * (bench/README.md, "What changed").
 */
import { base64url } from "jose";
import type { SigningAlg } from "../config/schemas";
import type { SigningKey } from "../keys/key-store";

/** What a JWS carries: the `typ` of its protected header (its `alg` and `kid` are the key's) and claims. */
export interface SignableClaims {
  header: { typ?: string };
  payload: object;
}

/**
 * WebCrypto's parameters for each JWS algorithm Warden signs with. RS256: RSASSA-PKCS1-v1_5 with
 * SHA-256 (RFC 7518 §3.3; the hash is fixed by the imported key). PS256: RSA-PSS with SHA-256 and a
 * salt as long as the hash (RFC 7518 §3.5). ES256: ECDSA P-256 with SHA-256, whose WebCrypto output
 * is already the fixed-length R || S that RFC 7518 §3.4 requires. EdDSA: Ed25519 (RFC 8037 §3.1).
 */
const SIGNATURE_PARAMS: Record<SigningAlg, SubtleCryptoSignAlgorithm> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  PS256: { name: "RSA-PSS", saltLength: 32 },
  ES256: { name: "ECDSA", hash: "SHA-256" },
  EdDSA: { name: "Ed25519" },
};

const encoder = new TextEncoder();

/** Encoded protected headers per key, by `typ` ("" for none); keys come and go with their keyset. */
const encodedHeaders = new WeakMap<SigningKey, Map<string, string>>();

/** The base64url protected header for `key` and `typ`: `{typ?, alg, kid}`, as jose would write it. */
export function encodedProtectedHeader(key: SigningKey, typ: string | undefined): string {
  let byTyp = encodedHeaders.get(key);
  if (!byTyp) {
    byTyp = new Map();
    encodedHeaders.set(key, byTyp);
  }
  let encoded = byTyp.get(typ ?? "");
  if (encoded === undefined) {
    const header = typ === undefined ? { alg: key.alg, kid: key.kid } : { typ, alg: key.alg, kid: key.kid };
    encoded = base64url.encode(JSON.stringify(header));
    byTyp.set(typ ?? "", encoded);
  }
  return encoded;
}

export async function signToken(claims: SignableClaims, key: SigningKey): Promise<string> {
  const signingInput = `${encodedProtectedHeader(key, claims.header.typ)}.${base64url.encode(JSON.stringify(claims.payload))}`;
  const signature = await crypto.subtle.sign(
    SIGNATURE_PARAMS[key.alg],
    key.key,
    encoder.encode(signingInput),
  );
  return `${signingInput}.${base64url.encode(new Uint8Array(signature))}`;
}
