/**
 * App assignments in D1 (`app_users`, `app_groups`): Okta issues user tokens only to users assigned
 * to the app, directly (scope USER) or through a group (scope GROUP). A user assigned both ways is
 * the direct assignment; through several groups, the group assignment of the highest priority (the
 * lowest number, as Okta's `priority`), ties broken by group id. Assigning Everyone assigns every
 * user. `app_id` is a client id the control plane holds: D1 cannot reference it, so deleting an app
 * deletes its rows here (`deleteAppAssignments`). Each write is one statement or one `db.batch`.
 */
import { EVERYONE_GROUP_ID } from "./directory";
import { type UserRow, userColumns } from "./users";

/** What the token path asks (src/directory/directory.ts `TokenSubject`). */
export interface Assignment {
  assigned: boolean;
  /** The app user profile (`appuser.*`); null when unassigned. */
  profile: Record<string, unknown> | null;
}

/** A user's effective assignment to an app, with the user, as Okta's AppUser shows it. */
export interface AppUserRecord {
  scope: "USER" | "GROUP";
  profile: Record<string, unknown>;
  created: number;
  lastUpdated: number;
  /** The group the assignment comes through (scope GROUP). */
  group: { id: string; name: string } | null;
  user: UserRow;
}

export interface AppGroupRecord {
  groupId: string;
  priority: number;
  profile: Record<string, unknown>;
  created: number;
  lastUpdated: number;
}

export interface AppUserRow extends UserRow {
  scope: "USER" | "GROUP";
  assignment_profile: string;
  assigned: number;
  assignment_updated: number;
  group_id: string | null;
  group_name: string | null;
}

interface AppGroupRow {
  group_id: string;
  priority: number;
  profile: string;
  created: number;
  last_updated: number;
}

/**
 * The effective assignments of one user (`one`: ?2 is its id) or of a page of users after a cursor
 * (`page`: ?2 is the last id of the page before), one per user in id order: direct ones, those
 * through a group the user is in, and those through Everyone (every user). ?1 app, ?2 user or
 * cursor, ?3 Everyone's id, ?4 the row limit.
 *
 * A page first picks its users (`page`): the first ?4 ids of each way to be assigned, each arm
 * walking an index in id order and stopping at ?4, so an app assigned to Everyone reads about a
 * page of users, not every user after the cursor. (The ranking below must see all of a user's
 * assignments, so it cannot stop early itself: before, it ranked every user in the directory for
 * every page.) The page's first ?4 ids are among the arms' first ?4 each.
 */
function effectiveSql(users: "one" | "page"): string {
  const who = users === "one" ? "= ?2" : "IN (SELECT user_id FROM page)";
  const page =
    users === "one"
      ? ""
      : `page AS (
      SELECT user_id FROM (
        SELECT * FROM (SELECT user_id FROM app_users WHERE app_id = ?1 AND user_id > ?2
                        ORDER BY user_id LIMIT ?4)
        UNION
        SELECT * FROM (SELECT DISTINCT m.user_id FROM app_groups AS ag
                         JOIN group_members AS m ON m.group_id = ag.group_id
                        WHERE ag.app_id = ?1 AND m.user_id > ?2 ORDER BY m.user_id LIMIT ?4)
        UNION
        SELECT * FROM (SELECT u.id FROM users AS u
                        WHERE u.id > ?2
                          AND EXISTS (SELECT 1 FROM app_groups WHERE app_id = ?1 AND group_id = ?3)
                        ORDER BY u.id LIMIT ?4)
      ) ORDER BY user_id LIMIT ?4
    ), `;
  return `WITH ${page}candidates AS (
      SELECT a.user_id, 'USER' AS scope, a.profile, a.created, a.last_updated,
             NULL AS group_id, NULL AS group_name, 0 AS via, 0 AS priority
        FROM app_users AS a WHERE a.app_id = ?1 AND a.user_id ${who}
      UNION ALL
      SELECT m.user_id, 'GROUP', ag.profile, ag.created, ag.last_updated, ag.group_id, g.name, 1, ag.priority
        FROM app_groups AS ag
        JOIN groups AS g ON g.id = ag.group_id
        JOIN group_members AS m ON m.group_id = ag.group_id
       WHERE ag.app_id = ?1 AND m.user_id ${who}
      UNION ALL
      SELECT u.id, 'GROUP', ag.profile, ag.created, ag.last_updated, ag.group_id, g.name, 1, ag.priority
        FROM app_groups AS ag
        JOIN groups AS g ON g.id = ag.group_id
        JOIN users AS u
       WHERE ag.app_id = ?1 AND ag.group_id = ?3 AND u.id ${who}
    ), ranked AS (
      SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY via, priority, group_id) AS rank
        FROM candidates
    )
    SELECT r.scope, r.profile AS assignment_profile, r.created AS assigned,
           r.last_updated AS assignment_updated, r.group_id, r.group_name, ${userColumns("u")}
      FROM ranked AS r JOIN users AS u ON u.id = r.user_id
     WHERE r.rank = 1
     ORDER BY r.user_id
     LIMIT ?4`;
}

