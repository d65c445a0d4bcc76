/**
 * The management API, called as everyone calls it: `Authorization: Bearer <org access token>`,
 * same origin, JSON. A failure keeps Okta's error body whole, and splits its `errorCauses` by the
 * field each names (`"<field>: <message>"`, src/admin/responses.ts) so a form can show each one
 * beside its field.
 */
import type { Session } from "./auth";
import { type FieldError, splitCause } from "./parse";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly causes: readonly FieldError[],
    /** The `errorCauses` summaries whole (`channel.config.uri: …`), for a form whose fields are deeper than the first segment. */
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

export async function api<T>(session: Session, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${session.accessToken}`,
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
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
