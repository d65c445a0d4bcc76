/**
 * `warden users import`, pure part: a CSV or JSON file → one Okta create-user body per row, and the
 * requests that load it through Okta's Users API (`POST /api/v1/users?activate=true`, and for a login
 * that already exists `POST /api/v1/users/{login}`, a partial update of the profile).
 *
 * CSV (src/cli/csv.ts): a header row naming the columns. `login`, `email`, `firstName`, `lastName`
 * and any other column are profile attributes (Okta's names, case as written); two columns are not:
 * `password` (credentials.password.value) and `groupIds` (group ids separated by `;`). An empty cell
 * sets nothing. JSON: an array of Okta user bodies — what Okta's `GET /api/v1/users` returns, or what
 * its `POST` takes: `{profile, credentials, groupIds}`; read-only members (`id`, `status`, `_links`,
 * …) are dropped, as is a `credentials.password` without a value (what a GET shows).
 *
 * A problem with the file as a whole (no `login` column, not an array) stops before anything is sent;
 * a problem with one row fails that row only, and the others load.
 */

/** What `POST /api/v1/users` takes, as far as an import sets it. */
export interface UserBody {
  profile: Record<string, unknown> & { login: string };
  credentials?: Record<string, unknown>;
  groupIds?: string[];
}

/** One row of the file: its number (as a person finds it, see `rowLabel`) and its body, or why not. */
export type UserRow = { row: number; user: UserBody } | { row: number; error: string };

export class UserFileError extends Error {}

/** Columns that are not profile attributes. */
const PASSWORD_COLUMN = "password";
const GROUPS_COLUMN = "groupIds";

/**
 * Rows of a CSV file, numbered as a spreadsheet shows them: the header is row 1, so the first user is
 * row 2 (a quoted cell spanning lines still makes one row). Blank lines are skipped.
 */
export function usersFromCsv(records: readonly { fields: string[] }[]): UserRow[] {
  const [header, ...rows] = records;
  if (!header) throw new UserFileError("the file is empty: it needs a header row naming the columns");
  const columns = header.fields.map((name) => name.trim());
  const seen = new Set<string>();
  for (const [index, name] of columns.entries()) {
    if (name === "") throw new UserFileError(`column ${index + 1} of the header row has no name`);
    if (seen.has(name)) throw new UserFileError(`the header names column '${name}' twice`);
    seen.add(name);
  }
  if (!seen.has("login")) {
    throw new UserFileError(
      `the header row has no 'login' column (it has: ${columns.join(", ")}); Okta's profile attributes are login, email, firstName, lastName, …`,
    );
  }
  const out: UserRow[] = [];
  for (const [index, record] of rows.entries()) {
    const row = index + 2;
    if (record.fields.every((f) => f.trim() === "")) continue;
    if (record.fields.length !== columns.length) {
      out.push({
        row,
        error: `has ${record.fields.length} cells, the header ${columns.length} (an unquoted comma in a value?)`,
      });
      continue;
    }
    out.push(csvUser(row, columns, record.fields));
  }
  return out;
}

function csvUser(row: number, columns: readonly string[], cells: readonly string[]): UserRow {
  const profile: Record<string, unknown> = {};
  let password: string | undefined;
  let groupIds: string[] | undefined;
  for (const [i, column] of columns.entries()) {
    const cell = cells[i] ?? "";
    if (column === PASSWORD_COLUMN) {
      // A password is taken as written: spaces may be part of it.
      if (cell !== "") password = cell;
      continue;
    }
    const value = cell.trim();
    if (value === "") continue;
    if (column === GROUPS_COLUMN) {
      groupIds = value
        .split(";")
        .map((id) => id.trim())
        .filter((id) => id !== "");
      continue;
    }
    profile[column] = value;
  }
  if (typeof profile.login !== "string") return { row, error: "has no login" };
  return {
    row,
    user: {
      profile: profile as UserBody["profile"],
      ...(password !== undefined ? { credentials: { password: { value: password } } } : {}),
      ...(groupIds && groupIds.length > 0 ? { groupIds: [...new Set(groupIds)] } : {}),
    },
  };
}

