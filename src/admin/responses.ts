/**
 * What every management-API route answers the same way, in Okta's shapes: validation failures
 * (400 E0000001 with one cause per field), a failed server change (404 for a missing object),
 * the unsupported-method error, and cursor pagination (`limit` / `after`, RFC 8288 `Link`).
 */
import type { Context } from "hono";
import type { ValidationIssue } from "../config/issues";
import type { Status } from "../config/schemas";
import type { AppEnv } from "../context";
import type { ServerChangeResult } from "../control-plane/control-plane";
import { ApiError } from "../errors";
import { orgUrl } from "../oauth/server-context";
import { notFound } from "./control-plane-client";

/** The org's origin for `_links`: the configured `ORG_URL`, else the request's. */
export function adminOrigin(c: Context<AppEnv>): string {
  return orgUrl(c.env.ORG_URL, c.req.url);
}

export function validationFailed(issues: readonly ValidationIssue[]): ApiError {
  return new ApiError(
    "E0000001",
    `Api validation failed: ${[...new Set(issues.map((i) => i.path || "body"))].join(", ")}`,
    issues.map((i) => ({ errorSummary: `${i.path || "body"}: ${i.message}` })),
  );
}

/**
 * The changed object, or Okta's error for a failed change: 404 naming the missing server or
 * object, else 400 with every issue. `kind` is Okta's name for the object the route manages;
 * `parents` names the kinds of other ids in the path (a rule's policy).
 */
export function changed(
  serverId: string,
  result: ServerChangeResult,
  kind: string,
  parents: Record<string, string> = {},
): Extract<ServerChangeResult, { ok: true }> {
  if (result.ok) return result;
  if (result.notFound !== undefined) {
    const missing = result.notFound;
    notFound(missing, missing === serverId ? "AuthorizationServer" : (parents[missing] ?? kind));
  }
  throw validationFailed(result.issues);
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
  page: { limit: number; q?: string; after?: string; next?: string },
): void {
  const base = `${adminOrigin(c)}${path}`;
  const query = (after: string | undefined) =>
    new URLSearchParams({
      ...(page.q ? { q: page.q } : {}),
      limit: String(page.limit),
      ...(after ? { after } : {}),
    }).toString();
  const links = [`<${base}?${query(page.after)}>; rel="self"`];
  if (page.next) links.push(`<${base}?${query(page.next)}>; rel="next"`);
  c.header("Link", links.join(", "));
}
