/**
 * The Grant Durable Object (DESIGN §1): one sign-in of one user to one client. It holds the
 * authorization code (only its SHA-256 hash), what /v1/authorize decided, and whether the grant
 * stands; issue 12's refresh-token family joins it here (one grant, one object).
 *
 * Exactly once (RFC 6749 §4.1.2 "MUST NOT be used more than once"): every hash is computed before
 * the state is read, and the read-decide-write of a redemption (src/grants/code-redemption.ts) is one
 * synchronous storage transaction with no `await` inside, so no other request to this single-threaded
 * object can interleave: of twenty concurrent redemptions one wins. An alarm deletes the grant once
 * nothing it issued can still be used (idempotent: alarms fire at least once).
 */
import { DurableObject } from "cloudflare:workers";
import { AUTHORIZATION_CODE_LIFETIME_SECONDS } from "../config/defaults";
import { hashSecret } from "../crypto/secrets";
import type { Env } from "../env";
import {
  type GrantState,
  type GrantStatus,
  grantStands,
  type ObjectRedemption,
  redeemCode,
} from "./code-redemption";
import type { AuthorizedRequest, CodePresentation } from "./grant-port";

interface GrantRow extends Record<string, SqlStorageValue> {
  request: string;
  code_hash: string;
  code_expires_at: number;
  refusals: number;
  status: GrantStatus;
  expires_at: number;
}

export class Grant extends DurableObject<Env> {
  /** `#private`: RPC callers reach only the methods below (DESIGN §7 rule 9). */
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    // One row: the object is the grant. Times in epoch ms.
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS grant_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        request TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        code_expires_at INTEGER NOT NULL,
        refusals INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `);
  }

  /** Creates the grant with its code. Called once, on a fresh object (`newUniqueId`). */
  async open(request: AuthorizedRequest, codeSecret: string, nowMs: number): Promise<void> {
    const codeHash = await hashSecret(codeSecret);
    const codeExpiresAt = nowMs + AUTHORIZATION_CODE_LIFETIME_SECONDS * 1000;
    // INSERT, not REPLACE: a second `open` of one object is a bug and must not reset a grant.
    this.#sql.exec(
      "INSERT INTO grant_state (id, request, code_hash, code_expires_at, status, expires_at) VALUES (1, ?, ?, ?, 'CODE', ?)",
      JSON.stringify(request),
      codeHash,
      codeExpiresAt,
      codeExpiresAt,
    );
    await this.#scheduleDeletion(codeExpiresAt);
  }

  /** Redeems the code; the caller learns what failed (unknown, redirect URI, PKCE), never more. */
  async redeem(
    codeSecret: string,
    presented: Omit<CodePresentation, "codeVerifier">,
    codeVerifier: string | undefined,
    nowMs: number,
  ): Promise<ObjectRedemption> {
    // Hash first: from here nothing awaits until the state has changed.
    const hashed = {
      ...presented,
      codeHash: await hashSecret(codeSecret),
      verifierChallenge: codeVerifier === undefined ? undefined : await hashSecret(codeVerifier),
    };
    const outcome = this.ctx.storage.transactionSync(() => {
      const { outcome, next } = redeemCode(this.#state(), hashed, nowMs);
      if (next) this.#write(next);
      return outcome;
    });
    const state = this.#state();
    if (outcome.ok && state) await this.#scheduleDeletion(state.expiresAt);
    return outcome;
  }

  /** Whether the grant's tokens stand at `nowMs`: redeemed, not revoked, not yet forgotten. */
  async isActive(nowMs: number): Promise<boolean> {
    return grantStands(this.#state(), nowMs);
  }

  /** Revokes the grant (and its code, if unredeemed). Idempotent; a missing grant stays missing. */
  async revoke(_nowMs: number): Promise<void> {
    this.#sql.exec("UPDATE grant_state SET status = 'REVOKED' WHERE id = 1");
  }

  override async alarm(): Promise<void> {
    const state = this.#state();
    if (!state) return;
    if (state.expiresAt <= Date.now()) this.#sql.exec("DELETE FROM grant_state WHERE id = 1");
    else await this.ctx.storage.setAlarm(state.expiresAt);
  }

  #state(): GrantState | undefined {
    const row = this.#sql.exec<GrantRow>("SELECT * FROM grant_state WHERE id = 1").toArray()[0];
    if (!row) return undefined;
    return {
      request: JSON.parse(row.request) as AuthorizedRequest,
      codeHash: row.code_hash,
      codeExpiresAt: row.code_expires_at,
      refusals: row.refusals,
      status: row.status,
      expiresAt: row.expires_at,
    };
  }

  #write(state: GrantState): void {
    this.#sql.exec(
      "UPDATE grant_state SET refusals = ?, status = ?, expires_at = ? WHERE id = 1",
      state.refusals,
      state.status,
      state.expiresAt,
    );
  }

  async #scheduleDeletion(atMs: number): Promise<void> {
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm < atMs) await this.ctx.storage.setAlarm(atMs);
  }
}
