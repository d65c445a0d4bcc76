/**
 * The edge's view of configuration: snapshots and client records read from KV through the isolate
 * cache. A cold isolate costs one KV read per kind of object; a warm one none.
 *
 * Nothing of a record is used before its MAC holds for the kind and id asked for (config-record.ts).
 * A record that fails is logged without its content and never cached; the isolate then asks the
 * control plane for the authenticated record, at most once per cooldown per record, which is how
 * records published before they were authenticated are replaced after an upgrade. Without one the
 * record is absent: an unknown client, server or hook.
 */

import type { ControlPlane } from "../control-plane/control-plane";
import type { PublishedInlineHook } from "../hooks/published-hook";
import {
  type ConfigRecordKind,
  type ConfigRecordRejection,
  configRecordMacKey,
  openConfigRecord,
} from "./config-record";
import {
  CONFIG_CACHE_TTL_SECONDS,
  CONFIG_RECORD_RECOVERY_COOLDOWN_SECONDS,
  ISOLATE_CACHE_MAX_ENTRIES,
  NEGATIVE_CACHE_TTL_SECONDS,
} from "./defaults";
import { IsolateCache } from "./isolate-cache";
import { kvKeys } from "./kv-keys";
import type { Client, Snapshot } from "./schemas";
import {
  type PublishedTrustedOrigins,
  TRUSTED_ORIGINS_RECORD_ID,
  type TrustedOrigins,
  trustedOriginSets,
} from "./trusted-origins";

/** The published configuration as protocol code reads it: a port, bound to KV once per request. */
export interface ConfigSource {
  snapshot(serverId: string): Promise<Snapshot | undefined>;
  client(clientId: string): Promise<Client | undefined>;
  /** A token inline hook; read only for a rule that names one, so other tokens never pay for it. */
  hook(hookId: string): Promise<PublishedInlineHook | undefined>;
  /**
   * The ACTIVE trusted origins; read only for a request that carries an `Origin` header, so the
   * client_credentials path of a server-side client never pays for it.
   */
  trustedOrigins(): Promise<TrustedOrigins | undefined>;
}

/** The bindings the config store reads. */
export interface ConfigBindings {
  CONFIG: KVNamespace;
  /** What the records' MAC key is derived from. */
  KEY_ENCRYPTION_KEY: string;
  /** Called only to recover from an unauthenticated record, never on a request that finds a good one. */
  CONTROL_PLANE: DurableObjectNamespace<ControlPlane>;
}

export class ConfigStore {
  private readonly snapshots: IsolateCache<Snapshot>;
  private readonly clients: IsolateCache<Client>;
  private readonly hooks: IsolateCache<PublishedInlineHook>;
  private readonly origins: IsolateCache<TrustedOrigins>;
  /** When this isolate last asked the control plane for a record, by KV key (epoch ms). */
  private readonly recoveries = new Map<string, number>();
  private readonly now: () => number;

  constructor(now?: () => number) {
    this.now = now ?? Date.now;
    const options = {
      ttlMs: CONFIG_CACHE_TTL_SECONDS * 1000,
      negativeTtlMs: NEGATIVE_CACHE_TTL_SECONDS * 1000,
      maxEntries: ISOLATE_CACHE_MAX_ENTRIES,
      ...(now ? { now } : {}),
    };
    this.snapshots = new IsolateCache(options);
    this.clients = new IsolateCache(options);
    this.hooks = new IsolateCache(options);
    this.origins = new IsolateCache(options);
  }

  /** This store read through `env`'s bindings: what protocol code is handed instead of them. */
  source(env: ConfigBindings): ConfigSource {
    return {
      snapshot: (serverId) => this.snapshot(env, serverId),
      client: (clientId) => this.client(env, clientId),
      hook: (hookId) => this.hook(env, hookId),
      trustedOrigins: () => this.trustedOrigins(env),
    };
  }

