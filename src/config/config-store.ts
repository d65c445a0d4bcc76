/**
 * The edge's view of configuration: snapshots and client records read from KV through the isolate
 * cache. A cold isolate costs one KV read per kind of object; a warm one none.
 */

import type { PublishedInlineHook } from "../hooks/published-hook";
import { CONFIG_CACHE_TTL_SECONDS, ISOLATE_CACHE_MAX_ENTRIES, NEGATIVE_CACHE_TTL_SECONDS } from "./defaults";
import { IsolateCache } from "./isolate-cache";
import { kvKeys } from "./kv-keys";
import type { Client, Snapshot } from "./schemas";

/** The published configuration as protocol code reads it: a port, bound to KV once per request. */
export interface ConfigSource {
  snapshot(serverId: string): Promise<Snapshot | undefined>;
  client(clientId: string): Promise<Client | undefined>;
  /** A token inline hook; read only for a rule that names one, so other tokens never pay for it. */
  hook(hookId: string): Promise<PublishedInlineHook | undefined>;
}

export class ConfigStore {
  private readonly snapshots: IsolateCache<Snapshot>;
  private readonly clients: IsolateCache<Client>;
  private readonly hooks: IsolateCache<PublishedInlineHook>;

  constructor(now?: () => number) {
    const options = {
      ttlMs: CONFIG_CACHE_TTL_SECONDS * 1000,
      negativeTtlMs: NEGATIVE_CACHE_TTL_SECONDS * 1000,
      maxEntries: ISOLATE_CACHE_MAX_ENTRIES,
      ...(now ? { now } : {}),
    };
    this.snapshots = new IsolateCache(options);
    this.clients = new IsolateCache(options);
    this.hooks = new IsolateCache(options);
  }

  /** This store read through `kv`: what protocol code is handed instead of the binding. */
  source(kv: KVNamespace): ConfigSource {
    return {
      snapshot: (serverId) => this.snapshot(kv, serverId),
      client: (clientId) => this.client(kv, clientId),
      hook: (hookId) => this.hook(kv, hookId),
    };
  }

  snapshot(kv: KVNamespace, serverId: string): Promise<Snapshot | undefined> {
    return this.snapshots.get(
      serverId,
      async () => (await kv.get<Snapshot>(kvKeys.snapshot(serverId), "json")) ?? undefined,
    );
  }

  client(kv: KVNamespace, clientId: string): Promise<Client | undefined> {
    return this.clients.get(
      clientId,
      async () => (await kv.get<Client>(kvKeys.client(clientId), "json")) ?? undefined,
    );
  }

  /** A token inline hook; read only for a rule that names one, so other tokens never pay for it. */
  hook(kv: KVNamespace, hookId: string): Promise<PublishedInlineHook | undefined> {
    return this.hooks.get(
      hookId,
      async () => (await kv.get<PublishedInlineHook>(kvKeys.hook(hookId), "json")) ?? undefined,
    );
  }
}
