/**
 * The people screens' pure rules (users, groups, system log), free of the DOM so that
 * test/unit/console-people.test.ts runs them in Node: the query strings the screens send to Okta's
 * Users, Groups and System Log APIs, the `Link` header they page with, and which lifecycle
 * operations a user's `_links` allow.
 */

/**
 * A SCIM string literal (RFC 7644 §3.4.2.2: a JSON string): `"` and `\` escaped, so a typed value
 * stays one value and never becomes part of the expression (src/log/filter.ts reads `\x` as `x`).
 */
export function scimString(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

/** Okta's user statuses, as the Users API's `status` holds them. */
export const USER_STATUSES = [
  "STAGED",
  "PROVISIONED",
  "ACTIVE",
  "RECOVERY",
  "PASSWORD_EXPIRED",
  "LOCKED_OUT",
  "SUSPENDED",
  "DEPROVISIONED",
] as const;

/** How many rows a list page asks for: enough for a screen, small enough to page. */
export const PAGE_SIZE = 20;

export interface UserSearch {
  /** A beginning of the login, email, first or last name (case-insensitive, as Okta's `sw`). */
  text: string;
  /** One of {@link USER_STATUSES}, or "" for every status. */
  status: string;
}

/**
 * The `search` expression of a user search (Okta "List users with search"): `q` would be shorter,
 * but Okta answers `q` with one page and no `next` link (a people picker), and leaves out
 * deactivated users, so an admin could never reach them. Undefined when nothing is asked.
 */
export function userSearchOf({ text, status }: UserSearch): string | undefined {
  const terms: string[] = [];
  const typed = text.trim();
  if (typed) {
    const value = scimString(typed);
    const any = ["login", "email", "firstName", "lastName"].map((a) => `profile.${a} sw ${value}`);
    terms.push(`(${any.join(" or ")})`);
  }
  if (status) terms.push(`status eq ${scimString(status)}`);
  return terms.length ? terms.join(" and ") : undefined;
}

/** The first page of a user search, relative to /api/v1. */
export function usersPath(search: UserSearch, limit = PAGE_SIZE): string {
  const params = new URLSearchParams({ limit: String(limit) });
  const expression = userSearchOf(search);
  if (expression) params.set("search", expression);
  return `/users?${params}`;
}

/** The first page of the groups whose name begins with `text` (Okta's `q` on groups pages). */
export function groupsPath(text: string, limit = PAGE_SIZE): string {
  const params = new URLSearchParams({ limit: String(limit) });
  const typed = text.trim();
  if (typed) params.set("q", typed);
  return `/groups?${params}`;
}

/**
 * The next page of a list, from its `Link` header (RFC 8288; Okta pages every list with
 * `rel="next"`), as a path relative to /api/v1. Only the path and query of the link are kept: the
 * console sends its token to its own origin only, whatever origin a header names, and a link
 * outside the management API is no page.
 */
export function nextPathOf(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match) continue;
    const rels = /\brel\s*=\s*"?([^";]*)"?/i.exec(match[2] as string)?.[1]?.split(/\s+/) ?? [];
    if (!rels.includes("next")) continue;
    let url: URL;
    try {
      url = new URL(match[1] as string, "http://relative.invalid");
    } catch {
      return undefined;
    }
    if (!url.pathname.startsWith("/api/v1/")) return undefined;
    return `${url.pathname.slice("/api/v1".length)}${url.search}`;
  }
  return undefined;
}

/** The System Log screen's filter form, as typed. */
export interface LogSearch {
  /** `<input type="datetime-local">` values (local time), or "". */
  since: string;
  until: string;
  /** An event type or its beginning (`user.lifecycle`), or "". */
  eventType: string;
  /** SUCCESS, FAILURE, ALLOW, DENY … or "" for any. */
  outcome: string;
  /** A SCIM expression of the admin's own, ANDed with the fields above, or "". */
  advanced: string;
  /** Okta's `q`: keywords every event shown contains. */
  q: string;
}

export const EMPTY_LOG_SEARCH: LogSearch = {
  since: "",
  until: "",
  eventType: "",
  outcome: "",
  advanced: "",
  q: "",
};

/** The outcomes Okta's LogEvent `outcome.result` takes. */
export const LOG_OUTCOMES = [
  "SUCCESS",
  "FAILURE",
  "SKIPPED",
  "ALLOW",
  "DENY",
  "CHALLENGE",
  "UNKNOWN",
] as const;

/**
 * The `filter` of a log search (Okta System Log API, SCIM syntax): the event type by its beginning
 * (`sw`, so `user.lifecycle` finds every lifecycle event and a whole type finds itself), the
 * outcome exactly, and the admin's own expression in parentheses so its `or` stays inside.
 */
export function logFilterOf(
  search: Pick<LogSearch, "eventType" | "outcome" | "advanced">,
): string | undefined {
  const terms: string[] = [];
  const eventType = search.eventType.trim();
  if (eventType) terms.push(`eventType sw ${scimString(eventType)}`);
  if (search.outcome) terms.push(`outcome.result eq ${scimString(search.outcome)}`);
  const advanced = search.advanced.trim();
  if (advanced) terms.push(terms.length ? `(${advanced})` : advanced);
  return terms.length ? terms.join(" and ") : undefined;
}

/**
 * A `datetime-local` value (the admin's local time) as the ISO 8601 instant Okta's `since` / `until`
 * take; anything else is sent as typed, for the server to refuse with its own words.
 */
export function instantOf(local: string): string | undefined {
  const value = local.trim();
  if (!value) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return value;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** The first page of a log search, newest first, relative to /api/v1. */
export function logsPath(search: LogSearch, limit = PAGE_SIZE): string {
  const params = new URLSearchParams({ sortOrder: "DESCENDING", limit: String(limit) });
  const since = instantOf(search.since);
  const until = instantOf(search.until);
  if (since) params.set("since", since);
  if (until) params.set("until", until);
  const filter = logFilterOf(search);
  if (filter) params.set("filter", filter);
  const q = search.q.trim();
  if (q) params.set("q", q);
  return `/logs?${params}`;
}

/** Okta's user lifecycle operations, in the order the console offers them. */
export const LIFECYCLE = ["activate", "unlock", "unsuspend", "suspend", "deactivate"] as const;
export type Lifecycle = (typeof LIFECYCLE)[number];

/**
 * The lifecycle operations a user allows now: those its `_links` name (Okta writes a link for each
 * operation the status allows, src/directory/user-view.ts), so the console never offers one the
 * server would refuse. Unlock is offered for a locked-out user only (Okta also takes it for an
 * active one, where it only clears the failure count).
 */
export function lifecycleOf(user: { status: string; _links?: Record<string, unknown> }): Lifecycle[] {
  const links = user._links ?? {};
  return LIFECYCLE.filter((action) => Object.hasOwn(links, action));
}

/** Okta deletes a user in two steps: only a deactivated (DEPROVISIONED) user can be deleted. */
export const canDelete = (user: { status: string }): boolean => user.status === "DEPROVISIONED";

/** The button's words for each operation. */
export const LIFECYCLE_LABELS: Record<Lifecycle, string> = {
  activate: "Activate",
  unlock: "Unlock",
  unsuspend: "Unsuspend",
  suspend: "Suspend",
  deactivate: "Deactivate",
};

/** A person's name for lists and headings: first and last name, else the login. */
export function personName(profile: { firstName?: unknown; lastName?: unknown; login?: unknown }): string {
  const name = [profile.firstName, profile.lastName]
    .filter((p): p is string => typeof p === "string" && p.trim() !== "")
    .join(" ");
  return name || String(profile.login ?? "");
}
