/**
 * Cache lifetimes for public metadata (JWKS, discovery), derived from the rotation schedule: a
 * verifier that caches for max-age (+ stale-while-revalidate) still holds every key that can sign
 * before it looks again (DESIGN §5). The content an edge serves can lag the vault by KV's
 * propagation plus two keyset TTLs (colo cache, isolate), so that comes off the budget.
 * `now`: epoch seconds, as the endpoints' injected clock floors them.
 */
import type { PropagationVars } from "../config/vars";
import { metadataCachePolicy } from "../keys/cache-policy";
import type { PublishedKeyset } from "../keys/keyset";
import { metadataCacheControl } from "../keys/schedule";

export function publicMetadataCacheControl(
  keyset: PublishedKeyset,
  env: PropagationVars,
  now: number,
): string {
  // `now` is whole seconds, floored, while a verifier counts max-age from its own clock, up to a
  // second further on: the budget is counted from the next second, so it never ends late.
  return metadataCacheControl(keyset.keys, keyset.schedule, now + 1, metadataCachePolicy(env));
}
