/**
 * How the control plane writes config records to KV: each authenticated as a whole for its kind and
 * id (src/config/config-record.ts), so an edge trusts nothing in KV that the control plane did not
 * write under the deployment's key-encryption key.
 *
 * It also keeps, in the control plane's SQLite, which record format and MAC key the records in KV
 * were last all published under. When that is not the current one — the first start after an
 * upgrade from a Warden whose records carried no MAC, or after a change of `KEY_ENCRYPTION_KEY` —
 * the control plane publishes every record again (control-plane.ts), so edges, which refuse the old
 * ones, get authenticated records without anyone having to edit anything.
 */

import { base64url } from "jose";
import {
  CONFIG_RECORD_FORMAT,
  type ConfigRecordKind,
  configRecordMacKey,
  encodeConfigRecord,
} from "../config/config-record";
import { CONFIG_RECORD_REPUT_MIN_INTERVAL_SECONDS, ISOLATE_CACHE_MAX_ENTRIES } from "../config/defaults";
import { kvKeys } from "../config/kv-keys";
import type { Env } from "../env";

const MARKER = "publishedRecords";
const encoder = new TextEncoder();

export class RecordPublisher {
  readonly #sql: SqlStorage;
  readonly #env: Pick<Env, "CONFIG" | "KEY_ENCRYPTION_KEY">;
  /** When each KV key was last put back (epoch ms), so edges' recoveries cannot keep this writing KV. */
  readonly #putBackAt = new Map<string, number>();

  constructor(sql: SqlStorage, env: Pick<Env, "CONFIG" | "KEY_ENCRYPTION_KEY">) {
    this.#sql = sql;
    this.#env = env;
    sql.exec("CREATE TABLE IF NOT EXISTS control_plane_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  /** The KV value for `value`, authenticated as the `kind` record of `id`. */
  async encode(kind: ConfigRecordKind, id: string, value: unknown): Promise<string> {
    return encodeConfigRecord(kind, id, value, await configRecordMacKey(this.#env.KEY_ENCRYPTION_KEY));
  }

  /** Encodes and puts the record: every publication of a snapshot, client or hook goes through here. */
  async publish(kind: ConfigRecordKind, id: string, value: unknown): Promise<void> {
    await this.#put(kind, id, await this.encode(kind, id, value));
  }

  /**
   * Puts `text` back for an edge that met a record it could not authenticate, unless this key was
   * put back within CONFIG_RECORD_REPUT_MIN_INTERVAL_SECONDS: KV takes one write per second per key,
   * and whoever keeps overwriting KV must not keep the control plane writing. Best effort: the edge
   * has its answer anyway.
   */
  async putBack(kind: ConfigRecordKind, id: string, text: string): Promise<void> {
    const key = kvKeys[kind](id);
    const now = Date.now();
    const last = this.#putBackAt.get(key);
    if (last !== undefined && now - last < CONFIG_RECORD_REPUT_MIN_INTERVAL_SECONDS * 1000) return;
    this.#putBackAt.delete(key);
    if (this.#putBackAt.size >= ISOLATE_CACHE_MAX_ENTRIES) {
      const oldest = this.#putBackAt.keys().next();
      if (!oldest.done) this.#putBackAt.delete(oldest.value);
    }
    this.#putBackAt.set(key, now);
    await this.#put(kind, id, text).catch((error: unknown) =>
      console.error(
        JSON.stringify({
          event: "control_plane.record_put_failed",
          kind,
          id,
          error: error instanceof Error ? error.message : "unknown",
        }),
      ),
    );
  }

  async #put(kind: ConfigRecordKind, id: string, text: string): Promise<void> {
    await this.#env.CONFIG.put(kvKeys[kind](id), text);
  }

  /** Whether every record in KV was published in the current format under the current key. */
  async current(): Promise<boolean> {
    const stored = this.#sql
      .exec<{ value: string }>("SELECT value FROM control_plane_meta WHERE name = ?", MARKER)
      .toArray()[0]?.value;
    return stored === (await this.#marker());
  }

  /** Records that every record has just been published in the current format under the current key. */
  async markCurrent(): Promise<void> {
    this.#sql.exec(
      "INSERT OR REPLACE INTO control_plane_meta (name, value) VALUES (?, ?)",
      MARKER,
      await this.#marker(),
    );
  }

  /**
   * The format and a check value of the MAC key (its MAC of a fixed label): a new key-encryption key
   * gives a new marker. The check value says nothing of the key.
   */
  async #marker(): Promise<string> {
    const key = await configRecordMacKey(this.#env.KEY_ENCRYPTION_KEY);
    const check = await crypto.subtle.sign("HMAC", key, encoder.encode("warden config key check"));
    return `${CONFIG_RECORD_FORMAT} ${base64url.encode(new Uint8Array(check).slice(0, 16))}`;
  }
}
