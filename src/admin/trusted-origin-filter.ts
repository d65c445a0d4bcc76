/**
 * Okta's `filter` on `GET /api/v1/trustedOrigins`: `name eq "…"`, `origin eq "…"` and
 * `status eq "ACTIVE|INACTIVE"`, joined by `and`. Pure. The terms become exact values the control
 * plane binds as SQL parameters: nothing of the filter's text ever becomes SQL.
 */
import type { Status } from "../config/schemas";

export type TrustedOriginWhere = { name?: string; origin?: string; status?: Status };

/** One term: a field, `eq`, and a double-quoted string with `\"` and `\\` escapes. */
const TERM = /^\s*(name|origin|status)\s+eq\s+"((?:[^"\\]|\\["\\])*)"\s*/i;
const AND = /^and\s+/i;

/** The terms, or undefined when the filter is not one Warden understands (Okta's E0000031). */
export function parseTrustedOriginFilter(filter: string): TrustedOriginWhere | undefined {
  const where: TrustedOriginWhere = {};
  let rest = filter;
  for (;;) {
    const match = TERM.exec(rest);
    if (!match) return undefined;
    const field = (match[1] as string).toLowerCase() as keyof TrustedOriginWhere;
    const value = (match[2] as string).replace(/\\(["\\])/g, "$1");
    // A field given twice with different values would match nothing: ask for intent instead.
    if (where[field] !== undefined && where[field] !== value) return undefined;
    if (field === "status") {
      if (value !== "ACTIVE" && value !== "INACTIVE") return undefined;
      where.status = value;
    } else {
      where[field] = value;
    }
    rest = rest.slice(match[0].length);
    if (rest === "") return where;
    const and = AND.exec(rest);
    if (!and) return undefined;
    rest = rest.slice(and[0].length);
  }
}
