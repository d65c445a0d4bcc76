/**
 * The index of grants that hold a refresh-token family, in D1 (migrations/0005_grant_index.sql):
 * what the management API lists as Okta's OAuth2RefreshToken (`oar…`) and what a directory write
 * searches for the grants it must revoke. The truth of each grant stays in its Durable Object
 * (DESIGN §1 "one grant, one object"): this file never decides whether a token is good.
 *
 * Every statement binds its values; the only text assembled is a choice among fixed column names
 * (`selectorWhere`), so no caller's text reaches the SQL.
 */
import type { AdminRoleType } from "../config/admin-roles";
import { newObjectId } from "../crypto/object-id";
import { EVERYONE_GROUP_ID } from "./directory";

export type IndexedGrantStatus = "ACTIVE" | "REVOKED";

/** What the refresh engine knows when a family is born (issue 12 item 1). */
export interface GrantIndexEntry {
  /** The grant's id (src/grants/grant-id.ts), 43 base64url characters. */
  grantId: string;
  userId: string;
  clientId: string;
  serverId: string;
  /** The scope names the family was granted. */
  scopes: readonly string[];
  /** When the family was born (epoch ms). */
  issuedAtMs: number;
  /** The family's absolute end (epoch ms); null when the rule sets no lifetime (0 = unlimited). */
  expiresAtMs: number | null;
  /** The end of the family's first idle window (epoch ms): birth + refreshTokenWindowMinutes. */
  idleExpiresAtMs: number;
}

export interface IndexedGrant {
  /** `oar…`: the id Okta's token API shows. */
  id: string;
  grantId: string;
  userId: string;
  clientId: string;
  serverId: string;
  scopes: string[];
  status: IndexedGrantStatus;
  created: number;
  /** The family's last use as the index knows it (revocation, or a touch from its object). */
  lastUpdated: number;
  expiresAt: number | null;
  /**
   * The end of the idle window as the object last reported it (never earlier than the object's own,
   * at most GRANT_INDEX_IDLE_SLACK later); null for a row indexed before migration 0009.
   */
  idleExpiresAt: number | null;
}

/** The port the refresh engine calls when a family is born (wired on `Ports.grantIndex`). */
export interface GrantIndex {
  /**
   * Indexes a new family; its `oar…` id, or null when the user may no longer hold it — deleted,
   * deactivated, suspended, or no longer assigned to the app (directly, through a group, or through
   * Everyone). The check and the insert are one statement, so a directory write that revokes the
   * user's grants either sees the row or makes the insert find nothing: a caller given null must
   * revoke the grant it just made instead of handing out its refresh token. Indexing the same grant
   * twice answers the first row's id.
   */
  indexGrant(entry: GrantIndexEntry): Promise<string | null>;
  /**
   * Marks a grant's row REVOKED once its object has ended it outside an admin sweep (reuse detected,
   * /v1/revoke, the user gone at refresh), so that the token lists stop showing it.
   */
  markRevoked(grantId: string, nowMs: number): Promise<void>;
}

/** Statuses in which the directory writes of src/admin/grant-revocation.ts have revoked a user's grants. */
export const GRANTLESS_STATUSES = ["DEPROVISIONED", "SUSPENDED"] as const;

/**
 * Whether user `u` is still assigned to client `c` (SQL over the columns or parameters named): a
 * direct assignment, a group assignment of a group the user is in, or Everyone assigned. The same
 * three ways src/directory/assignments.ts ranks; here only whether one exists.
 */
export function entitledSql(c: string, u: string, everyone: string): string {
  return `(EXISTS (SELECT 1 FROM app_users AS au WHERE au.app_id = ${c} AND au.user_id = ${u})
     OR EXISTS (SELECT 1 FROM app_groups AS ag WHERE ag.app_id = ${c}
                  AND (ag.group_id = ${everyone}
                       OR EXISTS (SELECT 1 FROM group_members AS gm
                                   WHERE gm.group_id = ag.group_id AND gm.user_id = ${u}))))`;
}

interface Row {
  id: string;
  grant_id: string;
  user_id: string;
  client_id: string;
  server_id: string;
  scopes: string;
  status: IndexedGrantStatus;
  created: number;
  last_updated: number;
  expires_at: number | null;
  idle_expires_at: number | null;
}

