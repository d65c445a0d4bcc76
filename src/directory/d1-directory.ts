/**
 * The `Directory` port (directory.ts) over D1 (`DIRECTORY`, migrations/0002_directory.sql). Built
 * once per `env` (src/context.ts) and only holds the binding: nothing here runs until a user grant,
 * Token Preview or an admin path calls it, so the client_credentials path never touches D1.
 *
 * `subject` reads a user, its groups, its assignment to one app and its admin roles in one `batch` (one round trip,
 * one consistent read: D1 runs a batch as a single transaction), with the very statements the
 * Groups and App Users APIs answer from, so a token and the admin's view never disagree.
 */
import type { AdminRoleType } from "../config/admin-roles";
import { adminRolesStatement } from "./admin-roles";
import { type AppUserRow, appUserFromRow, appUserStatement } from "./assignments";
import type { Directory, TokenSubject } from "./directory";
import { type GroupRow, groupFromRow } from "./groups";
import { userGroupsStatement } from "./memberships";
import { checkPassword } from "./sign-in";
import { toUserRecord, type UserRow, userColumns } from "./users";

export function d1Directory(db: D1Database): Directory {
  return {
    checkPassword: (login, password, nowMs) => checkPassword(db, login, password, nowMs),
    subject: (userId, clientId) => readSubject(db, userId, clientId),
  };
}

async function readSubject(db: D1Database, userId: string, clientId: string): Promise<TokenSubject | null> {
  const [users, groups, assignment, roles] = await db.batch<unknown>([
    db.prepare(`SELECT ${userColumns()} FROM users WHERE id = ?`).bind(userId),
    userGroupsStatement(db, userId),
    appUserStatement(db, clientId, userId),
    adminRolesStatement(db, userId),
  ]);
  const row = users?.results[0] as UserRow | undefined;
  if (!row) return null;
  const { id, status, profile, lastUpdated } = toUserRecord(row);
  const appUser = assignment?.results[0] as AppUserRow | undefined;
  return {
    user: { id, status, profile, lastUpdated },
    groups: ((groups?.results ?? []) as GroupRow[])
      .map(groupFromRow)
      .map(({ id, type, profile }) => ({ id, type, profile })),
    assigned: appUser !== undefined,
    appProfile: appUser ? appUserFromRow(appUser).profile : null,
    adminRoles: ((roles?.results ?? []) as { type: AdminRoleType }[]).map((r) => r.type),
  };
}
