/**
 * Checks on the JOSE header, made before any key is fetched or any crypto runs (RFC 8725 §3.1,
 * §3.10, §3.11). Pure: the header and the policy in, a verdict out.
 */
import type { VerifyFailureReason } from "./errors";
import type { Algorithm } from "./key-set";

/**
 * The two access-token profiles: Okta's (`scp`, `cid`, no `typ`) and RFC 9068's (`typ: at+jwt`).
 *
 * @example
 * ```ts
 * import type { TokenProfile, VerifiedToken } from "warden/verify";
 *
 * const LABELS: Record<TokenProfile, string> = { okta: "Okta (scp, cid)", rfc9068: "RFC 9068 (at+jwt)" };
 * export const labelOf = (token: VerifiedToken) => LABELS[token.profile];
 * ```
 */
export type TokenProfile = "okta" | "rfc9068";
/**
 * Which profile a verifier accepts: one of them, or `any`.
 *
 * @example
 * ```ts
 * import { createVerifier, type ProfileOption } from "warden/verify";
 *
 * // Both profiles, told apart by `typ`: at+jwt is RFC 9068, none is Okta's.
 * const profile: ProfileOption = "any";
 * export const verifier = createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 *   profile,
 * });
 * ```
 */
export type ProfileOption = TokenProfile | "any";

/**
 * Header members that carry a key or say where to fetch one. Trusting them would let the token
 * choose the key that verifies it (RFC 8725 §3.10; DESIGN §8), so their mere presence is refused.
 */
export const KEY_MATERIAL_MEMBERS = ["jwk", "jku", "x5u", "x5c"] as const;

/** Bound on `kid`, which becomes a map key: no reason for Warden's kids to be longer. */
const MAX_KID_LENGTH = 256;

export type HeaderVerdict =
  | { ok: true; alg: Algorithm; kid: string; profile: TokenProfile }
  | { ok: false; reason: VerifyFailureReason; detail: string };

export function checkHeader(
  header: Record<string, unknown>,
  policy: { algorithms: readonly Algorithm[]; profile: ProfileOption },
): HeaderVerdict {
  for (const member of KEY_MATERIAL_MEMBERS) {
    if (member in header)
      return { ok: false, reason: "key_material_in_header", detail: `header has ${member}` };
  }

  // RFC 8725 §3.1: the algorithm comes from our allow-list, never from the token. Exact,
  // case-sensitive match (RFC 7515 §4.1.1), so `none`, `NONE`, `nOnE` and every HS* are refused here.
  const alg = header.alg;
  if (typeof alg !== "string" || !(policy.algorithms as readonly string[]).includes(alg)) {
    return { ok: false, reason: "alg_not_allowed", detail: `alg ${JSON.stringify(alg)}` };
  }

  // RFC 7515 §4.1.11: extensions we do not understand must be rejected; we understand none.
  if ("crit" in header) return { ok: false, reason: "malformed", detail: "header has crit" };

  const profile = profileOf(header.typ, policy.profile);
  if (!profile) return { ok: false, reason: "wrong_token_type", detail: `typ ${JSON.stringify(header.typ)}` };

  const kid = header.kid;
  if (typeof kid !== "string" || kid.length === 0 || kid.length > MAX_KID_LENGTH) {
    return { ok: false, reason: "malformed", detail: "header has no usable kid" };
  }
  return { ok: true, alg: alg as Algorithm, kid, profile };
}

/**
 * Which profile's rules apply, from the explicit type (RFC 8725 §3.11). RFC 9068 §4: an `at+jwt`
 * token must say so, as `at+jwt` or `application/at+jwt` (media types compare case-insensitively,
 * RFC 7515 §4.1.9). Okta's access tokens carry no `typ`; `JWT` is tolerated as it names no other
 * kind of token. Any other type (logout, DPoP proof, SET …) is not an access token.
 */
export function profileOf(typ: unknown, wanted: ProfileOption): TokenProfile | undefined {
  let found: TokenProfile | undefined;
  if (typ === undefined) found = "okta";
  else if (typeof typ !== "string") found = undefined;
  else {
    const t = typ.toLowerCase().replace(/^application\//, "");
    if (t === "at+jwt") found = "rfc9068";
    else if (t === "jwt") found = "okta";
  }
  if (!found) return undefined;
  return wanted === "any" || wanted === found ? found : undefined;
}
