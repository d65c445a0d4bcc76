/**
 * Warden's rate limits as one port (`Ports.rateLimits`, src/context.ts), built once per `env` from
 * isolate-scoped counters (README "Rate limits"):
 *
 * | limit                          | key                 | counted                                         |
 * | ------------------------------ | ------------------- | ----------------------------------------------- |
 * | token endpoint                 | client id           | per location: `TOKEN_RATE_LIMIT` binding        |
 * | failed authentication          | `CF-Connecting-IP`  | per location: `AUTH_FAILURE_RATE_LIMIT` binding |
 * | sign-in, `/api/v1/authn`       | IP, and username    | per location: `SIGN_IN_*_RATE_LIMIT` bindings   |
 * | user codes on `/activate`      | IP                  | per location: `DEVICE_USER_CODE_RATE_LIMIT`     |
 * | management API                 | caller              | globally: one `RateLimiter` Durable Object each |
 *
 * The per-location ones run an isolate counter in front of the binding (src/http/rate-limit.ts). The
 * management API's is exact and global: an API token is one actor wherever its requests land, and its
 * requests already pay a Durable Object round trip, so one more small one is in proportion.
 */

import {
  type LocationCounter,
  LocationLimiter,
  type RateLimitRule,
  type RateLimitVerdict,
} from "../http/rate-limit";
import {
  AUTH_FAILURE_RATE_LIMIT,
  DEVICE_USER_CODE_RATE_LIMIT,
  MANAGEMENT_API_RATE_LIMIT,
  RATE_LIMIT_MAX_KEYS,
  RATE_LIMIT_REPORT_EVERY,
  SIGN_IN_IP_RATE_LIMIT,
  SIGN_IN_USER_RATE_LIMIT,
  TOKEN_RATE_LIMIT,
} from "./defaults";
import type { RateLimiter } from "./rate-limiter";

/** A counter per authenticated actor, and a failure counter per address. */
export interface RateLimits {
  /** One token request of an authenticated client. */
  token(clientId: string): RateLimitVerdict | Promise<RateLimitVerdict>;
  /** Failed authentications per client IP; `ip` undefined (no Cloudflare front line) is not limited. */
  authFailures: {
    /** The refusal when `ip` is over its limit now: no I/O, nothing counted. */
    refusal(ip: string | undefined): RateLimitVerdict | undefined;
    /** Counts one failure of `ip`; the verdict after it, for the headers (undefined without `ip`). */
    failed(ip: string | undefined): Promise<RateLimitVerdict | undefined>;
    /** `ip`'s failure budget as it stands, counting nothing: the headers of an answer given before authentication. */
    status(ip: string | undefined): RateLimitVerdict | undefined;
  };
  /**
   * One sign-in attempt (the password grant; hosted sign-in and `/api/v1/authn` with the sign-in issue), counted
   * per IP and per username; refused when either is over. The more restrictive verdict is returned.
   */
  signIn(ip: string | undefined, username: string): Promise<RateLimitVerdict>;
  /**
   * One user-code entry on `/activate` (RFC 8628 §5.1), per IP. Without an address (no Cloudflare
   * front line: local development) every entry shares one budget rather than going uncounted.
   */
  deviceUserCode(ip: string | undefined): Promise<RateLimitVerdict>;
  /** One management API request of `caller` (`bootstrap`, `token:<id>`, `client:<id>`), global. */
  management(caller: string): Promise<RateLimitVerdict>;
  /** Epoch ms, the clock the verdicts were made with (for `Retry-After`). */
  now(): number;
}

/** The bindings and vars the limits are built from (all optional: a tier may lack them). */
export interface RateLimitBindings {
  TOKEN_RATE_LIMIT?: LocationCounter | undefined;
  AUTH_FAILURE_RATE_LIMIT?: LocationCounter | undefined;
  SIGN_IN_IP_RATE_LIMIT?: LocationCounter | undefined;
  SIGN_IN_USER_RATE_LIMIT?: LocationCounter | undefined;
  DEVICE_USER_CODE_RATE_LIMIT?: LocationCounter | undefined;
  RATE_LIMITER?: DurableObjectNamespace<RateLimiter> | undefined;
  TOKEN_RATE_LIMIT_PER_MINUTE?: string | undefined;
  AUTH_FAILURE_RATE_LIMIT_PER_MINUTE?: string | undefined;
  MANAGEMENT_API_RATE_LIMIT_PER_MINUTE?: string | undefined;
}

