/** Builds the Warden Hono app: routers, the one error handler, and the isolate-scoped caches. */
import { type Context, Hono } from "hono";
import { LinearRouter } from "hono/router/linear-router";
import { TrieRouter } from "hono/router/trie-router";
import { getPath } from "hono/utils/url";
import { ROUTE_MATCH_CACHE_ENTRIES, ROUTE_MATCH_CACHE_MAX_PATH } from "./config/defaults";
import { type AppEnv, type BindPorts, bindPorts, createDeps, type Deps } from "./context";
import type { Env } from "./env";
import { ApiError, OAuthError } from "./errors";
import { MemoRouter } from "./http/memo-router";
import { withRateLimitHeaders } from "./http/rate-limit";
import { withHeaders } from "./oauth/cors";
import { orgRouter, orgTokenRoute } from "./oauth/org/router";
import { tokenErrorBudget } from "./oauth/rate-limit";
import { customTokenRoute, isOAuthProtocolPath, oauthRouter } from "./oauth/router";
import { isTokenPath } from "./oauth/token-path";
import { activateRouter, orgSignInRouter, publicSessionRouter, signInRouter } from "./signin/router";

export { createDeps } from "./context";

const ROUTE_MATCH_BOUNDS = { entries: ROUTE_MATCH_CACHE_ENTRIES, maxPath: ROUTE_MATCH_CACHE_MAX_PATH };

/** What the Worker's `fetch` runs: an isolate's apps, built by their first request. */
export type IsolateHandler = (request: Request, env: Env, ctx?: ExecutionContext) => Promise<Response>;

/**
 * The isolate's request handler: the token endpoints' own app for token requests, the whole app for
 * everything else, each built by its first request and sharing the isolate's caches (one `deps`, one
 * `bind`). Most new isolates start on a token request (services fetch tokens far more often than
 * anything else happens): registering the other routes cost that first token ~1.5 ms of its ~14
 * (bench/results/cold-start.md §9). A token path reaches the same handler either way: the whole app
 * serves it too (its own token routes are the only ones matching it), so nothing depends on the split.
 */
export function isolateHandler(deps: Deps = createDeps(), bind: BindPorts = bindPorts(deps)): IsolateHandler {
  let tokenApp: Hono<AppEnv> | undefined;
  let app: Hono<AppEnv> | undefined;
  return async (request, env, ctx) => {
    if (isTokenPath(getPath(request))) {
      tokenApp ??= createTokenApp(deps, bind);
      return tokenApp.fetch(request, env, ctx);
    }
    app ??= createApp(deps, bind);
    return app.fetch(request, env, ctx);
  };
}

/**
 * The token endpoints alone (`/oauth2/v1/token`, `/oauth2/{as}/v1/token`), as `createApp` mounts them.
 * Hono's linear router: registering is a push, and a first match scans two routes, where the trie
 * compiled its insertion and search code on the isolate's first token (~0.5 ms). Its leniency (a
 * trailing slash) never applies: only paths `isTokenPath` accepts reach this app. Answers remembered
 * as the whole app's are.
 */
export function createTokenApp(deps: Deps = createDeps(), bind: BindPorts = bindPorts(deps)): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ router: new MemoRouter(new LinearRouter(), ROUTE_MATCH_BOUNDS) });
  app.all("/oauth2/v1/token", orgTokenRoute(bind));
  app.all("/oauth2/:as/v1/token", customTokenRoute(bind));
  return withErrorHandlers(app, deps.now);
}

/**
 * `bind`: how protocol endpoints get their ports; over the real bindings by default, in-memory ports
 * in unit tests (test/unit/token-endpoint.test.ts).
 */
