/**
 * The password check behind the password grant and `/api/v1/authn`: find the user by login
 * (case-insensitively, through the stored `login_key`), verify the password, count failures towards
 * lockout, and on success record the sign-in. Two round trips to D1, each one atomic:
 *
 * - the lookup (one indexed read);
 * - on any refusal, one batch (one transaction) of the same two writes, of which exactly one changes
 *   exactly one row: for a wrong password of an ACTIVE or PASSWORD_EXPIRED user, the `UPDATE …
 *   RETURNING` that adds one to `failed_attempts` and sets LOCKED_OUT when it reaches
 *   PASSWORD_LOCKOUT_ATTEMPTS (concurrent failures each add one in D1, never in JS, so twenty at once
 *   end with exactly the count and status a sequence would); for every other refusal (no such
 *   login, no password, a status that refuses sign-in) one more failure in the login's bucket of
 *   `sign_in_failures` (migrations/0008_sign_in_failures.sql);
 * - on success, one `UPDATE … RETURNING` that clears the counter, sets `last_login` and stores a
 *   rehash, and only if the user is still ACTIVE with the very hash that was checked (a lockout, a
 *   suspension or a password change that landed meanwhile wins).
 *
 * Every path hashes exactly once (unknown login, user without a password, locked, suspended
 * included), and every refusal runs the very statements a wrong password runs and changes as many
 * rows, so neither the answer, nor its timing, nor the D1 round trips (a write goes to the primary,
 * however far away) tell whether a login exists (DESIGN §8). Running the failure count against no
 * user was not enough: an UPDATE that matches no row makes SQLite write and commit nothing, and an
 * unknown login answered measurably sooner than a wrong password (bench/README.md "Passwords").
 *
 * Counter semantics (for the Users API's lifecycle routes): `failed_attempts` counts consecutive
 * failed checks of an ACTIVE or PASSWORD_EXPIRED user; a successful sign-in and `unlock` set it to 0
 * (unlock must also set ACTIVE); failures of users in other statuses are not counted. Setting a new
 * password should clear it too (a new secret starts a new count).
 */
import { PASSWORD_LOCKOUT_ATTEMPTS, SIGN_IN_FAILURE_BUCKETS } from "../config/defaults";
import type { DirectoryUser, PasswordCheck, UserStatus } from "./directory";
import { signInRefusal } from "./lockout";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "./password-hash";
import { loginKey } from "./user-profile";

/**
 * The three statements, named so that the bench (bench/lib/passwords.mjs) times exactly these.
 * SQLite's lower() in the lookup is the one the generated login_key column was made with (ASCII case
 * folding): the same function on both sides, so the lookup finds exactly what the unique index holds.
 */
export const SIGN_IN_SQL = {
  lookup: "SELECT id, status, profile, password_hash FROM users WHERE login_key = lower(?1)",
  /** ?1 user id, ?2 PASSWORD_LOCKOUT_ATTEMPTS, ?3 now. Old values on the right of SET (SQLite). */
  countFailure: `UPDATE users SET failed_attempts = failed_attempts + 1,
         status = CASE WHEN failed_attempts + 1 >= ?2 THEN 'LOCKED_OUT' ELSE status END,
         status_changed = CASE WHEN failed_attempts + 1 >= ?2 THEN ?3 ELSE status_changed END,
         last_updated = CASE WHEN failed_attempts + 1 >= ?2 THEN ?3 ELSE last_updated END
   WHERE id = ?1 AND status IN ('ACTIVE', 'PASSWORD_EXPIRED')
   RETURNING status`,
  /** ?1 user id, ?2 now, ?3 the new hash or NULL, ?4 the hash that was checked. */
  signedIn: `UPDATE users SET failed_attempts = 0, last_login = ?2, password_hash = coalesce(?3, password_hash)
   WHERE id = ?1 AND status = 'ACTIVE' AND password_hash = ?4
   RETURNING id, status, profile`,
  /**
   * ?1 the login's bucket, ?2 now, ?3 the user id the failure counts for (NO_USER for none): one more
   * failure in the bucket unless that user's own counter takes it. Runs before `countFailure` in one
   * batch, so that exactly one of the two changes a row, also when a concurrent failure has just
   * locked the user (the bucket takes it then).
   */
  countUnattributed: `INSERT INTO sign_in_failures (bucket, failed_attempts, last_failed)
   SELECT ?1, 1, ?2 WHERE NOT EXISTS
     (SELECT 1 FROM users WHERE id = ?3 AND status IN ('ACTIVE', 'PASSWORD_EXPIRED'))
   ON CONFLICT (bucket) DO UPDATE SET failed_attempts = failed_attempts + 1, last_failed = ?2`,
} as const;