  snapshot(env: ConfigBindings, serverId: string): Promise<Snapshot | undefined> {
    return this.snapshots.get(serverId, () => this.read<Snapshot>(env, "snapshot", serverId));
  }

  client(env: ConfigBindings, clientId: string): Promise<Client | undefined> {
    return this.clients.get(clientId, () => this.read<Client>(env, "client", clientId));
  }

  /** A token inline hook; read only for a rule that names one, so other tokens never pay for it. */
  hook(env: ConfigBindings, hookId: string): Promise<PublishedInlineHook | undefined> {
    return this.hooks.get(hookId, () => this.read<PublishedInlineHook>(env, "hook", hookId));
  }

  /** Every ACTIVE trusted origin, as sets; undefined when none was ever published. */
  trustedOrigins(env: ConfigBindings): Promise<TrustedOrigins | undefined> {
    return this.origins.get(TRUSTED_ORIGINS_RECORD_ID, async () => {
      const published = await this.read<PublishedTrustedOrigins>(
        env,
        "trustedOrigins",
        TRUSTED_ORIGINS_RECORD_ID,
      );
      return published && trustedOriginSets(published);
    });
  }

  /** The authenticated record, or undefined: none in KV, or none that verifies (then recovered if it can be). */
  private async read<T>(env: ConfigBindings, kind: ConfigRecordKind, id: string): Promise<T | undefined> {
    const key = kvKeys[kind](id);
    const raw = await env.CONFIG.get(key);
    if (raw === null) return undefined;
    const mac = await configRecordMacKey(env.KEY_ENCRYPTION_KEY).catch(() => undefined);
    if (!mac) {
      console.error(JSON.stringify({ event: "config.bad_key_encryption_key", kind, id }));
      return undefined;
    }
    const opened = await openConfigRecord<T>(raw, kind, id, mac);
    if (opened.ok) return opened.value;
    logRejected(kind, id, "kv", opened.reason);
    return this.recover<T>(env, kind, id, key, mac);
  }

  /**
   * Asks the control plane for the authenticated record, at most once per cooldown per record in this
   * isolate; the control plane also puts it back in KV. Undefined when the cooldown has not passed,
   * the control plane has no such object, cannot be reached, or its answer does not verify here.
   */
  private async recover<T>(
    env: ConfigBindings,
    kind: ConfigRecordKind,
    id: string,
    key: string,
    mac: CryptoKey,
  ): Promise<T | undefined> {
    const now = this.now();
    const last = this.recoveries.get(key);
    if (last !== undefined && now - last < CONFIG_RECORD_RECOVERY_COOLDOWN_SECONDS * 1000) return undefined;
    this.recoveries.delete(key);
    if (this.recoveries.size >= ISOLATE_CACHE_MAX_ENTRIES) {
      const oldest = this.recoveries.keys().next();
      if (!oldest.done) this.recoveries.delete(oldest.value);
    }
    this.recoveries.set(key, now);
    let raw: string | undefined;
    try {
      raw = await env.CONTROL_PLANE.get(env.CONTROL_PLANE.idFromName("global")).publishedRecord(kind, id);
    } catch (error) {
      console.error(
        JSON.stringify({
          event: "config.recovery_failed",
          kind,
          id,
          error: error instanceof Error ? error.message : "unknown",
        }),
      );
      return undefined;
    }
    if (raw === undefined) return undefined;
    const opened = await openConfigRecord<T>(raw, kind, id, mac);
    if (!opened.ok) {
      logRejected(kind, id, "control_plane", opened.reason);
      return undefined;
    }
    console.warn(JSON.stringify({ event: "config.recovered", kind, id }));
    return opened.value;
  }
}

/** Structured, and never with the record's content. */
function logRejected(
  kind: ConfigRecordKind,
  id: string,
  origin: "kv" | "control_plane",
  reason: ConfigRecordRejection,
): void {
  console.warn(JSON.stringify({ event: "config.record_rejected", kind, id, origin, reason }));
}
