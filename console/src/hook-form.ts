/**
 * The inline-hook form's pure rules (test/unit/console-hooks.test.ts runs them in Node): the form's
 * fields to Okta's Inline Hook body and back, and each server cause placed beside the field it names
 * (the API's paths are `channel.config.uri`, `channel.config.authScheme.value`: deeper than the first
 * segment the shared Field reads). The auth secret is write-only (Okta, src/admin/inline-hooks.ts):
 * a form never holds the stored one, and an empty secret on an edit keeps it.
 */
import type { FieldError } from "./parse";

/** The one type Warden runs (Okta's token inline hook). */
export const TOKEN_HOOK_TYPE = "com.okta.oauth2.tokens.transform";

/** Okta's Inline Hook object as `GET /api/v1/inlineHooks` answers it (never with the secret). */
export interface InlineHook {
  id: string;
  name: string;
  status: "ACTIVE" | "INACTIVE";
  type: string;
  version: string;
  channel: {
    type: string;
    version: string;
    config: {
      uri: string;
      method: string;
      headers: { key: string; value: string }[];
      authScheme: { type: string; key: string } | null;
    };
  };
  created?: string;
  lastUpdated?: string;
}

export interface HookDraft {
  name: string;
  uri: string;
  /** The header that carries the secret, e.g. Authorization; empty: no authentication header. */
  authKey: string;
  /** The secret; empty on an edit keeps the stored one (for the same header and URL origin). */
  authValue: string;
  /** Other headers sent on every call, one a line: `Name: value` (Okta's `channel.config.headers`). */
  headers: string;
}

export const EMPTY_HOOK: HookDraft = {
  name: "",
  uri: "",
  authKey: "Authorization",
  authValue: "",
  headers: "",
};

/** The form's fields, as named to {@link Field}. */
export const HOOK_FIELDS = ["name", "type", "uri", "authKey", "authValue", "headers"] as const;

export function draftOf(hook: InlineHook): HookDraft {
  return {
    name: hook.name,
    uri: hook.channel.config.uri,
    authKey: hook.channel.config.authScheme?.key ?? "",
    authValue: "",
    headers: hook.channel.config.headers.map((h) => `${h.key}: ${h.value}`).join("\n"),
  };
}

/**
 * `Name: value` a line (split at the first colon, both sides trimmed; a line without one is a
 * header with an empty value); blank lines dropped. The server validates names and values.
 */
export function parseHeaders(text: string): { key: string; value: string }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const colon = line.indexOf(":");
      return colon < 0
        ? { key: line, value: "" }
        : { key: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
    });
}

/**
 * Okta's create / replace body. A secret typed without a header name is sent as such, so the
 * server's cause says what is missing rather than the console dropping the secret silently.
 */
export function hookBody(draft: HookDraft): Record<string, unknown> {
  const key = draft.authKey.trim();
  const authScheme =
    key || draft.authValue
      ? { type: "HEADER", key, ...(draft.authValue ? { value: draft.authValue } : {}) }
      : undefined;
  return {
    name: draft.name.trim(),
    type: TOKEN_HOOK_TYPE,
    version: "1.0.0",
    channel: {
      type: "HTTP",
      version: "1.0.0",
      config: {
        uri: draft.uri.trim(),
        method: "POST",
        headers: parseHeaders(draft.headers),
        ...(authScheme ? { authScheme } : {}),
      },
    },
  };
}

/** `channel.config.authScheme.value: required…` → the form field it belongs to; undefined: the form's. */
export function hookFieldOf(path: string): (typeof HOOK_FIELDS)[number] | undefined {
  if (path === "name" || path === "type") return path;
  if (path === "channel.config.uri") return "uri";
  if (path === "channel.config.authScheme.value") return "authValue";
  if (path.startsWith("channel.config.authScheme")) return "authKey";
  if (path.startsWith("channel.config.headers")) return "headers";
  return undefined;
}

/** `"<path>: <message>"` (src/admin/responses.ts) split at the first `: ` after a dotted path. */
export function splitPath(summary: string): { path: string | undefined; message: string } {
  const match = /^([A-Za-z_][\w.]*): (.+)$/s.exec(summary);
  return match
    ? { path: match[1] as string, message: match[2] as string }
    : { path: undefined, message: summary };
}

/**
 * The causes of a refused write (the `errorCauses` summaries whole), each named by the form field
 * its full path maps to; a cause no field shows keeps its path, so the form's summary says what it
 * is about.
 */
export function hookFormCauses(summaries: readonly string[]): FieldError[] {
  return summaries.map((summary) => {
    const { path, message } = splitPath(summary);
    const field = path === undefined ? undefined : hookFieldOf(path);
    // `channel.config.headers.2.key`: which header, counted as the form lists them.
    const header = path === undefined ? null : /^channel\.config\.headers\.(\d+)/.exec(path);
    if (header) return { field: "headers", message: `header ${Number(header[1]) + 1}: ${message}` };
    return field ? { field, message } : { field: undefined, message: summary };
  });
}
