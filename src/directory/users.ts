/**
 * The Users API's store: rows of `users` (migrations/0002_directory.sql) to and from `UserRecord`s.
 * Every write is one statement or one `db.batch` (a transaction in D1), so nothing is ever
 * half-written; a status change is one conditional UPDATE that names the statuses it starts from,
 * so two concurrent lifecycle calls cannot both apply. The password hash is written here and never
 * read back: no query of this file selects it.
 */
import type { UserStatus } from "./directory";
import type { Transition } from "./user-lifecycle";
import { loginKey, type Profile } from "./user-profile";
import { type SqlValue, type UserCursor, type UserListQuery, userListStatement } from "./user-query";

/** A user as the management API shows it: no hash, no failure counter. */
export interface UserRecord {
  id: string;
  status: UserStatus;
  transitioningToStatus: UserStatus | null;
  profile: Profile;
  /** The profile as stored, for compare-and-set updates. */
  profileText: string;
  hasPassword: boolean;
  created: number;
  activated: number | null;
  statusChanged: number | null;
  lastLogin: number | null;
  lastUpdated: number;
  passwordChanged: number | null;
}

/** A `users` row as the views read it: never `password_hash` or `failed_attempts` themselves. */
export interface UserRow {
  id: string;
  status: UserStatus;
  transitioning_to_status: UserStatus | null;
  profile: string;
  has_password: number;
  created: number;
  activated: number | null;
  status_changed: number | null;
  last_login: number | null;
  last_updated: number;
  password_changed: number | null;
}

const VIEW_COLUMNS = [
  "id",
  "status",
  "transitioning_to_status",
  "profile",
  "created",
  "activated",
  "status_changed",
  "last_login",
  "last_updated",
  "password_changed",
];

/** The select list of a `UserRow`, the table named `alias` (when joined). */
export function userColumns(alias?: string): string {
  const at = alias ? `${alias}.` : "";
  return [...VIEW_COLUMNS.map((c) => `${at}${c}`), `${at}password_hash IS NOT NULL AS has_password`].join(
    ", ",
  );
}

const COLUMNS = userColumns();

/** Why a write was refused by the database itself (a constraint), not by a check before it. */
export type WriteRefusal = "duplicate_login" | "unknown_group";

export type WriteResult = { ok: true; user: UserRecord } | { ok: false; refusal: WriteRefusal };

/** A new user and its memberships. */
export interface NewUser {
  id: string;
  status: UserStatus;
  profile: Profile;
  passwordHash: string | null;
  groupIds: readonly string[];
  nowMs: number;
}

/** The user with id `idOrLogin`, else the one whose login it is (case-insensitively); null when none. */
export async function findUser(db: D1Database, idOrLogin: string): Promise<UserRecord | null> {
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM users WHERE id = ? OR login_key = lower(?) ORDER BY id = ? DESC LIMIT 1`)
    .bind(idOrLogin, loginKey(idOrLogin), idOrLogin)
    .first<UserRow>();
  return row ? toUserRecord(row) : null;
}

/**
 * The ids among `groupIds` that name no OKTA_GROUP (missing, or the BUILT_IN Everyone, whose members
 * are every user and are never stored).
 */
export async function unknownGroups(db: D1Database, groupIds: readonly string[]): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT id FROM groups WHERE type = 'OKTA_GROUP' AND id IN (${groupIds.map(() => "?").join(", ")})`,
    )
    .bind(...groupIds)
    .all<{ id: string }>();
  const found = new Set(results.map((r) => r.id));
  return groupIds.filter((id) => !found.has(id));
}

/**
 * Inserts the user and its memberships in one batch (one transaction): a duplicate login, or a group
 * deleted since it was checked (the foreign key), refuses the whole.
 */
