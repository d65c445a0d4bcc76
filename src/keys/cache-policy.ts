/**
 * The cache policy for public metadata (JWKS, discovery) as this deployment runs it: the caps from
 * defaults.ts and the keyset propagation bound from the Worker's vars. Edges derive `Cache-Control`
 * from it; the key vault derives from the same numbers how long a response served without a new key
 * can live (`cacheHorizon`), so both sides agree on when that key may sign.
 */
import {
  METADATA_MAX_AGE_CAP_SECONDS,
  METADATA_STALE_IF_ERROR_SECONDS,
  METADATA_STALE_WHILE_REVALIDATE_CAP_SECONDS,
} from "../config/defaults";
import { keysetPropagationSeconds, type PropagationVars } from "../config/vars";
import type { CachePolicy } from "./schedule";

export function metadataCachePolicy(env: PropagationVars): CachePolicy {
  return {
    maxAgeCapSeconds: METADATA_MAX_AGE_CAP_SECONDS,
    staleWhileRevalidateCapSeconds: METADATA_STALE_WHILE_REVALIDATE_CAP_SECONDS,
    staleIfErrorSeconds: METADATA_STALE_IF_ERROR_SECONDS,
    propagationSeconds: keysetPropagationSeconds(env),
  };
}
