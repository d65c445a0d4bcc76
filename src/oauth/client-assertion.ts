/**
 * Verifying a `private_key_jwt` client assertion (RFC 7523 §2.2 and §3, RFC 7521 §4.2, OIDC Core
 * §9) against the keys the client registered. Checks run cheapest first: the header (algorithm
 * allow-list, no key material) before any key is looked up, the signature before any claim is trusted.
 * The caller still has to record the `jti` (replay protection) and answer every failure alike.
 */
import { base64url, decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import {
  CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS,
  CLIENT_ASSERTION_MAX_LENGTH,
  CLIENT_ASSERTION_MAX_LIFETIME_SECONDS,
} from "../config/defaults";
import { strictUtf8 } from "../http/utf8";
import { KEY_MATERIAL_MEMBERS } from "../verify/token-header";
import { ClientKeysUnavailable } from "./client-keys";

/** RFC 7523 §2.2: the only `client_assertion_type` this server understands. */
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * Asymmetric algorithms only (RFC 8725 §3.1): never `none`, never HS* — a client's public key used as
 * an HMAC secret would let anyone who fetched it sign. Discovery advertises exactly these.
 */
export const CLIENT_ASSERTION_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "ES256",
  "ES384",
  "PS256",
  "EdDSA",
] as const;

/** `jti` values are stored per client until they expire; a bound keeps each entry small. */
const MAX_JTI_LENGTH = 256;

/** Why an assertion was refused: for the log only, the client always reads the same answer. */
export type AssertionFailureReason =
  | "malformed"
  | "alg_not_allowed"
  | "key_material_in_header"
  | "no_keys"
  /** The client's jwks_uri is refused as a target, failed, or served no usable key set. */
  | "keys_unavailable"
  | "unknown_key"
  | "bad_signature"
  | "wrong_issuer_or_subject"
  | "wrong_audience"
  | "expired"
  | "not_yet_valid"
  | "issued_in_future"
  | "lifetime_too_long"
  | "missing_claim"
  | "replayed";

export type AssertionVerdict =
  | { ok: true; jti: string; exp: number }
  | { ok: false; reason: AssertionFailureReason; detail?: string };

/**
 * Who the assertion says it is, unverified: RFC 7523 §3 requires `iss` = `sub` = the client id. Only
 * used to find the client whose keys then verify it; undefined when there is no such claim.
 */
export function assertedClientId(assertion: string): string | undefined {
  if (assertion.length > CLIENT_ASSERTION_MAX_LENGTH) return undefined;
  const parts = assertion.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  let claims: unknown;
  try {
    const text = strictUtf8(base64url.decode(parts[1]));
    if (text === undefined) return undefined;
    claims = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof claims !== "object" || claims === null) return undefined;
  const { iss, sub } = claims as { iss?: unknown; sub?: unknown };
  return typeof iss === "string" && iss.length > 0 && iss === sub ? iss : undefined;
}

export interface AssertionPolicy {
  clientId: string;
  /** RFC 7523 §3 item 3: the token endpoint URL; Okta also accepts the issuer. */
  audiences: readonly string[];
  /** Epoch seconds. */
  now: number;
}

export async function verifyClientAssertion(
  assertion: string,
  keys: JWTVerifyGetKey,
  policy: AssertionPolicy,
): Promise<AssertionVerdict> {
  const fail = (reason: AssertionFailureReason, detail?: string): AssertionVerdict => ({
    ok: false,
    reason,
    ...(detail ? { detail } : {}),
  });
  if (assertion.length > CLIENT_ASSERTION_MAX_LENGTH) return fail("malformed", "too long");

  // 1. Header: no key material or key URLs (RFC 8725 §3.10), an allow-listed algorithm (§3.1).
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(assertion) as Record<string, unknown>;
  } catch {
    return fail("malformed", "header");
  }
  for (const member of KEY_MATERIAL_MEMBERS) {
    if (member in header) return fail("key_material_in_header", member);
  }
  const alg = header.alg;
  if (typeof alg !== "string" || !(CLIENT_ASSERTION_ALGORITHMS as readonly string[]).includes(alg)) {
    return fail("alg_not_allowed", JSON.stringify(alg));
  }

  // 2. Signature with the client's registered keys, then iss, sub, aud, exp, nbf (RFC 7523 §3).
  const tolerance = CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS;
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(assertion, keys, {
      algorithms: [...CLIENT_ASSERTION_ALGORITHMS],
      issuer: policy.clientId,
      subject: policy.clientId,
      audience: [...policy.audiences],
      requiredClaims: ["exp", "jti"],
      clockTolerance: tolerance,
      currentDate: new Date(policy.now * 1000),
    }));
  } catch (error) {
    return fail(...jwtFailure(error));
  }

  // 3. What jose does not check: a usable jti, an exp not too far ahead, an iat not in the future.
  const { jti, exp, iat } = payload;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    return fail("missing_claim", "jti");
  }
  if (typeof exp !== "number") return fail("missing_claim", "exp");
  if (exp > policy.now + CLIENT_ASSERTION_MAX_LIFETIME_SECONDS + tolerance) {
    return fail("lifetime_too_long", `exp ${exp}, now ${policy.now}`);
  }
  if (iat !== undefined && (typeof iat !== "number" || iat > policy.now + tolerance)) {
    return fail("issued_in_future", `iat ${String(iat)}`);
  }
  return { ok: true, jti, exp };
}

function jwtFailure(error: unknown): [AssertionFailureReason, string?] {
  if (error instanceof ClientKeysUnavailable) return ["keys_unavailable", error.message];
  if (error instanceof errors.JWKSNoMatchingKey) return ["unknown_key"];
  if (error instanceof errors.JWSSignatureVerificationFailed) return ["bad_signature"];
  if (error instanceof errors.JOSEAlgNotAllowed) return ["alg_not_allowed"];
  if (error instanceof errors.JWTExpired) return ["expired"];
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
      case "sub":
        return ["wrong_issuer_or_subject"];
      case "aud":
        return ["wrong_audience"];
      case "nbf":
        return ["not_yet_valid"];
      default:
        return error.reason === "missing"
          ? ["missing_claim", error.claim]
          : ["malformed", `${error.claim}: ${error.message}`];
    }
  }
  return ["malformed", error instanceof Error ? error.message : String(error)];
}
