/**
 * `/api/v1/groups`, Okta's Groups API on the directory (D1): list (`q` name prefix, `filter`,
 * `search`, `limit`, `after`, `Link`), create, get, replace (PUT), delete, and members (`GET
 * /groups/{id}/users`, `PUT` / `DELETE /groups/{id}/users/{userId}` → 204, idempotent as Okta).
 * The BUILT_IN `Everyone` is listed and readable, its members are every user, and every write to it
 * is Okta's 400 E0000060 "Unsupported operation.". A group name is unique without regard to case:
 * a second one is Okta's 400 E0000001 on `name`. Rights: okta.groups.read / manage (src/admin/auth.ts).
 */
import { type Context, Hono } from "hono";
import {
  DIRECTORY_BODY_MAX_BYTES,
  GROUP_MEMBERS_PAGE_LIMIT,
  GROUP_SEARCH_MAX_PARAMS,
  GROUPS_PAGE_LIMIT,
  JSON_MAX_DEPTH,
} from "../config/defaults";
import { toIssues } from "../config/issues";
import type { AppEnv, BindPorts } from "../context";
import { newObjectId } from "../crypto/object-id";
import { appsOfGroup } from "../directory/assignments";
import { EVERYONE_GROUP_ID } from "../directory/directory";
import { type GroupQueryKind, groupCondition } from "../directory/group-search";
import { groupView } from "../directory/group-view";
import {
  createGroup,
  deleteGroup,
  type GroupWrite,
  getGroup,
  listGroups,
  replaceGroup,
  type StoredGroup,
} from "../directory/groups";
import { addMember, listMembers, removeMember, userExists } from "../directory/memberships";
import { GroupWrite as GroupBody } from "../directory/profile-schema";
import { PROTO_KEY_REFUSED, profileHasProtoKey } from "../directory/user-profile";
import { userView } from "../directory/user-view";
import { toUserRecord } from "../directory/users";
import { ApiError } from "../errors";
import { readJsonBody } from "../http/json-body";
import { FilterError, type SqlCondition } from "../log/filter";
import { notFound } from "./control-plane-client";
import { pageParams, setDirectoryLinks } from "./directory-pages";
import { revokeGrants } from "./grant-revocation";
import { refuseIfRulesName } from "./people-references";
import { adminOrigin, validationFailed } from "./responses";

/**
 * `bind`: removing a member, or deleting a group, revokes the grants of users for whom the group was
 * the only path to an app (src/admin/grant-revocation.ts).
 */
export function groupsRouter(now: () => number, bind: BindPorts) {
  const router = new Hono<AppEnv>();

  router.get("/", async (c) => {
    const page = pageParams(c, GROUPS_PAGE_LIMIT);
    const condition = and(searchCondition(c, "filter"), searchCondition(c, "search"));
    if (condition && condition.params.length > GROUP_SEARCH_MAX_PARAMS) {
      throw new ApiError("E0000031", "Invalid search criteria.", [
        { errorSummary: `filter and search compare with more than ${GROUP_SEARCH_MAX_PARAMS} values in all` },
      ]);
    }
    const { groups, next } = await listGroups(c.env.DIRECTORY, {
      ...page,
      ...(condition ? { condition } : {}),
    });
    setDirectoryLinks(c, "/api/v1/groups", page.limit, next);
    return c.json(groups.map((g) => groupView(g, adminOrigin(c))));
  });

  router.post("/", async (c) => {
    const profile = await groupProfile(c);
    const group = written(await createGroup(c.env.DIRECTORY, newObjectId("00g"), profile, now()), "");
    // Okta answers a group's creation with 200, not 201.
    return c.json(groupView(group, adminOrigin(c)));
  });

  router.get("/:groupId", async (c) => {
    return c.json(groupView(await existingGroup(c), adminOrigin(c)));
  });

  router.put("/:groupId", async (c) => {
    const group = await writableGroup(c);
    const profile = await groupProfile(c);
    const replaced = written(await replaceGroup(c.env.DIRECTORY, group.id, profile, now()), group.id);
    return c.json(groupView(replaced, adminOrigin(c)));
  });

  router.delete("/:groupId", async (c) => {
    const group = await writableGroup(c);
    await refuseIfRulesName(c, { groups: [group.id] }, "group");
    // The apps the group is assigned to, read before the delete takes those rows with it: only
    // their grants can lose their path.
    const apps = await appsOfGroup(c.env.DIRECTORY, group.id);
    if (!(await deleteGroup(c.env.DIRECTORY, group.id))) notFound(group.id, "UserGroup");
    for (const clientId of apps) {
      await revokeGrants(c, bind, { clientId, unentitled: true }, "user_unassigned", now());
    }
    return c.body(null, 204);
  });

  router.get("/:groupId/users", async (c) => {
    const group = await existingGroup(c);
    const page = pageParams(c, GROUP_MEMBERS_PAGE_LIMIT);
    const { users, next } = await listMembers(c.env.DIRECTORY, group.id, page);
    setDirectoryLinks(c, `/api/v1/groups/${encodeURIComponent(group.id)}/users`, page.limit, next);
    return c.json(users.map((u) => userView(toUserRecord(u), adminOrigin(c))));
  });

  router.put("/:groupId/users/:userId", async (c) => {
    const { group, userId } = await membership(c);
    await addMember(c.env.DIRECTORY, group.id, userId, now());
    return c.body(null, 204);
  });

  router.delete("/:groupId/users/:userId", async (c) => {
    const { group, userId } = await membership(c);
    await removeMember(c.env.DIRECTORY, group.id, userId, now());
    await revokeGrants(c, bind, { userId, unentitled: true }, "user_unassigned", now());
    return c.body(null, 204);
  });

  return router;
}

