/**
 * Authorization server metadata (RFC 8414 §2) and its OpenID Connect Discovery variant, served at the
 * names Okta serves. Both list exactly what this server does today: an endpoint, method or response
 * type appears here only once it works.
 *
 * A custom server is an OpenID Provider: the authorization endpoint (response type `code` only, PKCE
 * S256 only: src/signin/), ID tokens, userinfo and RP-initiated logout. okta-auth-js refuses a server
 * whose document lacks `code_challenge_methods_supported`. The org server is one too (users sign in
 * through it, the admin console among them) and mints management-API tokens by client credentials.
 */
import type { Context } from "hono";
import { OKTA_SCOPES } from "../config/okta-scopes";
import type { SigningAlg, Snapshot } from "../config/schemas";
import type { AppEnv } from "../context";
import { CLIENT_ASSERTION_ALGORITHMS } from "./client-assertion";
import { SUPPORTED_CLIENT_AUTH_METHODS } from "./client-auth";
import { SUPPORTED_GRANT_TYPES } from "./grants/registry";
import { keysetMetadataResponse, requireKeyset } from "./keys";
import { preparedDocument } from "./metadata-response";

/** What /v1/authorize answers in (src/signin/authorize-request.ts `RESPONSE_MODES`). */
const RESPONSE_MODES_SUPPORTED = ["query", "fragment", "form_post", "okta_post_message"] as const;

export function serverMetadata(snapshot: Snapshot, issuer: string) {
  return {
    issuer,
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/v1/keys`,
    authorization_endpoint: `${issuer}/v1/authorize`,
    // Implicit and hybrid are not offered (RFC 9700 §2.1.2): `code` only.
    response_types_supported: ["code"],
    response_modes_supported: [...RESPONSE_MODES_SUPPORTED],
    code_challenge_methods_supported: ["S256"],
    // RFC 9207: every authorization response names its issuer.
    authorization_response_iss_parameter_supported: true,
    end_session_endpoint: `${issuer}/v1/logout`,
    // RFC 8628 §4: the device authorization endpoint (its grant type is in grant_types_supported).
    device_authorization_endpoint: `${issuer}/v1/device/authorize`,
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    token_endpoint_auth_methods_supported: [...SUPPORTED_CLIENT_AUTH_METHODS],
    // RFC 8414 §2: required once private_key_jwt is listed; never `none` (§2).
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    scopes_supported: snapshot.scopes.filter((s) => s.metadataPublish === "ALL_CLIENTS").map((s) => s.name),
    // RFC 7662 / RFC 7009 (RFC 8414 §2): the token endpoint's client authentication, and okta-auth-js's
    // public-client form, which is `none` (src/oauth/endpoint-client.ts).
    introspection_endpoint: `${issuer}/v1/introspect`,
    introspection_endpoint_auth_methods_supported: [...SUPPORTED_CLIENT_AUTH_METHODS],
    introspection_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    revocation_endpoint: `${issuer}/v1/revoke`,
    revocation_endpoint_auth_methods_supported: [...SUPPORTED_CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
  };
}

/**
 * The org authorization server (issuer = the org URL, endpoints under `/oauth2/v1`): client
 * credentials with private_key_jwt, for okta.* scopes (as Okta's org server for Okta APIs), and the
 * sign-in of users (authorization_code + PKCE, OIDC scopes; src/signin/), which may authenticate
 * with any method a client registers.
 */
export function orgServerMetadata(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/v1/authorize`,
    token_endpoint: `${issuer}/oauth2/v1/token`,
    jwks_uri: `${issuer}/oauth2/v1/keys`,
    response_types_supported: ["code"],
    response_modes_supported: [...RESPONSE_MODES_SUPPORTED],
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
    end_session_endpoint: `${issuer}/oauth2/v1/logout`,
    grant_types_supported: ["client_credentials", "authorization_code"],
    token_endpoint_auth_methods_supported: [...SUPPORTED_CLIENT_AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    // `offline_access` is left out: the org server issues no refresh tokens (src/oauth/org/scopes.ts).
    scopes_supported: [...ORG_OIDC_SCOPES, ...OKTA_SCOPES],
  };
}

const ORG_OIDC_SCOPES = ["openid", "profile", "email", "address", "phone"] as const;

/** OIDC Discovery §3 `userinfo_endpoint` and `claims_supported` of the org server (no custom claims). */
export function withOrgUserinfoMembers<M extends object>(metadata: M, issuer: string) {
  return {
    ...metadata,
    userinfo_endpoint: `${issuer}/oauth2/v1/userinfo`,
    claims_supported: [...STANDARD_CLAIMS],
  };
}

/**
 * OIDC Discovery §3 members beyond RFC 8414, each true of Warden today: every `sub` is the same for
 * every client (`public`, OIDC Core §8), and the server signs its JWTs with its one algorithm. OIDC
 * asks that RS256 be listed; a server configured for ES256, EdDSA or PS256 lists only its own, since
 * it could not sign anything with RS256.
 */
export function withOpenIdMembers<M extends object>(metadata: M, alg: SigningAlg) {
  return { ...metadata, subject_types_supported: ["public"], id_token_signing_alg_values_supported: [alg] };
}

/**
 * OIDC Discovery §3 `userinfo_endpoint` and `claims_supported`: the ID token's and userinfo's claims
 * (src/tokens/id-token.ts), then the server's active IDENTITY custom claims.
 */
export function withUserinfoMembers<M extends object>(metadata: M, snapshot: Snapshot, issuer: string) {
  const custom = snapshot.claims
    .filter((c) => c.claimType === "IDENTITY" && c.status === "ACTIVE")
    .map((c) => c.name);
  return {
    ...metadata,
    userinfo_endpoint: `${issuer}/v1/userinfo`,
    claims_supported: [...new Set([...STANDARD_CLAIMS, ...custom])],
  };
}

const STANDARD_CLAIMS = [
  "iss",
  "ver",
  "sub",
  "aud",
  "iat",
  "exp",
  "jti",
  "auth_time",
  "amr",
  "idp",
  "nonce",
  "at_hash",
  "name",
  "given_name",
  "family_name",
  "middle_name",
  "nickname",
  "preferred_username",
  "profile",
  "locale",
  "zoneinfo",
  "updated_at",
  "email",
  "email_verified",
  "address",
  "phone_number",
];

/**
 * Cached like the JWKS it points to (`keysetMetadataResponse`). The document is serialized once per
 * snapshot and issuer (src/oauth/metadata-response.ts).
 */
export function discoveryEndpoint() {
  return metadataEndpoint("oauth-authorization-server", serverMetadata);
}

export function openIdConfigurationEndpoint() {
  return metadataEndpoint("openid-configuration", (snapshot, issuer) =>
    withUserinfoMembers(
      withOpenIdMembers(serverMetadata(snapshot, issuer), snapshot.server.credentials.signing.alg),
      snapshot,
      issuer,
    ),
  );
}

function metadataEndpoint(name: string, build: (snapshot: Snapshot, issuer: string) => object) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const snapshot = c.get("snapshot");
    const keyset = await requireKeyset(c.get("ports"), snapshot.server.id);
    const issuer = c.get("issuer");
    const document = await preparedDocument(snapshot, `${name} ${issuer}`, () => build(snapshot, issuer));
    return keysetMetadataResponse(c, keyset, document);
  };
}
