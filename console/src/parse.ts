/**
 * The console's pure rules, free of the DOM (test/unit/console-parse.test.ts runs them in Node):
 * how a server error's cause names its field, which hash routes exist, where a sign-in may return.
 */

export interface FieldError {
  /** The first segment of the cause's path (`audiences.0` → `audiences`), or undefined for the form. */
  field: string | undefined;
  message: string;
}

/**
 * `"name: must be …"` → {field: "name", message: "must be …"} (src/admin/responses.ts writes
 * `<path>: <message>`, the path dotted: `credentials.signing.alg`, `audiences.0`); anything else
 * belongs to the form as a whole.
 */
export function splitCause(summary: string): FieldError {
  const match = /^([A-Za-z_]\w*)(?:\.[\w.]*)?: (.+)$/s.exec(summary);
  return match ? { field: match[1], message: match[2] as string } : { field: undefined, message: summary };
}

export type Route = { screen: "servers" } | { screen: "server"; id: string };

/** `#/servers/<id>` is one server; anything else is the list. */
export function routeOf(hash: string): Route {
  const server = /^#\/servers\/([^/]+)$/.exec(hash);
  if (server?.[1]) {
    try {
      return { screen: "server", id: decodeURIComponent(server[1]) };
    } catch {
      // A malformed escape is no server id.
    }
  }
  return { screen: "servers" };
}

/**
 * Where a finished sign-in goes: one of the console's own hash routes, nothing else (the value went
 * through sessionStorage and the address bar, so it is treated as input).
 */
export function safeReturn(hash: string): string {
  return /^#\/[\w\-.%/]*$/.test(hash) && !hash.includes("//") ? hash : "#/servers";
}

/** One audience a line (or comma-separated); blanks dropped, the server validates the rest. */
export function parseAudiences(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((a) => a.trim())
    .filter(Boolean);
}
