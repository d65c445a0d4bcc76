/**
 * The management API at Okta's paths (`/api/v1/...`), every route behind admin authentication:
 * authorization servers with their scopes, claims, policies, rules and keys, apps, inline hooks,
 * API tokens, Token Preview, and Warden's whole-configuration import / export.
 */
import { Hono } from "hono";
import type { AppEnv, Deps } from "../context";
import { apiTokensRouter } from "./api-tokens";
import { appsRouter } from "./apps";
import { requireAdmin } from "./auth";
import { bulkRouter } from "./bulk";
import { claimsRouter } from "./claims";
import { inlineHooksRouter } from "./inline-hooks";
import { keysRouter } from "./keys";
import { policiesRouter } from "./policies";
import { scopesRouter } from "./scopes";
import { serversRouter } from "./servers";
import { tokenPreviewRouter } from "./token-preview";

export function adminRouter(deps: Deps) {
  const router = new Hono<AppEnv>();
  router.use(requireAdmin(deps));

  router.route("/warden", bulkRouter());
  router.route("/authorizationServers", keysRouter());
  router.route("/authorizationServers", serversRouter());
  router.route("/authorizationServers", policiesRouter());
  router.route("/authorizationServers", tokenPreviewRouter(deps.now));
  router.route("/authorizationServers", scopesRouter());
  router.route("/authorizationServers", claimsRouter());
  router.route("/inlineHooks", inlineHooksRouter());
  router.route("/apps", appsRouter());
  router.route("/api-tokens", apiTokensRouter(deps.now));
  return router;
}