/** No user has this id (ids are `00u…`): a refusal counted with it goes to its login's bucket. */
const NO_USER = "";

interface UserRow {
  id: string;
  status: UserStatus;
  profile: string;
  password_hash: string | null;
}

/**
 * Checks `password` for `login`. See the module comment for what it writes; `nowMs` is the time of
 * the attempt (`last_login`, and `status_changed` when it locks the user).
 */
export async function checkPassword(
  db: D1Database,
  login: string,
  password: string,
  nowMs: number,
): Promise<PasswordCheck> {
  // loginKey: typed in any case or normalisation form, a login finds its user (user-profile.ts).
  const key = loginKey(login);
  const row = await db.prepare(SIGN_IN_SQL.lookup).bind(key).first<UserRow>();

  if (!row) {
    await verifyPassword(password, DUMMY_PASSWORD_HASH);
    await countFailure(db, key, NO_USER, nowMs);
    return { ok: false, reason: "unknown_user" };
  }
  if (row.password_hash === null) {
    await verifyPassword(password, DUMMY_PASSWORD_HASH);
    await countFailure(db, key, NO_USER, nowMs);
    return { ok: false, reason: "no_password", userId: row.id };
  }

  const verified = await verifyPassword(password, row.password_hash);
  const refusal = signInRefusal(row.status, verified.ok);
  if (refusal) {
    // NO_USER, not the user's id: a PASSWORD_EXPIRED user's right password must not count (nor a
    // refused status's failure: src/directory/lockout.ts); the login's bucket takes it.
    await countFailure(db, key, NO_USER, nowMs);
    return { ok: false, reason: refusal, userId: row.id };
  }
  if (!verified.ok) return countFailure(db, key, row.id, nowMs);

  const newHash = verified.rehash ? await hashPassword(password) : null;
  const signedIn = await db
    .prepare(SIGN_IN_SQL.signedIn)
    .bind(row.id, nowMs, newHash, row.password_hash)
    .first<Omit<UserRow, "password_hash">>();
  // The user changed between the read and this write (locked by concurrent failures, suspended,
  // given a new password): refuse, as the check would have if it had started a moment later.
  if (!signedIn) return { ok: false, reason: "wrong_password", userId: row.id };
  return { ok: true, user: toDirectoryUser(signedIn) };
}

/**
 * One more failure, counted in D1 in one batch: on `userId`'s consecutive failures when that user is
 * ACTIVE or PASSWORD_EXPIRED as the batch runs, in the login's bucket otherwise (NO_USER, or a user
 * locked by a concurrent failure meanwhile, who is not counted again). The call whose failure
 * reaches the threshold is the one that locks (`lockedNow`).
 */
async function countFailure(
  db: D1Database,
  key: string,
  userId: string,
  nowMs: number,
): Promise<PasswordCheck> {
  const [, counted] = await db.batch<{ status: UserStatus }>([
    db.prepare(SIGN_IN_SQL.countUnattributed).bind(failureBucket(key), nowMs, userId),
    db.prepare(SIGN_IN_SQL.countFailure).bind(userId, PASSWORD_LOCKOUT_ATTEMPTS, nowMs),
  ]);
  return {
    ok: false,
    reason: "wrong_password",
    userId,
    ...(counted?.results[0]?.status === "LOCKED_OUT" ? { lockedNow: true } : {}),
  };
}

/**
 * The bucket of a login key: FNV-1a (32-bit) over its UTF-16 code units, modulo the bucket count.
 * Any stable spread will do: the bucket bounds the table, and its count measures guessing; it
 * decides nothing about anyone.
 */
export function failureBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SIGN_IN_FAILURE_BUCKETS;
}

function toDirectoryUser(row: Omit<UserRow, "password_hash">): DirectoryUser {
  return { id: row.id, status: row.status, profile: JSON.parse(row.profile) as DirectoryUser["profile"] };
}
