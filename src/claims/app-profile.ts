/**
 * Okta's app `profile`: free-form JSON an admin attaches to an OAuth client ("any JSON-compliant
 * content"), which claim expressions read as `app.profile.*` (a group allow list for
 * getFilteredGroups, a tier, a tenant id). It travels with the client record to every edge and is
 * read on the token path, so it is bounded, and refused when it holds a name no expression could
 * ever read, so a typo-like key fails when saved rather than as an omitted claim at token time.
 */
import { isForbiddenProperty } from "./expression/ast";

export const APP_PROFILE_LIMITS = Object.freeze({
  /** Serialized UTF-8 size: room for a few hundred group ids; Okta documents no figure. */
  maxBytes: 16 * 1024,
  /** Nesting of objects and arrays below the profile itself. */
  maxDepth: 8,
});

/**
 * A profile member as the type system sees it. Nested JSON is `object` (checked as JSON at runtime,
 * below) rather than a recursive JSON type, which Durable Object RPC and Hono types cannot unfold.
 */
export type AppProfileValue = string | number | boolean | null | object;

/** Why a profile cannot be stored, naming where; undefined when it can. */
export function appProfileProblem(profile: Readonly<Record<string, unknown>>): string | undefined {
  // Structure first: it also proves the value is plain JSON before it is serialized.
  const problem = structureProblem(profile, [], 0);
  if (problem) return problem;
  const bytes = new TextEncoder().encode(JSON.stringify(profile)).length;
  if (bytes > APP_PROFILE_LIMITS.maxBytes) {
    return `must be at most ${APP_PROFILE_LIMITS.maxBytes} bytes of JSON, got ${bytes}`;
  }
  return undefined;
}

function structureProblem(value: unknown, path: readonly string[], depth: number): string | undefined {
  const where = path.length === 0 ? "" : ` at '${path.join(".")}'`;
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `must hold only finite numbers${where}`;
    case "object":
      break;
    default:
      return `must be JSON: found a ${typeof value}${where}`;
  }
  if (value === null) return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) {
    return `must be JSON: found a non-plain object${where}`;
  }
  if (depth > APP_PROFILE_LIMITS.maxDepth) {
    return `must not nest more than ${APP_PROFILE_LIMITS.maxDepth} levels deep${where}`;
  }
  const isList = Array.isArray(value);
  const entries = isList ? value.map((item, i) => [String(i), item] as const) : Object.entries(value);
  for (const [key, item] of entries) {
    if (!isList && isForbiddenProperty(key)) {
      return `must not have a member named '${key}'${where}: expressions cannot read it`;
    }
    const problem = structureProblem(item, [...path, key], depth + 1);
    if (problem) return problem;
  }
  return undefined;
}
