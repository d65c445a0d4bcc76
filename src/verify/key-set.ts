/**
 * A JWKS turned into verification keys, each bound to exactly one algorithm (RFC 8725 §3.1): the
 * key's own `alg`, or the only algorithm its type allows. Only public members are read, so a JWKS
 * that wrongly includes private members still yields public keys; unusable keys are skipped, not fatal.
 */
import { importJWK, type JWK } from "jose";
import { SUPPORTED_ALGORITHMS } from "./defaults";

/**
 * A JWS algorithm the verifier supports: one of {@link SUPPORTED_ALGORITHMS}.
 *
 * @example
 * ```ts
 * import { type Algorithm, createVerifier } from "warden/verify";
 *
 * const algorithms: readonly Algorithm[] = ["ES256"];
 * export const verifier = createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 *   algorithms,
 * });
 * ```
 */
export type Algorithm = (typeof SUPPORTED_ALGORITHMS)[number];

export interface VerificationKey {
  kid: string;
  alg: Algorithm;
  key: CryptoKey;
}

export function isSupportedAlgorithm(alg: unknown): alg is Algorithm {
  return typeof alg === "string" && (SUPPORTED_ALGORITHMS as readonly string[]).includes(alg);
}

/** RFC 7518 §3.3: RSA keys of 2048 bits or more; 256 bytes are 342 base64url characters. */
const MIN_RSA_MODULUS_B64_LENGTH = 342;

export class KeySet {
  private readonly byKid = new Map<string, VerificationKey[]>();

  constructor(readonly keys: readonly VerificationKey[]) {
    for (const key of keys) {
      const list = this.byKid.get(key.kid);
      if (list) list.push(key);
      else this.byKid.set(key.kid, [key]);
    }
  }

  hasKid(kid: string): boolean {
    return this.byKid.has(kid);
  }

  /** The key named `kid` bound to `alg`, if the set holds one. */
  find(kid: string, alg: string): VerificationKey | undefined {
    return this.byKid.get(kid)?.find((k) => k.alg === alg);
  }

  /** The algorithms the set's keys are bound to: the default allow-list. */
  algorithms(): Set<Algorithm> {
    return new Set(this.keys.map((k) => k.alg));
  }
}

/**
 * Builds a key set from a JWKS document (RFC 7517 §5). Throws when the document is not a JWKS at all;
 * skips individual keys that are not usable signature-verification keys for a supported algorithm.
 */
export async function importKeySet(document: unknown, algorithms: readonly Algorithm[]): Promise<KeySet> {
  if (!isObject(document) || !Array.isArray(document.keys)) throw new TypeError("not a JWK Set");
  const keys: VerificationKey[] = [];
  for (const raw of document.keys) {
    const candidate = usableKey(raw, algorithms);
    if (!candidate) continue;
    try {
      const key = await importJWK(candidate.jwk, candidate.alg);
      if (key instanceof Uint8Array) continue; // a symmetric key can never verify an access token
      keys.push({ kid: candidate.kid, alg: candidate.alg, key });
    } catch {
      // A key this runtime cannot import (bad point, unsupported curve) is unusable, not fatal.
    }
  }
  return new KeySet(keys);
}

function usableKey(
  raw: unknown,
  algorithms: readonly Algorithm[],
): { kid: string; alg: Algorithm; jwk: JWK } | undefined {
  if (!isObject(raw)) return undefined;
  const { kid, use, key_ops: keyOps } = raw;
  if (typeof kid !== "string" || kid.length === 0) return undefined;
  // RFC 7517 §4.2/§4.3: a key meant for encryption, or not for verifying, is not ours to use.
  if (use !== undefined && use !== "sig") return undefined;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes("verify"))) return undefined;

  const alg = boundAlgorithm(raw, algorithms);
  if (!alg) return undefined;
  const jwk = publicMembers(raw, alg);
  return jwk ? { kid, alg, jwk } : undefined;
}

/** The one algorithm a key may verify: its `alg` if it names one, else the only one its type allows. */
function boundAlgorithm(
  raw: Record<string, unknown>,
  algorithms: readonly Algorithm[],
): Algorithm | undefined {
  if (raw.alg !== undefined)
    return isSupportedAlgorithm(raw.alg) && algorithms.includes(raw.alg) ? raw.alg : undefined;
  let implied: Algorithm[];
  if (raw.kty === "EC" && raw.crv === "P-256") implied = ["ES256"];
  else if (raw.kty === "OKP" && raw.crv === "Ed25519") implied = ["EdDSA"];
  else if (raw.kty === "RSA") implied = ["RS256", "PS256"];
  else implied = [];
  const allowed = implied.filter((a) => algorithms.includes(a));
  // An RSA key without `alg` fits RS256 and PS256; guessing would break the one-key-one-alg rule.
  return allowed.length === 1 ? allowed[0] : undefined;
}

function publicMembers(raw: Record<string, unknown>, alg: Algorithm): JWK | undefined {
  const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;
  switch (alg) {
    case "RS256":
    case "PS256":
      if (raw.kty !== "RSA" || !str(raw.n) || !str(raw.e)) return undefined;
      if (raw.n.length < MIN_RSA_MODULUS_B64_LENGTH) return undefined;
      return { kty: "RSA", n: raw.n, e: raw.e };
    case "ES256":
      if (raw.kty !== "EC" || raw.crv !== "P-256" || !str(raw.x) || !str(raw.y)) return undefined;
      return { kty: "EC", crv: "P-256", x: raw.x, y: raw.y };
    case "EdDSA":
      if (raw.kty !== "OKP" || raw.crv !== "Ed25519" || !str(raw.x)) return undefined;
      return { kty: "OKP", crv: "Ed25519", x: raw.x };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
