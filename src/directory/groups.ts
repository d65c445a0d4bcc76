/**
 * Okta's groups in D1 (`groups`, migrations/0002_directory.sql): OKTA_GROUP rows the Groups API
 * writes, and the seeded BUILT_IN `Everyone`, which no write here ever touches (every write names
 * `type = 'OKTA_GROUP'` in its WHERE clause, so a route that forgot to refuse Everyone still changes
 * nothing). Names are unique without regard to case through the table's `name_key` index. Each write
 * is one statement; deleting a group takes its memberships and app assignments with it (foreign
 * keys `ON DELETE CASCADE`, enforced by D1).
 */
import type { SqlCondition } from "../log/filter";
import type { DirectoryGroup } from "./directory";

/** A group as the Groups API shows it: the port's group and its times (epoch ms). */
export interface StoredGroup extends DirectoryGroup {
  created: number;
  lastUpdated: number;
  lastMembershipUpdated: number;
}

export type GroupProfileInput = DirectoryGroup["profile"];

export interface GroupRow {
  id: string;
  type: string;
  profile: string;
  created: number;
  last_updated: number;
  last_membership_updated: number;
}

/** The columns every read selects, for `groupFromRow`; `alias` qualifies them in a join. */
export function groupColumns(alias = "groups"): string {
  return ["id", "type", "profile", "created", "last_updated", "last_membership_updated"]
    .map((c) => `${alias}.${c}`)
    .join(", ");
}

export function groupFromRow(row: GroupRow): StoredGroup {
  return {
    id: row.id,
    type: row.type === "BUILT_IN" ? "BUILT_IN" : "OKTA_GROUP",
    profile: JSON.parse(row.profile) as StoredGroup["profile"],
    created: row.created,
    lastUpdated: row.last_updated,
    lastMembershipUpdated: row.last_membership_updated,
  };
}

/** The outcome of a write that names a group: the group, or why nothing changed. */
export type GroupWrite =
  | { ok: true; group: StoredGroup }
  | { ok: false; reason: "duplicate_name" | "not_found" };

export async function getGroup(db: D1Database, id: string): Promise<StoredGroup | null> {
  const row = await db
    .prepare(`SELECT ${groupColumns()} FROM groups WHERE id = ?`)
    .bind(id)
    .first<GroupRow>();
  return row ? groupFromRow(row) : null;
}

export async function createGroup(
  db: D1Database,
  id: string,
  profile: GroupProfileInput,
  nowMs: number,
): Promise<GroupWrite> {
  return write(() =>
    db
      .prepare(
        `INSERT INTO groups (id, type, profile, created, last_updated, last_membership_updated)
         VALUES (?, 'OKTA_GROUP', ?, ?, ?, ?) RETURNING ${groupColumns()}`,
      )
      .bind(id, JSON.stringify(profile), nowMs, nowMs, nowMs)
      .first<GroupRow>(),
  );
}

/** Okta's PUT: the whole profile is replaced (attributes left out are gone). */
export async function replaceGroup(
  db: D1Database,
  id: string,
  profile: GroupProfileInput,
  nowMs: number,
): Promise<GroupWrite> {
  return write(() =>
    db
      .prepare(
        `UPDATE groups SET profile = ?, last_updated = ? WHERE id = ? AND type = 'OKTA_GROUP'
         RETURNING ${groupColumns()}`,
      )
      .bind(JSON.stringify(profile), nowMs, id)
      .first<GroupRow>(),
  );
}

/** Whether an OKTA_GROUP `id` was there to delete; its memberships and app assignments go with it. */
export async function deleteGroup(db: D1Database, id: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM groups WHERE id = ? AND type = 'OKTA_GROUP'").bind(id).run();
  return result.meta.changes > 0;
}

export interface GroupPageQuery {
  /** A case-insensitive prefix of the name (Okta's `q`). */
  q?: string;
  /** A compiled `filter` or `search` over the alias `g` (src/directory/group-search.ts). */
  condition?: SqlCondition;
  limit: number;
  /** The last id of the previous page. */
  after?: string;
}

/** One page in id order, and the cursor of the next one when more remain. */
export async function listGroups(
  db: D1Database,
  query: GroupPageQuery,
): Promise<{ groups: StoredGroup[]; next?: string }> {
  const where: string[] = [];
  const params: (string | number | null)[] = [];
  if (query.q !== undefined) {
    // A prefix compared by `substr`, not LIKE: `%` and `_` in the query are plain characters.
    where.push("substr(g.name_key, 1, length(?)) = lower(?)");
    params.push(query.q, query.q);
  }
  if (query.condition) {
    where.push(query.condition.sql);
    params.push(...query.condition.params);
  }
  if (query.after !== undefined) {
    where.push("g.id > ?");
    params.push(query.after);
  }
  // One more than the page: whether a next page exists, without a count.
  params.push(query.limit + 1);
  const { results } = await db
    .prepare(
      `SELECT ${groupColumns("g")} FROM groups AS g ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY g.id LIMIT ?`,
    )
    .bind(...params)
    .all<GroupRow>();
  const groups = results.slice(0, query.limit).map(groupFromRow);
  return results.length > query.limit ? { groups, next: groups.at(-1)?.id } : { groups };
}

/** A write's row, or the reason it has none: the name index refused it, or no OKTA_GROUP matched. */
async function write(run: () => Promise<GroupRow | null>): Promise<GroupWrite> {
  try {
    const row = await run();
    return row ? { ok: true, group: groupFromRow(row) } : { ok: false, reason: "not_found" };
  } catch (error) {
    if (error instanceof Error && /UNIQUE constraint failed: groups\.name_key/.test(error.message)) {
      return { ok: false, reason: "duplicate_name" };
    }
    throw error;
  }
}
