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
 *
 * The D1 grant index (src/directory/grant-index.ts) lists the family with its last use and idle end.
 * A refresh that outruns the idle end the index holds queues a touch in its own transaction and
 * arms the alarm, which writes it to D1 after the answer: the refresh itself never waits for D1, and
 * the index is written ahead by a slack (`indexedIdleEnd`), so a family used steadily costs one D1
 * write per GRANT_INDEX_IDLE_SLACK_MS of use, not one per refresh.
 */
import { DurableObject } from "cloudflare:workers";
import {
  AUTHORIZATION_CODE_LIFETIME_SECONDS,
  REDEEMED_GRANT_RETENTION_SECONDS,
  REFRESH_TOKEN_SECRET_BYTES,
} from "../config/defaults";
import { hashSecret, randomToken } from "../crypto/secrets";
import { touchIndexedGrant } from "../directory/grant-index";
import type { Env } from "../env";
import {
  type GrantState,
  type GrantStatus,
  grantStands,
  type ObjectRedemption,
  redeemCode,
} from "./code-redemption";
import { grantIdFromObjectId } from "./grant-id";
import {
  type AuthorizedRequest,
  type CodePresentation,
  type GrantOwner,
  ownedBy,
  type RefreshRequest,
} from "./grant-port";
import {
  bornFamily,
  type FamilySettings,
  familyEnd,
  familyStands,
  indexedIdleEnd,
  indexTouchDue,
  type RefreshFamily,
  type RefreshStepOutcome,
  refreshStep,
  retainedUntil,
  tokenOfFamily,
} from "./refresh-rotation";
import { openSuccessor, sealSuccessor } from "./successor-seal";

const RETENTION_MS = REDEEMED_GRANT_RETENTION_SECONDS * 1000;
/** How soon a grant-index touch that D1 refused is tried again (src/directory/grant-index.ts). */
const INDEX_TOUCH_RETRY_MS = 60_000;

interface FamilyRow extends Record<string, SqlStorageValue> {
  current_hash: string;
  previous_hash: string | null;
  previous_rotated_at: number | null;
  previous_sealed: string | null;
  rotation: "ROTATE" | "STATIC";
  leeway_ms: number;
  issued_at: number;
  expires_at: number | null;
  window_ms: number;
  last_used_at: number;
  scopes: string;
}

/** What the object answers a refresh: the secret of the refresh token to hand out, never a hash. */
export type ObjectRefresh =
  | { ok: true; request: AuthorizedRequest; secret: string; scopes: string[] }
  | { ok: false; reason: "invalid" | "invalid_scope" }
  | { ok: false; reason: "reuse"; request: AuthorizedRequest };

