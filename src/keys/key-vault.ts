/**
 * Key vault: one Durable Object per authorization server, the only place signing keys are created.
 * It keeps every key and the rotation schedule in SQLite, applies what the pure schedule decides
 * (from alarms and from admin actions), and publishes the public JWKS plus the sealed signing keys to
 * KV whenever the key set changes, as a record authenticated as a whole (keyset-record.ts). Edges
 * never call it on the token path (DESIGN §1, §5), save to recover from an unauthenticated record
 * (`republish`), at most once per isolate and server per cooldown.
 *
 * Every transition is computed from stored state and the time, so an alarm that fires twice, late,
 * or not at all (caught up by the next call) decides the same thing. An alarm is always left set
 * while work is undone: one for the retry is set before each publication, and a failed alarm run
 * schedules its own retry instead of spending the runtime's few.
 */
import { DurableObject } from "cloudflare:workers";
import type { JWK } from "jose";
import {
  EXPIRED_KEY_RETENTION_SECONDS,
  KEY_VAULT_MAX_PLAN_PASSES,
  KEY_VAULT_RETRY_FIRST_SECONDS,
  KEY_VAULT_RETRY_MAX_SECONDS,
  KEYSET_REPUT_MIN_INTERVAL_SECONDS,
} from "../config/defaults";
import { kvKeys } from "../config/kv-keys";
import type { SigningAlg } from "../config/schemas";
import type { Env } from "../env";
import { EVENT_TYPES, type EventInput, SYSTEM_ACTOR, serverTarget } from "../log/event";
import { sendEvent } from "../log/event-log";
import { metadataCachePolicy } from "./cache-policy";
import { generateSigningKey } from "./generate";
import { type PublishedKeyset, publicJwk, type SealedSigningKey } from "./keyset";
import { deriveKeysetKeys } from "./keyset-keys";
import { encodeKeysetRecord, openKeysetRecord } from "./keyset-record";
import {
  activeKey,
  cacheHorizon,
  firstPublication,
  type KeyStatus,
  keyStatus,
  pendingKeys,
  plan,
  type RotationSchedule,
  revocationBoundSeconds,
  rotationTarget,
  rotationTimes,
  type ScheduleAction,
  type ScheduledKey,
} from "./schedule";
import { seal } from "./seal";

interface KeyRow extends Record<string, SqlStorageValue> {
  /** SQLite's rowid: creation order (see Activation.sequence). */
  seq: number;
  kid: string;
  alg: string;
  created_at: number;
  activates_at: number | null;
  revoked_at: number | null;
  /** See ScheduledKey.safeAt. */
  safe_at: number | null;
  /** 1 when an admin action dated the key (ScheduledKey.pinned). */
  pinned: number;
  private_jwk: string;
}

/** A key as the management API reports it (public members only). */
export interface KeyInfo {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  created: number;
  activatesAt: number | null;
  jwk: JWK;
}

export interface SigningSettings {
  alg: SigningAlg;
  rotationMode: RotationSchedule["mode"];
  rotationPeriodSeconds: number;
  nextKeyLeadSeconds: number;
}

export interface VaultStatus {
  keys: KeyInfo[];
  /** Epoch seconds; Okta's `credentials.signing` fields. */
  lastRotated: number | null;
  nextRotation: number | null;
  kid: string | null;
}

/** Outcome of an admin action, as data: errors thrown across RPC lose their shape. */
export type VaultResult =
  | {
      ok: true;
      status: VaultStatus;
      /** keyRotate: the key that takes over and when; `deferred` when that is later than now. */
      rotation?: { kid: string; activatesAt: number; deferred: boolean };
    }
  | { ok: false; reason: "not_configured" | "unknown_kid" };

/** What the last publication contained: the next one derives from it how long caches may hold it. */
interface LastPublication {
  keys: ScheduledKey[];
  schedule: RotationSchedule;
}

