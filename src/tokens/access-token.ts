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

export interface AccessTokenClaims {
  header: { typ?: string };
  payload: Record<string, unknown>;
}

export function buildAccessToken(input: AccessTokenInput): AccessTokenClaims {
  // Okta emits a single audience as a string; RFC 7519 §4.1.3 allows either form.
  const aud = input.audiences.length === 1 ? input.audiences[0] : [...input.audiences];
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
