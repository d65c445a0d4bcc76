/**
 * Lean objects for files and plans: every member whose value is what the schema would fill in
 * anyway is dropped. Exact by construction: a member goes only when parsing the object without it
 * gives the same result, so the lean object and the full one mean the same to Warden.
 */
import type * as z from "zod";
import { OBJECT_FIELDS } from "./file-schema";
import type { ObjectKind } from "./plan";
import { getAt, isPlainObject, type PathSegment, sameValue, withoutAt } from "./values";

/** An object of the file without what its kind's own fields ({@link OBJECT_FIELDS}) default anyway. */
export function leanObject<T extends Record<string, unknown>>(kind: ObjectKind, value: T): Partial<T> {
  return withoutDefaults(OBJECT_FIELDS[kind], value);
}

function withoutDefaults<T extends Record<string, unknown>>(schema: z.ZodType, value: T): Partial<T> {
  const full = schema.safeParse(value);
  if (!full.success) return value;
  const same = (candidate: unknown) => {
    const parsed = schema.safeParse(candidate);
    return parsed.success && sameValue(parsed.data, full.data);
  };
  let lean: unknown = value;
  // Outermost first: a default object (`people`, `credentials`) goes as a whole before its members.
  const visit = (path: PathSegment[]) => {
    const node = getAt(lean, path);
    if (!isPlainObject(node)) return;
    for (const key of Object.keys(node)) {
      const candidate = withoutAt(lean, [...path, key]);
      if (same(candidate)) lean = candidate;
      else visit([...path, key]);
    }
  };
  visit([]);
  return lean as Partial<T>;
}
