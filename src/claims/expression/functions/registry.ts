/**
 * Every function an expression can call, by the name it is written with. Anything not in this table
 * is rejected at compile time, which is what keeps expressions away from JavaScript internals.
 */
import { ARRAY_FUNCTIONS } from "./arrays";
import { CONVERT_FUNCTIONS } from "./convert";
import { GROUP_FUNCTIONS } from "./groups";
import { DEPRECATED_STRING_ALIASES, STRING_FUNCTIONS } from "./string";
import { TIME_FUNCTIONS } from "./time";
import type { FunctionSpec, FunctionTable } from "./types";

// A Map, so that looking up "constructor" or "toString" finds nothing rather than Object.prototype.
const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map(
  Object.entries({
    ...STRING_FUNCTIONS,
    ...ARRAY_FUNCTIONS,
    ...CONVERT_FUNCTIONS,
    ...TIME_FUNCTIONS,
    ...GROUP_FUNCTIONS,
  } satisfies FunctionTable),
);

/** Okta functions Warden does not implement, named so the error says so instead of "unknown". */
const NOT_SUPPORTED = new Set([
  "Iso3166Convert.toAlpha2",
  "Iso3166Convert.toAlpha3",
  "Iso3166Convert.toNumeric",
  "Iso3166Convert.toName",
  "getManagerUser",
  "getManagerAppUser",
  "getAssistantUser",
  "getAssistantAppUser",
  "hasDirectoryUser",
  "hasWorkdayUser",
  "findDirectoryUser",
  "findWorkdayUser",
]);

/**
 * Okta variables Warden has no data for in a claim, with what they are in Okta, so an expression
 * written for Okta is refused by name ("not supported"), not as an unknown identifier.
 */
const NOT_SUPPORTED_ROOTS: ReadonlyMap<string, string> = new Map([
  ["org", "Okta's organization properties (org.name, org.subdomain, …)"],
  ["idpuser", "Okta's identity-provider user profile (idpuser.*)"],
]);

/** Okta methods on `user` (Identity Engine group and linked-object functions), likewise. */
const NOT_SUPPORTED_USER_METHODS: ReadonlyMap<string, string> = new Map([
  ["getGroups", "Okta's user.getGroups(…) group lookup"],
  ["isMemberOf", "Okta's user.isMemberOf(…) membership test; use isMemberOfGroup or isMemberOfGroupName"],
  ["getLinkedObject", "Okta's user.getLinkedObject(…) linked objects"],
  ["getInternalProperty", "Okta's user.getInternalProperty(…)"],
]);

/** What an Okta variable Warden does not support is, or undefined for any other name. */
export function notSupportedRoot(name: string): string | undefined {
  return NOT_SUPPORTED_ROOTS.get(name);
}

/** What an Okta method on `user` that Warden does not support is, or undefined. */
export function notSupportedUserMethod(name: string): string | undefined {
  return NOT_SUPPORTED_USER_METHODS.get(name);
}

export type FunctionLookup =
  | { kind: "found"; name: string; spec: FunctionSpec }
  | { kind: "not_supported" }
  | { kind: "unknown"; suggestion: string | undefined };

export function lookupFunction(written: string): FunctionLookup {
  const name = DEPRECATED_STRING_ALIASES.get(written) ?? written;
  const spec = FUNCTIONS.get(name);
  if (spec !== undefined) return { kind: "found", name, spec };
  if (NOT_SUPPORTED.has(name)) return { kind: "not_supported" };
  const lower = name.toLowerCase();
  const suggestion = [...FUNCTIONS.keys()].find((candidate) => candidate.toLowerCase() === lower);
  return { kind: "unknown", suggestion };
}

/** The canonical names of every supported function (deprecated aliases not included). */
export const FUNCTION_NAMES: readonly string[] = Object.freeze([...FUNCTIONS.keys()]);
