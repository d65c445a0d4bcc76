/**
 * The trusted origins as the edge reads them: one KV record (`trustedOrigins/all`) holding every
 * ACTIVE origin by scope, published by the control plane after each change and authenticated like
 * every config record (config-record.ts). INACTIVE origins are not in it: for the edge they do not
 * exist. Pure.
 */

/** The id of the one trusted-origins record: it is published under `trustedOrigins/all`. */
export const TRUSTED_ORIGINS_RECORD_ID = "all";

/** What the control plane publishes: serialized origins (src/config/origins.ts), ACTIVE ones only. */
export interface PublishedTrustedOrigins {
  id: typeof TRUSTED_ORIGINS_RECORD_ID;
  cors: string[];
  redirect: string[];
}

/** The record as sets, built once per record read: a request's `Origin` is one lookup. */
export interface TrustedOrigins {
  cors: ReadonlySet<string>;
  redirect: ReadonlySet<string>;
}

export function trustedOriginSets(published: PublishedTrustedOrigins): TrustedOrigins {
  return { cors: new Set(published.cors), redirect: new Set(published.redirect) };
}

/** The record for a list of stored origins. */
export function publishedTrustedOrigins(
  origins: readonly { origin: string; status: string; scopes: readonly { type: string }[] }[],
): PublishedTrustedOrigins {
  const active = origins.filter((o) => o.status === "ACTIVE");
  const withScope = (type: string) =>
    [...new Set(active.filter((o) => o.scopes.some((s) => s.type === type)).map((o) => o.origin))].sort();
  return { id: TRUSTED_ORIGINS_RECORD_ID, cors: withScope("CORS"), redirect: withScope("REDIRECT") };
}
