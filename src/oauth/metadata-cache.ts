import { METADATA_MAX_AGE_SECONDS } from "../config/defaults";

/**
 * Caching for public metadata (JWKS, discovery): shared caches may keep it for max-age. Issue 4
 * derives max-age from the rotation schedule; until then the constant is far below the NEXT-key lead
 * time, so no verifier can miss a key that signs.
 */
export const PUBLIC_METADATA_CACHE_CONTROL = `public, max-age=${METADATA_MAX_AGE_SECONDS}`;
