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
