/**
 * The management API at Okta's paths (`/api/v1/...`), every route behind admin authentication:
 * authorization servers with their scopes, claims, policies, rules and keys, apps, inline hooks,
 * trusted origins, API tokens, Token Preview, and Warden's whole-configuration import / export. Only the API's own
 * description (`openapi.json`, `reference`) is public.
 */
import { Hono } from "hono";
import type { AppEnv, BindPorts, Deps } from "../context";
import { PUBLIC_SESSION_ROUTES } from "../signin/router";
import { apiTokensRouter } from "./api-tokens";
import { appAssignmentsRouter } from "./app-assignments";
import { appsRouter } from "./apps";
import { associatedServersRouter } from "./associated-servers";
import { auditWrites } from "./audit";
import { requireAdmin } from "./auth";
import { bulkRouter } from "./bulk";
import { claimsRouter } from "./claims";
import { groupsRouter } from "./groups";
import { inlineHooksRouter } from "./inline-hooks";
import { keysRouter } from "./keys";
import { logsRouter } from "./logs";
import { openApiRouter } from "./openapi/router";
import { requireOrgUrl } from "./org-origin";
import { policiesRouter } from "./policies";
import { serverTokensRouter, userTokensRouter } from "./refresh-tokens";
import { allowedMethods, methodNotAllowed } from "./responses";
import { scopesRouter } from "./scopes";
import { serversRouter } from "./servers";
import { tokenPreviewRouter } from "./token-preview";
import { trustedOriginsRouter } from "./trusted-origins";
import { userGrantsRouter } from "./user-grants";
import { userGroupsRouter } from "./user-groups";
import { guardAdminReach, protectAdminMemberships, protectAdmins, userRolesRouter } from "./user-roles";
import { usersRouter } from "./users";

/** `bind`: the protocol ports, for Token Preview to run what the token endpoint runs. */
export function adminRouter(deps: Deps, bind: BindPorts) {
  const router = new Hono<AppEnv>();
  // Before authentication: the document and the reference page describe the API and hold no data.
  router.route("/", openApiRouter());
  // Before authentication: bearer tokens are verified against the org URL's issuer.
  router.use(requireOrgUrl());
  router.use(requireAdmin(deps, bind));
  // System log: every successful write is an event (src/admin/audit.ts).
  router.use(auditWrites(bind));
  // A write may disable (or re-enable) a client, secret or server: this location's pulse and colo
  // copy take it at once, so the admin's own edge never answers with the state before the write.
  router.use(async (c, next) => {
    await next();
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.res.ok) {
      await bind(c.env).revocations.publish();
    }
  });

  // Writes that end many admins' access at once need their roles' rights (src/admin/user-roles.ts).
  guardAdminReach(router);
  router.route("/warden", bulkRouter(bind, deps.now));
  router.route("/authorizationServers", keysRouter());
  router.route("/authorizationServers", serversRouter(bind, deps.now));
  router.route("/authorizationServers", policiesRouter());
  router.route("/authorizationServers", tokenPreviewRouter(deps.now, bind));
  router.route("/authorizationServers", scopesRouter());
  router.route("/authorizationServers", claimsRouter());
  // Token exchange's trusted servers (Okta's associatedServers).
  router.route("/authorizationServers", associatedServersRouter());
  router.route("/inlineHooks", inlineHooksRouter());
  router.route("/apps", appsRouter(bind, deps.now));
  router.route("/api-tokens", apiTokensRouter(deps));
  router.route("/logs", logsRouter(deps.now));
  // Writes on a user holding admin roles need the rights those roles give (src/admin/user-roles.ts).
  router.use("/users/:id/*", protectAdmins());
  router.route("/users", usersRouter(deps.now, bind));

  // Groups, memberships and app assignments (the directory, D1): before the catch-all below. Taking
  // an admin out of an app or a group ends their grants there: it needs their roles' rights.
  router.on("DELETE", "/apps/:appId/users/:userId", protectAdminMemberships());
  router.on("DELETE", "/groups/:groupId/users/:userId", protectAdminMemberships());
  router.route("/apps", appAssignmentsRouter(deps.now, bind));
  router.route("/groups", groupsRouter(deps.now, bind));
  router.route("/users", userGroupsRouter());

  // Trusted origins (the edges' CORS decisions, src/oauth/cors.ts).
  router.route("/trustedOrigins", trustedOriginsRouter());

  // Users' consent grants (src/signin/consent.ts writes them).
  router.route("/users", userGrantsRouter(deps.now));

  // Admin role assignments (D1; src/admin/user-roles.ts). Its guard of admins' accounts is mounted
  // before the Users API above.
  router.route("/users", userRolesRouter(deps.now));

  // Refresh tokens (the grant index, src/admin/refresh-tokens.ts).
  router.route("/users", userTokensRouter(deps.now, bind));
  router.route("/authorizationServers", serverTokensRouter(deps.now, bind));

  // Last: a known path with a method it does not support is a 405, anything else a 404.
  let allowed: ((path: string) => string[]) | undefined;
  router.all("*", (c) => {
    // The public sign-in routes (src/app.ts mounts them before this API) are known paths too.
    allowed ??= allowedMethods([...router.routes, ...PUBLIC_SESSION_ROUTES]);
    const mount = c.req.routePath.replace(/\/\*$/, "");
    const methods = allowed(c.req.path.slice(mount.length));
    if (methods.length > 0) throw methodNotAllowed(methods);
    return c.notFound();
  });
  return router;
}