/** A live refresh token's facts, as the object knows them (the port adds the grant id). */
export interface ObjectRefreshFacts {
  request: AuthorizedRequest;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
}

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
      CREATE TABLE IF NOT EXISTS refresh_family (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        current_hash TEXT NOT NULL,
        previous_hash TEXT,
        previous_rotated_at INTEGER,
        previous_sealed TEXT,
        rotation TEXT NOT NULL,
        leeway_ms INTEGER NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER,
        window_ms INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        scopes TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS refresh_retired (hash TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS revoked_access_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS index_touch (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_idle_end INTEGER NOT NULL,
        pending_last_used INTEGER,
        pending_idle_end INTEGER
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

  /**
   * Whether the grant's tokens stand at `nowMs`: redeemed, not revoked, not yet forgotten; with
   * `jti`, also that this one access token was not revoked (/v1/revoke).
   */
  async isActive(nowMs: number, jti?: string): Promise<boolean> {
    if (!grantStands(this.#state(), nowMs)) return false;
    if (jti === undefined) return true;
    return this.#sql.exec("SELECT 1 FROM revoked_access_tokens WHERE jti = ?", jti).toArray().length === 0;
  }

  /** Revokes the grant (and its code, if unredeemed). Idempotent; a missing grant stays missing. */
  async revoke(_nowMs: number): Promise<void> {
    this.#sql.exec("UPDATE grant_state SET status = 'REVOKED' WHERE id = 1");
  }

  /** Records one access token of this grant as revoked until it expires; the grant stands. */
  async revokeAccessToken(jti: string, expiresAtMs: number, nowMs: number): Promise<void> {
    const state = this.#state();
    if (!state || expiresAtMs <= nowMs) return;
    this.#sql.exec(
      "INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)",
      jti.slice(0, 200),
      expiresAtMs,
    );
  }

  /**
   * The family of a grant made ACTIVE by its code: the secret of its first refresh token, or
   * undefined when the grant is not ACTIVE (a replayed code revoked it) or already has a family.
   */
  async startRefresh(settings: FamilySettings, nowMs: number): Promise<string | undefined> {
    const secret = randomToken(REFRESH_TOKEN_SECRET_BYTES);
    const hash = await hashSecret(secret);
    const started = this.ctx.storage.transactionSync(() => {
      const state = this.#state();
      if (!grantStands(state, nowMs) || !state || this.#family()) return false;
      const family = bornFamily(hash, settings, nowMs);
      this.#writeFamily(family);
      this.#write({ ...state, expiresAt: retainedUntil(state, family, RETENTION_MS) });
      this.#bornIndexed(family);
      return true;
    });
    if (!started) return undefined;
    await this.#scheduleDeletion(this.#state()?.expiresAt ?? nowMs);
    return secret;
  }

  /** A grant born ACTIVE with its family (the password grant, which has no code). Called once, on a fresh object. */
  async openActive(request: AuthorizedRequest, settings: FamilySettings, nowMs: number): Promise<string> {
    const secret = randomToken(REFRESH_TOKEN_SECRET_BYTES);
    const family = bornFamily(await hashSecret(secret), settings, nowMs);
    const expiresAt = familyEnd(family) + RETENTION_MS;
    this.ctx.storage.transactionSync(() => {
      // No code: an empty hash matches no presented code (code-redemption.ts `sameHash`).
      this.#sql.exec(
        "INSERT INTO grant_state (id, request, code_hash, code_expires_at, status, expires_at) VALUES (1, ?, '', ?, 'ACTIVE', ?)",
        JSON.stringify(request),
        nowMs,
        expiresAt,
      );
      this.#writeFamily(family);
      this.#bornIndexed(family);
    });
    await this.#scheduleDeletion(expiresAt);
    return secret;
  }

  /** One refresh (src/grants/refresh-rotation.ts): read, decide and write in one synchronous transaction. */
  async refresh(secret: string, presented: RefreshRequest, nowMs: number): Promise<ObjectRefresh> {
    // Everything that awaits comes first: the presented hash and, for a rotating family, a ready
    // successor sealed under the presented secret so that a replay within the leeway can be answered
    // with it. A STATIC family never rotates (its rotation is fixed at birth): no successor to make.
    const hash = await hashSecret(secret);
    const candidate =
      this.#family()?.rotation === "STATIC" ? undefined : randomToken(REFRESH_TOKEN_SECRET_BYTES);
    const prepared = {
      hash,
      serverId: presented.serverId,
      clientId: presented.clientId,
      scopes: presented.scopes,
      candidate:
        candidate === undefined
          ? undefined
          : {
              hash: await hashSecret(candidate),
              sealedSuccessor: await sealSuccessor(secret, candidate),
            },
    };
    const { outcome, request, touch } = this.ctx.storage.transactionSync(() => {
      const state = this.#state();
      const family = this.#family();
      const step = refreshStep(
        state,
        family,
        { ...prepared, retired: this.#isRetired(hash) },
        nowMs,
        RETENTION_MS,
      );
      if (step.next) {
        this.#write(step.next.state);
        this.#writeFamily(step.next.family);
        if (step.next.retire)
          this.#sql.exec("INSERT OR IGNORE INTO refresh_retired (hash) VALUES (?)", step.next.retire);
      }
      // A use that outran the index's idle end queues a touch, in the same transaction as the use.
      const touch = step.outcome.ok && step.next ? this.#queueIndexTouch(step.next.family) : false;
      return { outcome: step.outcome, request: state?.request, touch };
    });
    const state = this.#state();
    if (outcome.ok && state) await this.#scheduleDeletion(state.expiresAt);
    // The D1 write happens in the alarm, after this answer: the refresh never waits for it.
    if (touch) await this.ctx.storage.setAlarm(Date.now());
    return this.#answer(outcome, request, secret, candidate);
  }

  /** The facts of the family's current token when `secret` is it and it is live; else undefined. */
  async introspectRefresh(secret: string, nowMs: number): Promise<ObjectRefreshFacts | undefined> {
    const hash = await hashSecret(secret);
    const state = this.#state();
    const family = this.#family();
    if (!state || !familyStands(state, family, nowMs) || !family) return undefined;
    if (tokenOfFamily(family, hash, false) !== "current") return undefined;
    return {
      request: state.request,
      scopes: family.scopes,
      issuedAt: family.previous?.rotatedAt ?? family.issuedAt,
      expiresAt: Math.min(familyEnd(family), state.expiresAt),
    };
  }

  /**
   * RFC 7009 §2.1: revoking a refresh token ends its grant, when the token is one of the family's
   * (any generation: its holder is the family's client) and the caller is the grant's client at the
   * grant's own server (a token is good only where it was issued, as at refresh and introspection).
   */
  async revokeRefresh(secret: string, owner: GrantOwner, _nowMs: number): Promise<boolean> {
    const hash = await hashSecret(secret);
    return this.ctx.storage.transactionSync(() => {
      const state = this.#state();
      if (!state || !ownedBy(state.request, owner)) return false;
      if (tokenOfFamily(this.#family(), hash, this.#isRetired(hash)) === undefined) return false;
      this.#sql.exec("UPDATE grant_state SET status = 'REVOKED' WHERE id = 1");
      return true;
    });
  }

  /** The grant's public facts (the D1 index's listings), or undefined when there is none. */
  async describe(_nowMs: number) {
    const state = this.#state();
    if (!state) return undefined;
    const family = this.#family();
    return {
      status: state.status,
      serverId: state.request.serverId,
      clientId: state.request.clientId,
      userId: state.request.userId,
      scopes: family?.scopes ?? [...state.request.scopes],
      expiresAt: state.expiresAt,
      refresh: family
        ? {
            issuedAt: family.issuedAt,
            expiresAt: familyEnd(family),
            lastUsedAt: family.lastUsedAt,
            rotation: family.rotation,
          }
        : undefined,
    };
  }

  override async alarm(): Promise<void> {
    if (await this.#deviceAlarm()) return;
    const touched = await this.#flushIndexTouch();
    const state = this.#state();
    if (!state) return;
    if (state.expiresAt <= Date.now()) {
      // Every table: nothing the grant issued is usable any more (idempotent: alarms fire at least once).
      this.#sql.exec("DELETE FROM grant_state");
      this.#sql.exec("DELETE FROM refresh_family");
      this.#sql.exec("DELETE FROM refresh_retired");
      this.#sql.exec("DELETE FROM revoked_access_tokens");
      this.#sql.exec("DELETE FROM index_touch");
    } else {
      this.#sql.exec("DELETE FROM revoked_access_tokens WHERE expires_at <= ?", Date.now());
      // A touch that D1 refused is tried again in a minute, without holding up the deletion schedule.
      const retryAt = touched
        ? state.expiresAt
        : Math.min(state.expiresAt, Date.now() + INDEX_TOUCH_RETRY_MS);
      await this.ctx.storage.setAlarm(retryAt);
    }
  }

  /** The idle end the index was given at the family's birth (src/oauth/refresh-issuance.ts computes the same). */
  #bornIndexed(family: RefreshFamily): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO index_touch (id, indexed_idle_end) VALUES (1, ?)",
      indexedIdleEnd(family.issuedAt, family.windowMs, family.expiresAt),
    );
  }

  /** Queues the index's touch when this use outran its idle end; whether one was queued. */
  #queueIndexTouch(family: RefreshFamily): boolean {
    const row = this.#sql
      .exec<{ indexed_idle_end: number }>("SELECT indexed_idle_end FROM index_touch WHERE id = 1")
      .toArray()[0];
    const due = indexTouchDue(family, row?.indexed_idle_end);
    if (due === undefined) return false;
    this.#sql.exec(
      "INSERT OR REPLACE INTO index_touch (id, indexed_idle_end, pending_last_used, pending_idle_end) VALUES (1, ?, ?, ?)",
      due,
      family.lastUsedAt,
      due,
    );
    return true;
  }

  /**
   * Writes a queued touch to the D1 grant index (its row's `last_updated` and `idle_expires_at`,
   * forward only); false when D1 refused it (the touch stays queued). A use queued meanwhile is kept.
   */
  async #flushIndexTouch(): Promise<boolean> {
    const row = this.#sql
      .exec<{ pending_last_used: number | null; pending_idle_end: number | null }>(
        "SELECT pending_last_used, pending_idle_end FROM index_touch WHERE id = 1",
      )
      .toArray()[0];
    if (row?.pending_last_used == null || row.pending_idle_end == null) return true;
    const grantId = grantIdFromObjectId(this.ctx.id.toString());
    try {
      await touchIndexedGrant(this.env.DIRECTORY, grantId, row.pending_last_used, row.pending_idle_end);
    } catch {
      return false;
    }
    this.#sql.exec(
      "UPDATE index_touch SET pending_last_used = NULL, pending_idle_end = NULL WHERE id = 1 AND pending_idle_end = ?",
      row.pending_idle_end,
    );
    return true;
  }

  async #answer(
    outcome: RefreshStepOutcome,
    request: AuthorizedRequest | undefined,
    presented: string,
    candidate: string | undefined,
  ): Promise<ObjectRefresh> {
    if (!outcome.ok) {
      if (outcome.reason === "reuse" && request) return { ok: false, reason: "reuse", request };
      return { ok: false, reason: outcome.reason === "invalid_scope" ? "invalid_scope" : "invalid" };
    }
    if (!request) return { ok: false, reason: "invalid" };
    const { token, scopes } = outcome;
    const secret =
      token === "candidate"
        ? candidate
        : token === "presented"
          ? presented
          : await openSuccessor(presented, token.sealed);
    return secret === undefined ? { ok: false, reason: "invalid" } : { ok: true, request, secret, scopes };
  }

  #isRetired(hash: string): boolean {
    return this.#sql.exec("SELECT 1 FROM refresh_retired WHERE hash = ?", hash).toArray().length > 0;
  }

  #family(): RefreshFamily | undefined {
    const row = this.#sql.exec<FamilyRow>("SELECT * FROM refresh_family WHERE id = 1").toArray()[0];
    if (!row) return undefined;
    return {
      currentHash: row.current_hash,
      previous:
        row.previous_hash !== null && row.previous_rotated_at !== null && row.previous_sealed !== null
          ? {
              hash: row.previous_hash,
              rotatedAt: row.previous_rotated_at,
              sealedSuccessor: row.previous_sealed,
            }
          : undefined,
      rotation: row.rotation,
      leewayMs: row.leeway_ms,
      issuedAt: row.issued_at,
      expiresAt: row.expires_at ?? undefined,
      windowMs: row.window_ms,
      lastUsedAt: row.last_used_at,
      scopes: JSON.parse(row.scopes) as string[],
    };
  }

  #writeFamily(family: RefreshFamily): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO refresh_family (id, current_hash, previous_hash, previous_rotated_at, previous_sealed,
         rotation, leeway_ms, issued_at, expires_at, window_ms, last_used_at, scopes)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      family.currentHash,
      family.previous?.hash ?? null,
      family.previous?.rotatedAt ?? null,
      family.previous?.sealedSuccessor ?? null,
      family.rotation,
      family.leewayMs,
      family.issuedAt,
      family.expiresAt ?? null,
      family.windowMs,
      family.lastUsedAt,
      JSON.stringify(family.scopes),
    );
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
    // An armed alarm stays where it is while a grant-index touch waits for it: pushing it to the
    // deletion would leave the touch unwritten until then (the alarm re-arms for the deletion).
    if (alarm !== null && this.#touchPending()) return;
    if (alarm === null || alarm < atMs) await this.ctx.storage.setAlarm(atMs);
  }

  #touchPending(): boolean {
    return (
      this.#sql.exec("SELECT 1 FROM index_touch WHERE id = 1 AND pending_idle_end IS NOT NULL").toArray()
        .length > 0
    );
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
