/**
 * The one table of grant types the token endpoint knows. Each authorization server accepts a subset
 * (src/oauth/authority.ts); discovery advertises what the server accepts.
 */
import { echo, OAuthError } from "../../errors";
import { authorizationCode } from "./authorization-code";
import { clientCredentials } from "./client-credentials";
import { deviceCode } from "./device-code";
import type { Grant } from "./grant";
import { password } from "./password";
import { refreshToken } from "./refresh-token";

/** Every `grant_type` value Warden implements. */
export type SupportedGrantType =
  | "client_credentials"
  | "password"
  | "authorization_code"
  | "refresh_token"
  | "urn:ietf:params:oauth:grant-type:device_code";

const GRANTS: Readonly<Record<SupportedGrantType, Grant>> = {
  client_credentials: clientCredentials,
  // Custom servers only: the org server accepts client_credentials alone (src/oauth/org/org-server.ts).
  password,
  // Custom servers only: codes come from a custom server's /v1/authorize (src/grants/).
  authorization_code: authorizationCode,
  // Custom servers only: refresh families live in the grants codes and password sign-ins open.
  refresh_token: refreshToken,
  // Custom servers only: device grants come from a custom server's /v1/device/authorize (RFC 8628).
  "urn:ietf:params:oauth:grant-type:device_code": deviceCode,
};

/** In registration order; discovery's `grant_types_supported` for a custom server. */
export const SUPPORTED_GRANT_TYPES: readonly SupportedGrantType[] = Object.keys(
  GRANTS,
) as SupportedGrantType[];

/**
 * The module for a request's `grant_type`, when `accepted` names it: RFC 6749 §5.2's
 * `invalid_request` when the parameter is missing, `unsupported_grant_type` when it names no grant
 * this server accepts.
 */
export function grantFor(value: string | undefined, accepted: readonly SupportedGrantType[]): Grant {
  if (value === undefined) throw new OAuthError("invalid_request", "The 'grant_type' parameter is missing.");
  const grant = Object.hasOwn(GRANTS, value) ? GRANTS[value as SupportedGrantType] : undefined;
  if (!grant || !accepted.includes(grant.type)) {
    throw new OAuthError("unsupported_grant_type", `The grant type '${echo(value)}' is not supported.`);
  }
  return grant;
}
