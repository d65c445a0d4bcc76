/**
 * Okta's Role Assignment API for users (RoleAssignmentAUserApi `assignRoleToUser`,
 * `listAssignedRolesForUser`, `getUserAssignedRole`, `unassignRoleFromUser`): which directory users
 * are admins (migrations/0007_admin_roles.sql). Reads need okta.roles.read, writes okta.roles.manage
 * (src/admin/auth.ts), and beyond the route's scope:
 *
 * - **Rights never grow** (DESIGN §8): assigning or removing a role needs every right the role gives
 *   (src/config/admin-roles.ts). A caller with okta.roles.manage but narrower rights cannot make
 *   anyone SUPER_ADMIN, itself included, nor take the role from one (403 E0000006 naming the scopes
 *   it lacks; nothing is written).
 * - **Admins are protected from narrower admins** (`protectAdmins`): changing the profile or password,
 *   the status or the existence of a user who holds roles needs every right those roles give, so
 *   okta.users.manage cannot reset a super admin's password and then sign in as them.
 *
 * Only ACTIVE users hold their roles' rights (src/admin/auth.ts reads status and roles at each
 * request); an assignment itself is kept whatever the status, as Okta keeps it.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import * as z from "zod";
import { ADMIN_ROLE_LABELS, ADMIN_ROLE_TYPES, rightsOfRole, rightsOfRoles } from "../config/admin-roles";
import { ADMIN_ROLE_BODY_MAX_BYTES, IMPORT_MAX_BYTES, JSON_MAX_DEPTH } from "../config/defaults";
import { toIssues } from "../config/issues";
import { lacking } from "../config/rights";
import { OKTA_SCOPES } from "../config/schemas";
import type { AppEnv } from "../context";
import {
  rolesLosingAppWithGroup,
  rolesOfGroupMembers,
  rolesSignedOutWithApp,
} from "../directory/admin-reach";
import {
  assignAdminRole,
  getAdminRole,
  listAdminRoles,
  removeAdminRole,
  type StoredAdminRole,
} from "../directory/admin-roles";
import { type GrantSelector, rolesHoldingGrants } from "../directory/grant-index";
import { findUser, type UserRecord } from "../directory/users";
import { ApiError } from "../errors";
import { readJsonBody } from "../http/json-body";
import { isRecord } from "../http/json-value";
import { EVENT_TYPES } from "../log/event";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin, lacksRights, validationFailed } from "./responses";

type Ctx = Context<AppEnv>;

/** Okta's AssignRoleRequest for a standard role: `type` only (custom roles and resource sets are not Warden's). */
export const AdminRoleAssign = z.object({
  type: z.enum(ADMIN_ROLE_TYPES).meta({ description: "The standard role to assign." }),
});

export function userRolesRouter(now: () => number) {
  const router = new Hono<AppEnv>();

  router.get("/:userId/roles", async (c) => {
    const user = await existingUser(c);
    const roles = await listAdminRoles(c.env.DIRECTORY, user.id);
    return c.json(roles.map((role) => roleView(role, adminOrigin(c))));
  });

  router.post("/:userId/roles", async (c) => {
    const user = await existingUser(c);
    const body = await readJsonBody(c.req.raw, {
      maxBytes: ADMIN_ROLE_BODY_MAX_BYTES,
      maxDepth: JSON_MAX_DEPTH,
    });
    const parsed = AdminRoleAssign.safeParse(body);
    if (!parsed.success) throw validationFailed(toIssues(parsed.error));
    const { type } = parsed.data;
    requireRights(c, rightsOfRole(type));
    const result = await assignAdminRole(c.env.DIRECTORY, user.id, type, now());
    if (!result.ok) {
      if (result.reason === "no_user") notFound(user.id, "User");
      throw new ApiError("E0000090", "Duplicate role assignment exception.", [
        { errorSummary: "The role specified is already assigned to the user." },
      ]);
    }
    audit(c, user, EVENT_TYPES.userPrivilegeGrant, "Grant user privilege");
    return c.json(roleView(result.role, adminOrigin(c)), 201);
  });

  router.get("/:userId/roles/:roleAssignmentId", async (c) => {
    const user = await existingUser(c);
    const role = await existingRole(c, user.id);
    return c.json(roleView(role, adminOrigin(c)));
  });

  router.delete("/:userId/roles/:roleAssignmentId", async (c) => {
    const user = await existingUser(c);
    const role = await existingRole(c, user.id);
    // Taking a role away needs its rights too: a narrow admin cannot demote a wider one.
    requireRights(c, rightsOfRole(role.type));
    // Removed meanwhile (a concurrent DELETE): as not found.
    if (!(await removeAdminRole(c.env.DIRECTORY, user.id, role.id))) notFound(role.id, "RoleAssignment");
    audit(c, user, EVENT_TYPES.userPrivilegeRevoke, "Revoke user privilege");
    return c.body(null, 204);
  });

  return router;
}