function fromRow(row: Row): IndexedGrant {
  return {
    id: row.id,
    grantId: row.grant_id,
    userId: row.user_id,
    clientId: row.client_id,
    serverId: row.server_id,
    scopes: JSON.parse(row.scopes) as string[],
    status: row.status,
    created: row.created,
    lastUpdated: row.last_updated,
    expiresAt: row.expires_at,
    idleExpiresAt: row.idle_expires_at,
  };
}

/**
 * Whether an indexed grant's family still stands at `nowMs`, as far as the index can tell: not
 * revoked, before its absolute end and before its idle end. (Its object remains the truth: a family
 * the index calls ended is one its object would refuse too, give or take the slack.)
 */
export function indexedGrantStands(grant: IndexedGrant, nowMs: number): boolean {
  return (
    grant.status === "ACTIVE" &&
    (grant.expiresAt === null || nowMs < grant.expiresAt) &&
    (grant.idleExpiresAt === null || nowMs < grant.idleExpiresAt)
  );
}

/** The same test in SQL over `gi`, with `now` the parameter placeholder. */
function standsSql(now: string): string {
  return `(gi.expires_at IS NULL OR gi.expires_at > ${now}) AND (gi.idle_expires_at IS NULL OR gi.idle_expires_at > ${now})`;
}

export function d1GrantIndex(db: D1Database): GrantIndex {
  return {
    indexGrant: (entry) => indexGrant(db, entry),
    markRevoked: async (grantId, nowMs) => {
      await markRevoked(db, [grantId], nowMs);
    },
  };
}

/** See `GrantIndex.indexGrant`. */
export async function indexGrant(db: D1Database, entry: GrantIndexEntry): Promise<string | null> {
  const row = await db
    .prepare(
      `INSERT INTO grant_index
         (id, grant_id, user_id, client_id, server_id, scopes, status, created, last_updated, expires_at, idle_expires_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, 'ACTIVE', ?7, ?7, ?8, ?10
        WHERE EXISTS (SELECT 1 FROM users WHERE id = ?3 AND status NOT IN (${GRANTLESS_STATUSES.map((s) => `'${s}'`).join(", ")}))
          AND ${entitledSql("?4", "?3", "?9")}
       ON CONFLICT (grant_id) DO UPDATE SET grant_id = excluded.grant_id
       RETURNING id`,
    )
    .bind(
      newObjectId("oar"),
      entry.grantId,
      entry.userId,
      entry.clientId,
      entry.serverId,
      JSON.stringify(entry.scopes),
      entry.issuedAtMs,
      entry.expiresAtMs,
      EVERYONE_GROUP_ID,
      entry.idleExpiresAtMs,
    )
    .first<{ id: string }>();
  return row?.id ?? null;
}

/** The row of token id `id` (`oar…`), whatever its status; null when there is none. */
export async function getIndexedGrant(db: D1Database, id: string): Promise<IndexedGrant | null> {
  const row = await db.prepare("SELECT * FROM grant_index WHERE id = ?1").bind(id).first<Row>();
  return row ? fromRow(row) : null;
}

/**
 * Which grants a query or a revocation is about: the fields given must all match. `unentitled`
 * keeps only rows whose user is no longer assigned to the row's client (after an unassignment or a
 * membership removal).
 */
export interface GrantSelector {
  userId?: string;
  clientId?: string;
  serverId?: string;
  /** A token id (`oar…`). */
  id?: string;
  unentitled?: boolean;
}

