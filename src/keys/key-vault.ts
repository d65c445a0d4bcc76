/**
 * Key vault: one Durable Object per authorization server, the only place signing keys are created.
 * It keeps every key in SQLite and publishes the public JWKS plus the sealed signing keys to KV each
 * time the lifecycle changes; edges never call it on the token path (DESIGN §1, §5).
 */
import { DurableObject } from "cloudflare:workers";
import type { JWK } from "jose";
import { ROTATION_PERIOD_SECONDS } from "../config/defaults";
import { kvKeys } from "../config/kv-keys";
import type { SigningAlg } from "../config/schemas";
import type { Env } from "../env";
import { generateSigningKey } from "./generate";
import {
  type KeyStatus,
  type PublishedKeyset,
  publicJwk,
  type SealedSigningKey,
  selectSigningKey,
} from "./keyset";
import { importKeyEncryptionKey, seal } from "./seal";

interface KeyRow extends Record<string, SqlStorageValue> {
  kid: string;
  alg: string;
  created: number;
  activates_at: number;
  revoked: number;
  private_jwk: string;
}

/** A key as the management API reports it (public members only). */
export interface KeyInfo {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  created: number;
  activatesAt: number;
  jwk: JWK;
}

export class KeyVault extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        created INTEGER NOT NULL,
        activates_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        private_jwk TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  /**
   * Makes sure the server has an ACTIVE and a NEXT key for `alg` and that KV holds the current keyset.
   * Idempotent: a second call with the same arguments changes nothing and publishes nothing.
   */
  async ensureKeys(serverId: string, alg: SigningAlg, now = nowSeconds()): Promise<KeyInfo[]> {
    return this.ctx.blockConcurrencyWhile(async () => {
      this.setMeta("serverId", serverId);
      let changed = false;
      // A key of another algorithm that never signed is simply dropped; one that signed stays
      // published (EXPIRED) for verifiers until its tokens have expired.
      changed ||=
        this.sql.exec("DELETE FROM keys WHERE alg != ? AND activates_at > ?", alg, now).rowsWritten > 0;
      const usable = this.rows().filter((k) => k.alg === alg && !k.revoked);
      if (
        !selectSigningKey(
          usable.map((k) => ({ activatesAt: k.activates_at })),
          now,
        )
      ) {
        await this.insertKey(alg, now, now);
        changed = true;
      }
      if (!this.rows().some((k) => k.alg === alg && !k.revoked && k.activates_at > now)) {
        await this.insertKey(alg, now, now + ROTATION_PERIOD_SECONDS);
        changed = true;
      }
      if (changed || this.getMeta("publishedVersion") === undefined) await this.publish(serverId, now);
      return this.keyInfos(now);
    });
  }

  async listKeys(now = nowSeconds()): Promise<KeyInfo[]> {
    return this.keyInfos(now);
  }

  private async insertKey(alg: SigningAlg, now: number, activatesAt: number): Promise<void> {
    const { kid, privateJwk } = await generateSigningKey(alg);
    this.sql.exec(
      "INSERT INTO keys (kid, alg, created, activates_at, private_jwk) VALUES (?, ?, ?, ?, ?)",
      kid,
      alg,
      now,
      activatesAt,
      JSON.stringify(privateJwk),
    );
  }

  private async publish(serverId: string, now: number): Promise<void> {
    const version = Number(this.getMeta("publishedVersion") ?? "0") + 1;
    const infos = this.keyInfos(now);
    const signing: SealedSigningKey[] = this.rows()
      .filter((k) => !k.revoked && infos.some((i) => i.kid === k.kid && i.status !== "EXPIRED"))
      .map((k) => ({
        kid: k.kid,
        alg: k.alg as SigningAlg,
        activatesAt: k.activates_at,
        privateJwk: JSON.parse(k.private_jwk) as JWK,
      }));
    const keyset: PublishedKeyset = {
      serverId,
      version,
      publishedAt: now,
      jwks: { keys: infos.filter((k) => k.status !== "REVOKED").map((k) => k.jwk) },
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

  /** Status follows from time alone, exactly as edges decide which key signs (DESIGN §5). */
  private keyInfos(now: number): KeyInfo[] {
    const rows = this.rows();
    const live = rows.filter((k) => !k.revoked).map((k) => ({ ...k, activatesAt: k.activates_at }));
    const signing = selectSigningKey(live, now);
    return rows.map((k) => {
      const status: KeyStatus = k.revoked
        ? "REVOKED"
        : k.kid === signing?.kid
          ? "ACTIVE"
          : k.activates_at > now
            ? "NEXT"
            : "EXPIRED";
      const alg = k.alg as SigningAlg;
      return {
        kid: k.kid,
        alg,
        status,
        created: k.created,
        activatesAt: k.activates_at,
        jwk: publicJwk(JSON.parse(k.private_jwk) as JWK, k.kid, alg),
      };
    });
  }

  private rows(): KeyRow[] {
    return this.sql.exec<KeyRow>("SELECT * FROM keys ORDER BY activates_at DESC").toArray();
  }

  private getMeta(name: string): string | undefined {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray()[0];
    return row?.value;
  }

  private setMeta(name: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", name, value);
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