/**
 * Before the Users API's writes on one user (`POST`/`PUT`/`DELETE /users/{id}`,
 * `/users/{id}/lifecycle/*`, the DELETEs of the user's tokens): when that user holds admin roles, the caller must hold every right
 * they give. A user without roles costs one indexed read.
 */
export function protectAdmins() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && GUARDED.test(c.req.path)) {
      await requireRoleHolderRights(c, c.req.param("id") ?? "");
    }
    await next();
  });
}

/**
 * Before removing a user from an app (`DELETE /apps/{appId}/users/{userId}`) or from a group
 * (`DELETE /groups/{groupId}/users/{userId}`): both end the user's grants for the apps they lose
 * (src/admin/grant-revocation.ts), so for a role holder they need the roles' rights, as revoking
 * the user's tokens directly does.
 */
export function protectAdminMemberships() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await requireRoleHolderRights(c, c.req.param("userId") ?? "");
    await next();
  });
}

/**
 * The writes that end the access of every admin they reach at once, each guarded before its route
 * runs (src/directory/admin-reach.ts finds the roles reached; one D1 statement, plus the app's record
 * for an app's lifecycle). The caller must hold every right those roles give, as for one admin:
 * - `DELETE /apps/{appId}/groups/{groupId}` (okta.apps.manage): the members left without a path to
 *   the app lose their grants there, as `DELETE /apps/{appId}/users/{userId}` does for one;
 * - `DELETE /groups/{groupId}` (okta.groups.manage): every membership goes, as
 *   `DELETE /groups/{groupId}/users/{userId}` takes one;
 * - `POST /apps/{appId}/lifecycle/deactivate` and `DELETE /apps/{appId}` (okta.apps.manage): every
 *   grant of the app is revoked; an app whose tokens carry okta.* rights (the console) also stops
 *   every admin assigned to it;
 * - `POST /warden/import`: each app the import prunes or leaves INACTIVE, as the two above;
 * - `DELETE /authorizationServers/{id}` and the server's token API's DELETEs
 *   (okta.authorizationServers.manage): the users of the grants they revoke, as the user's own token
 *   API (`DELETE /users/{id}/clients/{clientId}/tokens…`, guarded by `protectAdmins`) does.
 * Registered method by method (`router.on`), before the routers that serve these paths.
 */
export function guardAdminReach(router: Hono<AppEnv>): void {
  router.on("DELETE", "/apps/:appId/groups/:groupId", async (c, next) => {
    const { appId, groupId } = c.req.param();
    requireRights(c, rightsOfRoles(await rolesLosingAppWithGroup(c.env.DIRECTORY, appId, groupId)));
    await next();
  });
  router.on("DELETE", "/groups/:groupId", async (c, next) => {
    requireRights(c, rightsOfRoles(await rolesOfGroupMembers(c.env.DIRECTORY, c.req.param("groupId"))));
    await next();
  });
  const appLifecycle = createMiddleware<AppEnv>(async (c, next) => {
    const appId = c.req.param("appId") ?? "";
    // An unknown app is the route's own 404.
    const client = await controlPlane(c.env).getClientRecord(appId);
    if (client) {
      const adminApp = client.grants?.some((g) => (OKTA_SCOPES as readonly string[]).includes(g.scopeId));
      requireRights(c, rightsOfRoles(await rolesSignedOutWithApp(c.env.DIRECTORY, appId, adminApp === true)));
    }
    await next();
  });
  router.on("DELETE", "/apps/:appId", appLifecycle);
  router.on("POST", "/apps/:appId/lifecycle/deactivate", appLifecycle);
  // Revoking a server's grants, or one client's tokens at a server, signs their users out.
  const serverGrants = (selector: (c: Ctx) => GrantSelector) =>
    createMiddleware<AppEnv>(async (c, next) => {
      requireRights(c, rightsOfRoles(await rolesHoldingGrants(c.env.DIRECTORY, selector(c))));
      await next();
    });
  router.on(
    "DELETE",
    "/authorizationServers/:authServerId",
    serverGrants((c) => ({ serverId: c.req.param("authServerId") ?? "" })),
  );
  router.on(
    "DELETE",
    "/authorizationServers/:authServerId/clients/:clientId/tokens",
    serverGrants((c) => ({
      serverId: c.req.param("authServerId") ?? "",
      clientId: c.req.param("clientId") ?? "",
    })),
  );
  router.on(
    "DELETE",
    "/authorizationServers/:authServerId/clients/:clientId/tokens/:tokenId",
    serverGrants((c) => ({
      serverId: c.req.param("authServerId") ?? "",
      clientId: c.req.param("clientId") ?? "",
      id: c.req.param("tokenId") ?? "",
    })),
  );
  router.on("POST", "/warden/import", async (c, next) => {
    await requireImportReach(c);
    await next();
  });
}

