/**
 * The hosted sign-in surface: per custom authorization server `/v1/authorize`, the sign-in form's
 * target and `/v1/logout`; for the org, the public `/api/v1/authn` and `/api/v1/sessions/me` (no admin
 * authentication: src/app.ts mounts them before the management API).
 */
import { Hono } from "hono";
import type { AppEnv, BindPorts } from "../context";
import { CORS_POLICIES, withCors } from "../oauth/cors";
import { forServer, withPorts } from "../oauth/server-context";
import {
  ACTIVATE_DECISION_PATH,
  ACTIVATE_PATH,
  ACTIVATE_SIGN_IN_PATH,
  activateCodeEndpoint,
  activateDecisionEndpoint,
  activatePage,
  activateSignInEndpoint,
} from "./activate";
import { authnEndpoint, currentSessionEndpoint, endCurrentSessionEndpoint } from "./authn";
import { authorizeEndpoint, consentEndpoint, signInEndpoint } from "./authorize";
import { logoutEndpoint } from "./logout";

/** Mounted at `/oauth2/{as}`. */
export function signInRouter(bind: BindPorts) {
  const router = new Hono<AppEnv>();
  const server = (handler: Parameters<typeof forServer>[1]) => forServer(bind, handler);
  router.on(["GET", "POST"], "/v1/authorize", server(authorizeEndpoint));
  router.post("/signin", server(signInEndpoint));
  router.post("/consent", server(consentEndpoint));
  // RP-initiated logout may come from a browser app's script (okta-auth-js): CORS for trusted origins.
  router.on(["GET", "POST"], "/v1/logout", withCors(bind, CORS_POLICIES.logout, server(logoutEndpoint)));
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
  router.post("/authn", open(authnEndpoint));
  router.get("/sessions/me", open(currentSessionEndpoint));
  router.delete("/sessions/me", open(endCurrentSessionEndpoint));
  return router;
}

/**
 * The org's device activation page (RFC 8628 §3.3, src/signin/activate.ts), mounted at the root: one
 * `/activate` for every authorization server, as Okta's.
 */
export function activateRouter(bind: BindPorts) {
  const router = new Hono<AppEnv>();
  const open = (handler: Parameters<typeof withPorts>[1]) => withPorts(bind, handler);
  router.get(ACTIVATE_PATH, open(activatePage));
  router.post(ACTIVATE_PATH, open(activateCodeEndpoint));
  router.post(ACTIVATE_SIGN_IN_PATH, open(activateSignInEndpoint));
  router.post(ACTIVATE_DECISION_PATH, open(activateDecisionEndpoint));
  return router;
}
