/**
 * `createVerifier`: verifies Warden access tokens for one issuer and audience, as a list of named
 * steps in RFC 7519 §7.2 / RFC 8725 / RFC 9068 §4 order. Everything that can reject without a key is
 * done before the JWKS is consulted, so forged tokens cost no network and no crypto.
 */
import { compactVerify, errors } from "jose";
import { isTlsOrLoopback } from "../http/tls-url";
import { type AccessTokenFacts, checkClaims } from "./claims";
import { parseJsonBytes, splitCompact } from "./compact-jws";
import {
  CLOCK_TOLERANCE_SECONDS,
  JWKS_FETCH_TIMEOUT_MS,
  JWKS_RETRY_AFTER_FAILURE_SECONDS,
  KID_REFETCH_COOLDOWN_SECONDS,
  SUPPORTED_ALGORITHMS,
} from "./defaults";
import { TokenVerificationError } from "./errors";
import { JwksSource, type WaitUntil } from "./jwks-source";
import { type Algorithm, isObject, isSupportedAlgorithm } from "./key-set";
import { checkHeader, type ProfileOption } from "./token-header";

/**
 * What {@link createVerifier} needs: the issuer and this API's audience; everything else has a default.
 *
 * @example
 * ```ts
 * import { createVerifier, type VerifierOptions } from "warden/verify";
 *
 * const options: VerifierOptions = {
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: ["api://default", "api://orders"],
 *   algorithms: ["ES256"], // the one algorithm this server signs with
 *   profile: "rfc9068", // typ at+jwt only
 *   requiredClaims: ["uid"], // user tokens only
 * };
 * export const verifier = createVerifier(options);
 * ```
 */
