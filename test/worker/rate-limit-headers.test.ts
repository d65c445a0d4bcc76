/**
 * Okta sends `X-Rate-Limit-Limit / -Remaining / -Reset` on every answer of its APIs, errors included
 * (README "Rate limits"). Here: the management API and the token endpoints (custom and org), on a
 * 2xx, on errors returned before the caller is known (401: the address's failure budget), on errors
 * after it (403, 404, 400, 405, a policy denial: the caller's budget, thrown through the app's one
 * onError), and on the 429 (with `Retry-After`, which no other answer carries).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  AUTH_FAILURE_RATE_LIMIT,
  MANAGEMENT_API_RATE_LIMIT,
  TOKEN_RATE_LIMIT,
} from "../../src/config/defaults";
import type { Env } from "../../src/env";
import {
  ADMIN_TOKEN,
  adminRequest,
  basic,
  freshApp,
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

const bindings = env as Env;

/** An address no other test uses, so failure budgets start full. */
function freshAddress(): string {
  const n = () => Math.floor(Math.random() * 250) + 1;
  return `198.51.${n()}.${n()}`;
}

function withAddress(request: Request, ip: string): Request {
  const headers = new Headers(request.headers);
  headers.set("CF-Connecting-IP", ip);
  return new Request(request, { headers });
}

/** The three headers as numbers, and whether Retry-After is there. */
function quota(res: Response) {
  const read = (name: string) => {
    const value = res.headers.get(name);
    expect(value, `${res.status} lacks ${name}`).not.toBeNull();
    return Number(value);
  };
  return {
    limit: read("X-Rate-Limit-Limit"),
    remaining: read("X-Rate-Limit-Remaining"),
    reset: read("X-Rate-Limit-Reset"),
    retryAfter: res.headers.get("Retry-After"),
  };
}

function expectReset(reset: number) {
  const now = Date.now() / 1000;
  expect(reset).toBeGreaterThan(now);
  expect(reset).toBeLessThanOrEqual(now + 60);
}

