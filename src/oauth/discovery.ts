/**
 * Authorization server metadata (RFC 8414 §2), served at both well-known names Okta serves. It lists
 * exactly what this server does today: an endpoint or method appears here only once it works.
 */
import type { Context } from "hono";
import { OKTA_SCOPES, type Snapshot } from "../config/schemas";
import type { AppEnv, Deps } from "../context";
import { CLIENT_ASSERTION_ALGORITHMS } from "./client-assertion";
import { SUPPORTED_CLIENT_AUTH_METHODS } from "./client-auth";
import { requireKeyset } from "./keys";
import { publicMetadataCacheControl } from "./metadata-cache";
import { SUPPORTED_GRANT_TYPES } from "./token";

export function serverMetadata(snapshot: Snapshot, issuer: string) {
  return {
    issuer,
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/v1/keys`,
    // RFC 8414 requires the member; no authorization endpoint exists yet, so it supports none.
    response_types_supported: [],
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    token_endpoint_auth_methods_supported: [...SUPPORTED_CLIENT_AUTH_METHODS],
    // RFC 8414 §2: required once private_key_jwt is listed; never `none` (§2).
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    scopes_supported: snapshot.scopes.filter((s) => s.metadataPublish === "ALL_CLIENTS").map((s) => s.name),
  };
}

/**
 * The org authorization server (issuer = the org URL, endpoints under `/oauth2/v1`): client
 * credentials with private_key_jwt only, for okta.* scopes (as Okta's org server for Okta APIs).
 */
export function orgServerMetadata(issuer: string) {
  return {
    issuer,
    token_endpoint: `${issuer}/oauth2/v1/token`,
    jwks_uri: `${issuer}/oauth2/v1/keys`,
    response_types_supported: [],
    grant_types_supported: ["client_credentials"],
    token_endpoint_auth_methods_supported: ["private_key_jwt"],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    scopes_supported: [...OKTA_SCOPES],
  };
}

/** Cached like the JWKS it points to: a verifier that follows `jwks_uri` sees both age alike. */
export function discoveryEndpoint(deps: Deps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const keyset = await requireKeyset(deps, c);
    c.header("Cache-Control", publicMetadataCacheControl(keyset, c.env, Math.floor(deps.now() / 1000)));
    return c.json(serverMetadata(c.get("snapshot"), c.get("issuer")));
  };
}
