/** Builds the Warden Hono app: routers, the one error handler, and the isolate-scoped caches. */
import { Hono } from "hono";
import { adminRouter } from "./admin/router";
import { type AppEnv, type BindPorts, bindPorts, createDeps, type Deps } from "./context";
import { ApiError, OAuthError } from "./errors";
import { orgRouter } from "./oauth/org/router";
import { isOAuthProtocolPath, oauthRouter } from "./oauth/router";

export { createDeps } from "./context";

/**
 * `bind`: how protocol endpoints get their ports; over the real bindings by default, in-memory ports
 * in unit tests (test/unit/token-endpoint.test.ts).
 */
export function createApp(deps: Deps = createDeps(), bind: BindPorts = bindPorts(deps)) {
  const app = new Hono<AppEnv>();

  // The org authorization server first: `/oauth2/v1/*` would otherwise be taken for a server named v1.
  app.route("/", orgRouter(bind));
  app.route("/oauth2/:as", oauthRouter(bind));
  app.route("/api/v1", adminRouter(deps, bind));

  app.notFound(() => new ApiError("E0000007", "Not found: Resource not found").getResponse());
  app.onError((error, c) => {
    if (error instanceof OAuthError || error instanceof ApiError) return error.getResponse();
    // Internal details go to the log, never to the wire (DESIGN §8).
    console.error("unhandled error", error);
    // One error vocabulary per surface: an OAuth client parses RFC 6749 §5.2 errors, so the protocol
    // endpoints answer their own failures as `server_error` too, not in Okta's management shape.
    if (isOAuthProtocolPath(c.req.path)) {
      return new OAuthError("server_error", "The server encountered an unexpected error.").getResponse();
    }
    return new ApiError("E0000009", "Internal Server Error").getResponse();
  });
  return app;
}
