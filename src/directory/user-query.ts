/**
 * `GET /api/v1/users` query parameters, Okta's semantics (Management API "List all users"), compiled
 * to parameterised SQL over `users` (migrations/0002_directory.sql). Pure. Exactly one of:
 *
 * - nothing: every user but DEPROVISIONED ones, by id.
 * - `q`: a prefix of `firstName`, `lastName` or `email`, case-insensitively, DEPROVISIONED users
 *   left out; 10 users unless `limit` says otherwise, and no next page (Okta: q is a people picker).
 * - `filter`: `eq` on `status`, `id`, `profile.login|email|firstName|lastName`, `lastUpdated`
 *   also `gt ge lt le`; `and`, `or`, parentheses. Values are case-sensitive as in Okta, except
 *   `profile.login`, which is unique without regard to case.
 * - `search`: `eq sw gt ge lt le pr` (and `co` on the four standard attributes) over `id`,
 *   `status`, `created`, `activated`, `statusChanged`, `lastUpdated`, `lastLogin`,
 *   `passwordChanged` and any `profile.*` attribute (an array matches when any element does);
 *   `and`, `or`, parentheses; string values case-insensitive; `sortBy` one of those attributes and
 *   `sortOrder` asc|desc, ties by id.
 *
 * Both `filter` and `search` parse with the system log's SCIM parser (src/log/filter.ts: bounded in
 * length, depth and terms); what does not parse or names what the mode lacks is 400 E0000031, two of
 * q / filter / search together 400 E0000033. Every value is a bound parameter, so nothing in a query
 * string becomes SQL. Pages are keyset cursors on (sort key, id): stable under inserts (a user added
 * before the cursor is not seen, none is seen twice).
 */
import {
  USERS_FILTER_MAX_PARAMS,
  USERS_PAGE_LIMIT,
  USERS_Q_MAX_LENGTH,
  USERS_Q_PAGE_LIMIT,
} from "../config/defaults";
import { ApiError } from "../errors";
import { FilterError, type FilterNode, type FilterOp, parseFilter, type SqlCondition } from "../log/filter";
import { loginKey, PROFILE_ATTRIBUTE } from "./user-profile";

export type SqlValue = string | number | null;

export interface UserListQuery {
  mode: "list" | "q" | "filter" | "search";
  /** The WHERE condition, cursor excluded. */
  where: SqlCondition;
  /** The sort key: `id` unless `search` was given a `sortBy`. */
  key: SqlCondition;
  descending: boolean;
  limit: number;
  after?: UserCursor;
  /** Whether the answer links a next page (Okta: not for `q`). */
  paged: boolean;
}

/** A page boundary: the last user's id and, when sorted, its sort key as SQL returned it. */
export interface UserCursor {
  id: string;
  key?: SqlValue;
}

/** One statement's parts; the store puts its columns in front (src/directory/users.ts). */
export interface UserListStatement {
  /** `… AS sort_key` is selected so the next cursor holds exactly what SQL compared. */
  key: SqlCondition;
  where: SqlCondition;
  orderBy: SqlCondition;
  /** One more than the page, to know whether there is a next. */
  limit: number;
}

const PARAMS = new Set(["q", "filter", "search", "limit", "after", "sortBy", "sortOrder"]);

/** The query `params` ask for, or Okta's 400 for one it cannot run. */
export function parseUserQuery(params: URLSearchParams): UserListQuery {
  for (const name of new Set(params.keys())) {
    if (PARAMS.has(name) && params.getAll(name).length > 1) throw invalid(name, "must be given at most once");
  }
  const q = params.get("q");
  const filter = params.get("filter");
  const search = params.get("search");
  const given = [q, filter, search].filter((v) => v !== null).length;
  if (given > 1) {
    throw new ApiError(
      "E0000033",
      "Bad request. Can't specify a search query and filter in the same request.",
      [{ errorSummary: "q, filter and search: give at most one" }],
    );
  }
  const mode: UserListQuery["mode"] =
    q !== null ? "q" : filter !== null ? "filter" : search !== null ? "search" : "list";
  const limit = pageLimit(params.get("limit"), mode === "q" ? USERS_Q_PAGE_LIMIT : USERS_PAGE_LIMIT);

  const sortBy = params.get("sortBy");
  const sortOrder = params.get("sortOrder");
  if ((sortBy !== null || sortOrder !== null) && mode !== "search") {
    throw invalid(sortBy !== null ? "sortBy" : "sortOrder", "applies to search queries only");
  }
  let descending = false;
  if (sortOrder !== null) {
    const order = sortOrder.toLowerCase();
    if (order !== "asc" && order !== "desc") throw invalid("sortOrder", "must be asc or desc");
    // Okta: sortOrder without sortBy is ignored.
    descending = sortBy !== null && order === "desc";
  }
  let key: SqlCondition = { sql: "id", params: [] };
  if (sortBy !== null) {
    const attr = attributeOf(sortBy, "search");
    if (!attr) throw invalid("sortBy", `is not an attribute search can sort by: '${sortBy.slice(0, 64)}'`);
    key = sortKeyOf(attr);
  }

  const rawAfter = params.get("after");
  const after = rawAfter === null ? undefined : decodeUserCursor(rawAfter, sortBy !== null);
  if (after === null) throw invalid("after", "is not a cursor this API returned");

  let where: SqlCondition;
  if (mode === "q") where = qCondition(q ?? "");
  else if (mode === "list") where = { sql: "status <> 'DEPROVISIONED'", params: [] };
  else where = compileQuery(mode, (mode === "filter" ? filter : search) ?? "");

  return { mode, where, key, descending, limit, ...(after ? { after } : {}), paged: mode !== "q" };
}

