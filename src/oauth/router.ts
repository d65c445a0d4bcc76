/** The protocol endpoints of one custom authorization server, mounted at `/oauth2/{as}`. */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import type { AppEnv, Deps } from "../context";
import { OAuthError, oauthErrorResponse } from "../errors";
import { discoveryEndpoint, openIdConfigurationEndpoint } from "./discovery";
import { keysEndpoint } from "./keys";
import { serverContext } from "./server-context";
import { tokenEndpoint } from "./token";

const METADATA_PATHS = [
  "/v1/keys",
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
] as const;

/**
 * The OAuth protocol surface, custom and org servers alike (`/oauth2/…` and the origin's
 * `/.well-known/…`): errors there are RFC 6749 §5.2 documents, whatever their cause.
 */
export function isOAuthProtocolPath(path: string): boolean {
  return path.startsWith("/oauth2/") || path.startsWith("/.well-known/");
}

/**
 * RFC 9110 §15.5.6: a method the token endpoint does not support is a 405 naming the one it does
 * (`Allow: POST`, RFC 6749 §3.2), in the endpoint's own error shape.
 */
export function tokenMethodNotAllowed(): Response {
  const res = oauthErrorResponse(
    new OAuthError("invalid_request", "The token endpoint accepts only POST requests."),
  );
  const headers = new Headers(res.headers);
  headers.set("Allow", "POST");
  return new Response(res.body, { status: 405, headers });
}

export function oauthRouter(deps: Deps) {
  const router = new Hono<AppEnv>();
  router.use(serverContext(deps));

  // Public metadata, and only it, is readable from any origin; it is cacheable and revalidated by
  // ETag (RFC 9110 §13.1.2). The token endpoint gets no CORS: browsers have no business there yet.
  for (const path of METADATA_PATHS) {
    router.use(path, cors({ origin: "*", allowMethods: ["GET", "HEAD"] }), etag());
  }
  router.get("/v1/keys", keysEndpoint(deps));
  router.get("/.well-known/oauth-authorization-server", discoveryEndpoint(deps));
  router.get("/.well-known/openid-configuration", openIdConfigurationEndpoint(deps));

  router.post("/v1/token", tokenEndpoint(deps));
  router.all("/v1/token", () => tokenMethodNotAllowed());
  return router;
}