/**
 * Whole-configuration import (`POST /warden/import`, src/admin/bulk.ts) deletes the apps it prunes
 * and deactivates the apps its document leaves INACTIVE, as the Apps API would one by one: the same
 * rights for each. Which apps those are, the control plane says by a dry run of the same document
 * (a refused document is the route's own 400; a dry run itself writes nothing and needs no guard).
 */
async function requireImportReach(c: Ctx): Promise<void> {
  if (c.req.query("dryRun") === "true") return;
  let body: unknown;
  try {
    body = await readJsonBody(c.req.raw.clone(), { maxDepth: JSON_MAX_DEPTH, maxBytes: IMPORT_MAX_BYTES });
  } catch {
    // The route reads the body again and answers its own 400 or 413.
    return;
  }
  const rights = c.get("admin").rights;
  const dry = await controlPlane(c.env).importConfig(body, rights, {
    prune: c.req.query("prune") === "true",
    dryRun: true,
  });
  if (!dry.ok) return;
  const clients = isRecord(body) && Array.isArray(body.clients) ? body.clients : [];
  const inactive = clients.flatMap((client: unknown) =>
    isRecord(client) && client.status === "INACTIVE" && typeof client.client_id === "string"
      ? [client.client_id]
      : [],
  );
  for (const appId of new Set([...dry.value.deleted.clients, ...inactive])) {
    const client = await controlPlane(c.env).getClientRecord(appId);
    if (!client) continue;
    const adminApp = client.grants?.some((g) => (OKTA_SCOPES as readonly string[]).includes(g.scopeId));
    requireRights(c, rightsOfRoles(await rolesSignedOutWithApp(c.env.DIRECTORY, appId, adminApp === true)));
  }
}

/** When user `id` holds admin roles, the caller must hold every right they give. */
async function requireRoleHolderRights(c: Ctx, id: string): Promise<void> {
  const user = id ? await findUser(c.env.DIRECTORY, id) : null;
  // An unknown user is the route's own 404.
  if (!user) return;
  const roles = await listAdminRoles(c.env.DIRECTORY, user.id);
  if (roles.length > 0) requireRights(c, rightsOfRoles(roles.map((r) => r.type)));
}

/**
 * The user itself and its lifecycle: what changes who can sign in as the user, and with what; the
 * revocation of the user's tokens (`DELETE /users/{id}/clients/{clientId}/tokens[/{tokenId}]`),
 * which ends the user's sessions in every app as deactivation does; and of the user's consents
 * (`/users/{id}/grants[/{grantId}]`, `/users/{id}/clients/{clientId}/grants`): a narrower admin must
 * not sign a wider one out (DESIGN §8, "a narrow admin right never grows into a wider one").
 */
const GUARDED =
  /^\/api\/v1\/users\/[^/]+(?:\/lifecycle\/[^/]+|\/clients\/[^/]+\/(?:tokens|grants)(?:\/[^/]+)?|\/grants(?:\/[^/]+)?)?\/?$/;

/** 403 E0000006 naming the scopes the caller lacks of `rights`. */
function requireRights(c: Ctx, rights: Parameters<typeof lacking>[1]): void {
  const lacks = lacking(c.get("admin").rights, rights);
  if (lacks.length > 0) throw lacksRights(lacks);
}

/** The user the path names, by id or login (as the Users API takes it), or Okta's 404. */
async function existingUser(c: Ctx): Promise<UserRecord> {
  const id = c.req.param("userId") ?? "";
  return (await findUser(c.env.DIRECTORY, id)) ?? notFound(id.slice(0, 100), "User");
}

async function existingRole(c: Ctx, userId: string): Promise<StoredAdminRole> {
  const roleId = c.req.param("roleAssignmentId") ?? "";
  // Another user's assignment is not found through this user.
  return (
    (await getAdminRole(c.env.DIRECTORY, userId, roleId)) ?? notFound(roleId.slice(0, 100), "RoleAssignment")
  );
}

function audit(
  c: Ctx,
  user: UserRecord,
  eventType: (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES],
  message: string,
) {
  const { login, firstName, lastName } = user.profile;
  c.set("audited", {
    events: [{ eventType, message }],
    target: { id: user.id, type: "User", alternateId: login, displayName: `${firstName} ${lastName}` },
  });
}

/** Okta's role assignment of a standard role to a user. */
export function roleView(role: StoredAdminRole, origin: string) {
  return {
    id: role.id,
    label: ADMIN_ROLE_LABELS[role.type],
    type: role.type,
    status: "ACTIVE" as const,
    created: new Date(role.created).toISOString(),
    lastUpdated: new Date(role.lastUpdated).toISOString(),
    assignmentType: "USER" as const,
    _links: { assignee: { href: `${origin}/api/v1/users/${role.userId}` } },
  };
}
