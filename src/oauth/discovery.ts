/**
 * Authorization server metadata (RFC 8414 §2), served at both well-known names Okta serves. It lists
 * exactly what this server does today: an endpoint or method appears here only once it works.
 */
import type { Context } from "hono";
import type { Snapshot } from "../config/schemas";
import type { AppEnv } from "../context";
import { SUPPORTED_CLIENT_AUTH_METHODS } from "./client-auth";
import { PUBLIC_METADATA_CACHE_CONTROL } from "./metadata-cache";
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
    scopes_supported: snapshot.scopes.filter((s) => s.metadataPublish === "ALL_CLIENTS").map((s) => s.name),
  };
}

export function discoveryEndpoint(c: Context<AppEnv>): Response {
  c.header("Cache-Control", PUBLIC_METADATA_CACHE_CONTROL);
  return c.json(serverMetadata(c.get("snapshot"), c.get("issuer")));
}