export class KeyVault extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  /** The vault's clock, epoch seconds. Tests replace it to run an alarm at a chosen instant. */
  clock: () => number = nowSeconds;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#createTables();
  }

  #createTables(): void {
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        activates_at INTEGER,
        revoked_at INTEGER,
        safe_at INTEGER,
        pinned INTEGER NOT NULL DEFAULT 0,
        private_jwk TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    // Vaults created before safe_at and pinned existed: their keys were published when created.
    const columns = new Set(
      this.#sql
        .exec<{ name: string }>("PRAGMA table_info(signing_keys)")
        .toArray()
        .map((c) => c.name),
    );
    if (!columns.has("safe_at")) {
      this.#sql.exec("ALTER TABLE signing_keys ADD COLUMN safe_at INTEGER");
      this.#sql.exec("UPDATE signing_keys SET safe_at = created_at");
    }
    if (!columns.has("pinned")) {
      this.#sql.exec("ALTER TABLE signing_keys ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0");
    }
  }

  /**
   * Sets the server's algorithm and schedule and brings its keys in line: an ACTIVE and a NEXT key
   * from the start, published. Idempotent: the same call again changes and publishes nothing.
   */
  async configure(serverId: string, settings: SigningSettings, now = this.clock()): Promise<VaultStatus> {
    return this.#exclusive(async () => {
      this.#setMeta("serverId", serverId);
      this.#setMeta("settings", JSON.stringify(settings));
      let changed = false;
      // Keys of another algorithm that never signed are dropped; one that signed stays published
      // (EXPIRED) until its tokens have expired. A key of the new algorithm takes over as soon as
      // every cached JWKS holds it (its first publication holds it until then); the old one signs
      // meanwhile, so verifiers that allow-list algorithms from the JWKS see the new one first.
      changed ||=
        this.#sql.exec(
          "DELETE FROM signing_keys WHERE alg != ? AND revoked_at IS NULL AND (activates_at IS NULL OR activates_at > ?)",
          settings.alg,
          now,
        ).rowsWritten > 0;
      const keys = this.#scheduledKeys();
      const active = activeKey(keys, now);
      const algOf = (k: ScheduledKey) => this.#row(k.kid)?.alg;
      // Once a key of the new algorithm is waiting, a later configure (any config edit) adds none.
      const switching = pendingKeys(keys, now).some((k) => algOf(k) === settings.alg);
      if (active && algOf(active) !== settings.alg && !switching) {
        await this.#insertKey(settings.alg, now, { activatesAt: now, pinned: true });
        changed = true;
      }
      return this.#reconcile(now, changed);
    });
  }

  /**
   * Okta's keyRotate: NEXT becomes ACTIVE, the old ACTIVE is EXPIRED, a new NEXT is generated — at
   * once when the NEXT key has been published longer than any JWKS response served before can be
   * kept (always, except within the cache horizon of the previous rotation: about 23 minutes with
   * the default caps and propagation), otherwise at the first instant it has (`rotationTarget`), so
   * no verifier that honours `Cache-Control` meets a key it does not hold. The result, the log and
   * `nextRotation` say when; emergencies are for `revoke`.
   */
  async rotate(now = this.clock()): Promise<VaultResult> {
    return this.#exclusive(async () => {
      const settings = this.#settings();
      if (!settings) return { ok: false, reason: "not_configured" };
      const target = rotationTarget(this.#scheduledKeys(), now);
      let kid = target.kid;
      if (kid) {
        this.#sql.exec(
          "UPDATE signing_keys SET activates_at = ?, pinned = 1 WHERE kid = ?",
          target.activatesAt,
          kid,
        );
      } else {
        kid = await this.#insertKey(settings.alg, now, { activatesAt: target.activatesAt, pinned: true });
      }
      const status = await this.#reconcile(now, true);
      const activatesAt = this.#row(kid)?.activates_at ?? now;
      const deferred = activatesAt > now;
      if (deferred) {
        console.warn(
          JSON.stringify({
            event: "key_rotate.deferred",
            serverId: this.#getMeta("serverId"),
            kid,
            activatesAt,
            reason: "a JWKS response cached before this key was published may still be in use",
          }),
        );
      }
      return { ok: true, status, rotation: { kid, activatesAt, deferred } };
    });
  }

  /**
   * Emergency revocation: the key leaves the JWKS and the sealed keyset and never signs again. If it
   * was signing, the published NEXT key takes over at once (a new one if there is none), even if a
   * verifier's cached JWKS may not hold it yet: stopping the revoked key comes first.
   */
  async revoke(kid: string, now = this.clock()): Promise<VaultResult> {
    return this.#exclusive(async () => {
      const settings = this.#settings();
      if (!settings) return { ok: false, reason: "not_configured" };
      const row = this.#row(kid);
      if (!row) return { ok: false, reason: "unknown_kid" };
      if (row.revoked_at !== null) return { ok: true, status: this.#currentStatus(now) };
      this.#sql.exec("UPDATE signing_keys SET revoked_at = ? WHERE kid = ?", now, kid);
      // The schedule sees a server with no signing key and lets the NEXT key take over (plan()).
      return { ok: true, status: await this.#reconcile(now, true) };
    });
  }

  /**
   * The server was deleted: its keyset leaves KV, and every key, the schedule and the alarm are
   * dropped, so a server created later under the same id starts with new keys. Idempotent.
   */
  async destroy(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const serverId = this.#getMeta("serverId");
      await this.ctx.storage.deleteAlarm();
      if (serverId) await this.env.CONFIG.delete(kvKeys.keyset(serverId));
      await this.ctx.storage.deleteAll();
      this.#createTables();
    });
  }

  /** Reads also catch up on anything a missed alarm left undone. */
  async status(now = this.clock()): Promise<VaultStatus> {
    return this.#exclusive(() => this.#reconcile(now, false));
  }

  /**
   * An edge found this server's keyset record in KV (or its colo cache) unauthenticated: published
   * before records were authenticated, sealed under a key-encryption key since replaced, or written
   * by someone other than this vault. Answers with the current authenticated record — published
   * anew when the stored one is missing or no longer verifies — and puts it back in KV, at most once
   * per `KEYSET_REPUT_MIN_INTERVAL_SECONDS` (KV takes one write per second per key, and whoever keeps
   * overwriting KV must not keep this vault writing). Undefined when the vault holds no server.
   */
  async republish(now = this.clock()): Promise<string | undefined> {
    return this.#exclusive(async () => {
      const serverId = this.#getMeta("serverId");
      if (!this.#settings() || !serverId) return undefined;
      await this.#reconcile(now, false);
      const stored = this.#getMeta("publishedRecord");
      const { mac } = await deriveKeysetKeys(this.env.KEY_ENCRYPTION_KEY);
      if (stored === undefined || !(await openKeysetRecord(stored, serverId, mac)).ok) {
        await this.#reconcile(now, true);
      } else if (now - Number(this.#getMeta("recordPutAt") ?? "0") >= KEYSET_REPUT_MIN_INTERVAL_SECONDS) {
        await this.env.CONFIG.put(kvKeys.keyset(serverId), stored);
        this.#setMeta("recordPutAt", String(now));
      }
      return this.#getMeta("publishedRecord");
    });
  }

  /**
   * Never throws: a failure (KV unavailable, say) is logged and retried by an alarm this run sets
   * itself, with backoff, for as long as it takes. Stored state is untouched by a failed run.
   */
  override async alarm(): Promise<void> {
    let event: EventInput | undefined;
    const now = this.clock();
    await this.ctx.blockConcurrencyWhile(async () => {
      try {
        const before = this.#settings() ? this.#currentStatus(now).kid : null;
        const status = await this.#reconcile(now, false);
        this.#deleteMeta("alarmFailures");
        if (status.kid && status.kid !== before) event = this.#rolloverEvent(before, status.kid);
      } catch (error) {
        const failures = Number(this.#getMeta("alarmFailures") ?? "0") + 1;
        this.#setMeta("alarmFailures", String(failures));
        const retryIn = Math.min(
          KEY_VAULT_RETRY_MAX_SECONDS,
          KEY_VAULT_RETRY_FIRST_SECONDS * 2 ** Math.min(failures - 1, 16),
        );
        console.error(
          JSON.stringify({
            event: "key_vault.alarm_failed",
            serverId: this.#getMeta("serverId"),
            failures,
            retryInSeconds: retryIn,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        event = {
          eventType: EVENT_TYPES.keyVaultAlarmFailed,
          severity: "ERROR",
          displayMessage: "Signing key schedule run failed; retrying",
          actor: SYSTEM_ACTOR,
          outcome: {
            result: "FAILURE",
            reason: error instanceof Error ? error.message.slice(0, 200) : "error",
          },
          target: [serverTarget(this.#getMeta("serverId") ?? "")],
          job: true,
          debugData: { failures, retryInSeconds: retryIn },
        };
        await this.ctx.storage.setAlarm((now + retryIn) * 1000);
      }
    });
    // System log (src/log/): after the exclusive section, never inside it.
    if (event) await sendEvent(this.env.LOG_QUEUE, event, now * 1000).catch(() => {});
  }

  /** A scheduled rollover: the key that signs changed (Okta: `app.oauth2.as.key.rollover`). */
  #rolloverEvent(previousKid: string | null, kid: string): EventInput {
    return {
      eventType: EVENT_TYPES.keyRollover,
      displayMessage: "Authorization server signing key rolled over",
      actor: SYSTEM_ACTOR,
      outcome: { result: "SUCCESS" },
      target: [
        serverTarget(this.#getMeta("serverId") ?? ""),
        { id: kid, type: "Key", alternateId: kid, displayName: kid },
      ],
      job: true,
      debugData: { previousKid, kid, trigger: "schedule" },
    };
  }

  /**
   * Runs `fn` with no other call interleaved. A failure (KV unavailable while publishing, say)
   * reaches the caller, but only after the exclusive section ended normally: what was decided stays
   * stored, flagged unpublished, with the retry alarm set, so an emergency revocation is not lost to
   * a KV hiccup. (An exception thrown inside blockConcurrencyWhile would reset the object and drop
   * those writes.)
   */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const outcome = await this.ctx.blockConcurrencyWhile(async () => {
      try {
        return { ok: true as const, value: await fn() };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Applies the schedule until nothing is due, publishes if anything changed, and sets the next alarm. */
  async #reconcile(now: number, changedAlready: boolean): Promise<VaultStatus> {
    const settings = this.#settings();
    const serverId = this.#getMeta("serverId");
    if (!settings || !serverId) return this.#statusOf([], now);
    const schedule = scheduleOf(settings);
    // The flag outlives a failed publication (KV error, a reset mid-call), so the next call or
    // alarm publishes what the last one could not.
    // A vault whose last publication predates authenticated records (no `publishedRecord`) publishes
    // again on its first call or alarm: edges trust no record without a MAC (keyset-record.ts).
    let dirty =
      changedAlready ||
      this.#getMeta("unpublished") === "1" ||
      this.#getMeta("publishedVersion") === undefined ||
      this.#getMeta("publishedRecord") === undefined;
    for (let pass = 0; pass < KEY_VAULT_MAX_PLAN_PASSES; pass++) {
      const { actions } = plan(this.#scheduledKeys(), schedule, now);
      if (actions.length > 0) {
        await this.#apply(actions, settings.alg, now);
        dirty = true;
        continue;
      }
      if (!dirty) break;
      await this.#publishOrRetry(serverId, schedule, now);
      dirty = false;
    }
    if (dirty) await this.#publishOrRetry(serverId, schedule, now);
    const { nextAlarmAt } = plan(this.#scheduledKeys(), schedule, now);
    if (nextAlarmAt === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(nextAlarmAt * 1000);
    return this.#currentStatus(now);
  }

  async #apply(actions: readonly ScheduleAction[], alg: SigningAlg, now: number): Promise<void> {
    for (const action of actions) {
      switch (action.kind) {
        case "generate":
          await this.#insertKey(alg, now, {
            activatesAt: action.activatesAt,
            safeAt: action.urgent ? now : null,
          });
          break;
        case "reschedule":
          // An urgent key signs now, published or not: nothing else may sign.
          this.#sql.exec(
            "UPDATE signing_keys SET activates_at = ?, pinned = 0, safe_at = CASE WHEN ? THEN COALESCE(safe_at, ?) ELSE safe_at END WHERE kid = ?",
            action.activatesAt,
            action.urgent ? 1 : 0,
            now,
            action.kid,
          );
          break;
        case "remove":
          this.#sql.exec("DELETE FROM signing_keys WHERE kid = ?", action.kid);
          break;
      }
    }
  }

  /** Sets the retry alarm first, so a publication that fails or never returns is tried again. */
  async #publishOrRetry(serverId: string, schedule: RotationSchedule, now: number): Promise<void> {
    this.#setMeta("unpublished", "1");
    await this.ctx.storage.setAlarm((now + KEY_VAULT_RETRY_FIRST_SECONDS) * 1000);
    await this.#publish(serverId, schedule, now);
    this.#deleteMeta("unpublished");
  }

  async #insertKey(
    alg: SigningAlg,
    now: number,
    options: { activatesAt: number | null; pinned?: boolean; safeAt?: number | null },
  ): Promise<string> {
    const { kid, privateJwk } = await generateSigningKey(alg);
    this.#sql.exec(
      "INSERT INTO signing_keys (kid, alg, created_at, activates_at, safe_at, pinned, private_jwk) VALUES (?, ?, ?, ?, ?, ?, ?)",
      kid,
      alg,
      now,
      options.activatesAt,
      options.safeAt ?? null,
      options.pinned ? 1 : 0,
      JSON.stringify(privateJwk),
    );
    return kid;
  }

  /**
   * Puts the keyset in KV. Keys published for the first time get their safeAt from how long the
   * responses served so far can be cached, and are held until then (`firstPublication`); that is
   * written only once KV has the keyset, so a failed put decides again, later, next time.
   */
  async #publish(serverId: string, schedule: RotationSchedule, now: number): Promise<void> {
    const previousVersion = Number(this.#getMeta("publishedVersion") ?? "0");
    // Never below the time in ms: a server deleted and created again under the same id starts above
    // every version edges saw of the old one, which they would otherwise keep as "newer".
    const version = Math.max(previousVersion + 1, now * 1000);
    const horizon = this.#jwksHorizon(now);
    const decisions = firstPublication(this.#scheduledKeys(), horizon, now);
    const decided = new Map(decisions.map((d) => [d.kid, d]));
    const rows = this.#rows().map((r) => {
      const d = decided.get(r.kid);
      return d ? { ...r, safe_at: d.safeAt, activates_at: d.activatesAt } : r;
    });
    const keys = rows.map(toScheduled);
    const liveRows = rows.filter((r) => r.revoked_at === null);
    // Only keys that sign now or later are sealed for the edges; EXPIRED ones are public-only.
    const signing: SealedSigningKey[] = liveRows
      .filter((r) => keyStatus(toScheduled(r), keys, now) !== "EXPIRED")
      .map((r) => ({
        kid: r.kid,
        alg: r.alg as SigningAlg,
        activatesAt: r.activates_at,
        sequence: r.seq,
        privateJwk: JSON.parse(r.private_jwk) as JWK,
      }));
    const liveKeys = keys.filter((k) => k.revokedAt === null);
    const keysetKeys = await deriveKeysetKeys(this.env.KEY_ENCRYPTION_KEY);
    const keyset: PublishedKeyset = {
      serverId,
      version,
      publishedAt: now,
      schedule,
      keys: liveKeys,
      jwks: {
        keys: liveRows.map((r) => publicJwk(JSON.parse(r.private_jwk) as JWK, r.kid, r.alg as SigningAlg)),
      },
      sealed: await seal(signing, keysetKeys.seal, serverId, version),
    };
    const record = await encodeKeysetRecord(keyset, keysetKeys.mac);
    await this.env.CONFIG.put(kvKeys.keyset(serverId), record);
    for (const d of decisions) {
      this.#sql.exec(
        "UPDATE signing_keys SET safe_at = ?, activates_at = ? WHERE kid = ?",
        d.safeAt,
        d.activatesAt,
        d.kid,
      );
    }
    this.#setMeta("publishedVersion", String(version));
    // Kept to answer `republish` without publishing a new version.
    this.#setMeta("publishedRecord", record);
    this.#setMeta("recordPutAt", String(now));
    this.#setMeta("jwksHorizon", String(horizon));
    this.#setMeta("lastPublication", JSON.stringify({ keys: liveKeys, schedule } satisfies LastPublication));
  }

  /**
   * The latest instant a JWKS response served so far can still be used without revalidation: the
   * last publication is served by edges until its successor (published now) has propagated, plus
   * the second edges add for their floored clocks (metadata-cache.ts); every earlier one's horizon
   * is kept as a running maximum.
   */
  #jwksHorizon(now: number): number {
    const policy = metadataCachePolicy(this.env);
    const stored = this.#getMeta("jwksHorizon");
    const last = this.#getMeta("lastPublication");
    let horizon = stored === undefined ? Number.NEGATIVE_INFINITY : Number(stored);
    if (last) {
      const { keys, schedule } = JSON.parse(last) as LastPublication;
      horizon = Math.max(horizon, cacheHorizon(keys, schedule, now + policy.propagationSeconds + 1, policy));
    } else if (this.#getMeta("publishedVersion") !== undefined) {
      // Published by a vault that kept no record of it: assume the longest any response can live,
      // the same bound an emergency revocation has.
      horizon = Math.max(horizon, now + 1 + revocationBoundSeconds(policy));
    }
    return Number.isFinite(horizon) ? horizon : now;
  }

  #currentStatus(now: number): VaultStatus {
    return this.#statusOf(this.#rows(), now);
  }

  #statusOf(rows: KeyRow[], now: number): VaultStatus {
    const keys = rows.map(toScheduled);
    const settings = this.#settings();
    const times = settings
      ? rotationTimes(keys, scheduleOf(settings), now)
      : { lastRotated: null, nextRotation: null };
    return {
      keys: rows.map((r) => ({
        kid: r.kid,
        alg: r.alg as SigningAlg,
        status: keyStatus(toScheduled(r), keys, now),
        created: r.created_at,
        activatesAt: r.activates_at,
        jwk: publicJwk(JSON.parse(r.private_jwk) as JWK, r.kid, r.alg as SigningAlg),
      })),
      ...times,
      kid: activeKey(keys, now)?.kid ?? null,
    };
  }

  #scheduledKeys(): ScheduledKey[] {
    return this.#rows().map(toScheduled);
  }

  #rows(): KeyRow[] {
    return this.#sql.exec<KeyRow>("SELECT rowid AS seq, * FROM signing_keys ORDER BY rowid").toArray();
  }

  #row(kid: string): KeyRow | undefined {
    return this.#sql.exec<KeyRow>("SELECT rowid AS seq, * FROM signing_keys WHERE kid = ?", kid).toArray()[0];
  }

  #settings(): SigningSettings | undefined {
    const raw = this.#getMeta("settings");
    return raw ? (JSON.parse(raw) as SigningSettings) : undefined;
  }

  #getMeta(name: string): string | undefined {
    return this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray()[0]
      ?.value;
  }

  #setMeta(name: string, value: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", name, value);
  }

  #deleteMeta(name: string): void {
    this.#sql.exec("DELETE FROM meta WHERE name = ?", name);
  }
}

function toScheduled(r: KeyRow): ScheduledKey {
  return {
    kid: r.kid,
    createdAt: r.created_at,
    activatesAt: r.activates_at,
    sequence: r.seq,
    revokedAt: r.revoked_at,
    safeAt: r.safe_at,
    pinned: r.pinned === 1,
  };
}

function scheduleOf(settings: SigningSettings): RotationSchedule {
  return {
    mode: settings.rotationMode,
    periodSeconds: settings.rotationPeriodSeconds,
    leadSeconds: settings.nextKeyLeadSeconds,
    retentionSeconds: EXPIRED_KEY_RETENTION_SECONDS,
  };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