/** The statement's parts for `query`, its cursor included. */
export function userListStatement(query: UserListQuery): UserListStatement {
  const { key, descending } = query;
  const conditions = [query.where];
  if (query.after) conditions.push(afterCondition(key, query.after, descending));
  const direction = descending ? "DESC" : "ASC";
  return {
    key,
    where: {
      sql: conditions.map((c) => `(${c.sql})`).join(" AND "),
      params: conditions.flatMap((c) => c.params),
    },
    orderBy:
      key.sql === "id"
        ? { sql: `id ${direction}`, params: [] }
        : { sql: `${key.sql} ${direction}, id ${direction}`, params: key.params },
    limit: query.limit + 1,
  };
}

/**
 * Keyset pagination past `after`. SQLite puts NULL first ascending and last descending, so a NULL
 * sort key (an unset attribute) has a place in the order too.
 */
function afterCondition(key: SqlCondition, after: UserCursor, descending: boolean): SqlCondition {
  if (key.sql === "id") return { sql: descending ? "id < ?" : "id > ?", params: [after.id] };
  const k = key.sql;
  const kp = key.params;
  const v = after.key ?? null;
  if (!descending) {
    return v === null
      ? { sql: `((${k}) IS NULL AND id > ?) OR (${k}) IS NOT NULL`, params: [...kp, after.id, ...kp] }
      : { sql: `(${k}) > ? OR ((${k}) = ? AND id > ?)`, params: [...kp, v, ...kp, v, after.id] };
  }
  return v === null
    ? { sql: `(${k}) IS NULL AND id < ?`, params: [...kp, after.id] }
    : {
        sql: `(${k}) < ? OR ((${k}) = ? AND id < ?) OR (${k}) IS NULL`,
        params: [...kp, v, ...kp, v, after.id, ...kp],
      };
}

// ---- q ----

/** `(expr)` starts with the bound value: a range on the expression, so its index serves it. */
function prefix(expr: string, value: string): SqlCondition {
  // U+10FFFF sorts after every other character in UTF-8 byte order (SQLite's BINARY collation).
  return { sql: `(${expr} >= lower(?) AND ${expr} < (lower(?) || char(1114111)))`, params: [value, value] };
}

function qCondition(q: string): SqlCondition {
  if ([...q].length > USERS_Q_MAX_LENGTH)
    throw invalid("q", `must be at most ${USERS_Q_MAX_LENGTH} characters`);
  const parts = ["lower(first_name)", "lower(last_name)", "lower(email)"].map((e) => prefix(e, q));
  return {
    sql: `status <> 'DEPROVISIONED' AND (${parts.map((p) => p.sql).join(" OR ")})`,
    params: parts.flatMap((p) => p.params),
  };
}

// ---- filter and search ----

/** How an attribute is read: its column (and the lowered form its index holds), or a profile path. */
type Attribute =
  | { kind: "id" | "status"; sql: string }
  | { kind: "time"; sql: string }
  | { kind: "text"; sql: string; lowered: string }
  | { kind: "custom"; path: string };

const TIMES: Record<string, string> = {
  created: "created",
  activated: "activated",
  statusChanged: "status_changed",
  lastUpdated: "last_updated",
  lastLogin: "last_login",
  passwordChanged: "password_changed",
};
const TEXTS: Record<string, { sql: string; lowered: string }> = {
  "profile.login": { sql: "login", lowered: "login_key" },
  "profile.email": { sql: "email", lowered: "lower(email)" },
  "profile.firstName": { sql: "first_name", lowered: "lower(first_name)" },
  "profile.lastName": { sql: "last_name", lowered: "lower(last_name)" },
};
/** Okta's `filter` takes these attributes only. */
const FILTER_ATTRIBUTES = new Set(["status", "lastUpdated", "id", ...Object.keys(TEXTS)]);