describe("the management API", () => {
  /** A caller of its own (a fresh API token), so its budget starts full. */
  async function caller(scopes: string[]): Promise<string> {
    const res = await freshApp()(adminRequest("POST", "/api-tokens", { name: uniqueId("rl"), scopes }));
    expect(res.status).toBe(201);
    return `SSWS ${((await res.json()) as { token: string }).token}`;
  }

  it("counts 2xx, 404, 400, 405 and 403 alike against the caller, each with the headers", async () => {
    const auth = await caller(["okta.apps.manage"]);
    const app = freshApp();
    const answers = [
      await app(adminRequest("GET", "/apps?limit=1", undefined, auth)), // 200
      await app(adminRequest("GET", "/apps/0oa-none", undefined, auth)), // 404, thrown
      await app(adminRequest("POST", "/apps", { label: 5 }, auth)), // 400 E0000001, thrown
      await app(adminRequest("PATCH", "/apps", {}, auth)), // 405, thrown
      await app(adminRequest("GET", "/inlineHooks", undefined, auth)), // 403: no okta.inlineHooks.read
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 400, 405, 403]);
    const seen = answers.map(quota);
    for (const q of seen) {
      expect(q.limit).toBe(MANAGEMENT_API_RATE_LIMIT.limit);
      expectReset(q.reset);
      expect(q.retryAfter).toBeNull();
    }
    expect(seen.map((q) => q.remaining)).toEqual(
      [1, 2, 3, 4, 5].map((n) => MANAGEMENT_API_RATE_LIMIT.limit - n),
    );
  });

  it("puts the address's failure budget on a 401, without Retry-After until the 429", async () => {
    const ip = freshAddress();
    const app = freshApp();
    const limited = { ...bindings, AUTH_FAILURE_RATE_LIMIT_PER_MINUTE: "2" } as Env;
    const wrong = () => withAddress(adminRequest("GET", "/apps", undefined, `SSWS ${ADMIN_TOKEN}x`), ip);
    const first = await app(wrong(), limited);
    expect(first.status).toBe(401);
    expect(quota(first)).toMatchObject({ limit: 2, remaining: 1, retryAfter: null });
    const second = await app(wrong(), limited);
    expect(second.status).toBe(401);
    expect(quota(second)).toMatchObject({ limit: 2, remaining: 0, retryAfter: null });
    const refused = await app(wrong(), limited);
    expect(refused.status).toBe(429);
    expect(quota(refused)).toMatchObject({ limit: 2, remaining: 0 });
    expect(Number(quota(refused).retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("puts the caller's headers and Retry-After on its 429 E0000047", async () => {
    const auth = await caller(["okta.apps.read"]);
    const app = freshApp();
    const limited = { ...bindings, MANAGEMENT_API_RATE_LIMIT_PER_MINUTE: "1" } as Env;
    expect((await app(adminRequest("GET", "/apps", undefined, auth), limited)).status).toBe(200);
    const refused = await app(adminRequest("GET", "/apps", undefined, auth), limited);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { errorCode: string }).errorCode).toBe("E0000047");
    expect(quota(refused)).toMatchObject({ limit: 1, remaining: 0 });
    expect(Number(quota(refused).retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe("the token endpoint", () => {
  it("puts the client's budget on a 200 and on errors thrown after authentication", async () => {
    const f = await seedServer();
    const app = freshApp();
    const request = (params: Record<string, string>) =>
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", ...params },
        {
          authorization: basic(f.clientId, SECRET),
        },
      );
    const answers = [
      await app(request({})), // 200
      await app(request({ scope: "admin" })), // 400: no rule grants it (a policy denial)
      await app(request({ scope: "no-such-scope" })), // 400 invalid_scope
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 400, 400]);
    const seen = answers.map(quota);
    for (const q of seen) {
      expect(q.limit).toBe(TOKEN_RATE_LIMIT.limit);
      expectReset(q.reset);
      expect(q.retryAfter).toBeNull();
    }
    expect(seen.map((q) => q.remaining)).toEqual([1, 2, 3].map((n) => TOKEN_RATE_LIMIT.limit - n));
  });

  it("puts the address's failure budget on errors before the client is known, counting only invalid_client", async () => {
    const f = await seedServer();
    const ip = freshAddress();
    const app = freshApp();
    const malformed = await app(withAddress(tokenRequest(f.issuer, { grant_type: "password_please" }), ip));
    expect(malformed.status).toBe(400);
    expect(quota(malformed)).toMatchObject({
      limit: AUTH_FAILURE_RATE_LIMIT.limit,
      remaining: AUTH_FAILURE_RATE_LIMIT.limit,
    });
    const wrongSecret = await app(
      withAddress(
        tokenRequest(
          f.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(f.clientId, "nope") },
        ),
        ip,
      ),
    );
    expect(wrongSecret.status).toBe(401);
    expect(quota(wrongSecret)).toMatchObject({
      limit: AUTH_FAILURE_RATE_LIMIT.limit,
      remaining: AUTH_FAILURE_RATE_LIMIT.limit - 1,
      retryAfter: null,
    });
    expectReset(quota(wrongSecret).reset);
  });

  it("puts the headers and Retry-After on the 429, of a custom server and of the org server", async () => {
    const f = await seedServer();
    const app = freshApp();
    const limited = { ...bindings, TOKEN_RATE_LIMIT_PER_MINUTE: "1" } as Env;
    const request = () =>
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      );
    expect((await app(request(), limited)).status).toBe(200);
    const refused = await app(request(), limited);
    expect(refused.status).toBe(429);
    expect(quota(refused)).toMatchObject({ limit: 1, remaining: 0 });
    expect(Number(quota(refused).retryAfter)).toBeGreaterThanOrEqual(1);

    // The org server: a failure before any client is known carries the address's budget too.
    const ip = freshAddress();
    const org = await app(
      withAddress(tokenRequest(`${ORIGIN}/oauth2`, { grant_type: "client_credentials" }), ip),
    );
    expect(org.status).toBe(401);
    expect(quota(org)).toMatchObject({ limit: AUTH_FAILURE_RATE_LIMIT.limit, retryAfter: null });
  });
});
