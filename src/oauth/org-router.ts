/**
 * Okta's org authorization server: issuer = the org URL, endpoints at `/oauth2/v1/*`, metadata at the
 * origin's well-known names (RFC 8414 §3 for an issuer without a path). It mints access tokens for
 * the management API only: client_credentials with private_key_jwt, okta.* scopes (DESIGN §2). Its
 * keys come from their own key vault (`ORG_KEYS_ID`), created by the control plane.
 *
 * The origin's `/.well-known/` also holds RFC 8414 §3.1's location for every custom server's metadata
 * (the well-known name inserted before the issuer's path), beside Okta's appended form.
 */
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import { DEFAULT_SIGNING_ALG, ORG_KEYS_ID } from "../config/defaults";
import type { AppEnv, Deps } from "../context";
import { OAuthError } from "../errors";
import type { PublishedKeyset } from "../keys/keyset";
import { discoveryEndpoint, orgServerMetadata, withOpenIdMembers } from "./discovery";
import { publicMetadataCacheControl } from "./metadata-cache";
import { orgTokenEndpoint } from "./org-token";
import { tokenMethodNotAllowed } from "./router";
import { orgUrl, serverContext } from "./server-context";

const METADATA_PATHS = [
  "/oauth2/v1/keys",
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server/oauth2/:as",
] as const;

export function orgRouter(deps: Deps) {
  const router = new Hono<AppEnv>();
  for (const path of METADATA_PATHS) {
    router.use(path, cors({ origin: "*", allowMethods: ["GET", "HEAD"] }), etag());
  }

  router.get("/oauth2/v1/keys", async (c) => {
    const keyset = await orgKeyset(deps, c);
    return c.json(keyset.jwks);
  });
  router.get("/.well-known/oauth-authorization-server", async (c) => {
    await orgKeyset(deps, c);
    return c.json(orgServerMetadata(orgUrl(c.env.ORG_URL, c.req.url)));
  });
  router.get("/.well-known/openid-configuration", async (c) => {
    await orgKeyset(deps, c);
    // The org server's keys are always the default algorithm (ORG_SIGNING in the control plane).
    return c.json(
      withOpenIdMembers(orgServerMetadata(orgUrl(c.env.ORG_URL, c.req.url)), DEFAULT_SIGNING_ALG),
    );
  });
  router.get(
    "/.well-known/oauth-authorization-server/oauth2/:as",
    serverContext(deps),
    discoveryEndpoint(deps),
  );

  router.post("/oauth2/v1/token", orgTokenEndpoint(deps));
  router.all("/oauth2/v1/token", () => tokenMethodNotAllowed());
  return router;
}

/** The org keyset, with the schedule-derived `Cache-Control` set on the response. */
async function orgKeyset(deps: Deps, c: Context<AppEnv>): Promise<PublishedKeyset> {
  const keyset = await deps.keys.published(c.env, ORG_KEYS_ID);
  if (!keyset) throw new OAuthError("temporarily_unavailable", "The authorization server has no keys yet.");
  c.header("Cache-Control", publicMetadataCacheControl(keyset, c.env, Math.floor(deps.now() / 1000)));
  return keyset;
}