export async function insertUser(db: D1Database, user: NewUser): Promise<WriteResult> {
  const { nowMs } = user;
  const activated = user.status === "STAGED" ? null : nowMs;
  const statements = [
    db
      .prepare(
        `INSERT INTO users (id, status, profile, password_hash, created, activated, status_changed, last_updated, password_changed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      )
      .bind(
        user.id,
        user.status,
        JSON.stringify(user.profile),
        user.passwordHash,
        nowMs,
        activated,
        activated,
        nowMs,
        user.passwordHash === null ? null : nowMs,
      ),
    ...user.groupIds.map((groupId) =>
      db
        .prepare("INSERT INTO group_members (group_id, user_id, added) VALUES (?, ?, ?)")
        .bind(groupId, user.id, nowMs),
    ),
    ...(user.groupIds.length > 0
      ? [
          db
            .prepare(
              `UPDATE groups SET last_membership_updated = ? WHERE id IN (${user.groupIds.map(() => "?").join(", ")})`,
            )
            .bind(nowMs, ...user.groupIds),
        ]
      : []),
  ];
  try {
    const [inserted] = await db.batch<UserRow>(statements);
    const row = inserted?.results[0];
    if (!row) throw new Error("INSERT … RETURNING returned no row");
    return { ok: true, user: toUserRecord(row) };
  } catch (error) {
    const refusal = constraintRefusal(error);
    if (refusal) return { ok: false, refusal };
    throw error;
  }
}

/** What an update changes: the whole profile as it will be stored, and a new hash if any. */
export interface UserChange {
  profile: Profile;
  passwordHash?: string;
  nowMs: number;
}

/**
 * Writes `change` if the stored profile is still `expected.profileText` (compare-and-set: a
 * concurrent update is never overwritten with a merge of stale data). `conflict` when it was not.
 */
export async function updateUser(
  db: D1Database,
  expected: UserRecord,
  change: UserChange,
): Promise<WriteResult | { ok: false; refusal: "conflict" }> {
  const hash = change.passwordHash ?? null;
  try {
    const row = await db
      .prepare(
        `UPDATE users SET profile = ?, last_updated = ?,
           password_hash = coalesce(?, password_hash),
           password_changed = CASE WHEN ? IS NULL THEN password_changed ELSE ? END,
           -- A new password starts a new count (src/directory/sign-in.ts): the old one's failures
           -- must not leave the new one a single typo from LOCKED_OUT.
           failed_attempts = CASE WHEN ? IS NULL THEN failed_attempts ELSE 0 END
         WHERE id = ? AND profile = ? RETURNING ${COLUMNS}`,
      )
      .bind(
        JSON.stringify(change.profile),
        change.nowMs,
        hash,
        hash,
        change.nowMs,
        hash,
        expected.id,
        expected.profileText,
      )
      .first<UserRow>();
    return row ? { ok: true, user: toUserRecord(row) } : { ok: false, refusal: "conflict" };
  } catch (error) {
    const refusal = constraintRefusal(error);
    if (refusal) return { ok: false, refusal };
    throw error;
  }
}

/**
 * Statuses in which a user may hold no sign-in session: entering one ends them (Okta ends a user's
 * sessions on deactivation and suspension). Deletion needs nothing more: only a DEPROVISIONED user
 * can be deleted, and the rows would go with it anyway (ON DELETE CASCADE).
 */
const SESSIONLESS_STATUSES: readonly UserStatus[] = ["DEPROVISIONED", "SUSPENDED"];

/**
 * Applies `transition` to user `id` if its status is still one the transition starts from; null when
 * it is not (the caller re-reads and answers for the status found). A transition into a sessionless
 * status ends the user's sessions and unspent session tokens (migrations/0003_sessions.sql) in the
 * same batch, so one transaction: no moment at which the user is deactivated but still signed in.
 * The deletes are guarded by the new status, so a refused transition deletes nothing.
 */
export async function applyTransition(
  db: D1Database,
  id: string,
  transition: Transition,
  nowMs: number,
): Promise<UserRecord | null> {
  const update = db
    .prepare(
      `UPDATE users SET status = ?, transitioning_to_status = NULL, last_updated = ?,
         status_changed = CASE WHEN status = ? THEN status_changed ELSE ? END,
         activated = CASE WHEN ? THEN ? ELSE activated END,
         failed_attempts = CASE WHEN ? THEN 0 ELSE failed_attempts END
       WHERE id = ? AND status IN (${transition.from.map(() => "?").join(", ")}) RETURNING ${COLUMNS}`,
    )
    .bind(
      transition.to,
      nowMs,
      transition.to,
      nowMs,
      transition.activates ? 1 : 0,
      nowMs,
      transition.clearsFailures ? 1 : 0,
      id,
      ...transition.from,
    );
  if (!SESSIONLESS_STATUSES.includes(transition.to)) {
    const row = await update.first<UserRow>();
    return row ? toUserRecord(row) : null;
  }
  const guard = "EXISTS (SELECT 1 FROM users WHERE id = ?1 AND status = ?2)";
  const [updated] = await db.batch<UserRow>([
    update,
    db.prepare(`DELETE FROM sessions WHERE user_id = ?1 AND ${guard}`).bind(id, transition.to),
    db.prepare(`DELETE FROM session_tokens WHERE user_id = ?1 AND ${guard}`).bind(id, transition.to),
  ]);
  const row = updated?.results[0];
  return row ? toUserRecord(row) : null;
}

/**
 * Deletes a DEPROVISIONED user; its memberships and app assignments go with it (ON DELETE CASCADE,
 * which D1 enforces). False when the user is gone or no longer DEPROVISIONED.
 */
export async function deleteDeprovisioned(db: D1Database, id: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM users WHERE id = ? AND status = 'DEPROVISIONED'")
    .bind(id)
    .run();
  return result.meta.changes > 0;
}

/** A page of users for `query`, and the cursor of the next page when there is one. */
export async function listUsers(
  db: D1Database,
  query: UserListQuery,
): Promise<{ users: UserRecord[]; next?: UserCursor }> {
  const s = userListStatement(query);
  const params: SqlValue[] = [...s.key.params, ...s.where.params, ...s.orderBy.params, s.limit];
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS}, ${s.key.sql} AS sort_key FROM users WHERE ${s.where.sql} ORDER BY ${s.orderBy.sql} LIMIT ?`,
    )
    .bind(...params)
    .all<UserRow & { sort_key: SqlValue }>();
  const page = results.slice(0, query.limit);
  const last = page.at(-1);
  const more = results.length > query.limit && query.paged;
  return {
    users: page.map(toUserRecord),
    ...(more && last
      ? { next: query.key.sql === "id" ? { id: last.id } : { id: last.id, key: last.sort_key } }
      : {}),
  };
}

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    status: row.status,
    transitioningToStatus: row.transitioning_to_status,
    profile: JSON.parse(row.profile) as Profile,
    profileText: row.profile,
    hasPassword: row.has_password === 1,
    created: row.created,
    activated: row.activated,
    statusChanged: row.status_changed,
    lastLogin: row.last_login,
    lastUpdated: row.last_updated,
    passwordChanged: row.password_changed,
  };
}

/** The constraint a failed write hit, from D1's error text (D1 reports SQLite's message). */
function constraintRefusal(error: unknown): WriteRefusal | undefined {
  const message = error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
  if (/UNIQUE constraint failed: users\.login_key/.test(message)) return "duplicate_login";
  if (/FOREIGN KEY constraint failed/.test(message)) return "unknown_group";
  return undefined;
}
