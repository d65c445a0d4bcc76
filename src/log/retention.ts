/**
 * The daily cron (`[triggers] crons`, the Worker's `scheduled()` handler): Okta's 90 days of
 * retention, in bounded delete statements (src/log/store.ts), and a line saying what went.
 */
import { enforceRetention } from "./store";

export async function runRetention(db: D1Database, nowMs: number): Promise<number> {
  const deleted = await enforceRetention(db, nowMs);
  console.info(JSON.stringify({ event: "system_log.retention", deleted, at: new Date(nowMs).toISOString() }));
  return deleted;
}
