/**
 * Every default the verifier applies, each with the reason it has this value. The verifier ships to
 * API authors as `warden/verify` and imports nothing from the authorization server, so its defaults
 * live here rather than in `src/config/defaults.ts`. Durations are in seconds.
 */

/**
 * The asymmetric algorithms a Warden authorization server can sign with (DESIGN §3). The allow-list
 * never grows beyond this: no `none`, and no HS* — a shared-secret algorithm would let anyone holding
 * the public key mint tokens (RFC 8725 §2.1, §3.1).
 *
 * @example
 * ```ts
 * import { type Algorithm, createVerifier, SUPPORTED_ALGORITHMS } from "warden/verify";
 *
 * // Everything but RSA: pin the allow-list below the default (all of these).
 * const algorithms: Algorithm[] = SUPPORTED_ALGORITHMS.filter((alg) => alg === "ES256" || alg === "EdDSA");
 * export const verifier = createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 *   algorithms,
 * });
 * ```
 */
export const SUPPORTED_ALGORITHMS = ["RS256", "ES256", "EdDSA", "PS256"] as const;

/**
 * Leeway for `exp`, `nbf` and `iat` (RFC 7519 §4.1.4 "usually no more than a few minutes"). Warden and
 * Workers run on NTP-synced clocks, so 30 s is ample for skew between hosts while adding at most 10 %
 * to the shortest token lifetime Warden issues (5 minutes).
 */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * At most one JWKS refetch per window when a token names an unknown `kid`: a legitimate new key
 * (emergency rotation) is picked up within this time, while a flood of made-up kids costs the
 * authorization server one request per window per isolate. jose's `createRemoteJWKSet` uses 30 s too.
 */
export const KID_REFETCH_COOLDOWN_SECONDS = 30;

/** After a failed JWKS fetch, wait this long before the next attempt, serving the last good set meanwhile. */
export const JWKS_RETRY_AFTER_FAILURE_SECONDS = 5;

/** A JWKS request that takes longer than this is abandoned; a slow authorization server must not stall every API call. */
export const JWKS_FETCH_TIMEOUT_MS = 5000;

/** Freshness when a JWKS response carries no `max-age` (RFC 9111 §4.2.2 leaves heuristics to the cache); Warden's own value. */
export const JWKS_DEFAULT_MAX_AGE_SECONDS = 300;

/** Ceiling on any announced freshness, so a misconfigured `max-age` cannot pin a revoked key for weeks. */
export const JWKS_MAX_AGE_CEILING_SECONDS = 24 * 3600;

/**
 * How long the last good JWKS keeps serving through an outage when the response names no
 * `stale-if-error` (RFC 5861 §4): long enough to ride out an incident, bounded so a revoked key is
 * not trusted forever. Warden's longest access-token lifetime is also 24 h.
 */
export const JWKS_DEFAULT_STALE_IF_ERROR_SECONDS = 24 * 3600;

/**
 * Larger JWKS documents are refused, counted as they arrive (decoded, if the response was
 * compressed): Warden publishes at most a handful of keys.
 */
export const JWKS_MAX_BYTES = 256 * 1024;

/** Redirects followed to reach the JWKS, each re-checked for TLS: a CDN or vanity-domain hop or two, no more. */
export const JWKS_MAX_REDIRECTS = 3;

/** Longer bearer strings are refused before any parsing; Warden's tokens are well under 2 KiB. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
