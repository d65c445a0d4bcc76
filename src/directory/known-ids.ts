/**
 * Which of some user or group ids exist in the directory: the control plane's referential check of
 * the people a rule names (src/control-plane/references.ts). Only the named ids are looked up, in
 * statements of at most DIRECTORY_LOOKUP_CHUNK bound values (D1 takes 100 per statement), all in
 * one batch.
 */
import { DIRECTORY_LOOKUP_CHUNK } from "../config/defaults";

export async function existingIds(
  db: D1Database,
  table: "users" | "groups",
  ids: readonly string[],
): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < unique.length; i += DIRECTORY_LOOKUP_CHUNK) {
    const chunk = unique.slice(i, i + DIRECTORY_LOOKUP_CHUNK);
    // `table` is one of two literals, never input; the ids are bound, never spliced in.
    statements.push(
      db.prepare(`SELECT id FROM ${table} WHERE id IN (${chunk.map(() => "?").join(", ")})`).bind(...chunk),
    );
  }
  const results = await db.batch<{ id: string }>(statements);
  return new Set(results.flatMap((r) => r.results.map((row) => row.id)));
}
