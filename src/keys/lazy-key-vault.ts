/**
 * The `KeyVault` class the Worker exports: a shell that loads the real one (src/keys/key-vault.ts) on
 * its first construction (src/http/lazy-durable-object.ts). Edges never call a key vault on the token
 * path (DESIGN §1, §5): key generation, the schedule's plan and keyset sealing load only where a
 * vault runs (admin actions, its alarm, a republish). Its alarm (scheduled rotation, publication
 * retries) is forwarded with its `alarmInfo`.
 */
import type { Env } from "../env";
import { lazyDurableObject } from "../http/lazy-durable-object";
import type { KeyVault as Implementation } from "./key-vault";

export class KeyVault extends lazyDurableObject<Env, Implementation>(
  async () => (await import("./key-vault")).KeyVault,
  { alarm: true },
) {}
