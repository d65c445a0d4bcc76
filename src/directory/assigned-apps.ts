/**
 * The apps one user or one group is assigned to, for Okta's `GET /api/v1/apps?filter=user.id eq
 * "…"` / `group.id eq "…"` (src/admin/app-filter.ts): app ids in id order, a page at a time, the id
 * itself the cursor. A user's apps are its direct assignments, those through a group it is in, and
 * those through Everyone (every user that exists), each app once, as Okta lists them.
 */
import { EVERYONE_GROUP_ID } from "./directory";

export type AssignedTo = { kind: "user" | "group"; id: string };

export interface AssignedAppsPage {
  appIds: string[];
  /** The cursor of the next page (the last id of this one), while more remain. */
  next?: string;
}

const USER_APPS = `SELECT app_id FROM (
    SELECT app_id FROM app_users WHERE user_id = ?1
    UNION
    SELECT ag.app_id FROM app_groups AS ag JOIN group_members AS m ON m.group_id = ag.group_id
     WHERE m.user_id = ?1
    UNION
    SELECT app_id FROM app_groups
     WHERE group_id = ?2 AND EXISTS (SELECT 1 FROM users WHERE id = ?1)
  ) WHERE app_id > ?3 ORDER BY app_id LIMIT ?4`;

const GROUP_APPS =
  "SELECT app_id FROM app_groups WHERE group_id = ?1 AND ?2 = ?2 AND app_id > ?3 ORDER BY app_id LIMIT ?4";

export async function assignedApps(
  db: D1Database,
  to: AssignedTo,
  page: { after?: string; limit: number },
): Promise<AssignedAppsPage> {
  // One row more than the page says whether another page follows.
  const { results } = await db
    .prepare(to.kind === "user" ? USER_APPS : GROUP_APPS)
    .bind(to.id, EVERYONE_GROUP_ID, page.after ?? "", page.limit + 1)
    .all<{ app_id: string }>();
  const appIds = results.slice(0, page.limit).map((r) => r.app_id);
  return results.length > page.limit ? { appIds, next: appIds.at(-1) as string } : { appIds };
}