export function createApp(deps: Deps = createDeps(), bind: BindPorts = bindPorts(deps)) {
  // The trie router outright: Hono's default (SmartRouter) first tries to build a RegExpRouter on the
  // first request, which these routes refuse (`/oauth2/:as/…` beside the org server's static
  // `/oauth2/v1/…`), so every new isolate paid for a failed build before falling back to this one.
  // Its answers remembered: a client's token requests all take the same path (src/http/memo-router.ts).
  const app = new Hono<AppEnv>({ router: new MemoRouter(new TrieRouter(), ROUTE_MATCH_BOUNDS) });

  // The org authorization server first: `/oauth2/v1/*` would otherwise be taken for a server named v1.
  app.route("/", orgRouter(bind));
  app.route("/oauth2", orgSignInRouter(bind));
  app.route("/oauth2/:as", oauthRouter(bind));
  // Sign-in (src/signin/): /v1/authorize, the sign-in form and /v1/logout per server; and the public
  // /api/v1/authn and /api/v1/sessions/me, which must be reached before the management API's
  // authentication below (they authenticate a user, or read the session cookie, themselves).
  app.route("/oauth2/:as", signInRouter(bind));
  app.route("/api/v1", publicSessionRouter(bind));
  // The device activation page (RFC 8628 §3.3): the org's `/activate`, for every server.
  app.route("/", activateRouter(bind));
  // The management API is built, and its modules (zod schemas, OpenAPI) evaluated, on its first
  // request, never at start-up: a new isolate serving tokens pays nothing for it (DESIGN §10).
  let admin: Promise<Hono<AppEnv>> | undefined;
  app.all("/api/v1/*", async (c) => {
    admin ??= managementApp(deps, bind).catch((error) => {
      admin = undefined; // not cached: the next request tries again
      throw error;
    });
    return (await admin).fetch(c.req.raw, c.env, executionContext(c));
  });

  return withErrorHandlers(app, deps.now);
}

/** The management API at `/api/v1`, as `createApp` loads it on its first request. */
export async function managementApp(deps: Deps, bind: BindPorts): Promise<Hono<AppEnv>> {
  const { adminRouter } = await import("./admin/router");
  const app = new Hono<AppEnv>({ router: new TrieRouter() });
  return withErrorHandlers(app.route("/api/v1", adminRouter(deps, bind)), deps.now);
}

/**
 * The one error handler. Okta sends `X-Rate-Limit-*` on every answer, errors included: an endpoint
 * that knows the limit applying to the request puts it on the context (`rateLimit`), and whatever it
 * throws afterwards leaves here with those headers. The same for a trusted origin's CORS headers
 * (`cors`, src/oauth/cors.ts): a browser app must be able to read the error.
 */
function withErrorHandlers(app: Hono<AppEnv>, now: () => number): Hono<AppEnv> {
  app.notFound(() => new ApiError("E0000007", "Not found: Resource not found").getResponse());
  app.onError((error, c) => {
    const cors = c.get("cors");
    const response = cors
      ? withHeaders(errorResponse(error, c.req.path), cors)
      : errorResponse(error, c.req.path);
    const verdict = c.get("rateLimit") ?? tokenErrorBudget(c.get("ports"), c.req.raw, c.req.path);
    return verdict ? withRateLimitHeaders(response, verdict, now()) : response;
  });
  return app;
}

function errorResponse(error: Error, path: string): Response {
  if (error instanceof OAuthError || error instanceof ApiError) return error.getResponse();
  // Internal details go to the log, never to the wire (DESIGN §8).
  console.error("unhandled error", error);
  // One error vocabulary per surface: an OAuth client parses RFC 6749 §5.2 errors, so the protocol
  // endpoints answer their own failures as `server_error` too, not in Okta's management shape.
  if (isOAuthProtocolPath(path)) {
    return new OAuthError("server_error", "The server encountered an unexpected error.").getResponse();
  }
  return new ApiError("E0000009", "Internal Server Error").getResponse();
}

/** The request's execution context; absent when the app is called without one (`app.request` in tests). */
function executionContext(c: Context<AppEnv>): Context<AppEnv>["executionCtx"] | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
