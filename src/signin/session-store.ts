/**
 * Sign-in sessions and `/api/v1/authn` session tokens in D1 (migrations/0003_sessions.sql).
 *
 * Why D1 and not a Durable Object per session: a session must end at once when the user is
 * deactivated, suspended or deleted, and the Users API's lifecycle write does that in the same D1
 * batch (src/directory/users.ts) — one transaction, no second system to reach or to miss. Sessions
 * are read on `/v1/authorize` only (never on the token path), where the directory is read anyway.
 *
 * Only digests are stored: the `sid` cookie and the sessionToken are 256-bit random values, so
 * SHA-256 is the right hash (DESIGN §8), and a copy of the table signs nobody in.
 */
import {
  SESSION_IDLE_SECONDS,
  SESSION_MAX_LIFETIME_SECONDS,
  SESSION_SECRET_BYTES,
  SESSION_TOKEN_BYTES,
  SESSION_TOKEN_LIFETIME_SECONDS,
} from "../config/defaults";
import { newObjectId } from "../crypto/object-id";
import { hashSecret, randomToken } from "../crypto/secrets";

/** A live session as `/v1/authorize` and `/api/v1/sessions/me` see it. */
export interface Session {
  /** Okta's public Session id (`102…`): not the cookie. */
  id: string;
  userId: string;
  /** RFC 8176 method references, e.g. `["pwd"]`. */
  amr: string[];
  /** Epoch ms of the last credential check (OIDC `auth_time`). */
  authTime: number;
  created: number;
  /** Epoch ms: the idle expiry as it stands now. */
  expiresAt: number;
}

/** What authenticated the user, to start a session with. */
export interface Authentication {
  userId: string;
  amr: string[];
  /** Epoch ms. */
  authTime: number;
}

export interface SessionStore {
  /** A new session; its cookie value (returned once, stored only hashed). */
  create(authn: Authentication, nowMs: number): Promise<{ secret: string; session: Session }>;
  /** The live session the cookie value names, its idle expiry moved forward; null otherwise. */
  touch(secret: string, nowMs: number): Promise<Session | null>;
  /** The live session and its user's login, read only (for `GET /api/v1/sessions/me`). */
  find(secret: string, nowMs: number): Promise<(Session & { login: string }) | null>;
  /** Ends the session the cookie value names; the ended session, if there was one. */
  end(secret: string): Promise<Session | null>;
  /** A single-use sessionToken for `authn` (Okta's `/api/v1/authn`), and when it expires. */
  issueToken(authn: Authentication, nowMs: number): Promise<{ token: string; expiresAt: number }>;
  /** Spends `token` exactly once: its authentication if it was live, else null (spent all the same). */
  redeemToken(token: string, nowMs: number): Promise<Authentication | null>;
}

const SESSION_COLUMNS = "id, user_id, amr, auth_time, created, expires_at";

interface SessionRow {
  id: string;
  user_id: string;
  amr: string;
  auth_time: number;
  created: number;
  expires_at: number;
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    amr: JSON.parse(row.amr) as string[],
    authTime: row.auth_time,
    created: row.created,
    expiresAt: row.expires_at,
  };
}

export function d1Sessions(db: D1Database): SessionStore {
  return {
    async create(authn, nowMs) {
      const secret = randomToken(SESSION_SECRET_BYTES);
      const maxExpiresAt = nowMs + SESSION_MAX_LIFETIME_SECONDS * 1000;
      const expiresAt = Math.min(maxExpiresAt, nowMs + SESSION_IDLE_SECONDS * 1000);
      const row = await db
        .prepare(
          `INSERT INTO sessions (secret_hash, id, user_id, amr, auth_time, created, last_used, expires_at, max_expires_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8) RETURNING ${SESSION_COLUMNS}`,
        )
        .bind(
          await hashSecret(secret),
          newObjectId("102"),
          authn.userId,
          JSON.stringify(authn.amr),
          authn.authTime,
          nowMs,
          expiresAt,
          maxExpiresAt,
        )
        .first<SessionRow>();
      if (!row) throw new Error("session insert returned no row");
      return { secret, session: toSession(row) };
    },

    async touch(secret, nowMs) {
      // One statement reads and extends: an expired session is never revived.
      const row = await db
        .prepare(
          `UPDATE sessions SET last_used = ?2, expires_at = min(max_expires_at, ?2 + ?3)
           WHERE secret_hash = ?1 AND expires_at > ?2 RETURNING ${SESSION_COLUMNS}`,
        )
        .bind(await hashSecret(secret), nowMs, SESSION_IDLE_SECONDS * 1000)
        .first<SessionRow>();
      return row ? toSession(row) : null;
    },

    async find(secret, nowMs) {
      const row = await db
        .prepare(
          `SELECT s.id, s.user_id, s.amr, s.auth_time, s.created, s.expires_at, u.login
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.secret_hash = ?1 AND s.expires_at > ?2`,
        )
        .bind(await hashSecret(secret), nowMs)
        .first<SessionRow & { login: string }>();
      return row ? { ...toSession(row), login: row.login } : null;
    },

    async end(secret) {
      const row = await db
        .prepare(`DELETE FROM sessions WHERE secret_hash = ?1 RETURNING ${SESSION_COLUMNS}`)
        .bind(await hashSecret(secret))
        .first<SessionRow>();
      return row ? toSession(row) : null;
    },

    async issueToken(authn, nowMs) {
      const token = randomToken(SESSION_TOKEN_BYTES);
      const expiresAt = nowMs + SESSION_TOKEN_LIFETIME_SECONDS * 1000;
      await db
        .prepare(
          "INSERT INTO session_tokens (token_hash, user_id, auth_time, expires_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(await hashSecret(token), authn.userId, authn.authTime, expiresAt)
        .run();
      return { token, expiresAt };
    },

    async redeemToken(token, nowMs) {
      // DELETE … RETURNING is atomic in D1: of two concurrent redemptions exactly one gets the row.
      const row = await db
        .prepare("DELETE FROM session_tokens WHERE token_hash = ?1 RETURNING user_id, auth_time, expires_at")
        .bind(await hashSecret(token))
        .first<{ user_id: string; auth_time: number; expires_at: number }>();
      if (!row || row.expires_at <= nowMs) return null;
      return { userId: row.user_id, amr: ["pwd"], authTime: row.auth_time };
    },
  };
}