function attributeOf(path: string, mode: "filter" | "search"): Attribute | undefined {
  if (mode === "filter" && !FILTER_ATTRIBUTES.has(path)) return undefined;
  if (path === "id") return { kind: "id", sql: "id" };
  if (path === "status") return { kind: "status", sql: "status" };
  const time = Object.hasOwn(TIMES, path) ? TIMES[path] : undefined;
  if (time) return { kind: "time", sql: time };
  const text = Object.hasOwn(TEXTS, path) ? TEXTS[path] : undefined;
  if (text) return { kind: "text", ...text };
  const name = path.startsWith("profile.") ? path.slice("profile.".length) : "";
  if (PROFILE_ATTRIBUTE.test(name)) return { kind: "custom", path: `$.${name}` };
  return undefined;
}

/** The expression a `sortBy` orders on: the standard names case-insensitively, as their indexes hold them. */
function sortKeyOf(attr: Attribute): SqlCondition {
  switch (attr.kind) {
    case "id":
    case "status":
    case "time":
      return { sql: attr.sql, params: [] };
    case "text":
      return { sql: attr.lowered, params: [] };
    case "custom":
      return { sql: "json_extract(profile, ?)", params: [attr.path] };
  }
}

function compileQuery(mode: "filter" | "search", text: string): SqlCondition {
  try {
    const tree = parseFilter(text, (path) => {
      if (!attributeOf(path, mode)) {
        throw new FilterError(
          mode === "filter"
            ? `'${path}' cannot be filtered on: filter takes status, lastUpdated, id and profile.login, profile.email, profile.firstName, profile.lastName`
            : `unknown attribute '${path}'`,
        );
      }
    });
    const condition = compileNode(tree, mode);
    if (condition.params.length > USERS_FILTER_MAX_PARAMS) {
      throw new FilterError(`compares with more than ${USERS_FILTER_MAX_PARAMS} values in all`);
    }
    return condition;
  } catch (error) {
    if (error instanceof FilterError) {
      throw new ApiError("E0000031", "Invalid search criteria.", [
        { errorSummary: `${mode}: ${error.message}` },
      ]);
    }
    throw error;
  }
}

function compileNode(node: FilterNode, mode: "filter" | "search"): SqlCondition {
  switch (node.kind) {
    case "and":
    case "or": {
      const left = compileNode(node.left, mode);
      const right = compileNode(node.right, mode);
      return {
        sql: `(${left.sql} ${node.kind === "and" ? "AND" : "OR"} ${right.sql})`,
        params: [...left.params, ...right.params],
      };
    }
    case "not":
      throw new FilterError("'not' is not supported: use 'lt … or … gt'");
    case "present": {
      if (mode === "filter")
        throw new FilterError("filter supports 'eq' (and gt, ge, lt, le on lastUpdated) only");
      const attr = attributeOf(node.path, mode) as Attribute;
      if (attr.kind === "custom") {
        return {
          sql: "EXISTS (SELECT 1 FROM json_each(users.profile, ?) AS a WHERE a.type <> 'null')",
          params: [attr.path],
        };
      }
      return { sql: `${attr.sql} IS NOT NULL`, params: [] };
    }
    case "compare":
      return compare(attributeOf(node.path, mode) as Attribute, node.path, node.op, node.value, mode);
  }
}

const ORDER_OPS: Record<string, string> = { gt: ">", ge: ">=", lt: "<", le: "<=" };

