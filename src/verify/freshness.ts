/**
 * How long a fetched JWKS may be used, from its response headers alone (pure). The authorization
 * server derives `max-age` from its rotation schedule — never longer than the time until a key that is
 * not yet published could sign (DESIGN §5) — so honouring it is what makes rotation invisible here.
 */
import {
  JWKS_DEFAULT_MAX_AGE_SECONDS,
  JWKS_DEFAULT_STALE_IF_ERROR_SECONDS,
  JWKS_MAX_AGE_CEILING_SECONDS,
} from "./defaults";

/** Epoch milliseconds throughout. */
export interface Freshness {
  /** When the server produced this representation: the request's start minus `Age` (RFC 9111 §4.2.3, conservatively). */
  asOf: number;
  /** Until then the set is used without asking the server. */
  freshUntil: number;
  /** Until then a stale set is still used while a background refetch runs (RFC 5861 §3 `stale-while-revalidate`). */
  revalidateUntil: number;
  /** Until then a stale set is used when refetching fails (RFC 5861 §4 `stale-if-error`). */
  usableUntil: number;
  /** False for `no-store` (RFC 9111 §5.2.2.5): kept in memory for this isolate only, never put in the Cache API. */
  storable: boolean;
}

export interface FreshnessDefaults {
  defaultMaxAgeSeconds?: number;
  maxAgeCeilingSeconds?: number;
  defaultStaleIfErrorSeconds?: number;
}

/** RFC 9111 §5.2: directive names are case-insensitive; arguments may be tokens or quoted-strings. */
export function parseCacheControl(value: string | null): Map<string, string | undefined> {
  const directives = new Map<string, string | undefined>();
  if (!value) return directives;
  for (const part of value.split(",")) {
    const [rawName, ...rest] = part.split("=");
    const name = rawName?.trim().toLowerCase();
    if (!name || directives.has(name)) continue;
    const arg =
      rest.length > 0
        ? rest
            .join("=")
            .trim()
            .replace(/^"(.*)"$/, "$1")
        : undefined;
    directives.set(name, arg);
  }
  return directives;
}

/** RFC 9111 §1.2.2 delta-seconds: digits only; anything else is invalid. */
function deltaSeconds(value: string | undefined | null): number | undefined {
  if (value === undefined || value === null || !/^\d+$/.test(value)) return undefined;
  return Math.min(Number(value), 2 ** 31);
}

export function freshnessOf(
  headers: Headers,
  requestedAt: number,
  defaults: FreshnessDefaults = {},
): Freshness {
  const cc = parseCacheControl(headers.get("cache-control"));
  const ceiling = defaults.maxAgeCeilingSeconds ?? JWKS_MAX_AGE_CEILING_SECONDS;

  // The Cache API is shared by every isolate in a location, which makes this a shared cache:
  // `s-maxage` wins over `max-age` (RFC 9111 §5.2.2.10). `no-cache` and `no-store` mean "ask every
  // time"; an invalid value makes the response stale (RFC 9111 §4.2.1).
  let maxAge: number;
  if (cc.has("no-store") || cc.has("no-cache")) maxAge = 0;
  else if (cc.has("s-maxage")) maxAge = deltaSeconds(cc.get("s-maxage")) ?? 0;
  else if (cc.has("max-age")) maxAge = deltaSeconds(cc.get("max-age")) ?? 0;
  else maxAge = defaults.defaultMaxAgeSeconds ?? JWKS_DEFAULT_MAX_AGE_SECONDS;
  maxAge = Math.min(maxAge, ceiling);

  const age = deltaSeconds(headers.get("age")) ?? 0;
  const swr = deltaSeconds(cc.get("stale-while-revalidate")) ?? 0;
  const sie =
    deltaSeconds(cc.get("stale-if-error")) ??
    defaults.defaultStaleIfErrorSeconds ??
    JWKS_DEFAULT_STALE_IF_ERROR_SECONDS;

  const asOf = requestedAt - age * 1000;
  const freshUntil = asOf + maxAge * 1000;
  return {
    asOf,
    freshUntil,
    revalidateUntil: freshUntil + swr * 1000,
    usableUntil: freshUntil + Math.max(swr, sie) * 1000,
    storable: !cc.has("no-store"),
  };
}
