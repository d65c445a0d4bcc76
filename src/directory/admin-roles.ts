/**
 * Admin role assignments in D1 (migrations/0007_admin_roles.sql): Okta's Role Assignment API for
 * users (src/admin/user-roles.ts) writes them; the management API's authentication reads them at
 * every request made with a user's org access token (src/admin/auth.ts), and the org server when it
 * grants a user okta.* scopes (src/oauth/org/org-server.ts, through the subject's `adminRoles`).
 * Every query binds its values: no caller's text reaches the SQL.
 */
import type { AdminRoleType } from "../config/admin-roles";
import { newObjectId } from "../crypto/object-id";
import type { UserStatus } from "./directory";

export interface StoredAdminRole {
  id: string;
  userId: string;
  type: AdminRoleType;
  /** Epoch ms. */
  created: number;
  lastUpdated: number;
}

interface Row {
  id: string;
  user_id: string;
  type: AdminRoleType;
  created: number;
  last_updated: number;
}

function fromRow(row: Row): StoredAdminRole {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type,
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

/** A user's assignments, oldest first (Okta lists them in assignment order). */
export async function listAdminRoles(db: D1Database, userId: string): Promise<StoredAdminRole[]> {
  const { results } = await db
    .prepare("SELECT * FROM admin_roles WHERE user_id = ?1 ORDER BY created, id")
    .bind(userId)
    .all<Row>();
  return results.map(fromRow);
}

/** One assignment of `userId` by id; null when there is none (or it is another user's). */
export async function getAdminRole(
  db: D1Database,
  userId: string,
  roleId: string,
): Promise<StoredAdminRole | null> {
  const row = await db
    .prepare("SELECT * FROM admin_roles WHERE id = ?1 AND user_id = ?2")
    .bind(roleId, userId)
    .first<Row>();
  return row ? fromRow(row) : null;
}

/**
 * Assigns `type` to `userId`: the new assignment, or `duplicate` when the user holds that role
 * already (the unique key decides, so two racing assignments make one row), or `no_user` when the
 * user was deleted in between (the foreign key refuses the row: nothing is written).
 */
export async function assignAdminRole(
  db: D1Database,
  userId: string,
  type: AdminRoleType,
  nowMs: number,
): Promise<{ ok: true; role: StoredAdminRole } | { ok: false; reason: "duplicate" | "no_user" }> {
  const id = newObjectId("ra");
  try {
    const row = await db
      .prepare(
        `INSERT INTO admin_roles (id, user_id, type, created, last_updated) VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (user_id, type) DO NOTHING RETURNING *`,
      )
      .bind(id, userId, type, nowMs)
      .first<Row>();
    return row ? { ok: true, role: fromRow(row) } : { ok: false, reason: "duplicate" };
  } catch (error) {
    if (String(error).includes("FOREIGN KEY")) return { ok: false, reason: "no_user" };
    throw error;
  }
}

/** Removes one assignment of `userId`; whether there was one. */
export async function removeAdminRole(db: D1Database, userId: string, roleId: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM admin_roles WHERE id = ?1 AND user_id = ?2")
    .bind(roleId, userId)
    .run();
  return (result.meta.changes ?? 0) > 0;
}

/** What an admin request with a user's token needs: the user's status now and its roles; null when there is no such user. */
export interface AdminStanding {
  status: UserStatus;
  roles: AdminRoleType[];
}

/** The user's status and role types in one query (one round trip per admin request). */
export async function adminStanding(db: D1Database, userId: string): Promise<AdminStanding | null> {
  const { results } = await db
    .prepare(
      `SELECT u.status AS status, r.type AS type FROM users u
       LEFT JOIN admin_roles r ON r.user_id = u.id WHERE u.id = ?1`,
    )
    .bind(userId)
    .all<{ status: UserStatus; type: AdminRoleType | null }>();
  const first = results[0];
  if (!first) return null;
  return {
    status: first.status,
    roles: results.flatMap((r) => (r.type ? [r.type] : [])),
  };
}

/** The statement `subject` batches with its other reads (src/directory/d1-directory.ts). */
export function adminRolesStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare("SELECT type FROM admin_roles WHERE user_id = ?1").bind(userId);
}
