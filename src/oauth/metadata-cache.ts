/**
 * Cache lifetimes for public metadata (JWKS, discovery), derived from the rotation schedule: a
 * verifier that caches for max-age (+ stale-while-revalidate) still holds every key that can sign
 * before it looks again (DESIGN §5). The content an edge serves can lag the vault by KV's
 * propagation plus two keyset TTLs (colo cache, isolate), so that comes off the budget.
 */
import {
  METADATA_MAX_AGE_CAP_SECONDS,
  METADATA_STALE_IF_ERROR_SECONDS,
  METADATA_STALE_WHILE_REVALIDATE_CAP_SECONDS,
} from "../config/defaults";
import { keysetPropagationSeconds, type PropagationVars } from "../config/vars";
import type { PublishedKeyset } from "../keys/keyset";
import { metadataCacheControl } from "../keys/schedule";

export function publicMetadataCacheControl(
  keyset: PublishedKeyset,
  env: PropagationVars,
  now: number,
): string {
  return metadataCacheControl(keyset.keys, keyset.schedule, now, {
    maxAgeCapSeconds: METADATA_MAX_AGE_CAP_SECONDS,
    staleWhileRevalidateCapSeconds: METADATA_STALE_WHILE_REVALIDATE_CAP_SECONDS,
    staleIfErrorSeconds: METADATA_STALE_IF_ERROR_SECONDS,
    propagationSeconds: keysetPropagationSeconds(env),
  });
}
