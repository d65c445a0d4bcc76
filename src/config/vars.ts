/** Optional Worker vars that tune propagation, each falling back to its default in defaults.ts. */
import { KEYSET_CACHE_TTL_SECONDS, KV_PROPAGATION_SECONDS } from "./defaults";

export interface PropagationVars {
  KEYSET_CACHE_TTL_SECONDS?: string | undefined;
  KV_PROPAGATION_SECONDS?: string | undefined;
}

/** The Worker vars protocol code depends on, handed to it as a port (src/context.ts). */
export interface ProtocolSettings {
  /**
   * `ORG_URL`: the org URL issuers are built from. Required in a deployment; when unset, local
   * development alone falls back to the request's origin, for loopback names (src/oauth/org-url.ts).
   */
  orgUrl: string | undefined;
  propagation: PropagationVars;
  /** `LOCAL_DEVELOPMENT=true`: `npm start` and the test tiers, never a deployment. */
  localDevelopment: boolean;
}

/** Only the exact string `true` turns local development on: anything else is a deployment. */
export function isLocalDevelopment(vars: { LOCAL_DEVELOPMENT?: string | undefined }): boolean {
  return vars.LOCAL_DEVELOPMENT === "true";
}

/** Seconds an isolate and the colo's Cache API trust a keyset (at least 1). */
export function keysetTtlSeconds(env: PropagationVars): number {
  return seconds(env.KEYSET_CACHE_TTL_SECONDS, KEYSET_CACHE_TTL_SECONDS, 1);
}

/** Seconds a KV write takes to be visible everywhere (0 is right for local dev). */
export function kvPropagationSeconds(env: PropagationVars): number {
  return seconds(env.KV_PROPAGATION_SECONDS, KV_PROPAGATION_SECONDS, 0);
}

/** The longest an edge can serve a keyset older than the vault's: KV, then colo cache, then isolate. */
export function keysetPropagationSeconds(env: PropagationVars): number {
  return kvPropagationSeconds(env) + 2 * keysetTtlSeconds(env);
}

function seconds(value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? n : fallback;
}
