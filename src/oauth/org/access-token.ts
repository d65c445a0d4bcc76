/**
 * Verifying an org authorization server access token where it was minted: against the org keyset this
 * isolate already holds through the KeyStore, with no fetch of our own JWKS. The checks are
 * `warden/verify`'s pure steps in its order — header (allow-list, no key material, a kid), the key
 * bound to one algorithm, the signature, then claims (okta profile, exact `iss`, `aud` = the org URL,
 * time with leeway) — so the management API and an external API judge a token alike.
 */
import { compactVerify, errors } from "jose";
import type { TokenProfile } from "../../config/schemas";
import type { PublishedKeyset } from "../../keys/keyset";
import { type AccessTokenFacts, checkClaims } from "../../verify/claims";
import { parseJsonBytes, splitCompact } from "../../verify/compact-jws";
import { CLOCK_TOLERANCE_SECONDS, SUPPORTED_ALGORITHMS } from "../../verify/defaults";
import type { VerifyFailureReason } from "../../verify/errors";
import { importKeySet, isObject, type KeySet } from "../../verify/key-set";
import { checkHeader } from "../../verify/token-header";

export type OrgTokenVerdict =
  | { ok: true; facts: AccessTokenFacts }
  | { ok: false; reason: VerifyFailureReason; detail?: string };

/**
 * Imported once per published keyset object, which the KeyStore keeps for its TTL. Values, not
 * promises, are shared between requests (see src/config/isolate-cache.ts).
 */
const imported = new WeakMap<PublishedKeyset, KeySet>();

async function keySetOf(keyset: PublishedKeyset): Promise<KeySet> {
  let set = imported.get(keyset);
  if (!set) {
    set = await importKeySet(keyset.jwks, SUPPORTED_ALGORITHMS);
    imported.set(keyset, set);
  }
  return set;
}

export function verifyOrgAccessToken(
  token: string,
  keyset: PublishedKeyset,
  issuer: string,
  nowSeconds: number,
): Promise<OrgTokenVerdict> {
  return verifyOwnAccessToken(token, keyset, { issuer, audiences: [issuer], profile: "okta" }, nowSeconds);
}

/**
 * An access token this deployment minted, verified against the keyset that signed it: the org
 * server's for the management API, a custom server's for its /v1/userinfo.
 */
export async function verifyOwnAccessToken(
  token: string,
  keyset: PublishedKeyset,
  expected: { issuer: string; audiences: readonly string[]; profile: TokenProfile },
  nowSeconds: number,
): Promise<OrgTokenVerdict> {
  const { issuer, audiences, profile } = expected;
  const parts = splitCompact(token);
  if (!parts) return { ok: false, reason: "malformed" };
  const header = checkHeader(parts.header, { algorithms: SUPPORTED_ALGORITHMS, profile });
  if (!header.ok) return { ok: false, reason: header.reason, detail: header.detail };
  if (!parts.wellFormedBody || !parts.unverifiedClaims) return { ok: false, reason: "malformed" };

  const key = (await keySetOf(keyset)).find(header.kid, header.alg);
  if (!key) return { ok: false, reason: "unknown_kid", detail: header.kid };

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, key.key, { algorithms: [key.alg] }));
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof errors.JWSSignatureVerificationFailed ? "bad_signature" : "malformed",
    };
  }
  const claims = parseJsonBytes(payload);
  if (!isObject(claims)) return { ok: false, reason: "malformed" };
  const verdict = checkClaims(
    claims,
    header.profile,
    {
      issuer,
      audiences: [...audiences],
      clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: [],
    },
    nowSeconds,
  );
  return verdict.ok ? verdict : { ok: false, reason: verdict.reason, detail: verdict.detail };
}
