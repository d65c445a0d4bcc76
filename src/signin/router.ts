/**
 * The hosted sign-in surface: per authorization server (each custom one, and the org server at
 * `/oauth2/v1`) `/v1/authorize`, the sign-in and consent forms' targets and `/v1/logout`; for the org, the public `/api/v1/authn` and `/api/v1/sessions/me` (no admin
 * authentication: src/app.ts mounts them before the management API).
 */
import { Hono } from "hono";
import type { AppEnv, BindPorts } from "../context";
import { lazyHandler } from "../http/lazy-handler";
import { CORS_POLICIES, withCors } from "../oauth/cors";
import { forServer, withPorts } from "../oauth/server-context";
import { ACTIVATE_DECISION_PATH, ACTIVATE_PATH, ACTIVATE_SIGN_IN_PATH } from "./activate-paths";
import { customSignInServer, orgSignInServer, type ServerOf } from "./servers";

// The pages' modules load on their first request (src/http/lazy-handler.ts): the routes are known at
// start-up, their code (forms, pages, consent, the device page) is not parsed until used.
const authorizeModule = () => import("./authorize");
const activateModule = () => import("./activate");
const authnModule = () => import("./authn");
const logoutModule = () => import("./logout");

type Handler = Parameters<typeof withPorts>[1];
const lazy = (load: () => Promise<Handler>): Handler => lazyHandler(load);

/** Mounted at `/oauth2/{as}`. */
export function signInRouter(bind: BindPorts) {
  const server = (handler: Parameters<typeof forServer>[1]) => forServer(bind, handler);
  return signInRoutes(bind, server, customSignInServer, "");
}

/**
 * The org authorization server's (issuer the org URL), mounted at `/oauth2` before the custom
 * servers' `/oauth2/{as}` (src/app.ts): the same pages and steps, with the org server's decision;
 * its forms post to `/oauth2/v1/signin` and `/oauth2/v1/consent` (`SignInServer.basePath`).
 */
export function orgSignInRouter(bind: BindPorts) {
  const org = (handler: Parameters<typeof withPorts>[1]) => withPorts(bind, handler);
  return signInRoutes(bind, org, orgSignInServer, "/v1");
}

function signInRoutes(
  bind: BindPorts,
  wrap: (handler: Parameters<typeof withPorts>[1]) => Parameters<typeof withPorts>[1],
  serverOf: ServerOf,
  /** Where the forms post, below the mount point: beside `/v1/authorize` for a custom server. */
  pages: "" | "/v1",
) {
  const router = new Hono<AppEnv>();
  const authorize = lazy(() => authorizeModule().then((m) => m.authorizeEndpoint(serverOf)));
  const signIn = lazy(() => authorizeModule().then((m) => m.signInEndpoint(serverOf)));
  const consent = lazy(() => authorizeModule().then((m) => m.consentEndpoint(serverOf)));
  const logout = lazy(() => logoutModule().then((m) => m.logoutEndpoint(serverOf)));
  router.on(["GET", "POST"], "/v1/authorize", wrap(authorize));
  router.post(`${pages}/signin`, wrap(signIn));
  router.post(`${pages}/consent`, wrap(consent));
  // RP-initiated logout may come from a browser app's script (okta-auth-js): CORS for trusted origins.
  router.on(["GET", "POST"], "/v1/logout", withCors(bind, CORS_POLICIES.logout, wrap(logout)));
  return router;
}

/**
 * The public `/api/v1` routes, for the management API's catch-all: another method on one of these
 * paths is a 405 naming the methods here (src/admin/router.ts).
 */
export const PUBLIC_SESSION_ROUTES: readonly { method: string; path: string }[] = [
  { method: "POST", path: "/authn" },
  { method: "GET", path: "/sessions/me" },
  { method: "DELETE", path: "/sessions/me" },
];

/** Mounted at `/api/v1`, before the management API's authentication. */
export function publicSessionRouter(bind: BindPorts) {
  const router = new Hono<AppEnv>();
  const open = (handler: Parameters<typeof withPorts>[1]) => withPorts(bind, handler);
  router.post("/authn", open(lazy(() => authnModule().then((m) => m.authnEndpoint))));
  router.get("/sessions/me", open(lazy(() => authnModule().then((m) => m.currentSessionEndpoint))));
  router.delete("/sessions/me", open(lazy(() => authnModule().then((m) => m.endCurrentSessionEndpoint))));
  return router;
}

/**
 * The org's device activation page (RFC 8628 §3.3, src/signin/activate.ts), mounted at the root: one
 * `/activate` for every authorization server, as Okta's.
 */
export function activateRouter(bind: BindPorts) {
  const router = new Hono<AppEnv>();
  const open = (handler: Parameters<typeof withPorts>[1]) => withPorts(bind, handler);
  router.get(ACTIVATE_PATH, open(lazy(() => activateModule().then((m) => m.activatePage))));
  router.post(ACTIVATE_PATH, open(lazy(() => activateModule().then((m) => m.activateCodeEndpoint))));
  router.post(
    ACTIVATE_SIGN_IN_PATH,
    open(lazy(() => activateModule().then((m) => m.activateSignInEndpoint))),
  );
  router.post(
    ACTIVATE_DECISION_PATH,
    open(lazy(() => activateModule().then((m) => m.activateDecisionEndpoint))),
  );
  return router;
}
