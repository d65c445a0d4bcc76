/**
 * Imports an unsealed private JWK as the WebCrypto key that signs, with WebCrypto alone. jose's
 * `importJWK` takes the same path in the end (`crypto.subtle.importKey("jwk", …)`), after a generic
 * dispatch over every key type and algorithm it supports; on a new isolate that dispatch is code
 * compiled and run for the first token only (issue 13 item 5), for keys whose algorithm Warden already
 * knows from its own keyset.
 *
 * WebCrypto checks what matters (W3C WebCrypto §14.3.9, §23.x "import key" for JWK): the key type
 * and curve must be those of the algorithm, an `alg` member must name it, `use` must be "sig" and
 * `key_ops` must allow signing; a public JWK cannot be imported for `sign`. As jose does for a
 * private key, the result is not extractable unless the JWK says so (`ext`).
 */
import type { SigningAlg } from "../config/schemas";

/** WebCrypto's import parameters for each JWS algorithm Warden signs with (RFC 7518 §3.3–3.5, RFC 8037 §3.1). */
const IMPORT_PARAMS: Record<SigningAlg, SubtleCryptoImportKeyAlgorithm> = {
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  PS256: { name: "RSA-PSS", hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  EdDSA: { name: "Ed25519" },
};

/** The JWK members WebCrypto reads; anything else (`kid`, `alg` of Warden's own) is left out or checked by it. */
export interface PrivateSigningJwk {
  kty?: string;
  [member: string]: unknown;
}

/** Rejects (WebCrypto's DataError or SyntaxError) for a JWK that is not a private key of `alg`. */
export function importSigningKey(jwk: PrivateSigningJwk, alg: SigningAlg): Promise<CryptoKey> {
  // Own members only: an `alg` read from a record must not reach Object.prototype's.
  if (!Object.hasOwn(IMPORT_PARAMS, alg))
    return Promise.reject(new TypeError(`not a signing algorithm: ${String(alg)}`));
  const { kid: _kid, ...material } = jwk;
  return crypto.subtle.importKey("jwk", material as JsonWebKey, IMPORT_PARAMS[alg], jwk.ext === true, [
    "sign",
  ]);
}
