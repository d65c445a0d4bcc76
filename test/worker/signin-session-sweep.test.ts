/**
 * The expired-session sweep (src/signin/session-sweep.ts) on real D1: the daily cron deletes
 * sessions past their idle or absolute expiry and spent-by-time session tokens, keeps every live
 * one, in bounded statements that a later run continues.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { sweepExpiredSessions } from "../../src/signin/session-sweep";
import { uniqueId } from "./helpers";
import { insertUser, PASSWORD } from "./people-fixtures";
import { Browser, bindings, redirectParams, seedSignInWorld } from "./signin-fixtures";

const HOUR = 3_600_000;

/** A session row for `userId` whose idle expiry is `expiresAt` (epoch ms). */
async function insertSession(userId: string, expiresAt: number, maxExpiresAt = expiresAt + HOUR) {
  const id = uniqueId("102");
  await bindings.DIRECTORY.prepare(
    `INSERT INTO sessions (secret_hash, id, user_id, amr, auth_time, created, last_used, expires_at, max_expires_at)
     VALUES (?1, ?1, ?2, '["pwd"]', 0, 0, 0, ?3, ?4)`,
  )
    .bind(id, userId, expiresAt, maxExpiresAt)
    .run();
  return id;
}

async function insertToken(userId: string, expiresAt: number) {
  const hash = uniqueId("tok");
  await bindings.DIRECTORY.prepare(
    "INSERT INTO session_tokens (token_hash, user_id, auth_time, expires_at) VALUES (?1, ?2, 0, ?3)",
  )
    .bind(hash, userId, expiresAt)
    .run();
  return hash;
}

async function sessionIds(userId: string): Promise<string[]> {
  const { results } = await bindings.DIRECTORY.prepare(
    "SELECT id FROM sessions WHERE user_id = ?1 ORDER BY id",
  )
    .bind(userId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

async function tokenHashes(userId: string): Promise<string[]> {
  const { results } = await bindings.DIRECTORY.prepare(
    "SELECT token_hash FROM session_tokens WHERE user_id = ?1 ORDER BY token_hash",
  )
    .bind(userId)
    .all<{ token_hash: string }>();
  return results.map((r) => r.token_hash);
}

describe("the expired-session sweep", () => {
  it("the daily cron deletes expired sessions and tokens, and keeps live ones", async () => {
    const now = Date.now() + 10 * 365 * 24 * HOUR; // after every row other tests left behind
    const user = await insertUser({ name: "sweep" });
    const idle = await insertSession(user.id, now - HOUR); // idle expiry passed, absolute not
    const ended = await insertSession(user.id, now - 2 * HOUR, now - 2 * HOUR);
    const exact = await insertSession(user.id, now); // expires at this very instant: gone
    const live = await insertSession(user.id, now + HOUR);
    const oldToken = await insertToken(user.id, now - 1);
    const liveToken = await insertToken(user.id, now + 60_000);
    expect((await sessionIds(user.id)).sort()).toEqual([idle, ended, exact, live].sort());

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "17 3 * * *" }), bindings);
    await waitOnExecutionContext(ctx);

    expect(await sessionIds(user.id)).toEqual([live]);
    expect(await tokenHashes(user.id)).toEqual([liveToken]);
    expect(oldToken).not.toBe(liveToken);
  });

  it("is bounded per run; the next run continues where it stopped", async () => {
    const now = Date.now() + 20 * 365 * 24 * HOUR;
    // Rows other tests left, all expired by then, out of the way first.
    await sweepExpiredSessions(bindings.DIRECTORY, now);
    const user = await insertUser({ name: "bounded" });
    for (let i = 0; i < 5; i++) await insertSession(user.id, now - (i + 1) * HOUR);
    const live = await insertSession(user.id, now + HOUR);

    const first = await sweepExpiredSessions(bindings.DIRECTORY, now, { batch: 2, maxBatches: 2 });
    expect(first.sessions).toBe(4);
    expect(first.more).toBe(true);
    expect(await sessionIds(user.id)).toHaveLength(2);

    const second = await sweepExpiredSessions(bindings.DIRECTORY, now, { batch: 2, maxBatches: 2 });
    expect(second).toEqual({ sessions: 1, sessionTokens: 0, more: false });
    expect(await sessionIds(user.id)).toEqual([live]);
    // Nothing left to do: a third run deletes nothing.
    expect(await sweepExpiredSessions(bindings.DIRECTORY, now)).toEqual({
      sessions: 0,
      sessionTokens: 0,
      more: false,
    });
  });

  it("a session in use survives the sweep and keeps signing its user in", async () => {
    const world = await seedSignInWorld();
    const browser = new Browser();
    const page = await browser.authorize(world);
    redirectParams(await browser.signIn(await page.text(), world.alice.login, PASSWORD));
    await sweepExpiredSessions(bindings.DIRECTORY, Date.now());
    const again = redirectParams(await browser.authorize(world, { prompt: "none" }));
    expect(again.get("code")).toBeTruthy();
  });
});
