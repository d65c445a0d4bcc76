/**
 * What every management-API route answers the same way, in Okta's shapes: validation failures
 * (400 E0000001 with one cause per field), a failed control-plane write (404 for a missing object),
 * the unsupported-method error, and cursor pagination (`limit` / `after`, RFC 8288 `Link`).
 */
import type { Context } from "hono";
import type { ValidationIssue } from "../config/issues";
import type { Status } from "../config/schemas";
import type { AppEnv } from "../context";
import type { WriteResult } from "../control-plane/write-result";
import { ApiError } from "../errors";
import { notFound } from "./control-plane-client";

/** The org's origin for `_links` and issuers, as src/admin/org-origin.ts resolved it. */
export function adminOrigin(c: Context<AppEnv>): string {
  return c.get("orgUrl");
}

export function validationFailed(issues: readonly ValidationIssue[]): ApiError {
  return new ApiError(
    "E0000001",
    `Api validation failed: ${[...new Set(issues.map((i) => i.path || "body"))].join(", ")}`,
    issues.map((i) => ({ errorSummary: `${i.path || "body"}: ${i.message}` })),
  );
}

/**
 * Okta's 403 for a caller without the rights a write needs; the causes name the okta.* scopes it
 * lacks (public names, nothing about the object).
 */
export function lacksRights(scopes: readonly string[]): ApiError {
  return new ApiError(
    "E0000006",
    "You do not have permission to perform the requested action",
    scopes.map((scope) => ({ errorSummary: `requires ${scope}` })),
  );
}

/** How a route names what a failed write found missing, and the fields its issues name. */
export interface WriteAnswer<M> {
  /** The id and Okta kind (`App`, `InlineHook`…) in the 404 for a `notFound`. */
  missing?: (notFound: M) => { id: string; kind: string };
  /** The path a client sent for a stored field's path (the apps API's Okta envelope). */
  issuePath?: (path: string) => string;
}

/**
 * A control-plane write's value, or Okta's error for a failed one: 404 (E0000007) naming the
 * missing object, 403 (E0000006) naming the okta.* scopes the caller lacks, else 400 (E0000001)
 * with one cause per issue. Every management route answers its writes through here.
 */
export function written<T, M>(result: WriteResult<T, M>, answer: WriteAnswer<M> = {}): T {
  if (result.ok) return result.value;
  if ("forbidden" in result) throw lacksRights(result.forbidden);
  if ("notFound" in result) {
    if (!answer.missing) throw new Error("a write that cannot miss anything reported a missing object");
    const { id, kind } = answer.missing(result.notFound);
    notFound(id, kind);
  }
  const path = answer.issuePath;
  throw validationFailed(
    path ? result.issues.map((i) => ({ path: path(i.path), message: i.message })) : result.issues,
  );
}

/**
 * The answer for a change to server `serverId`, whose failures name the missing object's id: the
 * server, an object of another kind in the path (`parents`: a rule's policy), or the route's `kind`.
 */
export function inServer(
  serverId: string,
  kind: string,
  parents: Record<string, string> = {},
): WriteAnswer<string> {
  return {
    missing: (id) => ({ id, kind: id === serverId ? "AuthorizationServer" : (parents[id] ?? kind) }),
  };
}

/** Okta's `lifecycle/activate|deactivate` operations and the status each sets. */
export const LIFECYCLE = [
  ["activate", "ACTIVE"],
  ["deactivate", "INACTIVE"],
] as const;

/** Okta links whichever lifecycle operation applies to the object's current status. */
export function lifecycleLinks(self: string, status: Status) {
  const post = { hints: { allow: ["POST"] } };
  return status === "ACTIVE"
    ? { deactivate: { href: `${self}/lifecycle/deactivate`, ...post } }
    : { activate: { href: `${self}/lifecycle/activate`, ...post } };
}

/**
 * Okta's answer to a method a path does not support, with the RFC 9110 §15.5.6 `Allow` header
 * naming the ones it does.
 */
export function methodNotAllowed(allowed: readonly string[]): ApiError {
  return new ApiError("E0000022", "The endpoint does not support the provided HTTP method", [], {
    Allow: allowed.join(", "),
  });
}

/**
 * The methods each of `routes`' paths answers, for the 405 fallback: a `:param` segment matches
 * any one segment. GET implies HEAD (Hono answers HEAD from the GET handler).
 */
export function allowedMethods(
  routes: readonly { method: string; path: string }[],
): (path: string) => string[] {
  const table = routes
    .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
    .map((r) => ({
      method: r.method,
      pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[^/]+/g, "[^/]+")}/?$`),
    }));
  return (path) => {
    const methods = new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}

/** Okta's `limit`: a positive integer, capped at the resource's largest page. */
export function pageLimit(raw: string | undefined, limits: { default: number; max: number }): number {
  if (raw === undefined) return limits.default;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw validationFailed([{ path: "limit", message: "must be a positive integer" }]);
  }
  return Math.min(n, limits.max);
}

/**
 * Okta's pagination links (RFC 8288): `self` always, `next` with the cursor while more remain.
 * The SDKs follow `next` until it is absent.
 */
export function setPageLinks(
  c: Context<AppEnv>,
  path: string,
  page: { limit: number; q?: string; filter?: string; after?: string; next?: string },
): void {
  const base = `${adminOrigin(c)}${path}`;
  // `q` and `filter` stay in the links, so the SDKs' paging keeps the same query.
  const query = (after: string | undefined) =>
    new URLSearchParams({
      ...(page.q ? { q: page.q } : {}),
      ...(page.filter ? { filter: page.filter } : {}),
      limit: String(page.limit),
      ...(after ? { after } : {}),
    }).toString();
  const links = [`<${base}?${query(page.after)}>; rel="self"`];
  if (page.next) links.push(`<${base}?${query(page.next)}>; rel="next"`);
  c.header("Link", links.join(", "));
}