export interface VerifierOptions {
  /** The authorization server's issuer, `{origin}/oauth2/{as}`; compared exactly with `iss`. */
  issuer: string;
  /** This API's audience (or audiences); the token's `aud` must contain one of them (RFC 9068 §4). */
  audience: string | readonly string[];
  /**
   * The allow-list, a subset of RS256, ES256, EdDSA, PS256. Default: all four, narrowed at verification
   * to the algorithm each JWKS key carries, which amounts to "the algorithms the JWKS keys carry".
   * The allow-list comes from the JWKS, not the server's metadata: no standard metadata member names
   * the access-token signing algorithm (RFC 8414 has none, RFC 9068 defines none, and OIDC's
   * `id_token_signing_alg_values_supported` is about ID tokens). Each Warden key carries its `alg`,
   * and a key verifies that one algorithm only (RFC 8725 §3.1); pin this option to refuse the others.
   */
  algorithms?: readonly Algorithm[];
  /** Which token profile to accept; `any` decides by `typ` (`at+jwt` → rfc9068, none → okta). Default `okta`, Warden's default. */
  profile?: ProfileOption;
  /** Leeway for `exp`, `nbf`, `iat`; default 30 s (see `defaults.ts`). */
  clockToleranceSeconds?: number;
  /** Minimum time between two JWKS refetches caused by unknown kids; default 30 s. */
  kidRefetchCooldownSeconds?: number;
  /** Claims required beyond the profile's own. */
  requiredClaims?: readonly string[];
  /** Default `{issuer}/v1/keys`, Okta's and Warden's path. */
  jwksUri?: string;
  /** Default 5000 ms. */
  jwksTimeoutMs?: number;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Where isolates of a location share the JWKS; default `caches.default` when the runtime has it, `null` to disable. */
  cache?: Cache | null;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

/**
 * A verified access token: its normalised facts, its header and the complete claims set.
 *
 * @example
 * ```ts
 * import type { VerifiedToken } from "warden/verify";
 *
 * // Custom claims (a server's claims, an inline hook's additions) are in `claims`.
 * export function tenantOf(token: VerifiedToken): string | undefined {
 *   const tenant = token.claims.tenant;
 *   return typeof tenant === "string" ? tenant : undefined;
 * }
 * ```
 */
export interface VerifiedToken extends AccessTokenFacts {
  header: { alg: Algorithm; kid: string; typ?: string };
  /** The complete verified claims set, custom claims included. */
  claims: Record<string, unknown>;
}

/**
 * Per-call context for {@link Verifier.verify}.
 *
 * @example
 * ```ts
 * import { createVerifier } from "warden/verify";
 *
 * const verifier = createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 * });
 *
 * export default {
 *   async fetch(request: Request, _env: unknown, ctx: ExecutionContext): Promise<Response> {
 *     const jwt = request.headers.get("Authorization")?.replace(/^Bearer /, "");
 *     const token = await verifier.verify(jwt, { waitUntil: (promise) => ctx.waitUntil(promise) });
 *     return Response.json({ client: token.clientId });
 *   },
 * };
 * ```
 */
export interface VerifyContext {
  /** Workers' `ctx.waitUntil`, so a background JWKS revalidation outlives the request. */
  waitUntil?: WaitUntil;
}

/**
 * What {@link createVerifier} returns.
 *
 * @example
 * ```ts
 * import { createVerifier, type Verifier } from "warden/verify";
 *
 * const verifier: Verifier = createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 * });
 *
 * export async function scopesOf(jwt: string): Promise<string[]> {
 *   return (await verifier.verify(jwt)).scopes; // rejects with a TokenVerificationError
 * }
 * ```
 */
export interface Verifier {
  /** Resolves with the verified token or rejects with a `TokenVerificationError`. */
  verify(token: string | null | undefined, context?: VerifyContext): Promise<VerifiedToken>;
}

/**
 * Creates a verifier for one issuer and audience. Misconfiguration (an issuer without TLS, an empty
 * audience, an unknown algorithm) throws here, never on a request.
 *
 * @example
 * ```ts
 * import { createVerifier, TokenVerificationError } from "warden/verify";
 *
 * // Once per isolate, not per request: the verifier holds the JWKS.
 * const verifier = createVerifier({
 *   issuer: "https://warden.example.com/oauth2/default",
 *   audience: "api://default",
 * });
 *
 * export async function clientOf(request: Request): Promise<string | undefined> {
 *   const jwt = request.headers.get("Authorization")?.replace(/^Bearer /, "");
 *   try {
 *     return (await verifier.verify(jwt)).clientId;
 *   } catch (error) {
 *     if (error instanceof TokenVerificationError) return undefined; // error.reason: "expired", …
 *     throw error;
 *   }
 * }
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const config = resolve(options);
  const source = new JwksSource({
    jwksUri: config.jwksUri,
    algorithms: config.algorithms,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    cache: () => (options.cache === undefined ? defaultCache() : options.cache),
    now: config.now,
    kidRefetchCooldownMs: config.kidRefetchCooldownSeconds * 1000,
    retryAfterFailureMs: JWKS_RETRY_AFTER_FAILURE_SECONDS * 1000,
    timeoutMs: options.jwksTimeoutMs ?? JWKS_FETCH_TIMEOUT_MS,
  });

  async function verify(
    token: string | null | undefined,
    context: VerifyContext = {},
  ): Promise<VerifiedToken> {
    const fail = (reason: TokenVerificationError["reason"], detail?: string) =>
      new TokenVerificationError(reason, detail);

    // 1. Something to verify at all (RFC 6750 §3.1 answers this case without an error code).
    if (typeof token !== "string" || token.length === 0) throw fail("missing_token");

    // 2. Compact JWS with a JSON-object header (RFC 7519 §7.2 steps 1–4).
    const parts = splitCompact(token);
    if (!parts) throw fail("malformed", "not a compact JWS with a JSON header");

    // 3. Header: no key material, allow-listed alg, explicit type, a kid (RFC 8725 §3.1, §3.10, §3.11).
    const header = checkHeader(parts.header, { algorithms: config.algorithms, profile: config.profile });
    if (!header.ok) throw fail(header.reason, header.detail);
    if (!parts.wellFormedBody || !parts.unverifiedClaims) throw fail("malformed", "payload or signature");

    // 4. Another issuer's token is refused before its unknown kid can spend our JWKS refetch budget.
    //    Rejecting on unverified data is safe: it can only reject.
    const claimedIssuer = parts.unverifiedClaims.iss;
    if (typeof claimedIssuer === "string" && claimedIssuer !== config.issuer) {
      throw fail("issuer_mismatch", `iss ${JSON.stringify(claimedIssuer)}`);
    }

    // 5. The key: from the issuer's JWKS only, bound to exactly the header's alg.
    const lookup = await source.getKey(header.kid, header.alg, context.waitUntil);
    switch (lookup.kind) {
      case "unavailable":
        throw fail("jwks_unavailable");
      case "unknown_kid":
        throw fail("unknown_kid", `kid ${JSON.stringify(header.kid)}`);
      case "alg_mismatch":
        throw fail("alg_not_allowed", `no ${header.alg} key named ${JSON.stringify(header.kid)}`);
      case "found":
        break;
    }

    // 6. The signature (RFC 7515 §5.2), with the key's one algorithm.
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, lookup.key.key, { algorithms: [lookup.key.alg] }));
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) throw fail("bad_signature");
      throw fail("malformed", error instanceof Error ? error.message : "JWS");
    }
    const claims = parseJsonBytes(payload);
    if (!isObject(claims)) throw fail("malformed", "claims are not a JSON object");

    // 7. The claims: type, presence, iss, aud, time (RFC 7519 §7.2 step 10, RFC 9068 §4).
    const verdict = checkClaims(claims, header.profile, config, Math.floor(config.now() / 1000));
    if (!verdict.ok) throw fail(verdict.reason, verdict.detail);

    const typ = typeof parts.header.typ === "string" ? parts.header.typ : undefined;
    return {
      ...verdict.facts,
      header: { alg: header.alg, kid: header.kid, ...(typ ? { typ } : {}) },
      claims,
    };
  }

  return { verify };
}

interface ResolvedConfig {
  issuer: string;
  audiences: readonly string[];
  algorithms: readonly Algorithm[];
  profile: ProfileOption;
  clockToleranceSeconds: number;
  kidRefetchCooldownSeconds: number;
  requiredClaims: readonly string[];
  jwksUri: string;
  now: () => number;
}

/** Misconfiguration is a programming error: thrown at creation, never discovered on a request. */
function resolve(options: VerifierOptions): ResolvedConfig {
  assertTlsUrl(options.issuer, "issuer");
  const audiences = typeof options.audience === "string" ? [options.audience] : [...options.audience];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== "string" || a.length === 0)) {
    throw new TypeError("audience must be a non-empty string or array of strings");
  }
  const algorithms = options.algorithms ?? SUPPORTED_ALGORITHMS;
  if (algorithms.length === 0 || !algorithms.every(isSupportedAlgorithm)) {
    throw new TypeError(`algorithms must be a non-empty subset of ${SUPPORTED_ALGORITHMS.join(", ")}`);
  }
  const tolerance = options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;
  const cooldown = options.kidRefetchCooldownSeconds ?? KID_REFETCH_COOLDOWN_SECONDS;
  if (!(tolerance >= 0) || !(cooldown >= 0)) throw new TypeError("durations must be non-negative");
  const jwksUri = options.jwksUri ?? `${options.issuer.replace(/\/+$/, "")}/v1/keys`;
  assertTlsUrl(jwksUri, "jwksUri");
  return {
    issuer: options.issuer,
    audiences,
    algorithms: [...algorithms],
    profile: options.profile ?? "okta",
    clockToleranceSeconds: tolerance,
    kidRefetchCooldownSeconds: cooldown,
    requiredClaims: [...(options.requiredClaims ?? [])],
    jwksUri,
    now: options.now ?? Date.now,
  };
}

/** Keys must arrive over TLS; plain http only for a local development server. */
function assertTlsUrl(value: string, name: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (!isTlsOrLoopback(url)) {
    throw new TypeError(`${name} must use https (http only for localhost)`);
  }
}

function defaultCache(): Cache | null {
  // Workers have `caches.default`; Node has no Cache API, and browsers' `caches` has no `default`.
  const storage = (globalThis as { caches?: { default?: Cache } }).caches;
  return storage?.default ?? null;
}