/** Isolate-scoped: the counters live as long as the isolate, one set per `env` object. */
export class RateLimitStore {
  readonly #bound = new WeakMap<object, RateLimits>();

  constructor(readonly now: () => number) {}

  source(env: RateLimitBindings): RateLimits {
    let limits = this.#bound.get(env);
    if (!limits) {
      limits = buildRateLimits(env, this.now);
      this.#bound.set(env, limits);
    }
    return limits;
  }
}

function buildRateLimits(env: RateLimitBindings, now: () => number): RateLimits {
  // The token binding counts in units of RATE_LIMIT_REPORT_EVERY requests (the warm path asks it once
  // per unit); failures and sign-ins are few and each one matters: their bindings count each one.
  const token = located(
    TOKEN_RATE_LIMIT,
    env.TOKEN_RATE_LIMIT_PER_MINUTE,
    env.TOKEN_RATE_LIMIT,
    RATE_LIMIT_REPORT_EVERY,
  );
  const failures = located(
    AUTH_FAILURE_RATE_LIMIT,
    env.AUTH_FAILURE_RATE_LIMIT_PER_MINUTE,
    env.AUTH_FAILURE_RATE_LIMIT,
  );
  const signInIp = located(SIGN_IN_IP_RATE_LIMIT, undefined, env.SIGN_IN_IP_RATE_LIMIT);
  const signInUser = located(SIGN_IN_USER_RATE_LIMIT, undefined, env.SIGN_IN_USER_RATE_LIMIT);
  const userCodes = located(DEVICE_USER_CODE_RATE_LIMIT, undefined, env.DEVICE_USER_CODE_RATE_LIMIT);
  const management = {
    limit: perMinute(env.MANAGEMENT_API_RATE_LIMIT_PER_MINUTE, MANAGEMENT_API_RATE_LIMIT.limit),
    windowSeconds: MANAGEMENT_API_RATE_LIMIT.windowSeconds,
  };
  const namespace = env.RATE_LIMITER;

  return {
    token: (clientId) => token.hit(clientId, now()),
    authFailures: {
      refusal: (ip) => (ip ? failures.refusal(ip, now()) : undefined),
      failed: async (ip) => (ip ? await failures.hit(ip, now()) : undefined),
      status: (ip) => (ip ? failures.peek(ip, now()) : undefined),
    },
    signIn: async (ip, username) => {
      const t = now();
      const byUser = await signInUser.hit(username.normalize("NFC").toLowerCase(), t);
      const byIp = ip ? await signInIp.hit(ip, t) : undefined;
      return mostRestrictive(byUser, byIp);
    },
    deviceUserCode: async (ip) => userCodes.hit(ip ?? "(no address)", now()),
    management: async (caller) => {
      if (!namespace)
        return { allowed: true, limit: management.limit, remaining: management.limit, reset: 0 };
      return namespace.get(namespace.idFromName(caller)).hit(management);
    },
    now,
  };
}

/**
 * A per-location limit: the default, or a var's per-minute override of it, over its binding, whose
 * wrangler.toml limit is the default's divided by `requestsPerUnit`.
 */
function located(
  rule: RateLimitRule,
  override: string | undefined,
  binding: LocationCounter | undefined,
  requestsPerUnit = 1,
): LocationLimiter {
  return new LocationLimiter({
    rule: { limit: perMinute(override, rule.limit), windowSeconds: rule.windowSeconds },
    binding,
    bindingLimit: rule.limit / requestsPerUnit,
    maxKeys: RATE_LIMIT_MAX_KEYS,
  });
}

/** A positive integer var, or the default. */
function perMinute(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 1 ? n : fallback;
}

function mostRestrictive(a: RateLimitVerdict, b: RateLimitVerdict | undefined): RateLimitVerdict {
  if (!b) return a;
  if (a.allowed !== b.allowed) return a.allowed ? b : a;
  return a.remaining <= b.remaining ? a : b;
}
