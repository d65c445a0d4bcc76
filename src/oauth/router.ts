/** The protocol endpoints of one custom authorization server, mounted at `/oauth2/{as}`. */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import type { AppEnv, Deps } from "../context";
import { discoveryEndpoint } from "./discovery";
import { keysEndpoint } from "./keys";
import { serverContext } from "./server-context";
import { tokenEndpoint } from "./token";

const METADATA_PATHS = [
  "/v1/keys",
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
] as const;

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
  router.get("/.well-known/openid-configuration", discoveryEndpoint(deps));

  router.post("/v1/token", tokenEndpoint(deps));
  return router;
}
