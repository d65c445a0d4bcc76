/**
 * The claim names a custom claim may not take, per token type. Okta refuses them ("OIDC Bearer
 * Tokens: List of Reserved Claims"): its own claims, and names its platform sets on tokens. Access
 * tokens: Warden's claim set (DESIGN §4, both profiles, `RESERVED_CLAIMS`). ID tokens: OpenID Connect
 * Core §2 and §3.1.3.6 (iss … sid), JWT's registered names, and Okta's ID-token list. Access-token
 * claims are also what a token inline hook may not touch (hooks/patch.ts).
 */
import type { Claim } from "../config/schemas";

/**
 * Claims no custom claim or hook may set in an access token, in either profile: the claim set
 * `tokens/access-token.ts` builds, and the other names Okta reserves for access tokens ("OIDC Bearer
 * Tokens: List of Reserved Claims"). Okta's list also has `groups`, yet its own guides name an
 * access-token groups claim `groups`; Warden follows the guides and leaves it free.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "ver",
  "jti",
  "iss",
  "aud",
  "iat",
  "exp",
  "nbf",
  "cid",
  "uid",
  "scp",
  "sub",
  "auth_time",
  "client_id",
  "scope",
  "typ",
  "cnf",
  "acr",
  "amr",
  "as_uri",
  "rpt",
  "rsi",
  "username",
  "token_type",
  // RFC 8693 §4.1 / §4.4: who acts for the subject (token exchange), and who may.
  "act",
  "may_act",
]);

/** Names an IDENTITY claim may not take: the ID token's own claims and Okta's reserved list. */
export const RESERVED_ID_TOKEN_CLAIMS: ReadonlySet<string> = new Set([
  // RFC 7519 §4.1 registered claims.
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  // OpenID Connect Core §2 and §3.1.3.6, and Front/Back-Channel Logout's `sid`.
  "auth_time",
  "nonce",
  "acr",
  "amr",
  "azp",
  "at_hash",
  "c_hash",
  "sid",
  // Okta's own ID-token claims and its reserved list.
  "ver",
  "idp",
  "idp_iss",
  "token_type",
  "active",
  "aid",
  "app_id",
  "app_type",
  "client_id",
  "client_ip",
  "client_req_id",
  "client_type",
  "client_user_agent",
  "cnf",
  "device_compliance",
  "device_id",
  "device_known",
  "device_managed",
  "device_name",
  "device_trust",
  "did",
  "dst",
  "group",
  "hotk",
  "mac_key",
  "may_act",
  "oid",
  "okta_emailVerified",
  "okta_lastUpdated",
  "orig",
  "permissions",
  "purpose",
  "pwd_exp_days",
  "pwd_exp_time",
  "rid",
  "role",
  "scope",
  "scopes",
  "term",
  "user_ip",
]);

function reservedClaimNames(claimType: Claim["claimType"]): ReadonlySet<string> {
  switch (claimType) {
    case "RESOURCE":
      return RESERVED_CLAIMS;
    case "IDENTITY":
      return RESERVED_ID_TOKEN_CLAIMS;
  }
}

export function isReservedClaimName(claimType: Claim["claimType"], name: string): boolean {
  return reservedClaimNames(claimType).has(name);
}
