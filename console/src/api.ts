/**
 * The management API, called as everyone calls it: `Authorization: Bearer <org access token>`,
 * same origin, JSON. A failure keeps Okta's error body whole, and splits its `errorCauses` by the
 * field each names (`"<field>: <message>"`, src/admin/responses.ts) so a form can show each one
 * beside its field.
 */
import type { Session } from "./auth";
import { type FieldError, splitCause } from "./parse";
import { nextPathOf } from "./people";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly causes: readonly FieldError[],
    /** The `errorCauses` summaries as sent, whole paths and all (for forms of nested objects). */
    readonly summaries: readonly string[] = [],
  ) {
    super(errorSummary);
  }

  /** The causes naming `field`. */
  forField(field: string): string[] {
    return this.causes.filter((c) => c.field === field).map((c) => c.message);
  }
}

interface OktaError {
  errorCode?: string;
  errorSummary?: string;
  errorCauses?: { errorSummary?: string }[];
}

/** Called when the token is refused (401): the console signs in again. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(
  session: Session,
  method: string,
  path: string,
  body?: unknown,
  /** Sees the response's headers (apiPage reads `Link`). */
  onResponse?: (res: Response) => void,
): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${session.accessToken}`,
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  onResponse?.(res);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.ok) return parsed as T;
  if (res.status === 401) onUnauthorized();
  const error = (parsed ?? {}) as OktaError;
  throw new ApiFailure(
    res.status,
    error.errorCode ?? `HTTP ${res.status}`,
    error.errorSummary ?? `The request failed (${res.status}).`,
    (error.errorCauses ?? []).map((c) => splitCause(c.errorSummary ?? "")).filter((c) => c.message),
    (error.errorCauses ?? []).map((c) => c.errorSummary ?? "").filter(Boolean),
  );
}

// --- Paged lists (users, groups, system log) ---

/** One page of a list and the path of the next (`Link: rel="next"`, console/src/people.ts). */
export interface Page<T> {
  items: T[];
  next: string | undefined;
}

/**
 * A list page as {@link api} reads an object, plus its `Link` header: Okta pages every list with
 * `rel="next"` (RFC 8288), and a page holds no cursor of its own. `path` is relative to /api/v1, so
 * the token goes to this origin only, whatever a link named.
 */
export async function apiPage<T>(session: Session, path: string): Promise<Page<T>> {
  let link: string | null = null;
  const items = await api<T[]>(session, "GET", path, undefined, (res) => {
    link = res.headers.get("Link");
  });
  return { items, next: nextPathOf(link) };
}