export function appUserFromRow(row: AppUserRow): AppUserRecord {
  return {
    scope: row.scope,
    profile: JSON.parse(row.assignment_profile) as Record<string, unknown>,
    created: row.assigned,
    lastUpdated: row.assignment_updated,
    group: row.group_id === null ? null : { id: row.group_id, name: row.group_name ?? "" },
    user: row,
  };
}

/**
 * Whether `userId` is assigned to `appId` and with which app user profile: the direct assignment
 * first, else the highest-priority group assignment. One statement; for the user grants.
 */
export async function assignmentOf(db: D1Database, appId: string, userId: string): Promise<Assignment> {
  const record = await appUser(db, appId, userId);
  return record ? { assigned: true, profile: record.profile } : { assigned: false, profile: null };
}

/** `userId`'s effective assignment to `appId`, or null. */
export async function appUser(db: D1Database, appId: string, userId: string): Promise<AppUserRecord | null> {
  const row = await appUserStatement(db, appId, userId).first<AppUserRow>();
  return row ? appUserFromRow(row) : null;
}

/** The statement of `appUser`, for a caller that batches it with others (rows: `appUserFromRow`). */
export function appUserStatement(db: D1Database, appId: string, userId: string): D1PreparedStatement {
  return db.prepare(effectiveSql("one")).bind(appId, userId, EVERYONE_GROUP_ID, 1);
}

/** One page of `appId`'s assigned users (direct and through groups) in user id order. */
export async function listAppUsers(
  db: D1Database,
  appId: string,
  page: { limit: number; after?: string },
): Promise<{ users: AppUserRecord[]; next?: string }> {
  const { results } = await db
    .prepare(effectiveSql("page"))
    .bind(appId, page.after ?? "", EVERYONE_GROUP_ID, page.limit + 1)
    .all<AppUserRow>();
  const users = results.slice(0, page.limit).map(appUserFromRow);
  return results.length > page.limit ? { users, next: users.at(-1)?.user.id } : { users };
}

/**
 * Assigns `userId` to `appId` directly, or updates the direct assignment; `profile` undefined keeps
 * the one stored (or `{}`). False when there is no such user (nothing written).
 */
