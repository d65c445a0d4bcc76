/**
 * The token endpoint's rate limits (README "Rate limits"), as two named steps of the pipeline:
 * - failed client authentication per client IP: an address over its limit is refused before its
 *   credentials are looked at (a flood of made-up client ids would otherwise cost a KV read each);
 * - token requests per authenticated client: counted after authentication, so nobody can spend
 *   another client's budget by naming its id.
 *
 * A refusal is RFC 6749-shaped (one error vocabulary per surface): RFC 6749 has no code for it, and
 * `temporarily_unavailable` (§4.1.2.1: "unable to handle the request due to a temporary overloading")
 * is the one that says "retry later", with RFC 6585 §4's 429 and `Retry-After`.
 */
import type { Ports } from "../context";
import { OAuthError } from "../errors";
import { addressKey, type RateLimitVerdict, rateLimitHeaders, retryAfterSeconds } from "../http/rate-limit";
import { isTokenPath } from "./token-path";

/**
 * The client's address as Cloudflare's front line saw it, as the limiters count it (an IPv6 address
 * by its /64, `addressKey`). Only `CF-Connecting-IP`: Cloudflare sets it (overwriting what the client
 * sent); `X-Forwarded-For` and the like are the client's to write.
 */
export function clientAddress(request: Request): string | undefined {
  const ip = request.headers.get("CF-Connecting-IP");
  return ip ? addressKey(ip) : undefined;
}

/** Runs `authenticate` unless `ip` is over its failure limit, and counts its `invalid_client`s. */
export async function limitFailedAuthentication<T>(
  ports: Pick<Ports, "rateLimits" | "clock">,
  ip: string | undefined,
  authenticate: () => Promise<T>,
): Promise<T> {
  const refused = ports.rateLimits.authFailures.refusal(ip);
  if (refused) throw tooManyRequests(refused, ports.clock(), "authentication attempts");
  try {
    return await authenticate();
  } catch (error) {
    if (error instanceof OAuthError && error.code === "invalid_client") {
      await ports.rateLimits.authFailures.failed(ip);
    }
    throw error;
  }
}

/** Counts one token request of `clientId`; over the limit, the 429. */
export async function limitClient(
  ports: Pick<Ports, "rateLimits" | "clock">,
  clientId: string,
): Promise<RateLimitVerdict> {
  const verdict = await ports.rateLimits.token(clientId);
  if (!verdict.allowed) throw tooManyRequests(verdict, ports.clock(), "token requests");
  return verdict;
}

/**
 * Counts one sign-in attempt (the password grant) per client address and per username, before the
 * password is checked: a guess over either limit costs no hash and tells nothing about the account.
 */
export async function limitSignIn(
  ports: Pick<Ports, "rateLimits" | "clock">,
  ip: string | undefined,
  username: string,
): Promise<void> {
  const verdict = await ports.rateLimits.signIn(ip, username);
  if (!verdict.allowed) throw tooManyRequests(verdict, ports.clock(), "sign-in attempts");
}

function tooManyRequests(verdict: RateLimitVerdict, now: number, what: string): OAuthError {
  return new OAuthError(
    "temporarily_unavailable",
    `Too many ${what}; retry after ${retryAfterSeconds(verdict, now)} seconds.`,
    { status: 429, headers: rateLimitHeaders(verdict, now) },
  );
}

/**
 * The limit an error of the token endpoint answers with when it came before the client was known (a
 * malformed request, `invalid_client`): the address's failure budget, counting nothing. Okta sends
 * X-Rate-Limit-* on every answer; after authentication the endpoint puts the client's budget on the
 * context itself. Only the error path calls this (the app's onError): the warm path pays nothing.
 */
export function tokenErrorBudget(
  ports: Pick<Ports, "rateLimits"> | undefined,
  request: Request,
  path: string,
): RateLimitVerdict | undefined {
  if (!ports || !isTokenPath(path)) return undefined;
  return ports.rateLimits.authFailures.status(clientAddress(request));
}
