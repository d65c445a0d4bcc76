/**
 * Key vault: one Durable Object per authorization server, the only place signing keys are created.
 * It keeps every key and the rotation schedule in SQLite, applies what the pure schedule decides
 * (from alarms and from admin actions), and publishes the public JWKS plus the sealed signing keys to
 * KV whenever the key set changes. Edges never call it on the token path (DESIGN §1, §5).
 *
 * Every transition is computed from stored state and the time, so an alarm that fires twice, late,
 * or not at all (caught up by the next call) decides the same thing.
 */
import { DurableObject } from "cloudflare:workers";
import type { JWK } from "jose";
import { EXPIRED_KEY_RETENTION_SECONDS } from "../config/defaults";
import { kvKeys } from "../config/kv-keys";
import type { SigningAlg } from "../config/schemas";
import type { Env } from "../env";
import { generateSigningKey } from "./generate";
import { type PublishedKeyset, publicJwk, type SealedSigningKey } from "./keyset";
import {
  activeKey,
  type KeyStatus,
  keyStatus,
  nextKey,
  plan,
  type RotationSchedule,
  rotationTimes,
  type ScheduledKey,
} from "./schedule";
import { importKeyEncryptionKey, seal } from "./seal";

interface KeyRow extends Record<string, SqlStorageValue> {
  /** SQLite's rowid: creation order (see Activation.sequence). */
  seq: number;
  kid: string;
  alg: string;
  created_at: number;
  activates_at: number | null;
  revoked_at: number | null;
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
  | { ok: true; status: VaultStatus }
  | { ok: false; reason: "not_configured" | "unknown_kid" };

/** Bounds the catch-up loop; each pass either acts or stops, so a few passes always suffice. */
const MAX_PLAN_PASSES = 8;

export class KeyVault extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.createTables();
  }

  private createTables(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        activates_at INTEGER,
        revoked_at INTEGER,
        private_jwk TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  /**
   * Sets the server's algorithm and schedule and brings its keys in line: an ACTIVE and a NEXT key
   * from the start, published. Idempotent: the same call again changes and publishes nothing.
   */
  async configure(serverId: string, settings: SigningSettings, now = nowSeconds()): Promise<VaultStatus> {
    return this.ctx.blockConcurrencyWhile(async () => {
      this.setMeta("serverId", serverId);
      this.setMeta("settings", JSON.stringify(settings));
      let changed = false;
      // Keys of another algorithm that never signed are dropped; one that signed stays published
      // (EXPIRED) until its tokens have expired, and a key of the new algorithm takes over now.
      changed ||=
        this.sql.exec(
          "DELETE FROM signing_keys WHERE alg != ? AND revoked_at IS NULL AND (activates_at IS NULL OR activates_at > ?)",
          settings.alg,
          now,
        ).rowsWritten > 0;
      const active = activeKey(this.scheduledKeys(), now);
      if (active && this.row(active.kid)?.alg !== settings.alg) {
        await this.insertKey(settings.alg, now, now);
        changed = true;
      }
      return this.reconcile(now, changed);
    });
  }

  /** Okta's keyRotate: NEXT becomes ACTIVE now, the old ACTIVE is EXPIRED, a new NEXT is generated. */
  async rotate(now = nowSeconds()): Promise<VaultResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const settings = this.settings();
      if (!settings) return { ok: false, reason: "not_configured" };
      const next = nextKey(this.scheduledKeys(), now);
      if (next) this.sql.exec("UPDATE signing_keys SET activates_at = ? WHERE kid = ?", now, next.kid);
      // Without a NEXT key (AUTO, before its lead) a fresh key must sign at once; verifiers learn
      // its kid by refetching the JWKS.
      else await this.insertKey(settings.alg, now, now);
      await this.insertKey(
        settings.alg,
        now,
        settings.rotationMode === "AUTO" ? now + settings.rotationPeriodSeconds : null,
      );
      return { ok: true, status: await this.reconcile(now, true) };
    });
  }

  /**
   * Emergency revocation: the key leaves the JWKS and the sealed keyset and never signs again. If it
   * was signing, the published NEXT key takes over at once (a new one if there is none).
   */
  async revoke(kid: string, now = nowSeconds()): Promise<VaultResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const settings = this.settings();
      if (!settings) return { ok: false, reason: "not_configured" };
      const row = this.row(kid);
      if (!row) return { ok: false, reason: "unknown_kid" };
      if (row.revoked_at !== null) return { ok: true, status: this.currentStatus(now) };
      const wasActive = activeKey(this.scheduledKeys(), now)?.kid === kid;
      this.sql.exec("UPDATE signing_keys SET revoked_at = ? WHERE kid = ?", now, kid);
      if (wasActive) {
        const next = nextKey(this.scheduledKeys(), now);
        if (next) this.sql.exec("UPDATE signing_keys SET activates_at = ? WHERE kid = ?", now, next.kid);
      }
      return { ok: true, status: await this.reconcile(now, true) };
    });
  }

  /**
   * The server was deleted: its keyset leaves KV, and every key, the schedule and the alarm are
   * dropped, so a server created later under the same id starts with new keys. Idempotent.
   */
  async destroy(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const serverId = this.getMeta("serverId");
      await this.ctx.storage.deleteAlarm();
      if (serverId) await this.env.CONFIG.delete(kvKeys.keyset(serverId));
      await this.ctx.storage.deleteAll();
      this.createTables();
    });
  }

  /** Reads also catch up on anything a missed alarm left undone. */
  async status(now = nowSeconds()): Promise<VaultStatus> {
    return this.ctx.blockConcurrencyWhile(() => this.reconcile(now, false));
  }

  override async alarm(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(() => this.reconcile(nowSeconds(), false));
  }

  /** Applies the schedule until nothing is due, publishes if anything changed, and sets the next alarm. */
  private async reconcile(now: number, changedAlready: boolean): Promise<VaultStatus> {
    const settings = this.settings();
    const serverId = this.getMeta("serverId");
    if (!settings || !serverId) return this.statusOf([], now);
    const schedule = scheduleOf(settings);
    let changed = changedAlready;
    for (let pass = 0; pass < MAX_PLAN_PASSES; pass++) {
      const { actions } = plan(this.scheduledKeys(), schedule, now);
      if (actions.length === 0) break;
      for (const action of actions) {
        switch (action.kind) {
          case "generate":
            await this.insertKey(settings.alg, now, action.activatesAt);
            break;
          case "reschedule":
            this.sql.exec(
              "UPDATE signing_keys SET activates_at = ? WHERE kid = ?",
              action.activatesAt,
              action.kid,
            );
            break;
          case "remove":
            this.sql.exec("DELETE FROM signing_keys WHERE kid = ?", action.kid);
            break;
        }
      }
      changed = true;
    }
    // The flag outlives a failed publication (KV error, a reset mid-call), so the next call or
    // alarm publishes what the last one could not.
    if (changed) this.setMeta("unpublished", "1");
    if (this.getMeta("unpublished") === "1" || this.getMeta("publishedVersion") === undefined) {
      await this.publish(serverId, schedule, now);
      this.sql.exec("DELETE FROM meta WHERE name = 'unpublished'");
    }
    const { nextAlarmAt } = plan(this.scheduledKeys(), schedule, now);
    if (nextAlarmAt === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(nextAlarmAt * 1000);
    return this.currentStatus(now);
  }

  private async insertKey(alg: SigningAlg, now: number, activatesAt: number | null): Promise<void> {
    const { kid, privateJwk } = await generateSigningKey(alg);
    this.sql.exec(
      "INSERT INTO signing_keys (kid, alg, created_at, activates_at, private_jwk) VALUES (?, ?, ?, ?, ?)",
      kid,
      alg,
      now,
      activatesAt,
      JSON.stringify(privateJwk),
    );
  }

  private async publish(serverId: string, schedule: RotationSchedule, now: number): Promise<void> {
    const version = Number(this.getMeta("publishedVersion") ?? "0") + 1;
    const rows = this.rows();
    const keys = this.scheduledKeys();
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
    const keyset: PublishedKeyset = {
      serverId,
      version,
      publishedAt: now,
      schedule,
      keys: keys.filter((k) => k.revokedAt === null),
      jwks: {
        keys: liveRows.map((r) => publicJwk(JSON.parse(r.private_jwk) as JWK, r.kid, r.alg as SigningAlg)),
      },
      sealed: await seal(
        signing,
        await importKeyEncryptionKey(this.env.KEY_ENCRYPTION_KEY),
        serverId,
        version,
      ),
    };
    await this.env.CONFIG.put(kvKeys.keyset(serverId), JSON.stringify(keyset));
    this.setMeta("publishedVersion", String(version));
  }

  private currentStatus(now: number): VaultStatus {
    return this.statusOf(this.rows(), now);
  }

  private statusOf(rows: KeyRow[], now: number): VaultStatus {
    const keys = rows.map(toScheduled);
    const settings = this.settings();
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

  private scheduledKeys(): ScheduledKey[] {
    return this.rows().map(toScheduled);
  }

  private rows(): KeyRow[] {
    return this.sql.exec<KeyRow>("SELECT rowid AS seq, * FROM signing_keys ORDER BY rowid").toArray();
  }

  private row(kid: string): KeyRow | undefined {
    return this.sql.exec<KeyRow>("SELECT rowid AS seq, * FROM signing_keys WHERE kid = ?", kid).toArray()[0];
  }

  private settings(): SigningSettings | undefined {
    const raw = this.getMeta("settings");
    return raw ? (JSON.parse(raw) as SigningSettings) : undefined;
  }

  private getMeta(name: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray()[0]
      ?.value;
  }

  private setMeta(name: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", name, value);
  }
}

function toScheduled(r: KeyRow): ScheduledKey {
  return {
    kid: r.kid,
    createdAt: r.created_at,
    activatesAt: r.activates_at,
    sequence: r.seq,
    revokedAt: r.revoked_at,
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
