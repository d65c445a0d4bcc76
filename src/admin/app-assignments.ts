/**
 * Okta's Application Users and Application Groups APIs for an app (`/api/v1/apps/{appId}/users`,
 * `/api/v1/apps/{appId}/groups`), on the directory (D1). Okta issues user tokens only to users
 * assigned to the app, directly (AppUser `scope: "USER"`) or through a group (`scope: "GROUP"`).
 * - users: assign (POST, 200), list (direct and through groups, one AppUser per user), get, update
 *   (POST: a new profile, or a group's assignment made direct), unassign (DELETE, 204; a user
 *   assigned only through a group is removed through the group).
 * - groups: assign or update (PUT, 200; Everyone may be assigned), get, list (`q` name prefix),
 *   unassign (DELETE, 204).
 * The app must exist (read from the control plane as src/admin/apps.ts does), else 404 E0000007.
 * Rights: okta.apps.read / manage, as every `/apps/**` route (src/admin/auth.ts).
 */
import { type Context, Hono } from "hono";
import type * as z from "zod";
import {
  APP_GROUPS_PAGE_LIMIT,
  APP_USERS_PAGE_LIMIT,
  DIRECTORY_BODY_MAX_BYTES,
  JSON_MAX_DEPTH,
} from "../config/defaults";
import { toIssues } from "../config/issues";
import type { AppEnv, BindPorts } from "../context";
import {
  type AppGroupRecord,
  type AppUserRecord,
  appGroup,
  appUser,
  assignGroup,
  assignUser,
  listAppGroups,
  listAppUsers,
  unassignGroup,
  unassignUser,
} from "../directory/assignments";
import { groupUrl } from "../directory/group-view";
import { getGroup } from "../directory/groups";
import { AppGroupAssign, AppUserAssign, AppUserUpdate } from "../directory/profile-schema";
import { PROTO_KEY_REFUSED, profileHasProtoKey } from "../directory/user-profile";
import { readJsonBody } from "../http/json-body";
import { controlPlane, notFound } from "./control-plane-client";
import { pageParams, setDirectoryLinks } from "./directory-pages";
import { revokeGrants } from "./grant-revocation";
import { adminOrigin, validationFailed } from "./responses";

/**
 * `bind`: an unassignment revokes the grants of the users it leaves without a path to the app
 * (src/admin/grant-revocation.ts), in the same request.
 */
export function appAssignmentsRouter(now: () => number, bind: BindPorts) {
  const router = new Hono<AppEnv>();

  router.get("/:appId/users", async (c) => {
    const appId = await existingApp(c);
    const page = pageParams(c, APP_USERS_PAGE_LIMIT);
    const { users, next } = await listAppUsers(c.env.DIRECTORY, appId, page);
    setDirectoryLinks(c, `/api/v1/apps/${encodeURIComponent(appId)}/users`, page.limit, next);
    return c.json(users.map((u) => appUserView(u, appId, adminOrigin(c))));
  });

  router.post("/:appId/users", async (c) => {
    const appId = await existingApp(c);
    const body = await parsedBody(c, AppUserAssign);
    if (!(await assignUser(c.env.DIRECTORY, appId, body.id, body.profile, now()))) notFound(body.id, "User");
    return c.json(appUserView(await assigned(c, appId, body.id), appId, adminOrigin(c)));
  });

  router.get("/:appId/users/:userId", async (c) => {
    const appId = await existingApp(c);
    return c.json(appUserView(await assigned(c, appId, c.req.param("userId")), appId, adminOrigin(c)));
  });

  router.post("/:appId/users/:userId", async (c) => {
    const appId = await existingApp(c);
    const userId = c.req.param("userId");
    const current = await assigned(c, appId, userId);
    const body = await parsedBody(c, AppUserUpdate);
    // Okta: an update of a user assigned through a group makes the assignment the user's own, with
    // the profile it had unless the update gives one.
    const profile = body.profile ?? (current.scope === "GROUP" ? current.profile : undefined);
    if (!(await assignUser(c.env.DIRECTORY, appId, userId, profile, now()))) notFound(userId, "User");
    return c.json(appUserView(await assigned(c, appId, userId), appId, adminOrigin(c)));
  });

  router.delete("/:appId/users/:userId", async (c) => {
    const appId = await existingApp(c);
    const userId = c.req.param("userId");
    if (await unassignUser(c.env.DIRECTORY, appId, userId)) {
      // A user still assigned through a group keeps the grants: only a user left unassigned loses them.
      await revokeGrants(c, bind, { clientId: appId, userId, unentitled: true }, "user_unassigned", now());
      return c.body(null, 204);
    }
    const current = await assigned(c, appId, userId);
    throw validationFailed([
      {
        path: "scope",
        message: `the user is assigned through group ${current.group?.id ?? ""}: remove the group's assignment or the user's membership`,
      },
    ]);
  });

  router.get("/:appId/groups", async (c) => {
    const appId = await existingApp(c);
    const page = pageParams(c, APP_GROUPS_PAGE_LIMIT);
    const { groups, next } = await listAppGroups(c.env.DIRECTORY, appId, page);
    setDirectoryLinks(c, `/api/v1/apps/${encodeURIComponent(appId)}/groups`, page.limit, next);
    return c.json(groups.map((g) => appGroupView(g, appId, adminOrigin(c))));
  });

  router.put("/:appId/groups/:groupId", async (c) => {
    const appId = await existingApp(c);
    const groupId = c.req.param("groupId");
    if (!(await getGroup(c.env.DIRECTORY, groupId))) notFound(groupId, "UserGroup");
    const body = await parsedBody(c, AppGroupAssign, true);
    const record = await assignGroup(c.env.DIRECTORY, appId, groupId, body, now());
    return c.json(appGroupView(record ?? notFound(groupId, "UserGroup"), appId, adminOrigin(c)));
  });

  router.get("/:appId/groups/:groupId", async (c) => {
    const appId = await existingApp(c);
    const groupId = c.req.param("groupId");
    const record = await appGroup(c.env.DIRECTORY, appId, groupId);
    return c.json(
      appGroupView(record ?? notFound(groupId, "ApplicationGroupAssignment"), appId, adminOrigin(c)),
    );
  });

  router.delete("/:appId/groups/:groupId", async (c) => {
    const appId = await existingApp(c);
    const groupId = c.req.param("groupId");
    if (!(await unassignGroup(c.env.DIRECTORY, appId, groupId))) {
      notFound(groupId, "ApplicationGroupAssignment");
    }
    // The members for whom this group was the only path to the app (Everyone: every user's).
    await revokeGrants(c, bind, { clientId: appId, unentitled: true }, "user_unassigned", now());
    return c.body(null, 204);
  });

  return router;
}

