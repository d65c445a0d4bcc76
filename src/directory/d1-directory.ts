/**
 * The `Directory` port (directory.ts) over D1 (`DIRECTORY`, migrations/0002_directory.sql). Built
 * once per `env` (src/context.ts) and only holds the binding: nothing here runs until a user grant,
 * Token Preview or an admin path calls it, so the client_credentials path never touches D1.
 *
 * `subject` reads a user, its groups and its assignment to one app in one `batch` (one round trip,
 * one consistent read: D1 runs a batch as a single transaction).
 */
import {
  type Directory,
  type DirectoryGroup,
  type DirectoryUser,
  EVERYONE_GROUP_ID,
  type TokenSubject,
  USER_STATUSES,
  type UserStatus,
} from "./directory";
import { checkPassword } from "./sign-in";

export function d1Directory(db: D1Database): Directory {
  return {
    checkPassword: (login, password, nowMs) => checkPassword(db, login, password, nowMs),
    subject: (userId, clientId) => readSubject(db, userId, clientId),
  };
}

interface UserRow {
  id: string;
  status: string;
  profile: string;
}

interface GroupRow {
  id: string;
  type: string;
  profile: string;
}

interface AssignmentRow {
  profile: string;
}

/**
 * Groups: the user's memberships and Everyone (whose members are not stored: every user is one),
 * Everyone first, then by name. Assignment: the direct one (`app_users`), else the group assignment
 * of highest priority (Okta: the lowest `priority` number wins) among the user's groups, Everyone
 * included: assigning Everyone to an app assigns every user.
 */
async function readSubject(db: D1Database, userId: string, clientId: string): Promise<TokenSubject | null> {
  const [users, groups, direct, viaGroup] = await db.batch([
    db.prepare("SELECT id, status, profile FROM users WHERE id = ?1").bind(userId),
    db
      .prepare(
        `SELECT g.id, g.type, g.profile FROM groups g
         WHERE g.id = ?2 OR g.id IN (SELECT group_id FROM group_members WHERE user_id = ?1)
         ORDER BY g.id <> ?2, g.name_key, g.id`,
      )
      .bind(userId, EVERYONE_GROUP_ID),
    db.prepare("SELECT profile FROM app_users WHERE app_id = ?1 AND user_id = ?2").bind(clientId, userId),
    db
      .prepare(
        `SELECT a.profile FROM app_groups a
         WHERE a.app_id = ?1
           AND (a.group_id = ?3 OR a.group_id IN (SELECT group_id FROM group_members WHERE user_id = ?2))
         ORDER BY a.priority, a.created, a.group_id LIMIT 1`,
      )
      .bind(clientId, userId, EVERYONE_GROUP_ID),
  ]);
  const row = (users?.results as UserRow[] | undefined)?.[0];
  if (!row) return null;
  const user = toUser(row);
  const assignment =
    (direct?.results as AssignmentRow[] | undefined)?.[0] ??
    (viaGroup?.results as AssignmentRow[] | undefined)?.[0];
  return {
    user,
    groups: ((groups?.results as GroupRow[] | undefined) ?? []).map(toGroup),
    assigned: assignment !== undefined,
    appProfile: assignment ? jsonObject(assignment.profile) : null,
  };
}

function toUser(row: UserRow): DirectoryUser {
  const profile = jsonObject(row.profile);
  return {
    id: row.id,
    status: isUserStatus(row.status) ? row.status : "DEPROVISIONED",
    profile: { ...profile, login: typeof profile.login === "string" ? profile.login : "" },
  };
}

function toGroup(row: GroupRow): DirectoryGroup {
  const profile = jsonObject(row.profile);
  return {
    id: row.id,
    type: row.type === "BUILT_IN" ? "BUILT_IN" : "OKTA_GROUP",
    profile: { ...profile, name: typeof profile.name === "string" ? profile.name : "" },
  };
}

function isUserStatus(value: string): value is UserStatus {
  return (USER_STATUSES as readonly string[]).includes(value);
}

/** A stored JSON object; anything else (never written by Warden) reads as empty, not as a 500. */
function jsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
