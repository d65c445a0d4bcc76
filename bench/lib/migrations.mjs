/**
 * The D1 schema (migrations/*.sql, what `wrangler d1 migrations apply` applies) as single statements,
 * for a Miniflare D1 the bench creates itself: comments dropped, split at `;` ending a line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./paths.mjs";

export function migrationStatements() {
  const dir = join(ROOT, "migrations");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), "utf8")
        .split("\n")
        .map((line) => line.replace(/--.*$/, ""))
        .join("\n")
        .split(/;\s*$/m)
        .map((s) => s.trim())
        .filter(Boolean),
    );
}

/** Applies every migration to `db` (a Miniflare `D1Database`) in one batch. */
export async function applyMigrations(db) {
  await db.batch(migrationStatements().map((sql) => db.prepare(sql)));
}
