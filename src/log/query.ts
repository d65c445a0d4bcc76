/**
 * `/api/v1/logs` query parameters, Okta's semantics: `since` (default 7 days before `until` or
 * now), `until`, `filter`, `q`, `sortOrder` (ASCENDING by default), `limit` (100, at most 1000),
 * `after` (an opaque cursor from a `Link: rel="next"`). A query without `until` in ASCENDING order
 * is a polling query: its `next` link is always there, even after an empty page.
 */
import {
  LOG_FILTER_MAX_PARAMS,
  LOG_QUERY_DEFAULT_LIMIT,
  LOG_QUERY_DEFAULT_SINCE_DAYS,
  LOG_QUERY_MAX_KEYWORDS,
  LOG_QUERY_MAX_LIMIT,
  LOG_QUERY_MAX_Q_LENGTH,
} from "../config/defaults";
import { ApiError } from "../errors";
import { compileFilter, FilterError, parseFilter } from "./filter";
import type { LogQuery } from "./store";

const PARAMS = new Set(["since", "until", "filter", "q", "sortOrder", "limit", "after"]);

export function parseLogQuery(params: URLSearchParams, nowMs: number): LogQuery {
  const invalid = (field: string, rule: string) =>
    new ApiError("E0000001", `Api validation failed: ${field}`, [{ errorSummary: `${field}: ${rule}` }]);
  for (const name of new Set(params.keys())) {
    if (PARAMS.has(name) && params.getAll(name).length > 1) throw invalid(name, "must be given at most once");
  }
  const time = (name: string): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const ms = timestampMs(raw);
    if (ms === undefined) throw invalid(name, "must be an ISO 8601 timestamp");
    return ms;
  };
  const untilMs = time("until");
  const sinceMs = time("since") ?? (untilMs ?? nowMs) - LOG_QUERY_DEFAULT_SINCE_DAYS * 86_400_000;
  if (untilMs !== undefined && sinceMs > untilMs) throw invalid("since", "must not be after until");

  const sortOrder = params.get("sortOrder") ?? "ASCENDING";
  if (sortOrder !== "ASCENDING" && sortOrder !== "DESCENDING") {
    throw invalid("sortOrder", "must be ASCENDING or DESCENDING");
  }
  const rawLimit = params.get("limit");
  const asked = rawLimit === null ? LOG_QUERY_DEFAULT_LIMIT : Number(rawLimit);
  if (!/^\d{1,9}$/.test(rawLimit ?? "1") || asked < 1) throw invalid("limit", "must be a positive integer");
  // As the other lists (and Okta): more than the maximum is taken as the maximum.
  const limit = Math.min(asked, LOG_QUERY_MAX_LIMIT);
  const rawAfter = params.get("after");
  const after = rawAfter === null ? undefined : decodeCursor(rawAfter);
  if (after === null) throw invalid("after", "is not a cursor this API returned");

  const rawFilter = params.get("filter");
  let filter: LogQuery["filter"];
  if (rawFilter !== null) {
    try {
      filter = compileFilter(parseFilter(rawFilter));
      if (filter.params.length > LOG_FILTER_MAX_PARAMS) {
        throw new FilterError(`compares with more than ${LOG_FILTER_MAX_PARAMS} values in all`);
      }
    } catch (error) {
      if (error instanceof FilterError) {
        throw new ApiError("E0000031", "Invalid search criteria.", [
          { errorSummary: `filter: ${error.message}` },
        ]);
      }
      throw error;
    }
  }
  const q = params.get("q") ?? "";
  if (q.length > LOG_QUERY_MAX_Q_LENGTH)
    throw invalid("q", `must be at most ${LOG_QUERY_MAX_Q_LENGTH} characters`);
  const keywords = q.split(/\s+/).filter(Boolean);
  if (keywords.length > LOG_QUERY_MAX_KEYWORDS)
    throw invalid("q", `must have at most ${LOG_QUERY_MAX_KEYWORDS} keywords`);

  return { sinceMs, untilMs, after, descending: sortOrder === "DESCENDING", limit, filter, keywords };
}

/** Whether the answer keeps a `next` link with an empty page: Okta's polling contract. */
export function isPolling(query: LogQuery): boolean {
  return query.untilMs === undefined && !query.descending;
}

export function encodeCursor(seq: number): string {
  return btoa(`seq:${seq}`).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

/** The position, or null for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return null;
  let text: string;
  try {
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return null;
  }
  const match = /^seq:(\d{1,15})$/.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * ISO 8601 with a date and time, as Okta takes them (e.g. 2026-11-20T10:00:00.000Z; RFC 3339 §5.6).
 * `Date.parse` rolls an impossible date over (2026-02-31 is 3 March): each field is checked first.
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

export function timestampMs(raw: string): number | undefined {
  const m = TIMESTAMP.exec(raw);
  if (!m) return undefined;
  const field = (i: number) => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 7, 8].map(
    field,
  ) as [number, number, number, number, number, number, number, number];
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  const ms = valid ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
