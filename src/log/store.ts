/**
 * The system log in D1 (`DIRECTORY`, migrations/0001_system_log.sql): the consumer's batch write,
 * the query behind `/api/v1/logs`, and retention. Rows are Okta LogEvents as JSON, with the fields
 * queries select on in columns; counted rows (one per key and minute) carry their count in `count`.
 */
import {
  LOG_CONTRIBUTION_RETENTION_DAYS,
  LOG_RETENTION_DAYS,
  LOG_RETENTION_DELETE_BATCH,
  LOG_RETENTION_MAX_BATCHES,
} from "../config/defaults";
import type { LogEvent } from "./event";
import type { LogMessage } from "./event-log";
import type { SqlCondition } from "./filter";

const NEXT_SEQ = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM system_log)";
const COLUMNS = "uuid, seq, published, event_type, severity, outcome, actor_id, count, agg_key, event";

/** Whether a queue message body is one this version wrote (anything else is dropped, never retried). */
export function isLogMessage(body: unknown): body is LogMessage {
  if (typeof body !== "object" || body === null) return false;
  const m = body as Partial<LogMessage>;
  const e = m.event as Partial<LogEvent> | undefined;
  return (
    m.v === 1 &&
    typeof e?.uuid === "string" &&
    typeof e.published === "string" &&
    typeof e.eventType === "string" &&
    typeof e.severity === "string" &&
    typeof e.outcome?.result === "string" &&
    typeof e.actor?.id === "string" &&
    (m.aggregate === undefined ||
      (typeof m.aggregate.key === "string" &&
        Number.isSafeInteger(m.aggregate.count) &&
        m.aggregate.count > 0 &&
        typeof m.aggregate.contribution === "string"))
  );
}

/**
 * One D1 batch (one transaction) for a queue batch. An event is inserted once (its uuid); a counted
 * contribution adds to its row once (its contribution id), so redelivery changes nothing.
 */
export async function writeMessages(
  db: D1Database,
  messages: readonly LogMessage[],
  nowMs: number,
): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (const { event, aggregate } of messages) {
    const values = [
      event.uuid,
      Date.parse(event.published),
      event.eventType,
      event.severity,
      event.outcome.result,
      event.actor.id,
      aggregate?.count ?? 1,
      aggregate?.key ?? null,
      JSON.stringify(event),
    ];
    if (!aggregate) {
      statements.push(
        db
          .prepare(
            `INSERT OR IGNORE INTO system_log (${COLUMNS}) VALUES (?1, ${NEXT_SEQ}, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
          )
          .bind(...values),
      );
      continue;
    }
    statements.push(
      db
        .prepare("INSERT OR IGNORE INTO system_log_contributions (id, received) VALUES (?, ?)")
        .bind(aggregate.contribution, nowMs),
      // `changes() = 1`: only when the contribution above is new. A counted row moves to the end of
      // the polling order (`seq`), so pollers see its new count.
      db
        .prepare(
          `INSERT INTO system_log (${COLUMNS}) SELECT ?1, ${NEXT_SEQ}, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE changes() = 1
           ON CONFLICT (agg_key) DO UPDATE SET count = count + excluded.count, seq = excluded.seq`,
        )
        .bind(...values),
    );
  }
  if (statements.length > 0) await db.batch(statements);
}

export interface LogQuery {
  sinceMs: number;
  untilMs: number | undefined;
  /** `seq` to continue after (exclusive), in the query's order. */
  after: number | undefined;
  descending: boolean;
  limit: number;
  filter: SqlCondition | undefined;
  keywords: readonly string[];
}

export interface StoredEvent {
  seq: number;
  event: LogEvent;
}

export async function queryEvents(db: D1Database, query: LogQuery): Promise<StoredEvent[]> {
  const where: string[] = ["published >= ?"];
  const params: (string | number | null)[] = [query.sinceMs];
  if (query.untilMs !== undefined) {
    where.push("published < ?");
    params.push(query.untilMs);
  }
  if (query.after !== undefined) {
    where.push(query.descending ? "seq < ?" : "seq > ?");
    params.push(query.after);
  }
  if (query.filter) {
    where.push(query.filter.sql);
    params.push(...query.filter.params);
  }
  for (const keyword of query.keywords) {
    // Okta's `q`: every keyword, case-insensitively, in the message, type, actor, targets or client.
    where.push(
      "instr(lower(event_type || ' ' || json_extract(event, '$.displayMessage') || ' ' || json_extract(event, '$.actor') || ' ' || json_extract(event, '$.target') || ' ' || json_extract(event, '$.client')), ?) > 0",
    );
    params.push(keyword.toLowerCase());
  }
  const sql = `SELECT seq, count, agg_key, event FROM system_log WHERE ${where.join(" AND ")} ORDER BY seq ${
    query.descending ? "DESC" : "ASC"
  } LIMIT ?`;
  params.push(query.limit);
  const { results } = await db
    .prepare(sql)
    .bind(...params)
    .all<{ seq: number; count: number; agg_key: string | null; event: string }>();
  return results.map((row) => {
    const event = JSON.parse(row.event) as LogEvent;
    if (row.agg_key !== null) event.debugContext.debugData.count = row.count;
    return { seq: row.seq, event };
  });
}

/**
 * Deletes events older than the retention and contributions older than a queue can redeliver, in
 * bounded statements. Returns how many events went.
 */
export async function enforceRetention(db: D1Database, nowMs: number): Promise<number> {
  const day = 86_400_000;
  const eventsBefore = nowMs - LOG_RETENTION_DAYS * day;
  const contributionsBefore = nowMs - LOG_CONTRIBUTION_RETENTION_DAYS * day;
  let deleted = 0;
  for (let i = 0; i < LOG_RETENTION_MAX_BATCHES; i++) {
    const result = await db
      .prepare(
        "DELETE FROM system_log WHERE rowid IN (SELECT rowid FROM system_log WHERE published < ? ORDER BY published LIMIT ?)",
      )
      .bind(eventsBefore, LOG_RETENTION_DELETE_BATCH)
      .run();
    deleted += result.meta.changes;
    if (result.meta.changes < LOG_RETENTION_DELETE_BATCH) break;
  }
  for (let i = 0; i < LOG_RETENTION_MAX_BATCHES; i++) {
    const result = await db
      .prepare(
        "DELETE FROM system_log_contributions WHERE rowid IN (SELECT rowid FROM system_log_contributions WHERE received < ? LIMIT ?)",
      )
      .bind(contributionsBefore, LOG_RETENTION_DELETE_BATCH)
      .run();
    if (result.meta.changes < LOG_RETENTION_DELETE_BATCH) break;
  }
  return deleted;
}
