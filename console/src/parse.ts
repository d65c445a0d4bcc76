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

/** One authorization server's screens (`#/servers/<id>/<tab>`; no tab is its settings). */
export const SERVER_TABS = ["settings", "claims", "policies", "keys", "preview"] as const;
export type ServerTab = (typeof SERVER_TABS)[number];

/** The lists of the main navigation, each with a screen per object (`#/<list>/<id>`) but the log. */
const LISTS = ["servers", "apps", "users", "groups", "hooks", "logs"] as const;
export type List = (typeof LISTS)[number];

export type Route =
  | { screen: List }
  | { screen: "server"; id: string; tab: ServerTab }
  | { screen: "app" | "user" | "group" | "hook"; id: string };

const ONE_OF: Partial<Record<List, "server" | "app" | "user" | "group" | "hook">> = {
  servers: "server",
  apps: "app",
  users: "user",
  groups: "group",
  hooks: "hook",
};

/**
 * `#/<list>` is a list, `#/<list>/<id>` one of its objects, `#/servers/<id>/<tab>` one of a
 * server's screens; anything else (unknown, malformed) is the servers list.
 */
export function routeOf(hash: string): Route {
  const match = /^#\/([a-z]+)(?:\/([^/]+)(?:\/([a-z]+))?)?$/.exec(hash);
  const list = LISTS.find((l) => l === match?.[1]);
  if (!match || !list) return { screen: "servers" };
  const [, , rawId, rawTab] = match;
  if (rawId === undefined) return { screen: list };
  const one = ONE_OF[list];
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    return { screen: "servers" }; // A malformed escape is no id.
  }
  if (!one || !id) return { screen: "servers" };
  if (one !== "server") return rawTab === undefined ? { screen: one, id } : { screen: "servers" };
  const tab = rawTab === undefined ? "settings" : SERVER_TABS.find((t) => t === rawTab);
  return tab ? { screen: "server", id, tab } : { screen: "servers" };
}

/** The hash of a route (ids escaped), the inverse of {@link routeOf}. */
export function hashOf(route: Route): string {
  if (!("id" in route)) return `#/${route.screen}`;
  const list = route.screen === "server" ? "servers" : `${route.screen}s`;
  const tab = route.screen === "server" && route.tab !== "settings" ? `/${route.tab}` : "";
  return `#/${list}/${encodeURIComponent(route.id)}${tab}`;
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
