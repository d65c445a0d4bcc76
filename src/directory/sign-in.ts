/**
 * The password check behind the password grant and `/api/v1/authn`: find the user by login
 * (case-insensitively, through the stored `login_key`), verify the password, count failures towards
 * lockout, and on success record the sign-in. Three statements at most, each one atomic in D1:
 *
 * - the lookup (one indexed read);
 * - on a wrong password, one `UPDATE … RETURNING` that adds one to `failed_attempts` and sets
 *   LOCKED_OUT when it reaches PASSWORD_LOCKOUT_ATTEMPTS: concurrent failures each add one in D1,
 *   never in JS, so twenty at once end with exactly the count and status a sequence would;
 * - on success, one `UPDATE … RETURNING` that clears the counter, sets `last_login` and stores a
 *   rehash, and only if the user is still ACTIVE with the very hash that was checked (a lockout, a
 *   suspension or a password change that landed meanwhile wins).
 *
 * Every path hashes exactly once (unknown login, user without a password, locked, suspended
 * included), and every refusal runs the very statements a wrong password runs — the lookup, then
 * the failure count, which for anything but a wrong password names no user (`NO_USER`) or a status
 * it does not count — so neither the answer, nor its timing, nor the D1 round trips (a write goes to
 * the primary, however far away) tell whether a login exists (DESIGN §8).
 *
 * Counter semantics (for the Users API's lifecycle routes): `failed_attempts` counts consecutive
 * failed checks of an ACTIVE or PASSWORD_EXPIRED user; a successful sign-in and `unlock` set it to 0
 * (unlock must also set ACTIVE); failures of users in other statuses are not counted. Setting a new
 * password should clear it too (a new secret starts a new count).
 */
import { PASSWORD_LOCKOUT_ATTEMPTS } from "../config/defaults";
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
} as const;

/**
 * No user has this id (ids are `00u…`): the failure count a refusal runs with it changes nothing,
 * and costs the same round trip to the primary as a wrong password's.
 */
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
  const row = await db.prepare(SIGN_IN_SQL.lookup).bind(loginKey(login)).first<UserRow>();

  if (!row) {
    await verifyPassword(password, DUMMY_PASSWORD_HASH);
    await countFailure(db, NO_USER, nowMs);
    return { ok: false, reason: "unknown_user" };
  }
  if (row.password_hash === null) {
    await verifyPassword(password, DUMMY_PASSWORD_HASH);
    await countFailure(db, NO_USER, nowMs);
    return { ok: false, reason: "no_password", userId: row.id };
  }

  const verified = await verifyPassword(password, row.password_hash);
  const refusal = signInRefusal(row.status, verified.ok);
  if (refusal) {
    // NO_USER, not the user's id: a PASSWORD_EXPIRED user's right password must not count.
    await countFailure(db, NO_USER, nowMs);
    return { ok: false, reason: refusal, userId: row.id };
  }
  if (!verified.ok) return countFailure(db, row.id, nowMs);

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
 * One more consecutive failure, counted in D1; the call whose failure reaches the threshold is the
 * one that locks (`lockedNow`). Users that are no longer ACTIVE or PASSWORD_EXPIRED when the update
 * runs (locked by a concurrent failure) are not counted again.
 */
async function countFailure(db: D1Database, userId: string, nowMs: number): Promise<PasswordCheck> {
  const counted = await db
    .prepare(SIGN_IN_SQL.countFailure)
    .bind(userId, PASSWORD_LOCKOUT_ATTEMPTS, nowMs)
    .first<{ status: UserStatus }>();
  return {
    ok: false,
    reason: "wrong_password",
    userId,
    ...(counted?.status === "LOCKED_OUT" ? { lockedNow: true } : {}),
  };
}

function toDirectoryUser(row: Omit<UserRow, "password_hash">): DirectoryUser {
  return { id: row.id, status: row.status, profile: JSON.parse(row.profile) as DirectoryUser["profile"] };
}
