/**
 * Directory rows for the worker tier, written straight into D1: users without a password hash (the
 * Users API is another module's; these tests need only rows that exist), and counts of what a
 * refused request must not have written.
 */
import { env } from "cloudflare:workers";
import { newObjectId } from "../../src/crypto/object-id";
import type { Env } from "../../src/env";

export const db = (): D1Database => (env as Env).DIRECTORY;

let counter = 0;

/** A user row (ACTIVE, no password); its id and login. */
export async function seedUser(
  profile: Record<string, unknown> = {},
  status = "ACTIVE",
): Promise<{ id: string; login: string }> {
  counter += 1;
  const id = newObjectId("00u");
  const login = `user${counter}-${id.slice(-6).toLowerCase()}@example.test`;
  const now = Date.now();
  await db()
    .prepare(
      `INSERT INTO users (id, status, profile, created, activated, status_changed, last_updated)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      id,
      status,
      JSON.stringify({ login, email: login, firstName: "Test", lastName: `User ${counter}`, ...profile }),
      now,
      now,
      now,
      now,
    )
    .run();
  return { id, login };
}

/** An OKTA_GROUP row, for tests of the stores below the API. */
export async function seedGroup(name: string): Promise<string> {
  const id = newObjectId("00g");
  const now = Date.now();
  await db()
    .prepare(
      `INSERT INTO groups (id, type, profile, created, last_updated, last_membership_updated)
       VALUES (?, 'OKTA_GROUP', ?, ?, ?, ?)`,
    )
    .bind(id, JSON.stringify({ name }), now, now, now)
    .run();
  return id;
}

/** Rows in the directory's tables: a refused request leaves every count as it was. */
export async function directoryCounts(): Promise<Record<string, number>> {
  const tables = ["users", "groups", "group_members", "app_users", "app_groups"];
  const results = await db().batch(tables.map((t) => db().prepare(`SELECT count(*) AS n FROM ${t}`)));
  return Object.fromEntries(
    tables.map((t, i) => [t, (results[i]?.results[0] as { n: number } | undefined)?.n ?? 0]),
  );
}

/** The stored profile JSON of every group: a refused write leaves it byte for byte. */
export async function groupRows(): Promise<unknown[]> {
  const { results } = await db().prepare("SELECT * FROM groups ORDER BY id").all();
  return results;
}
