/**
 * Authorization servers inside the control plane: the `servers` SQLite table holds each server's
 * authoritative config and version; publishing writes the immutable snapshot the edges read
 * (`snapshot/{id}` in KV), after the server's key vault has its keys. The control plane
 * serialises every call; nothing here is reentrant.
 */

import { kvKeys } from "../config/kv-keys";
import type { ServerConfig, Snapshot } from "../config/schemas";
import type { Env } from "../env";
import type { RecordPublisher } from "./record-publisher";

interface ServerRow extends Record<string, SqlStorageValue> {
  id: string;
  config: string;
  version: number;
}

export interface StoredServer {
  config: ServerConfig;
  version: number;
}

export interface ServerPage {
  configs: ServerConfig[];
  /** The cursor of the following page, if there is one. */
  next?: string;
}

export class ServerStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Pick<Env, "CONFIG" | "KEY_VAULT">,
    private readonly records: RecordPublisher,
  ) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS servers (id TEXT PRIMARY KEY, config TEXT NOT NULL, version INTEGER NOT NULL)",
    );
  }

  get(id: string): StoredServer | undefined {
    const row = this.sql.exec<ServerRow>("SELECT * FROM servers WHERE id = ?", id).toArray()[0];
    return row ? { config: JSON.parse(row.config) as ServerConfig, version: row.version } : undefined;
  }

  all(): ServerConfig[] {
    return this.sql
      .exec<ServerRow>("SELECT * FROM servers ORDER BY id")
      .toArray()
      .map((row) => JSON.parse(row.config) as ServerConfig);
  }

  /**
   * One page (Okta's `GET /api/v1/authorizationServers`), ordered by id: those after the `after`
   * cursor whose name or an audience contains `q`, case-insensitively (Okta searches both).
   */
  page(options: { q?: string; after?: string; limit: number }): ServerPage {
    const q = options.q?.toLowerCase();
    const matches = this.all().filter(
      ({ server }) =>
        server.id > (options.after ?? "") &&
        (!q ||
          server.name.toLowerCase().includes(q) ||
          server.audiences.some((a) => a.toLowerCase().includes(q))),
    );
    const configs = matches.slice(0, options.limit);
    return matches.length > options.limit ? { configs, next: configs.at(-1)?.server.id } : { configs };
  }

  /** The SQLite half of a save (usable inside a storage transaction): the snapshot to publish. */
  store(config: ServerConfig): Snapshot {
    const version = (this.get(config.server.id)?.version ?? 0) + 1;
    this.sql.exec(
      "INSERT OR REPLACE INTO servers (id, config, version) VALUES (?, ?, ?)",
      config.server.id,
      JSON.stringify(config),
      version,
    );
    return { ...config, version, publishedAt: new Date().toISOString() };
  }

  /** The stored server as a snapshot at its stored version, to publish again (republish, recovery). */
  snapshot(id: string): Snapshot | undefined {
    const stored = this.get(id);
    return stored && { ...stored.config, version: stored.version, publishedAt: new Date().toISOString() };
  }

  /** Keys before the snapshot: an edge that sees a server's snapshot must find its keyset too. */
  async publish(snapshot: Snapshot): Promise<void> {
    const { alg, rotationMode, rotationPeriodSeconds, nextKeyLeadSeconds } =
      snapshot.server.credentials.signing;
    await this.vault(snapshot.server.id).configure(snapshot.server.id, {
      alg,
      rotationMode,
      rotationPeriodSeconds,
      nextKeyLeadSeconds,
    });
    await this.records.publish("snapshot", snapshot.server.id, snapshot);
  }

  /** The SQLite half of a delete (usable inside a storage transaction); `unpublish` follows it. */
  forget(id: string): void {
    this.sql.exec("DELETE FROM servers WHERE id = ?", id);
  }

  /**
   * The snapshot first, so edges stop routing to the server, then its keys: the vault drops every
   * key and its alarm and withdraws the keyset, so a server created later under the same id starts
   * with new keys.
   */
  async unpublish(id: string): Promise<void> {
    await this.env.CONFIG.delete(kvKeys.snapshot(id));
    await this.vault(id).destroy();
  }

  vault(serverId: string) {
    return this.env.KEY_VAULT.get(this.env.KEY_VAULT.idFromName(serverId));
  }
}