/** Rows of a JSON file: an array, each item numbered from 1. */
export function usersFromJson(value: unknown): UserRow[] {
  if (!Array.isArray(value)) {
    throw new UserFileError(
      "a JSON file must be an array of users ({profile, credentials, groupIds} objects)",
    );
  }
  return value.map((item, index) => jsonUser(index + 1, item));
}

function jsonUser(row: number, item: unknown): UserRow {
  if (!isRecord(item)) return { row, error: "is not an object" };
  const { profile, credentials, groupIds } = item;
  if (!isRecord(profile)) return { row, error: "has no profile object" };
  if (typeof profile.login !== "string" || profile.login.trim() === "") {
    return { row, error: "has no profile.login" };
  }
  if (groupIds !== undefined && !(Array.isArray(groupIds) && groupIds.every((g) => typeof g === "string"))) {
    return { row, error: "groupIds must be an array of group ids" };
  }
  if (credentials !== undefined && !isRecord(credentials))
    return { row, error: "credentials must be an object" };
  const kept = credentials ? writableCredentials(credentials) : undefined;
  return {
    row,
    user: {
      profile: profile as UserBody["profile"],
      ...(kept ? { credentials: kept } : {}),
      ...(groupIds && groupIds.length > 0 ? { groupIds: [...new Set(groupIds as string[])] } : {}),
    },
  };
}

/**
 * What of a user's `credentials` a create takes: a password with a value (or a hash: Warden says
 * whether it takes one) and a recovery question. A GET's `provider` and empty `password: {}` are
 * read-only, and would be refused.
 */
function writableCredentials(credentials: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const { password, recovery_question } = credentials;
  if (isRecord(password) && (password.value !== undefined || password.hash !== undefined)) {
    out.password = password;
  }
  if (recovery_question !== undefined) out.recovery_question = recovery_question;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** An HTTP request of the import, relative to Warden's origin. */
export interface UserRequest {
  method: "POST";
  path: string;
  body: unknown;
}

/** Okta's create: active at once (`activate=true`), with its password and groups when given. */
export function createRequest(user: UserBody): UserRequest {
  return { method: "POST", path: "/api/v1/users?activate=true", body: user };
}

/**
 * For a login that exists: Okta's partial update (`POST /api/v1/users/{id or login}`) of the profile
 * only. Its password and groups are left as they are: an import run twice must not reset passwords.
 */
export function updateRequest(user: UserBody): UserRequest {
  return {
    method: "POST",
    path: `/api/v1/users/${encodeURIComponent(user.profile.login)}`,
    body: { profile: user.profile },
  };
}

/** Okta's answer to a create whose login is taken: 400 E0000001 with a cause on `login`. */
export function isLoginTaken(status: number, body: unknown): boolean {
  if (status !== 400 || !isRecord(body) || body.errorCode !== "E0000001") return false;
  const causes = Array.isArray(body.errorCauses) ? body.errorCauses : [];
  return causes.some(
    (c) =>
      isRecord(c) && typeof c.errorSummary === "string" && /^login: .*already exists/i.test(c.errorSummary),
  );
}

/** Okta's error as one line: `E0000001 Api validation failed: login (login: …; …)`. */
export function errorLine(status: number, body: unknown): string {
  if (!isRecord(body) || typeof body.errorSummary !== "string") return `HTTP ${status}`;
  const causes = (Array.isArray(body.errorCauses) ? body.errorCauses : [])
    .map((c) => (isRecord(c) && typeof c.errorSummary === "string" ? c.errorSummary : undefined))
    .filter((c): c is string => c !== undefined);
  const code = typeof body.errorCode === "string" ? `${body.errorCode} ` : "";
  return `${code}${body.errorSummary}${causes.length > 0 ? ` (${causes.join("; ")})` : ""}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