/** The app of the path, read from the control plane (read-your-writes), else 404. */
async function existingApp(c: Context<AppEnv>): Promise<string> {
  const id = c.req.param("appId") ?? "";
  const client = await controlPlane(c.env).getClientRecord(id);
  return client ? client.client_id : notFound(id, "App");
}

/** `userId`'s effective assignment to `appId`, else Okta's 404 for an AppUser. */
async function assigned(c: Context<AppEnv>, appId: string, userId: string): Promise<AppUserRecord> {
  return (await appUser(c.env.DIRECTORY, appId, userId)) ?? notFound(userId, "AppUser");
}

async function parsedBody<T extends z.ZodType>(
  c: Context<AppEnv>,
  schema: T,
  optional = false,
): Promise<z.infer<T>> {
  const body = await readJsonBody(c.req.raw, {
    maxBytes: DIRECTORY_BODY_MAX_BYTES,
    maxDepth: JSON_MAX_DEPTH,
    optional,
  });
  if (profileHasProtoKey(body)) throw validationFailed([{ path: "profile", message: PROTO_KEY_REFUSED }]);
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw validationFailed(toIssues(parsed.error));
  return parsed.data;
}

const iso = (ms: number) => new Date(ms).toISOString();

function appUrl(orgUrl: string, appId: string): string {
  return `${orgUrl}/api/v1/apps/${encodeURIComponent(appId)}`;
}

/**
 * Okta's AppUser for an SSO app without provisioning: `status` ACTIVE, `syncState` DISABLED,
 * `credentials.userName` the user's login; `_links.group` names the group of a GROUP assignment.
 */
function appUserView(record: AppUserRecord, appId: string, orgUrl: string) {
  const app = appUrl(orgUrl, appId);
  const userId = record.user.id;
  const login = (JSON.parse(record.user.profile) as { login?: unknown }).login;
  return {
    id: userId,
    externalId: null,
    created: iso(record.created),
    lastUpdated: iso(record.lastUpdated),
    scope: record.scope,
    status: "ACTIVE",
    statusChanged: iso(record.created),
    passwordChanged: null,
    syncState: "DISABLED",
    lastSync: null,
    credentials: { userName: typeof login === "string" ? login : userId },
    profile: record.profile,
    _links: {
      self: { href: `${app}/users/${encodeURIComponent(userId)}` },
      app: { href: app },
      user: { href: `${orgUrl}/api/v1/users/${encodeURIComponent(userId)}` },
      ...(record.group
        ? { group: { name: record.group.name, href: groupUrl(orgUrl, record.group.id) } }
        : {}),
    },
  };
}

/** Okta's ApplicationGroupAssignment. */
function appGroupView(record: AppGroupRecord, appId: string, orgUrl: string) {
  const app = appUrl(orgUrl, appId);
  return {
    id: record.groupId,
    lastUpdated: iso(record.lastUpdated),
    priority: record.priority,
    profile: record.profile,
    _links: {
      self: { href: `${app}/groups/${encodeURIComponent(record.groupId)}` },
      app: { href: app },
      group: { href: groupUrl(orgUrl, record.groupId) },
    },
  };
}
