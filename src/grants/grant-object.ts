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
import { AUTHORIZATION_CODE_LIFETIME_SECONDS, REDEEMED_GRANT_RETENTION_SECONDS } from "../config/defaults";
import { hashSecret, randomToken } from "../crypto/secrets";
import type { Env } from "../env";
import {
  type GrantState,
  type GrantStatus,
  grantStands,
  type ObjectRedemption,
  redeemCode,
} from "./code-redemption";
import {
  type DeviceDecision,
  type DeviceRequest,
  type DeviceState,
  type DeviceStatus,
  decideDevice,
  deviceForgetAt,
  type ObjectDevicePoll,
  openDeviceState,
  pendingRequest,
  pollDevice as pollDeviceRule,
} from "./device-authorization";
import type { AuthorizedRequest, CodePresentation } from "./grant-port";

interface GrantRow extends Record<string, SqlStorageValue> {
  request: string;
  code_hash: string;
  code_expires_at: number;
  refusals: number;
  status: GrantStatus;
  expires_at: number;
}

interface DeviceRow extends Record<string, SqlStorageValue> {
  request: string;
  secret_hash: string;
  status: DeviceStatus;
  expires_at: number;
  interval_seconds: number;
  last_polled_at: number | null;
  authorized: string | null;
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
    if (await this.#deviceAlarm()) return;
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

  // Device authorization (RFC 8628)
  // A device grant starts here, PENDING, in its own table (src/grants/device-authorization.ts has the
  // rules). The poll that wins after approval deletes the device row and writes the grant_state row
  // an authorization code's redemption would have left (ACTIVE, the approved request), in the same
  // transaction: from then on the grant is an ordinary redeemed grant (isActive, revoke, refresh).

  #deviceTableReady = false;

  #deviceSql(): SqlStorage {
    if (!this.#deviceTableReady) {
      this.#sql.exec(`
        CREATE TABLE IF NOT EXISTS device_authorization (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          request TEXT NOT NULL,
          secret_hash TEXT NOT NULL,
          status TEXT NOT NULL,
          expires_at INTEGER NOT NULL,
          interval_seconds INTEGER NOT NULL,
          last_polled_at INTEGER,
          authorized TEXT
        );
      `);
      this.#deviceTableReady = true;
    }
    return this.#sql;
  }

  /** Opens the device grant. Called once, on a fresh object (`newUniqueId`). */
  async openDevice(request: DeviceRequest, secret: string, nowMs: number): Promise<void> {
    const state = openDeviceState(request, await hashSecret(secret), nowMs);
    // INSERT, not REPLACE: a second open of one object is a bug and must not reset a grant.
    this.#deviceSql().exec(
      "INSERT INTO device_authorization (id, request, secret_hash, status, expires_at, interval_seconds) VALUES (1, ?, ?, ?, ?, ?)",
      JSON.stringify(state.request),
      state.secretHash,
      state.status,
      state.expiresAt,
      state.intervalSeconds,
    );
    await this.#scheduleDeletion(deviceForgetAt(state));
  }

  /** What the pending, live device grant asks for; undefined once decided, expired or unknown. */
  async deviceRequest(nowMs: number): Promise<DeviceRequest | undefined> {
    return pendingRequest(this.#deviceState(), nowMs);
  }

  /** The user's decision; false when the grant was no longer pending (decided, expired, unknown). */
  async decideDevice(decision: DeviceDecision, nowMs: number): Promise<boolean> {
    return this.ctx.storage.transactionSync(() => {
      const next = decideDevice(this.#deviceState(), decision, nowMs);
      if (next) this.#writeDevice(next);
      return next !== undefined;
    });
  }

  /** One poll (RFC 8628 §3.4): read-decide-write in one synchronous transaction, so one poll wins. */
  async pollDevice(
    secret: string,
    presented: { serverId: string; clientId: string },
    nowMs: number,
  ): Promise<ObjectDevicePoll> {
    // Hash first: from here nothing awaits until the state has changed.
    const poll = { ...presented, secretHash: await hashSecret(secret) };
    const outcome = this.ctx.storage.transactionSync(() => {
      const { outcome, next } = pollDeviceRule(this.#deviceState(), poll, nowMs);
      if (next === "redeemed" && outcome.ok) this.#redeemDevice(outcome.request, nowMs);
      else if (next && next !== "redeemed") this.#writeDevice(next);
      return outcome;
    });
    if (outcome.ok) await this.#scheduleDeletion(nowMs + REDEEMED_GRANT_RETENTION_SECONDS * 1000);
    return outcome;
  }

  /**
   * The approved grant becomes what a redeemed code leaves behind. Its `code_hash` is a random value
   * whose preimage nobody holds, so no authorization code (nor this device code) can ever redeem it.
   */
  #redeemDevice(request: AuthorizedRequest, nowMs: number): void {
    this.#deviceSql().exec("DELETE FROM device_authorization WHERE id = 1");
    this.#sql.exec(
      "INSERT INTO grant_state (id, request, code_hash, code_expires_at, status, expires_at) VALUES (1, ?, ?, ?, 'ACTIVE', ?)",
      JSON.stringify(request),
      randomToken(32),
      nowMs,
      nowMs + REDEEMED_GRANT_RETENTION_SECONDS * 1000,
    );
  }

  #deviceState(): DeviceState | undefined {
    const row = this.#deviceSql()
      .exec<DeviceRow>("SELECT * FROM device_authorization WHERE id = 1")
      .toArray()[0];
    if (!row) return undefined;
    return {
      request: JSON.parse(row.request) as DeviceRequest,
      secretHash: row.secret_hash,
      status: row.status,
      expiresAt: row.expires_at,
      intervalSeconds: row.interval_seconds,
      lastPolledAt: row.last_polled_at,
      authorized: row.authorized === null ? undefined : (JSON.parse(row.authorized) as AuthorizedRequest),
    };
  }

  #writeDevice(state: DeviceState): void {
    this.#deviceSql().exec(
      "UPDATE device_authorization SET status = ?, interval_seconds = ?, last_polled_at = ?, authorized = ? WHERE id = 1",
      state.status,
      state.intervalSeconds,
      state.lastPolledAt,
      state.authorized === undefined ? null : JSON.stringify(state.authorized),
    );
  }

  /** The alarm's device part: true when a device row was here (forgotten now, or the alarm re-armed). */
  async #deviceAlarm(): Promise<boolean> {
    const state = this.#deviceState();
    if (!state) return false;
    const forgetAt = deviceForgetAt(state);
    if (forgetAt <= Date.now()) this.#deviceSql().exec("DELETE FROM device_authorization WHERE id = 1");
    else await this.ctx.storage.setAlarm(forgetAt);
    return true;
  }
}
