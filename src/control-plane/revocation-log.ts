/**
 * The control plane's revocation log: the source of the pulse every edge reads every few seconds
 * (src/config/revocation-pulse.ts). One row per thing changed within the window — its newest state
 * and the version it was recorded at — and one persistent version counter, so the version keeps
 * growing across restarts and after every row has aged out. Recorded inside the serialised admin
 * write, before the call returns: that instant is where the edge's 10 s bound starts.
 *
 * The window is the KV bound plus a margin: once a change is older than KV propagation plus the
 * isolate config TTL, every isolate reads the changed record from KV itself, and the pulse entry is
 * redundant. Until then the pulse wins over a stale ACTIVE record an isolate still holds.
 */
import {
  CONFIG_CACHE_TTL_SECONDS,
  PULSE_MAX_ENTRIES,
  REVOCATION_WINDOW_MARGIN_SECONDS,
} from "../config/defaults";
import type { Pulse, RevocableKind } from "../config/revocations";
import { kvPropagationSeconds, type PropagationVars } from "../config/vars";
import type { RevocationChange } from "./revocation-changes";

interface Row extends Record<string, SqlStorageValue> {
  kind: string;
  id: string;
  revoked: number;
  version: number;
  at: number;
}

/** How long a change stays in the pulse (ms): the KV bound of this deployment plus a margin. */
export function revocationWindowMs(env: PropagationVars): number {
  return (kvPropagationSeconds(env) + CONFIG_CACHE_TTL_SECONDS + REVOCATION_WINDOW_MARGIN_SECONDS) * 1000;
}

export class RevocationLog {
  readonly #sql: SqlStorage;
  readonly #windowMs: number;

  constructor(sql: SqlStorage, env: PropagationVars) {
    this.#sql = sql;
    this.#windowMs = revocationWindowMs(env);
    sql.exec(
      `CREATE TABLE IF NOT EXISTS revocations (
         kind TEXT NOT NULL, id TEXT NOT NULL, revoked INTEGER NOT NULL, version INTEGER NOT NULL,
         at INTEGER NOT NULL, PRIMARY KEY (kind, id))`,
    );
    sql.exec(
      "CREATE TABLE IF NOT EXISTS revocation_version (one INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
    );
  }

  /**
   * Records each change at the next version, replacing the id's earlier state. An enablement of an
   * id the log does not hold changes nothing an edge would refuse, so it is not recorded.
   */
  record(changes: readonly RevocationChange[], now: number = Date.now()): void {
    if (changes.length === 0) return;
    this.#prune(now);
    let version = this.version();
    for (const { kind, id, revoked } of changes) {
      if (!revoked && !this.#holds(kind, id)) continue;
      version += 1;
      this.#sql.exec(
        "INSERT OR REPLACE INTO revocations (kind, id, revoked, version, at) VALUES (?, ?, ?, ?, ?)",
        kind,
        id,
        revoked ? 1 : 0,
        version,
        now,
      );
    }
    this.#sql.exec("INSERT OR REPLACE INTO revocation_version (one, version) VALUES (1, ?)", version);
    const count = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM revocations").one().n;
    if (count > PULSE_MAX_ENTRIES) {
      console.warn(JSON.stringify({ event: "pulse.overflow", entries: count, carried: PULSE_MAX_ENTRIES }));
    }
  }

  version(): number {
    return (
      this.#sql.exec<{ version: number }>("SELECT version FROM revocation_version WHERE one = 1").toArray()[0]
        ?.version ?? 0
    );
  }

  /** The pulse: the version and the newest changes within the window, newest first, at most PULSE_MAX_ENTRIES. */
  pulse(now: number = Date.now()): Pulse {
    const rows = this.#sql
      .exec<Row>(
        "SELECT * FROM revocations WHERE at > ? ORDER BY version DESC LIMIT ?",
        now - this.#windowMs,
        PULSE_MAX_ENTRIES,
      )
      .toArray();
    return {
      version: this.version(),
      windowMs: this.#windowMs,
      entries: rows.map((row) => ({
        kind: row.kind as RevocableKind,
        id: row.id,
        revoked: row.revoked === 1,
        version: row.version,
        ageMs: Math.max(0, now - row.at),
      })),
    };
  }

  #holds(kind: RevocableKind, id: string): boolean {
    return (
      this.#sql.exec("SELECT 1 FROM revocations WHERE kind = ? AND id = ?", kind, id).toArray().length > 0
    );
  }

  /** Rows past the window say nothing KV does not: they go, so the table stays as small as the pulse. */
  #prune(now: number): void {
    this.#sql.exec("DELETE FROM revocations WHERE at <= ?", now - this.#windowMs);
  }
}
