/**
 * The access-token claim set, pure: everything comes in as data, including the time and the token id.
 * Two profiles (DESIGN §4): `okta`, Okta's claim names, and `rfc9068`, the IETF JWT access-token
 * profile (RFC 9068 §2.2).
 */
import type { TokenProfile } from "../config/schemas";

export interface AccessTokenInput {
  profile: TokenProfile;
  issuer: string;
  audiences: readonly string[];
  clientId: string;
  /** `sub`: the user's login for user tokens, the client id for client_credentials. */
  subject: string;
  userId?: string | undefined;
  scopes: readonly string[];
  /** Epoch seconds. */
  issuedAt: number;
  lifetimeSeconds: number;
  jti: string;
}

/** RFC 7519 §4.1 claims every Warden access token carries, in both profiles. */
interface RegisteredClaims {
  iss: string;
  /** A single audience as a string, as Okta emits it; several as an array (RFC 7519 §4.1.3). */
  aud: string | string[];
  /** Epoch seconds. */
  iat: number;
  /** Epoch seconds. */
  exp: number;
  jti: string;
  sub: string;
}

/** Okta's access-token claims (DESIGN §4). */
export interface OktaAccessTokenClaims extends RegisteredClaims {
  ver: 1;
  cid: string;
  uid?: string;
  scp: string[];
}

/** RFC 9068 §2.2's claims. */
export interface Rfc9068AccessTokenClaims extends RegisteredClaims {
  client_id: string;
  /** Space separated (RFC 9068 §2.2.3, RFC 8693 §4.2). */
  scope: string;
}

/**
 * A signed access token's payload: one profile's registered claims, and custom claims (from the
 * server's claims or an inline hook) under any name not in RESERVED_CLAIMS.
 */
export type AccessTokenPayload = (OktaAccessTokenClaims | Rfc9068AccessTokenClaims) & {
  [custom: string]: unknown;
};

export interface AccessTokenClaims {
  header: { typ?: string };
  payload: AccessTokenPayload;
}

export function buildAccessToken(input: AccessTokenInput): AccessTokenClaims {
  // Okta emits a single audience as a string; RFC 7519 §4.1.3 allows either form.
  const [only, ...others] = input.audiences;
  const aud = only !== undefined && others.length === 0 ? only : [...input.audiences];
  const exp = input.issuedAt + input.lifetimeSeconds;
  switch (input.profile) {
    case "okta":
      return {
        header: {},
        payload: {
          ver: 1,
          jti: input.jti,
          iss: input.issuer,
          aud,
          iat: input.issuedAt,
          exp,
          cid: input.clientId,
          ...(input.userId ? { uid: input.userId } : {}),
          scp: [...input.scopes],
          sub: input.subject,
        },
      };
    case "rfc9068":
      // RFC 9068 §2.1: the `at+jwt` type keeps access tokens from being confused with ID tokens.
      return {
        header: { typ: "at+jwt" },
        payload: {
          iss: input.issuer,
          exp,
          aud,
          sub: input.subject,
          client_id: input.clientId,
          iat: input.issuedAt,
          jti: input.jti,
          scope: input.scopes.join(" "),
        },
      };
  }
}
