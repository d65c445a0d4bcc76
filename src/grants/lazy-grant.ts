/**
 * The `Grant` class the Worker exports: a shell that loads the real one (src/grants/grant-object.ts)
 * on its first construction (src/http/lazy-durable-object.ts). A grant object is constructed only by
 * user flows (code redemption, refresh, device polling, revocation, introspection of a user token);
 * an isolate that serves client_credentials tokens never parses it (DESIGN §1, §10). Its alarm
 * (grant deletion, the grant index's queued touch) is forwarded.
 */
import type { Env } from "../env";
import { lazyDurableObject } from "../http/lazy-durable-object";
import type { Grant as Implementation } from "./grant-object";

export class Grant extends lazyDurableObject<Env, Implementation>(
  async () => (await import("./grant-object")).Grant,
  { alarm: true },
) {}
