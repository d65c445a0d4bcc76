/**
 * Group memberships in D1 (`group_members`). Everyone's members are not stored: every user is one,
 * so its member list is the users table and every user's groups start with it. A membership write is
 * one `db.batch` (one transaction): the row, and the group's `lastMembershipUpdated` only when the
 * row really changed, so repeating a PUT or DELETE (idempotent, as Okta) leaves the group as it was.
 */
import { type DirectoryGroup, EVERYONE_GROUP_ID } from "./directory";
import { type GroupRow, groupColumns, groupFromRow, type StoredGroup } from "./groups";
import { type UserRow, userColumns } from "./users";

/**
 * Every group `userId` is in, Everyone first, then by name: what the token path's GROUPS claims,
 * `Groups.*` expressions and people conditions read. Everyone is included whether or not the user
 * exists; callers ask about users they hold.
 */
export async function groupsOf(db: D1Database, userId: string): Promise<DirectoryGroup[]> {
  return (await userGroups(db, userId)).map(({ id, type, profile }) => ({ id, type, profile }));
}

/** `groupsOf` with the times the Groups API shows. One statement. */
export async function userGroups(db: D1Database, userId: string): Promise<StoredGroup[]> {
  const { results } = await userGroupsStatement(db, userId).all<GroupRow>();
  return results.map(groupFromRow);
}

/** The statement of `userGroups`, for a caller that batches it with others (rows: `groupFromRow`). */
export function userGroupsStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT ${groupColumns("g")} FROM groups AS g
       WHERE g.id = ? OR g.id IN (SELECT group_id FROM group_members WHERE user_id = ?)
       ORDER BY g.id = ? DESC, g.name_key`,
    )
    .bind(EVERYONE_GROUP_ID, userId, EVERYONE_GROUP_ID);
}

/**
 * Adds `userId` to the OKTA_GROUP `groupId`; whether a row was added (false when it was there
 * already, or when the user or group is not: the route has told those apart before). `INSERT …
 * SELECT … WHERE EXISTS` rather than relying on the foreign keys, so a user deleted meanwhile is no
 * constraint error (a 500) but a no-op.
 */
export async function addMember(
  db: D1Database,
  groupId: string,
  userId: string,
  nowMs: number,
): Promise<boolean> {
  const [insert] = await db.batch([
    db
      .prepare(
        `INSERT INTO group_members (group_id, user_id, added)
         SELECT ?1, ?2, ?3
         WHERE EXISTS (SELECT 1 FROM groups WHERE id = ?1 AND type = 'OKTA_GROUP')
           AND EXISTS (SELECT 1 FROM users WHERE id = ?2)
         ON CONFLICT (group_id, user_id) DO NOTHING`,
      )
      .bind(groupId, userId, nowMs),
    touched(db, groupId, nowMs),
  ]);
  return (insert?.meta.changes ?? 0) > 0;
}

/** Removes `userId` from `groupId`; whether a row was there to remove. */
export async function removeMember(
  db: D1Database,
  groupId: string,
  userId: string,
  nowMs: number,
): Promise<boolean> {
  const [removal] = await db.batch([
    db.prepare("DELETE FROM group_members WHERE group_id = ? AND user_id = ?").bind(groupId, userId),
    touched(db, groupId, nowMs),
  ]);
  return (removal?.meta.changes ?? 0) > 0;
}

/** `changes()` is the batch's previous statement's row count: the time moves only on a real change. */
function touched(db: D1Database, groupId: string, nowMs: number): D1PreparedStatement {
  return db
    .prepare("UPDATE groups SET last_membership_updated = ? WHERE id = ? AND changes() > 0")
    .bind(nowMs, groupId);
}

/** One page of `groupId`'s members in id order (every user for Everyone), and the next cursor. */
export async function listMembers(
  db: D1Database,
  groupId: string,
  page: { limit: number; after?: string },
): Promise<{ users: UserRow[]; next?: string }> {
  const after = page.after ?? "";
  const statement =
    groupId === EVERYONE_GROUP_ID
      ? db
          .prepare(`SELECT ${userColumns("u")} FROM users AS u WHERE u.id > ? ORDER BY u.id LIMIT ?`)
          .bind(after, page.limit + 1)
      : db
          .prepare(
            `SELECT ${userColumns("u")} FROM group_members AS m JOIN users AS u ON u.id = m.user_id
             WHERE m.group_id = ? AND m.user_id > ? ORDER BY m.user_id LIMIT ?`,
          )
          .bind(groupId, after, page.limit + 1);
  const { results } = await statement.all<UserRow>();
  const users = results.slice(0, page.limit);
  return results.length > page.limit ? { users, next: users.at(-1)?.id } : { users };
}

/** Whether a user `userId` exists (the member routes' 404). */
export async function userExists(db: D1Database, userId: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS found FROM users WHERE id = ?").bind(userId).first()) !== null;
}