function compare(
  attr: Attribute,
  path: string,
  op: FilterOp,
  value: string | number | boolean | null,
  mode: "filter" | "search",
): SqlCondition {
  if (op === "ne") throw new FilterError("'ne' is not supported: use 'lt … or … gt'");
  if (mode === "filter" && op !== "eq" && !(attr.kind === "time" && op in ORDER_OPS)) {
    throw new FilterError("filter supports 'eq' (and gt, ge, lt, le on lastUpdated) only");
  }
  if (value === null) throw new FilterError(`'${path}' compares with null: use '${path} pr'`);
  if (op === "co" && attr.kind !== "text") {
    throw new FilterError(`'co' is supported on profile.login, email, firstName and lastName only`);
  }
  const order = ORDER_OPS[op];
  switch (attr.kind) {
    case "time": {
      const ms =
        typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(ms)) throw new FilterError(`'${path}' compares with an ISO 8601 timestamp`);
      if (op === "eq") return { sql: `${attr.sql} = ?`, params: [ms] };
      if (order) return { sql: `${attr.sql} ${order} ?`, params: [ms] };
      throw new FilterError(`'${op}' does not apply to '${path}'`);
    }
    case "id":
    case "status": {
      if (typeof value !== "string") throw new FilterError(`'${path}' compares with a string`);
      // Okta's statuses are upper case; search values are case-insensitive.
      const v = attr.kind === "status" ? value.toUpperCase() : value;
      if (op === "eq") return { sql: `${attr.sql} = ?`, params: [v] };
      if (order) return { sql: `${attr.sql} ${order} ?`, params: [v] };
      if (op === "sw") return { sql: `substr(${attr.sql}, 1, length(?)) = ?`, params: [v, v] };
      throw new FilterError(`'${op}' does not apply to '${path}'`);
    }
    case "text": {
      if (typeof value !== "string") throw new FilterError(`'${path}' compares with a string`);
      if (op === "eq") {
        // Search is case-insensitive; filter is not (Okta), except for the login, unique without case.
        return attr.lowered === "login_key"
          ? { sql: "login_key = lower(?)", params: [loginKey(value)] }
          : mode === "search"
            ? { sql: `${attr.lowered} = lower(?)`, params: [value] }
            : { sql: `(${attr.lowered} = lower(?) AND ${attr.sql} = ?)`, params: [value, value] };
      }
      if (op === "sw") return prefix(attr.lowered, value);
      if (op === "co") return { sql: `instr(${attr.lowered}, lower(?)) > 0`, params: [value] };
      if (order) return { sql: `${attr.lowered} ${order} lower(?)`, params: [value] };
      throw new FilterError(`'${op}' does not apply to '${path}'`);
    }
    case "custom":
      return customCompare(attr.path, path, op, value);
  }
}

/**
 * A profile attribute: a scalar, or an array any element of which may match (Okta's search over
 * arrays). `json_each` over a scalar yields the scalar itself, so one form serves both; the type
 * test keeps a string from matching a number that prints the same.
 */
function customCompare(
  jsonPath: string,
  path: string,
  op: FilterOp,
  value: string | number | boolean,
): SqlCondition {
  const exists = (condition: string, params: SqlValue[]): SqlCondition => ({
    sql: `EXISTS (SELECT 1 FROM json_each(users.profile, ?) AS a WHERE ${condition})`,
    params: [jsonPath, ...params],
  });
  const order = ORDER_OPS[op];
  if (typeof value === "boolean") {
    if (op !== "eq") throw new FilterError(`'${op}' does not apply to a boolean ('${path}')`);
    return exists("a.type = ?", [value ? "true" : "false"]);
  }
  if (typeof value === "number") {
    if (op === "eq") return exists("a.type IN ('integer', 'real') AND a.value = ?", [value]);
    if (order) return exists(`a.type IN ('integer', 'real') AND a.value ${order} ?`, [value]);
    throw new FilterError(`'${op}' does not apply to a number ('${path}')`);
  }
  if (op === "eq") return exists("a.type = 'text' AND lower(a.value) = lower(?)", [value]);
  if (op === "sw") {
    return exists("a.type = 'text' AND substr(lower(a.value), 1, length(?)) = lower(?)", [value, value]);
  }
  if (order) return exists(`a.type = 'text' AND lower(a.value) ${order} lower(?)`, [value]);
  throw new FilterError(`'${op}' does not apply to '${path}'`);
}

// ---- limit and cursor ----

function pageLimit(raw: string | null, limits: { default: number; max: number }): number {
  if (raw === null) return limits.default;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw invalid("limit", "must be a positive integer");
  // As Okta: more than the maximum is taken as the maximum.
  return Math.min(Number(raw), limits.max);
}

/** A cursor's text: base64url of its JSON, opaque to clients. */
export function encodeUserCursor(cursor: UserCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(cursor));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

/** The cursor, or null for anything `encodeUserCursor` did not make for a query sorted as this one. */
export function decodeUserCursor(text: string, sorted: boolean): UserCursor | null {
  // A sort key is at most a profile attribute (USER_PROFILE_MAX_BYTES) in base64.
  if (!/^[A-Za-z0-9_-]{1,24000}$/.test(text)) return null;
  let value: unknown;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const { id, key } = value as Record<string, unknown>;
  if (typeof id !== "string" || !/^[A-Za-z0-9]{1,64}$/.test(id)) return null;
  if (!sorted) return "key" in value ? null : { id };
  if (!("key" in value)) return null;
  if (key !== null && typeof key !== "string" && !(typeof key === "number" && Number.isFinite(key)))
    return null;
  return { id, key };
}

function invalid(field: string, rule: string): ApiError {
  return new ApiError("E0000001", `Api validation failed: ${field}`, [{ errorSummary: `${field}: ${rule}` }]);
}