/** The WHERE clause of `selector` over ACTIVE rows (column names fixed here; values bound in order). */
function selectorWhere(selector: GrantSelector): { sql: string; params: unknown[] } {
  const parts = ["gi.status = 'ACTIVE'"];
  const params: unknown[] = [];
  for (const [column, value] of [
    ["gi.user_id", selector.userId],
    ["gi.client_id", selector.clientId],
    ["gi.server_id", selector.serverId],
    ["gi.id", selector.id],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    parts.push(`${column} = ?${params.length}`);
  }
  if (selector.unentitled) {
    params.push(EVERYONE_GROUP_ID);
    parts.push(`NOT ${entitledSql("gi.client_id", "gi.user_id", `?${params.length}`)}`);
  }
  return { sql: parts.join(" AND "), params };
}

/**
 * A page of grants matching `selector` that still stand (`indexedGrantStands`: ACTIVE, before their
 * absolute and idle ends), by token id, and the cursor of the next page while more remain.
 */
export async function listIndexedGrants(
  db: D1Database,
  selector: GrantSelector,
  page: { limit: number; after?: string | undefined },
  nowMs: number,
): Promise<{ grants: IndexedGrant[]; next?: string }> {
  const where = selectorWhere(selector);
  const n = where.params.length;
  const { results } = await db
    .prepare(
      `SELECT gi.* FROM grant_index AS gi
        WHERE ${where.sql} AND ${standsSql(`?${n + 1}`)} AND gi.id > ?${n + 2}
        ORDER BY gi.id LIMIT ?${n + 3}`,
    )
    .bind(...where.params, nowMs, page.after ?? "", page.limit + 1)
    .all<Row>();
  const grants = results.slice(0, page.limit).map(fromRow);
  return results.length > page.limit ? { grants, next: grants.at(-1)?.id } : { grants };
}

/**
 * The clients holding grants that still stand of one user or of one server, by client id, at most
 * `limit` (Okta's `listUserClients` / `listOAuth2ClientsForAuthorizationServer` have no cursor).
 */
export async function listGrantClients(
  db: D1Database,
  selector: { userId: string } | { serverId: string },
  limit: number,
  nowMs: number,
): Promise<string[]> {
  const where = selectorWhere(selector);
  const n = where.params.length;
  const { results } = await db
    .prepare(
      `SELECT DISTINCT gi.client_id FROM grant_index AS gi
        WHERE ${where.sql} AND ${standsSql(`?${n + 1}`)}
        ORDER BY gi.client_id LIMIT ?${n + 2}`,
    )
    .bind(...where.params, nowMs, limit)
    .all<{ client_id: string }>();
  return results.map((r) => r.client_id);
}

/**
 * Up to `limit` ACTIVE rows matching `selector` after token id `after`, by token id: a revocation
 * sweep's batch. Ended families too: their objects may still hold live access tokens, and the idle
 * end here can trail a use the object has not reported yet, so a sweep never trusts it to skip one.
 */
export async function activeGrantBatch(
  db: D1Database,
  selector: GrantSelector,
  after: string,
  limit: number,
): Promise<IndexedGrant[]> {
  const where = selectorWhere(selector);
  const n = where.params.length;
  const { results } = await db
    .prepare(
      `SELECT gi.* FROM grant_index AS gi WHERE ${where.sql} AND gi.id > ?${n + 1} ORDER BY gi.id LIMIT ?${n + 2}`,
    )
    .bind(...where.params, after, limit)
    .all<Row>();
  return results.map(fromRow);
}

/**
 * Marks the rows of these grants REVOKED (those still ACTIVE); how many changed. Called only after
 * each grant's object was revoked (src/directory/grant-revocation.ts).
 */
export async function markRevoked(
  db: D1Database,
  grantIds: readonly string[],
  nowMs: number,
): Promise<number> {
  if (grantIds.length === 0) return 0;
  const result = await db
    .prepare(
      `UPDATE grant_index SET status = 'REVOKED', last_updated = ?1
        WHERE status = 'ACTIVE' AND grant_id IN (SELECT value FROM json_each(?2))`,
    )
    .bind(nowMs, JSON.stringify(grantIds))
    .run();
  return result.meta.changes ?? 0;
}

/**
 * Moves an ACTIVE row's last use and idle end forward, as its Grant object reports them (never
 * backward: touches may arrive late or twice, alarms fire at least once). Whether a row changed.
 */
export async function touchIndexedGrant(
  db: D1Database,
  grantId: string,
  lastUsedMs: number,
  idleExpiresAtMs: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE grant_index
          SET last_updated = MAX(last_updated, ?2), idle_expires_at = MAX(COALESCE(idle_expires_at, 0), ?3)
        WHERE grant_id = ?1 AND status = 'ACTIVE'`,
    )
    .bind(grantId, lastUsedMs, idleExpiresAtMs)
    .run();
  return (result.meta.changes ?? 0) > 0;
}

/**
 * The admin role types held by the users of the ACTIVE grants `selector` names: whom revoking those
 * grants signs out (src/admin/user-roles.ts requires the rights those roles give).
 */
export async function rolesHoldingGrants(db: D1Database, selector: GrantSelector): Promise<AdminRoleType[]> {
  const where = selectorWhere(selector);
  const { results } = await db
    .prepare(
      `SELECT DISTINCT r.type FROM admin_roles AS r
        WHERE EXISTS (SELECT 1 FROM grant_index AS gi WHERE gi.user_id = r.user_id AND ${where.sql})`,
    )
    .bind(...where.params)
    .all<{ type: AdminRoleType }>();
  return results.map((r) => r.type);
}
