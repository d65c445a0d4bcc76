/**
 * Replay protection for client assertions (RFC 7523 §3 item 7, OIDC Core §9): one Durable Object per
 * client remembers every `jti` it accepted until that assertion expires. A Durable Object, not KV:
 * "seen before?" must be answered by one authority at once, and KV's eventual consistency would let
 * the same assertion through at two edges (DESIGN §1). Checking and recording happen in one
 * synchronous step of a single-threaded object, so two concurrent uses cannot both pass; an alarm
 * deletes expired entries, so storage stays bounded by the assertions of the last hour.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

interface SeenRow extends Record<string, SqlStorageValue> {
  expires_at: number;
}

export class AssertionReplay extends DurableObject<Env> {
  /** `#private`: RPC callers reach only `consume` (DESIGN §7 rule 9). */
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS seen (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS seen_expiry ON seen (expires_at);
    `);
  }

  /**
   * Records `jti` as used until `expiresAt` (epoch seconds). True the first time; false when it was
   * already used by an assertion that has not expired at `now`.
   */
  async consume(jti: string, expiresAt: number, now: number): Promise<boolean> {
    const seen = this.#sql.exec<SeenRow>("SELECT expires_at FROM seen WHERE jti = ?", jti).toArray()[0];
    if (seen && seen.expires_at > now) return false;
    this.#sql.exec("INSERT OR REPLACE INTO seen (jti, expires_at) VALUES (?, ?)", jti, expiresAt);
    const alarm = await this.ctx.storage.getAlarm();
    const due = (expiresAt + 1) * 1000;
    if (alarm === null || alarm > due) await this.ctx.storage.setAlarm(due);
    return true;
  }

  override async alarm(): Promise<void> {
    this.#sql.exec("DELETE FROM seen WHERE expires_at < ?", Math.floor(Date.now() / 1000));
    const next = this.#sql
      .exec<{ next: number | null }>("SELECT MIN(expires_at) AS next FROM seen")
      .toArray()[0]?.next;
    if (next !== null && next !== undefined) await this.ctx.storage.setAlarm((next + 1) * 1000);
  }
}
