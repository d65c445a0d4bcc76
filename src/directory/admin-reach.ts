/**
 * Which admins a directory or app write reaches: the role types (migrations/0007_admin_roles.sql)
 * held by the users whose access a write would end, so that src/admin/user-roles.ts can require the
 * rights those roles give (DESIGN §8: a narrow admin right never grows into a wider one, and a
 * narrower admin must not sign a wider one out). Each answer is one statement over the few rows of
 * `admin_roles`; every value is bound, no caller's text reaches the SQL.
 */
import type { AdminRoleType } from "../config/admin-roles";
import { EVERYONE_GROUP_ID } from "./directory";
import { entitledSql } from "./grant-index";

async function roleTypes(statement: D1PreparedStatement): Promise<AdminRoleType[]> {
  const { results } = await statement.all<{ type: AdminRoleType }>();
  return results.map((r) => r.type);
}

/**
 * Unassigning group `groupId` from app `appId` (`DELETE /apps/{appId}/groups/{groupId}`): the roles
 * of the group's members (Everyone: every user) for whom that assignment is the only path to the
 * app — no direct assignment, no other assigned group, Everyone not assigned otherwise. Their grants
 * for the app end with it (src/admin/app-assignments.ts). Nothing when the group is not assigned.
 */
export function rolesLosingAppWithGroup(db: D1Database, appId: string, groupId: string) {
  return roleTypes(
    db
      .prepare(
        `SELECT DISTINCT r.type FROM admin_roles AS r
          WHERE EXISTS (SELECT 1 FROM app_groups WHERE app_id = ?1 AND group_id = ?2)
            AND (?2 = ?3 OR EXISTS (SELECT 1 FROM group_members AS m WHERE m.group_id = ?2 AND m.user_id = r.user_id))
            AND NOT EXISTS (SELECT 1 FROM app_users AS au WHERE au.app_id = ?1 AND au.user_id = r.user_id)
            AND NOT EXISTS (SELECT 1 FROM app_groups AS ag WHERE ag.app_id = ?1 AND ag.group_id <> ?2
                  AND (ag.group_id = ?3 OR EXISTS (SELECT 1 FROM group_members AS gm
                                                    WHERE gm.group_id = ag.group_id AND gm.user_id = r.user_id)))`,
      )
      .bind(appId, groupId, EVERYONE_GROUP_ID),
  );
}

/**
 * Deleting group `groupId` (`DELETE /groups/{groupId}`): the roles of its members. The deletion
 * removes every membership at once, which `DELETE /groups/{groupId}/users/{userId}` guards one
 * member at a time.
 */
export function rolesOfGroupMembers(db: D1Database, groupId: string) {
  return roleTypes(
    db
      .prepare(
        `SELECT DISTINCT r.type FROM admin_roles AS r
          JOIN group_members AS m ON m.user_id = r.user_id AND m.group_id = ?1`,
      )
      .bind(groupId),
  );
}

/**
 * Deactivating or deleting app `appId`: the roles of the users it signs out. Every user holding an
 * ACTIVE grant for it (src/admin/apps.ts revokes them all, as taking each user out of the app
 * would); and when `carriesAdminRights` — an app of the org server with okta.* grants, as the admin
 * console is — every user who can act through it, assigned directly, through a group or Everyone:
 * the management API refuses every token of an inactive app (src/admin/auth.ts), refresh token or not.
 */
export function rolesSignedOutWithApp(db: D1Database, appId: string, carriesAdminRights: boolean) {
  return roleTypes(
    db
      .prepare(
        `SELECT DISTINCT r.type FROM admin_roles AS r
          WHERE EXISTS (SELECT 1 FROM grant_index AS gi
                         WHERE gi.user_id = r.user_id AND gi.client_id = ?1 AND gi.status = 'ACTIVE')
             OR (?3 = 1 AND ${entitledSql("?1", "r.user_id", "?2")})`,
      )
      .bind(appId, EVERYONE_GROUP_ID, carriesAdminRights ? 1 : 0),
  );
}
