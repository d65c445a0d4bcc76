import type { RateLimiter } from "./config/rate-limiter";
import type { ControlPlane } from "./control-plane/control-plane";
import type { Grant } from "./grants/grant-object";
import type { KeyVault } from "./keys/key-vault";
import type { LogMessage } from "./log/event-log";
import type { AssertionReplay } from "./oauth/assertion-replay";

/** Bindings, secrets and vars of the Warden Worker (see wrangler.toml). */
export interface Env {
  /** Read replica of config: snapshots, client records, sealed keysets (DESIGN §1). */
  CONFIG: KVNamespace;
  /** The write authority for configuration; one instance named `global`. */
  CONTROL_PLANE: DurableObjectNamespace<ControlPlane>;
  /** One instance per authorization server, named by its id. */
  KEY_VAULT: DurableObjectNamespace<KeyVault>;
  /** One instance per client, named by its client id: the `jti`s of its accepted assertions. */
  ASSERTION_REPLAY: DurableObjectNamespace<AssertionReplay>;
  // --- Grants (src/grants/, issue 11) ---
  /** One instance per grant (one sign-in of one user to one client), made with `newUniqueId`. */
  GRANT: DurableObjectNamespace<Grant>;
  // --- end grants ---
  // --- System log (src/log/) ---
  /** The directory database: users, groups, memberships, app assignments and the system log (DESIGN §1). */
  DIRECTORY: D1Database;
  /** System-log events, batched into `DIRECTORY` by this Worker's own `queue()` consumer. */
  LOG_QUEUE: Queue<LogMessage>;
  // --- end system log ---
  /** Secret: base64url of 32 random bytes; seals keysets published to KV (AES-256-GCM). */
  KEY_ENCRYPTION_KEY: string;
  /** Secret: the bootstrap admin API token (`Authorization: SSWS …`). */
  ADMIN_API_TOKEN: string;
  /**
   * Var, required in a deployment: the org URL issuers are built from (e.g. `https://auth.example.com`).
   * Unset, every issuer fails closed, except in local development for loopback host names.
   */
  ORG_URL?: string;
  /**
   * Optional var, `"true"` only under `npm start` and the test tiers: local development, where
   * loopback addresses are allowed (outbound calls, issuer host names). Never set in a deployment.
   */
  LOCAL_DEVELOPMENT?: string;
  /** Optional var: seconds an isolate and the colo cache trust a keyset (default 60). */
  KEYSET_CACHE_TTL_SECONDS?: string;
  /** Optional var: seconds a KV write takes to reach every edge (default 60; 0 in local dev). */
  KV_PROPAGATION_SECONDS?: string;

  // ---- Rate limits (README "Rate limits", src/config/rate-limits.ts). The `[[ratelimits]]` bindings
  // count per Cloudflare location; optional because a tier without them (the bench) counts per isolate.
  /** Token requests per authenticated client. */
  TOKEN_RATE_LIMIT?: RateLimit;
  /** Failed authentications per client IP (token endpoint and management API). */
  AUTH_FAILURE_RATE_LIMIT?: RateLimit;
  /** Sign-in attempts per client IP, and per username (for the sign-in pages and `/api/v1/authn`). */
  SIGN_IN_IP_RATE_LIMIT?: RateLimit;
  SIGN_IN_USER_RATE_LIMIT?: RateLimit;
  /** Device authorization: user-code entries on `/activate` per client IP (RFC 8628 §5.1). */
  DEVICE_USER_CODE_RATE_LIMIT?: RateLimit;
  /** One instance per management API caller: its global request count. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** Optional vars: per-minute overrides of the defaults in src/config/defaults.ts. */
  TOKEN_RATE_LIMIT_PER_MINUTE?: string;
  AUTH_FAILURE_RATE_LIMIT_PER_MINUTE?: string;
  MANAGEMENT_API_RATE_LIMIT_PER_MINUTE?: string;
}
