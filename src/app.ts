/** Builds the Warden Hono app: routers, the one error handler, and the isolate-scoped caches. */
import { Hono } from "hono";
import { adminRouter } from "./admin/router";
import { ConfigStore } from "./config/config-store";
import type { AppEnv, Deps } from "./context";
import { ApiError, apiErrorResponse, OAuthError, oauthErrorResponse } from "./errors";
import { KeyStore } from "./keys/key-store";
import { ClientKeyStore } from "./oauth/client-keys";
import { orgRouter } from "./oauth/org-router";
import { isOAuthProtocolPath, oauthRouter } from "./oauth/router";

export function createDeps(now: () => number = Date.now): Deps {
  return {
    config: new ConfigStore(now),
    keys: new KeyStore(now),
    clientKeys: new ClientKeyStore({ now }),
    now,
  };
}

export function createApp(deps: Deps = createDeps()) {
  const app = new Hono<AppEnv>();

  // The org authorization server first: `/oauth2/v1/*` would otherwise be taken for a server named v1.
  app.route("/", orgRouter(deps));
  app.route("/oauth2/:as", oauthRouter(deps));
  app.route("/api/v1", adminRouter(deps));

  app.notFound(() => apiErrorResponse(new ApiError("E0000007", "Not found: Resource not found")));
  app.onError((error, c) => {
    if (error instanceof OAuthError) return oauthErrorResponse(error);
    if (error instanceof ApiError) return apiErrorResponse(error);
    // Internal details go to the log, never to the wire (DESIGN §8).
    console.error("unhandled error", error);
    // One error vocabulary per surface: an OAuth client parses RFC 6749 §5.2 errors, so the protocol
    // endpoints answer their own failures as `server_error` too, not in Okta's management shape.
    if (isOAuthProtocolPath(c.req.path)) {
      return oauthErrorResponse(
        new OAuthError("server_error", "The server encountered an unexpected error."),
      );
    }
    return apiErrorResponse(new ApiError("E0000009", "Internal Server Error"));
  });
  return app;
}
