/**
 * Expired sign-in sessions and session tokens deleted from D1 (migrations/0003_sessions.sql), by the
 * daily cron that already enforces the system log's retention (`scheduled()` in src/index.ts,
 * `[triggers] crons` in wrangler.toml): the same mechanism, the same bounded delete statements.
 *
 * Nothing depends on the sweep for security: `touch` and `find` never return an expired row, and a
 * sessionToken is checked for expiry when spent. It keeps the table to the live sessions (plus at most
 * a day of dead ones: sessions last SESSION_MAX_LIFETIME_SECONDS, the cron runs daily), so the
 * directory's 10 GB are not spent on them.
 *
 * A session is expired when its idle expiry passed (`expires_at`, never later than `max_expires_at`).
 * Rows are deleted oldest first by rowid (insertion order), so each bounded statement finds expired
 * rows at the start of its scan.
 */
import { SESSION_SWEEP_BATCH, SESSION_SWEEP_MAX_BATCHES } from "../config/defaults";

export interface SweepLimits {
  /** Rows per DELETE statement. */
  batch: number;
  /** Statements per table per run. */
  maxBatches: number;
}

export interface SweepResult {
  sessions: number;
  sessionTokens: number;
  /** True when a table still had expired rows at the run's bound: the next run continues. */
  more: boolean;
}

export async function sweepExpiredSessions(
  db: D1Database,
  nowMs: number,
  limits: SweepLimits = { batch: SESSION_SWEEP_BATCH, maxBatches: SESSION_SWEEP_MAX_BATCHES },
): Promise<SweepResult> {
  const sessions = await sweep(db, "sessions", nowMs, limits);
  const tokens = await sweep(db, "session_tokens", nowMs, limits);
  return { sessions: sessions.deleted, sessionTokens: tokens.deleted, more: sessions.more || tokens.more };
}

async function sweep(
  db: D1Database,
  table: "sessions" | "session_tokens",
  nowMs: number,
  { batch, maxBatches }: SweepLimits,
): Promise<{ deleted: number; more: boolean }> {
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const result = await db
      .prepare(
        `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE expires_at <= ?1 ORDER BY rowid LIMIT ?2)`,
      )
      .bind(nowMs, batch)
      .run();
    deleted += result.meta.changes;
    if (result.meta.changes < batch) return { deleted, more: false };
  }
  return { deleted, more: true };
}

/** The cron's step: sweep, and a line saying what went (as the log's retention does). */
export async function runSessionSweep(db: D1Database, nowMs: number): Promise<SweepResult> {
  const result = await sweepExpiredSessions(db, nowMs);
  console.info(JSON.stringify({ event: "sessions.sweep", ...result, at: new Date(nowMs).toISOString() }));
  return result;
}