export async function assignUser(
  db: D1Database,
  appId: string,
  userId: string,
  profile: Record<string, unknown> | undefined,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO app_users (app_id, user_id, profile, created, last_updated)
       SELECT ?1, ?2, coalesce(?3, '{}'), ?4, ?4 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)
       ON CONFLICT (app_id, user_id) DO UPDATE
         SET profile = coalesce(?3, app_users.profile), last_updated = ?4`,
    )
    .bind(appId, userId, profile === undefined ? null : JSON.stringify(profile), nowMs)
    .run();
  return result.meta.changes > 0;
}

/** Removes the direct assignment; whether there was one. */
export async function unassignUser(db: D1Database, appId: string, userId: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM app_users WHERE app_id = ? AND user_id = ?")
    .bind(appId, userId)
    .run();
  return result.meta.changes > 0;
}

/**
 * Assigns `groupId` to `appId`, or updates its assignment: a given priority or profile replaces the
 * stored one, an absent one keeps it. A new assignment without a priority goes last (after the
 * app's lowest), so adding a group never changes which profile existing users get. Null when there
 * is no such group (nothing written).
 */
export async function assignGroup(
  db: D1Database,
  appId: string,
  groupId: string,
  change: { priority?: number; profile?: Record<string, unknown> },
  nowMs: number,
): Promise<AppGroupRecord | null> {
  const row = await db
    .prepare(
      `INSERT INTO app_groups (app_id, group_id, priority, profile, created, last_updated)
       SELECT ?1, ?2,
              coalesce(?3, (SELECT coalesce(max(priority) + 1, 0) FROM app_groups WHERE app_id = ?1)),
              coalesce(?4, '{}'), ?5, ?5
        WHERE EXISTS (SELECT 1 FROM groups WHERE id = ?2)
       ON CONFLICT (app_id, group_id) DO UPDATE
         SET priority = coalesce(?3, app_groups.priority),
             profile = coalesce(?4, app_groups.profile),
             last_updated = ?5
       RETURNING group_id, priority, profile, created, last_updated`,
    )
    .bind(
      appId,
      groupId,
      change.priority ?? null,
      change.profile === undefined ? null : JSON.stringify(change.profile),
      nowMs,
    )
    .first<AppGroupRow>();
  return row ? appGroupFromRow(row) : null;
}

export async function appGroup(
  db: D1Database,
  appId: string,
  groupId: string,
): Promise<AppGroupRecord | null> {
  const row = await db
    .prepare(
      "SELECT group_id, priority, profile, created, last_updated FROM app_groups WHERE app_id = ? AND group_id = ?",
    )
    .bind(appId, groupId)
    .first<AppGroupRow>();
  return row ? appGroupFromRow(row) : null;
}

/** Removes `groupId`'s assignment to `appId`; whether there was one. */
export async function unassignGroup(db: D1Database, appId: string, groupId: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM app_groups WHERE app_id = ? AND group_id = ?")
    .bind(appId, groupId)
    .run();
  return result.meta.changes > 0;
}

/** One page of `appId`'s group assignments in group id order; `q` a case-insensitive name prefix. */
export async function listAppGroups(
  db: D1Database,
  appId: string,
  page: { q?: string; limit: number; after?: string },
): Promise<{ groups: AppGroupRecord[]; next?: string }> {
  const { results } = await db
    .prepare(
      `SELECT ag.group_id, ag.priority, ag.profile, ag.created, ag.last_updated
         FROM app_groups AS ag JOIN groups AS g ON g.id = ag.group_id
        WHERE ag.app_id = ?1 AND ag.group_id > ?2
          AND (?3 IS NULL OR substr(g.name_key, 1, length(?3)) = lower(?3))
        ORDER BY ag.group_id LIMIT ?4`,
    )
    .bind(appId, page.after ?? "", page.q ?? null, page.limit + 1)
    .all<AppGroupRow>();
  const groups = results.slice(0, page.limit).map(appGroupFromRow);
  return results.length > page.limit ? { groups, next: groups.at(-1)?.groupId } : { groups };
}

/** Every assignment of `appId`, users and groups: the control plane has deleted the app. */
export async function deleteAppAssignments(db: D1Database, appId: string): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM app_users WHERE app_id = ?").bind(appId),
    db.prepare("DELETE FROM app_groups WHERE app_id = ?").bind(appId),
  ]);
}

function appGroupFromRow(row: AppGroupRow): AppGroupRecord {
  return {
    groupId: row.group_id,
    priority: row.priority,
    profile: JSON.parse(row.profile) as Record<string, unknown>,
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

/** The apps `groupId` is assigned to (read before the group is deleted: its grants may lose their path). */
export async function appsOfGroup(db: D1Database, groupId: string): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT app_id FROM app_groups WHERE group_id = ?1")
    .bind(groupId)
    .all<{ app_id: string }>();
  return results.map((r) => r.app_id);
}