async function existingGroup(c: Context<AppEnv>): Promise<StoredGroup> {
  const id = c.req.param("groupId") ?? "";
  return (await getGroup(c.env.DIRECTORY, id)) ?? notFound(id, "UserGroup");
}

/**
 * Okta's answer to a write to the BUILT_IN Everyone (a change, a delete, a member added or removed):
 * 400 E0000060. Its membership is implicit: every user is a member, always.
 */
export function everyoneIsReadOnly(): ApiError {
  return new ApiError("E0000060", "Unsupported operation.", [
    {
      errorSummary:
        "Everyone is a BUILT_IN group: it cannot be changed or deleted, and every user is its member.",
    },
  ]);
}

/** The group of the path when a write may change it: 404 when there is none, E0000060 for Everyone. */
async function writableGroup(c: Context<AppEnv>): Promise<StoredGroup> {
  const group = await existingGroup(c);
  if (group.type === "BUILT_IN" || group.id === EVERYONE_GROUP_ID) throw everyoneIsReadOnly();
  return group;
}

/** The writable group and the existing user of `/groups/{groupId}/users/{userId}`, in Okta's order. */
async function membership(c: Context<AppEnv>): Promise<{ group: StoredGroup; userId: string }> {
  const group = await writableGroup(c);
  const userId = c.req.param("userId") ?? "";
  if (!(await userExists(c.env.DIRECTORY, userId))) notFound(userId, "User");
  return { group, userId };
}

async function groupProfile(c: Context<AppEnv>) {
  const body = await readJsonBody(c.req.raw, {
    maxBytes: DIRECTORY_BODY_MAX_BYTES,
    maxDepth: JSON_MAX_DEPTH,
  });
  if (profileHasProtoKey(body)) throw validationFailed([{ path: "profile", message: PROTO_KEY_REFUSED }]);
  const parsed = GroupBody.safeParse(body);
  if (!parsed.success) throw validationFailed(toIssues(parsed.error));
  return parsed.data.profile;
}

/** A store's answer as the group, or Okta's error: a taken name (400 on `name`), a group gone (404). */
function written(result: GroupWrite, id: string): StoredGroup {
  if (result.ok) return result.group;
  if (result.reason === "duplicate_name") {
    throw validationFailed([
      { path: "name", message: "An object with this field already exists in the current organization" },
    ]);
  }
  return notFound(id, "UserGroup");
}

/** The compiled `filter` or `search` parameter, if given; one that does not parse is 400 E0000031. */
function searchCondition(c: Context<AppEnv>, kind: GroupQueryKind): SqlCondition | undefined {
  const text = c.req.query(kind);
  if (text === undefined) return undefined;
  try {
    return groupCondition(text, kind);
  } catch (error) {
    if (error instanceof FilterError) {
      throw new ApiError("E0000031", "Invalid search criteria.", [
        { errorSummary: `${kind}: ${error.message}` },
      ]);
    }
    throw error;
  }
}

function and(a: SqlCondition | undefined, b: SqlCondition | undefined): SqlCondition | undefined {
  if (!a || !b) return a ?? b;
  return { sql: `(${a.sql} AND ${b.sql})`, params: [...a.params, ...b.params] };
}
