/**
 * Checks on the verified claims set (RFC 7519 §7.2 step 10 onward, RFC 9068 §4), pure: the claims,
 * the policy and the time in, the access token's facts or a reason out.
 */
import type { VerifyFailureReason } from "./errors";
import type { TokenProfile } from "./token-header";

/**
 * Claims each profile always carries (DESIGN §4): a token without one of them is not Warden's access token.
 *
 * @example
 * ```ts
 * import { createVerifier, REQUIRED_CLAIMS } from "warden/verify";
 *
 * REQUIRED_CLAIMS.rfc9068; // ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]
 * // More are required through the option, e.g. Okta's `uid` for user tokens only:
 * createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 *   requiredClaims: ["uid"],
 * });
 * ```
 */
export const REQUIRED_CLAIMS: Record<TokenProfile, readonly string[]> = {
  okta: ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "scp", "sub"],
  // RFC 9068 §2.2 lists these as REQUIRED; `scope` is only "SHOULD" (§2.2.3).
  rfc9068: ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"],
};

/**
 * OIDC ID-token claims (OIDC Core §2, §3.1.3.6, §3.3.2.11) that never appear in an access token: an ID
 * token is about a login for a client, and must never be accepted by an API (RFC 9068 §1, §4).
 */
const ID_TOKEN_CLAIMS = ["nonce", "at_hash", "c_hash", "s_hash"] as const;

export interface ClaimsPolicy {
  issuer: string;
  audiences: readonly string[];
  clockToleranceSeconds: number;
  requiredClaims: readonly string[];
}

/**
 * What an API needs from a verified access token, normalised across the two profiles.
 *
 * @example
 * ```ts
 * import type { AccessTokenFacts } from "warden/verify";
 *
 * // The same fields whichever profile the token has (scp or scope, cid or client_id).
 * export function auditLine(token: AccessTokenFacts): string {
 *   const until = new Date(token.expiresAt * 1000).toISOString();
 *   return `${token.clientId} as ${token.subject}: ${token.scopes.join(" ")} until ${until}`;
 * }
 * ```
 */
export interface AccessTokenFacts {
  profile: TokenProfile;
  issuer: string;
  subject: string;
  /** Always an array, whichever form the token used (RFC 7519 §4.1.3). */
  audience: string[];
  clientId: string;
  /** From `scp` (okta) or the space-separated `scope` (RFC 9068 §2.2.3, RFC 6749 §3.3). */
  scopes: string[];
  /** Okta's `uid`, on user tokens. */
  userId?: string;
  tokenId: string;
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
}

export type ClaimsVerdict =
  | { ok: true; facts: AccessTokenFacts }
  | { ok: false; reason: VerifyFailureReason; detail: string };

export function checkClaims(
  claims: Record<string, unknown>,
  profile: TokenProfile,
  policy: ClaimsPolicy,
  nowSeconds: number,
): ClaimsVerdict {
  const fail = (reason: VerifyFailureReason, detail: string): ClaimsVerdict => ({
    ok: false,
    reason,
    detail,
  });

  for (const name of ID_TOKEN_CLAIMS) {
    if (name in claims) return fail("wrong_token_type", `ID token claim ${name}`);
  }
  // Okta marks its token ids by kind: "AT." for access tokens, "ID." for ID tokens.
  if (profile === "okta" && typeof claims.jti === "string" && claims.jti.startsWith("ID.")) {
    return fail("wrong_token_type", "jti of an ID token");
  }

  for (const name of [...REQUIRED_CLAIMS[profile], ...policy.requiredClaims]) {
    if (claims[name] === undefined || claims[name] === null) return fail("missing_claim", name);
  }

  // RFC 7519 §4.1.1 / RFC 9068 §4: exact string comparison, no normalisation.
  if (claims.iss !== policy.issuer) return fail("issuer_mismatch", `iss ${JSON.stringify(claims.iss)}`);

  const aud = claims.aud;
  const audience = typeof aud === "string" ? [aud] : aud;
  if (!Array.isArray(audience) || !audience.every((a) => typeof a === "string"))
    return fail("invalid_claim", "aud");
  if (!audience.some((a) => policy.audiences.includes(a))) {
    return fail("audience_mismatch", `aud ${JSON.stringify(aud)}`);
  }

  // RFC 7519 §4.1.4/§4.1.5/§4.1.6 with leeway; NumericDate is a JSON number (RFC 7519 §2).
  const tol = policy.clockToleranceSeconds;
  const { exp, nbf, iat } = claims;
  if (!isNumericDate(exp)) return fail("invalid_claim", "exp");
  if (!isNumericDate(iat)) return fail("invalid_claim", "iat");
  if (nbf !== undefined && !isNumericDate(nbf)) return fail("invalid_claim", "nbf");
  if (nowSeconds >= exp + tol) return fail("expired", `exp ${exp}, now ${nowSeconds}`);
  if (nbf !== undefined && nowSeconds + tol < nbf)
    return fail("not_yet_valid", `nbf ${nbf}, now ${nowSeconds}`);
  if (iat > nowSeconds + tol) return fail("issued_in_future", `iat ${iat}, now ${nowSeconds}`);

  if (typeof claims.sub !== "string") return fail("invalid_claim", "sub");
  if (typeof claims.jti !== "string") return fail("invalid_claim", "jti");

  let clientId: unknown;
  let scopes: string[];
  switch (profile) {
    case "okta": {
      if (typeof claims.ver !== "number") return fail("invalid_claim", "ver");
      clientId = claims.cid;
      const scp = claims.scp;
      if (!Array.isArray(scp) || !scp.every((s) => typeof s === "string"))
        return fail("invalid_claim", "scp");
      scopes = [...scp];
      break;
    }
    case "rfc9068": {
      clientId = claims.client_id;
      const scope = claims.scope ?? "";
      if (typeof scope !== "string") return fail("invalid_claim", "scope");
      scopes = scope.split(" ").filter((s) => s.length > 0);
      break;
    }
  }
  if (typeof clientId !== "string") return fail("invalid_claim", profile === "okta" ? "cid" : "client_id");
  if (claims.uid !== undefined && typeof claims.uid !== "string") return fail("invalid_claim", "uid");

  return {
    ok: true,
    facts: {
      profile,
      issuer: policy.issuer,
      subject: claims.sub,
      audience,
      clientId,
      scopes,
      ...(typeof claims.uid === "string" ? { userId: claims.uid } : {}),
      tokenId: claims.jti,
      issuedAt: iat,
      expiresAt: exp,
    },
  };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
