/**
 * The ID token's claim set (OIDC Core §2) and the userinfo response's standard claims (§5.1, §5.4),
 * Okta's names and values, pure: the user, the time and the ids come in as data.
 *
 * Okta's ID token: `sub` (the user id, 00u…), `ver: 1`, `iss`, `aud` (the client_id), `iat`, `exp`
 * (60 minutes), `jti` ("ID.…"), `amr`, `idp`, `auth_time`, `nonce` when the authorization request
 * had one, `at_hash` when an access token is issued beside it (§3.1.3.6), then scope claims. Issued
 * beside an access token it is "thin" (Okta): of the profile and email claims it keeps `name`,
 * `preferred_username` and `email`, and the client reads the rest from /v1/userinfo with the access
 * token; IDENTITY custom claims appear only with `alwaysIncludeInToken` (src/claims/inclusion.ts).
 */
import { base64url } from "jose";
import type { SigningAlg } from "../config/schemas";
import type { DirectoryUser } from "../directory/directory";

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  user: DirectoryUser;
  /** The granted scopes: they select the standard claims. */
  scopes: readonly string[];
  /** Epoch seconds. */
  issuedAt: number;
  lifetimeSeconds: number;
  jti: string;
  /** RFC 8176 method references of the sign-in. */
  amr: readonly string[];
  /** The identity provider that authenticated the user: the org itself (`orgIdpId`). */
  idp: string;
  /** Epoch seconds. */
  authTime: number;
  nonce?: string | undefined;
  /** `at_hash` of the access token issued beside it (`accessTokenHash`). */
  atHash?: string | undefined;
  /** IDENTITY custom claims that go into this ID token, already resolved. */
  custom?: Readonly<Record<string, unknown>> | undefined;
}

export interface IdTokenClaims {
  header: { typ?: string };
  payload: { sub: string; jti: string; exp: number; iat: number; [claim: string]: unknown };
}

/** What a scope adds (OIDC Core §5.4), in full (userinfo) or thin (an ID token beside an access token). */
export type ClaimDetail = "full" | "thin";

export function buildIdToken(input: IdTokenInput, detail: ClaimDetail): IdTokenClaims {
  const standard = scopeClaims(input.user, input.scopes, detail);
  const { name, email, preferred_username, ...rest } = standard;
  return {
    header: {},
    payload: {
      // Custom claims first, so that the registered and standard claims below always win.
      ...(input.custom ?? {}),
      sub: input.user.id,
      ...(name !== undefined ? { name } : {}),
      ...(email !== undefined ? { email } : {}),
      ver: 1,
      iss: input.issuer,
      aud: input.clientId,
      iat: input.issuedAt,
      exp: input.issuedAt + input.lifetimeSeconds,
      jti: input.jti,
      amr: [...input.amr],
      idp: input.idp,
      ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
      ...(preferred_username !== undefined ? { preferred_username } : {}),
      auth_time: input.authTime,
      ...(input.atHash !== undefined ? { at_hash: input.atHash } : {}),
      ...rest,
    },
  };
}

/**
 * The standard claims the granted scopes release (OIDC Core §5.4), from Okta's user profile
 * attributes (Okta's mapping: `name` is "firstName lastName", `preferred_username` the login,
 * `zoneinfo` the `timezone` attribute). A claim whose attribute is unset is left out (§5.3.2).
 * `email_verified` is false: Warden does not verify addresses, and a client may link accounts on a
 * true one. `updated_at` (§5.1: epoch seconds) is the user's `lastUpdated`, in full only: Okta's
 * thin ID token leaves it to userinfo.
 */
export function scopeClaims(
  user: DirectoryUser,
  scopes: readonly string[],
  detail: ClaimDetail,
): Record<string, unknown> {
  const p = user.profile;
  const claims: Record<string, unknown> = {};
  const put = (claim: string, value: unknown) => {
    if (typeof value === "string" && value !== "") claims[claim] = value;
  };
  if (scopes.includes("profile")) {
    const full = [text(p.firstName), text(p.lastName)].filter((s) => s !== "").join(" ");
    put("name", full || text(p.displayName));
    put("preferred_username", p.login);
    if (detail === "full") {
      put("given_name", p.firstName);
      put("family_name", p.lastName);
      put("middle_name", p.middleName);
      put("nickname", p.nickName);
      put("profile", p.profileUrl);
      put("locale", p.locale);
      put("zoneinfo", p.timezone);
      if (user.lastUpdated !== undefined) claims.updated_at = Math.floor(user.lastUpdated / 1000);
    }
  }
  if (scopes.includes("email") && typeof p.email === "string" && p.email !== "") {
    claims.email = p.email;
    if (detail === "full") claims.email_verified = false;
  }
  if (detail === "full" && scopes.includes("address")) {
    const address: Record<string, string> = {};
    for (const [claim, attribute] of ADDRESS_ATTRIBUTES) {
      const value = p[attribute];
      if (typeof value === "string" && value !== "") address[claim] = value;
    }
    if (Object.keys(address).length > 0) claims.address = address;
  }
  if (detail === "full" && scopes.includes("phone")) {
    put("phone_number", text(p.mobilePhone) || text(p.primaryPhone));
  }
  return claims;
}

/** OIDC Core §5.1.1 address members from Okta's profile attributes. */
const ADDRESS_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ["street_address", "streetAddress"],
  ["locality", "city"],
  ["region", "state"],
  ["postal_code", "zipCode"],
  ["country", "countryCode"],
];

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * OIDC Core §3.1.3.6 `at_hash`: the left half of the hash of the access token's ASCII octets, with
 * the hash of the ID token's `alg` (SHA-256 for RS256, PS256, ES256; SHA-512 for EdDSA over Ed25519,
 * as the OpenID Foundation's guidance and node-oidc-provider have it), base64url.
 */
export async function accessTokenHash(accessToken: string, alg: SigningAlg): Promise<string> {
  const hash = alg === "EdDSA" ? "SHA-512" : "SHA-256";
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(accessToken)));
  return base64url.encode(digest.slice(0, digest.length / 2));
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * The `idp` claim: the org's own identity provider id in Okta's shape ("00o" and 17 letters or
 * digits), derived from the org URL's origin by SHA-256. Stable for a deployment across restarts and
 * isolates without being stored, and different between orgs.
 */
export async function orgIdpId(orgOrigin: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(orgOrigin)));
  let id = "00o";
  for (const byte of digest.slice(0, 17)) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}
