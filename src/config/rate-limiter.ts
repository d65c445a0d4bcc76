/**
 * The management API's global rate limit: one `RateLimiter` Durable Object per caller (named by
 * `bootstrap`, `token:<id>` or `client:<id>`), counting its requests in fixed windows. A Durable
 * Object, not the per-location binding: an API token is one actor wherever its requests land, so only
 * one authority can count it exactly (DESIGN §1). Its own object rather than the control plane: the
 * control plane serialises admin writes, and counting must neither wait behind them nor add to the
 * one object every write goes through.
 *
 * The counts live in memory only. The runtime keeps an object in memory while requests keep coming;
 * a caller idle long enough for it to be evicted has nothing near its limit worth remembering.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { FixedWindowCounter, type RateLimitRule, type RateLimitVerdict } from "../http/rate-limit";

export class RateLimiter extends DurableObject<Env> {
  /** `#private`: RPC callers reach only `hit` (DESIGN §7 rule 9). */
  #counter: FixedWindowCounter | undefined;

  /** Counts one request under `rule` (the caller's limit; the same for every call in practice). */
  async hit(rule: RateLimitRule): Promise<RateLimitVerdict> {
    if (this.#counter?.rule.limit !== rule.limit || this.#counter.rule.windowSeconds !== rule.windowSeconds) {
      this.#counter = new FixedWindowCounter(
        { limit: rule.limit, windowSeconds: rule.windowSeconds },
        // One caller per object: one key.
        1,
      );
    }
    return this.#counter.hit("caller", Date.now());
  }
}
