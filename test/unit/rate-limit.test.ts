/**
 * Rate limits: the fixed-window counter and the isolate limiter in front of the location's binding on
 * a fixed clock, the header values, wrangler.toml against the defaults, and the token endpoint's 429s
 * through the real app on in-memory ports — written as the attacks a stranger would try.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as defaults from "../../src/config/defaults";
import { type RateLimitBindings, RateLimitStore } from "../../src/config/rate-limits";
import {
  addressKey,
  FixedWindowCounter,
  type LocationCounter,
  LocationLimiter,
  rateLimitHeaders,
} from "../../src/http/rate-limit";
import { memoryApp, memoryPorts, NOW_SECONDS, ORIGIN } from "./memory-ports";
import { rule, scope } from "./policy-fixtures";

/** 2033-05-18T03:33:20Z is 20 s into its minute. */
const NOW = NOW_SECONDS * 1000;
const MINUTE_END = (Math.floor(NOW_SECONDS / 60) + 1) * 60;

/** A binding that records the keys it is asked about and refuses past `limit` calls per key. */
function fakeBinding(limit = Number.POSITIVE_INFINITY) {
  const calls: string[] = [];
  const binding: LocationCounter = {
    limit: async ({ key }) => {
      calls.push(key);
      return { success: calls.filter((k) => k === key).length <= limit };
    },
  };
  return { binding, calls };
}

describe("FixedWindowCounter", () => {
  it("counts per key in epoch-aligned windows and starts again in the next one", () => {
    const counter = new FixedWindowCounter({ limit: 3, windowSeconds: 60 }, 100);
    expect([1, 2, 3, 4].map(() => counter.hit("a", NOW).allowed)).toEqual([true, true, true, false]);
    expect(counter.hit("a", NOW)).toEqual({ allowed: false, limit: 3, remaining: 0, reset: MINUTE_END });
    expect(counter.hit("b", NOW)).toEqual({ allowed: true, limit: 3, remaining: 2, reset: MINUTE_END });
    expect(counter.refusal("a", NOW)).toMatchObject({ allowed: false });
    expect(counter.refusal("b", NOW)).toBeUndefined();
    expect(counter.refusal("never", NOW)).toBeUndefined();
    // The first millisecond of the next minute is a new window.
    const next = MINUTE_END * 1000;
    expect(counter.hit("a", next)).toEqual({ allowed: true, limit: 3, remaining: 2, reset: MINUTE_END + 60 });
  });

  it("holds at most maxKeys keys, forgetting the oldest first", () => {
    const counter = new FixedWindowCounter({ limit: 1, windowSeconds: 60 }, 2);
    counter.hit("a", NOW);
    counter.hit("b", NOW);
    counter.hit("c", NOW);
    expect(counter.refusal("a", NOW)).toBeUndefined();
    expect(counter.refusal("b", NOW)).toMatchObject({ allowed: false });
    expect(counter.refusal("c", NOW)).toMatchObject({ allowed: false });
  });
});

describe("rate-limit headers", () => {
  it("are Okta's three on an allowed answer, with RFC 6585's Retry-After on a refusal", () => {
    const verdict = { allowed: true, limit: 1000, remaining: 999, reset: MINUTE_END };
    expect(rateLimitHeaders(verdict, NOW)).toEqual({
      "X-Rate-Limit-Limit": "1000",
      "X-Rate-Limit-Remaining": "999",
      "X-Rate-Limit-Reset": String(MINUTE_END),
    });
    expect(rateLimitHeaders({ ...verdict, allowed: false, remaining: 0 }, NOW)).toMatchObject({
      "X-Rate-Limit-Remaining": "0",
      "Retry-After": "40",
    });
    // Never 0: a client told to retry after 0 s would retry at once.
    expect(rateLimitHeaders({ ...verdict, allowed: false }, MINUTE_END * 1000 - 1)["Retry-After"]).toBe("1");
  });
});

describe("LocationLimiter", () => {
  it("asks the binding (counting units of 10 requests) on a key's first request and every 10th after it", async () => {
    const { binding, calls } = fakeBinding(100);
    const limiter = new LocationLimiter({
      rule: { limit: 1000, windowSeconds: 60 },
      binding,
      bindingLimit: 100,
      maxKeys: 100,
    });
    const asked: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      const before = calls.length;
      expect((await limiter.hit("c1", NOW)).allowed).toBe(true);
      if (calls.length > before) asked.push(i);
    }
    expect(asked.slice(0, 4)).toEqual([1, 11, 21, 31]);
    expect(asked).toHaveLength(100);
    // Between units no promise: the warm path does no I/O.
    expect(limiter.hit("c2", NOW)).toBeInstanceOf(Promise);
    expect(limiter.hit("c2", NOW)).not.toBeInstanceOf(Promise);
    // The 1001st: over the limit, refused here without asking.
    expect(await limiter.hit("c1", NOW)).toMatchObject({ allowed: false, remaining: 0 });
    expect(calls.filter((k) => k === "c1")).toHaveLength(100);
  });

  it("is refused by the binding when other isolates of the location spent the units", async () => {
    const { binding } = fakeBinding(100);
    const other = new LocationLimiter({
      rule: { limit: 1000, windowSeconds: 60 },
      binding,
      bindingLimit: 100,
      maxKeys: 9,
    });
    const here = new LocationLimiter({
      rule: { limit: 1000, windowSeconds: 60 },
      binding,
      bindingLimit: 100,
      maxKeys: 9,
    });
    for (let i = 0; i < 600; i++) await other.hit("c1", NOW);
    for (let i = 0; i < 400; i++) expect((await here.hit("c1", NOW)).allowed).toBe(true);
    // Here it is only the 401st, but the location has counted 1001.
    expect(await here.hit("c1", NOW)).toMatchObject({ allowed: false, remaining: 599 });
  });

  it("refuses a key the location refuses, in this isolate, until the window ends", async () => {
    const { binding, calls } = fakeBinding(0);
    const limiter = new LocationLimiter({
      rule: { limit: 1000, windowSeconds: 60 },
      binding,
      bindingLimit: 100,
      maxKeys: 100,
    });
    expect(await limiter.hit("c1", NOW)).toMatchObject({ allowed: false, limit: 1000, remaining: 999 });
    expect(await limiter.hit("c1", NOW)).toMatchObject({ allowed: false });
    expect(calls).toHaveLength(1);
    expect(limiter.refusal("c1", NOW)).toMatchObject({ allowed: false });
    expect(limiter.refusal("c1", MINUTE_END * 1000)).toBeUndefined();
  });

  it("keeps counting in the binding's units when a var changes the limit", async () => {
    // The binding allows 100 units per window; a var makes the limit 4000: a unit is 40 requests.
    const { binding, calls } = fakeBinding(100);
    const raised = new LocationLimiter({
      rule: { limit: 4000, windowSeconds: 60 },
      binding,
      bindingLimit: 100,
      maxKeys: 100,
    });
    for (let i = 0; i < 4000; i++) expect((await raised.hit("c1", NOW)).allowed).toBe(true);
    expect(calls).toHaveLength(100);
    // Lowered to 50: a request is two units, and the binding refuses the 51st.
    const lowered = new LocationLimiter({
      rule: { limit: 50, windowSeconds: 60 },
      binding,
      bindingLimit: 100,
      maxKeys: 100,
    });
    for (let i = 0; i < 50; i++) expect((await lowered.hit("c2", NOW)).allowed).toBe(true);
    expect(calls.filter((k) => k === "c2")).toHaveLength(100);
  });

  it("falls back to its own count when the binding fails, and enforces it", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const limiter = new LocationLimiter({
      rule: { limit: 2, windowSeconds: 60 },
      binding: { limit: () => Promise.reject(new Error("down")) },
      bindingLimit: 2,
      maxKeys: 100,
    });
    expect((await limiter.hit("k", NOW)).allowed).toBe(true);
    expect((await limiter.hit("k", NOW)).allowed).toBe(true);
    expect((await limiter.hit("k", NOW)).allowed).toBe(false);
  });
});

describe("the sign-in limiter, ready for /api/v1/authn", () => {
  it("refuses a username over 40 attempts per 10 s from any address, and an address over 100 per minute", async () => {
    const limits = new RateLimitStore(() => NOW).source({});
    for (let i = 0; i < 40; i++) {
      expect((await limits.signIn(`198.51.100.${i}`, "Ada@Example.com")).allowed).toBe(true);
    }
    // Case and Unicode form do not make a new user.
    expect(await limits.signIn("198.51.100.200", "ada@example.com")).toMatchObject({
      allowed: false,
      limit: 40,
    });
    for (let i = 0; i < 100; i++) expect((await limits.signIn("203.0.113.9", `user${i}`)).allowed).toBe(true);
    expect(await limits.signIn("203.0.113.9", "someone-new")).toMatchObject({ allowed: false, limit: 100 });
  });
});

describe("wrangler.toml", () => {
  it("configures each [[ratelimits]] binding with its default's limit and period", () => {
    const toml = readFileSync(join(import.meta.dirname, "../../wrangler.toml"), "utf8");
    const bindings = [
      ...toml.matchAll(
        /name = "(\w+)"\nnamespace_id = "(\d+)"\nsimple = \{ limit = (\d+), period = (\d+) \}/g,
      ),
    ];
    const configured: Record<string, { limit: number; windowSeconds: number }> = Object.fromEntries(
      bindings.map((m) => [m[1], { limit: Number(m[3]), windowSeconds: Number(m[4]) }]),
    );
    expect(configured).toEqual({
      // Counted in units of RATE_LIMIT_REPORT_EVERY requests.
      TOKEN_RATE_LIMIT: {
        limit: defaults.TOKEN_RATE_LIMIT.limit / defaults.RATE_LIMIT_REPORT_EVERY,
        windowSeconds: defaults.TOKEN_RATE_LIMIT.windowSeconds,
      },
      AUTH_FAILURE_RATE_LIMIT: defaults.AUTH_FAILURE_RATE_LIMIT,
      SIGN_IN_IP_RATE_LIMIT: defaults.SIGN_IN_IP_RATE_LIMIT,
      SIGN_IN_USER_RATE_LIMIT: defaults.SIGN_IN_USER_RATE_LIMIT,
      DEVICE_USER_CODE_RATE_LIMIT: defaults.DEVICE_USER_CODE_RATE_LIMIT,
    });
    expect(new Set(bindings.map((m) => m[2])).size).toBe(bindings.length);
    for (const { windowSeconds } of Object.values(configured)) expect([10, 60]).toContain(windowSeconds);
  });
});

describe("the token endpoint's rate limits", () => {
  const SECRET = "unit-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
  const ISSUER = `${ORIGIN}/oauth2/aus_unit`;
  let lookups: string[];
  let fetchToken: (request: Request) => Promise<Response>;
  let token: ReturnType<typeof fakeBinding>;

  async function app(bindings: RateLimitBindings) {
    const ports = await memoryPorts({
      servers: [
        {
          server: { id: "aus_unit", name: "unit", audiences: ["api://unit"] },
          scopes: [scope("read", true)],
          policies: [
            {
              id: "p1",
              name: "all",
              priority: 1,
              conditions: { clients: { include: ["ALL_CLIENTS"] } },
              rules: [rule("r1", 1, { scopes: ["read"] })],
            },
          ],
        },
      ],
      clients: [
        { client_id: "svc", client_name: "svc", secret: SECRET },
        { client_id: "other", client_name: "other", secret: SECRET },
      ],
    });
    const client = ports.config.client;
    ports.config.client = (id) => {
      lookups.push(id);
      return client(id);
    };
    ports.rateLimits = new RateLimitStore(ports.clock).source(bindings);
    fetchToken = memoryApp(ports);
  }

  function request(clientId: string, secret: string, headers: Record<string, string> = {}) {
    return fetchToken(
      new Request(`${ISSUER}/v1/token`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Authorization: `Basic ${btoa(`${clientId}:${secret}`)}`,
          ...headers,
        },
        body: "grant_type=client_credentials",
      }),
    );
  }

  beforeEach(async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    lookups = [];
    token = fakeBinding();
    await app({ TOKEN_RATE_LIMIT: token.binding, TOKEN_RATE_LIMIT_PER_MINUTE: "3" });
  });

  it("sends Okta's headers with every token, and a 429 temporarily_unavailable with Retry-After past the limit", async () => {
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request("svc", SECRET);
      expect(res.status).toBe(200);
      expect(res.headers.get("X-Rate-Limit-Limit")).toBe("3");
      expect(res.headers.get("X-Rate-Limit-Reset")).toBe(String(MINUTE_END));
      remaining.push(res.headers.get("X-Rate-Limit-Remaining"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const refused = await request("svc", SECRET);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      error: "temporarily_unavailable",
      error_description: "Too many token requests; retry after 40 seconds.",
    });
    expect(refused.headers.get("Retry-After")).toBe("40");
    expect(refused.headers.get("X-Rate-Limit-Remaining")).toBe("0");
    expect(refused.headers.get("Cache-Control")).toBe("no-store");
    // Per client: another client is untouched.
    expect((await request("other", SECRET)).status).toBe(200);
  });

  it("counts only authenticated requests: naming a victim's client id with a wrong secret spends none of its budget", async () => {
    for (let i = 0; i < 10; i++) expect((await request("svc", "wrong")).status).toBe(401);
    expect((await request("svc", SECRET)).headers.get("X-Rate-Limit-Remaining")).toBe("2");
  });

  it("refuses a location-wide refusal from the binding at once", async () => {
    token = fakeBinding(0);
    await app({ TOKEN_RATE_LIMIT: token.binding });
    const res = await request("svc", SECRET);
    expect(res.status).toBe(429);
    expect(res.headers.get("X-Rate-Limit-Limit")).toBe("1000");
    expect(token.calls).toEqual(["svc"]);
  });

  it("stops an address rotating client ids before any client lookup once it has failed 60 times", async () => {
    const failures = fakeBinding();
    await app({ AUTH_FAILURE_RATE_LIMIT: failures.binding });
    const ip = { "CF-Connecting-IP": "192.0.2.7" };
    for (let i = 0; i < 60; i++) expect((await request(`made-up-${i}`, "x", ip)).status).toBe(401);
    expect(lookups).toHaveLength(60);
    expect(failures.calls).toHaveLength(60);
    // A spoofed X-Forwarded-For changes nothing: only CF-Connecting-IP, which Cloudflare sets, counts.
    const res = await request("made-up-61", "x", { ...ip, "X-Forwarded-For": "203.0.113.1" });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: string }).error).toBe("temporarily_unavailable");
    expect(res.headers.get("Retry-After")).toBe("40");
    // Refused before authentication: even the right secret, and no lookup at all.
    expect((await request("svc", SECRET, ip)).status).toBe(429);
    expect(lookups).toHaveLength(60);
    // Another address is not affected.
    expect((await request("svc", SECRET, { "CF-Connecting-IP": "192.0.2.8" })).status).toBe(200);
  });

  it("counts an IPv6 client by its /64: rotating through its addresses buys no new budget", async () => {
    const failures = fakeBinding();
    await app({ AUTH_FAILURE_RATE_LIMIT: failures.binding });
    for (let i = 0; i < 60; i++) {
      const ip = { "CF-Connecting-IP": `2001:db8:1:2:${i.toString(16)}::1` };
      expect((await request(`made-up-${i}`, "x", ip)).status).toBe(401);
    }
    expect(new Set(failures.calls)).toEqual(new Set(["2001:db8:1:2::/64"]));
    expect((await request("svc", SECRET, { "CF-Connecting-IP": "2001:db8:1:2:ffff::9" })).status).toBe(429);
    // The neighbouring /64 is another subscriber.
    expect((await request("svc", SECRET, { "CF-Connecting-IP": "2001:db8:1:3::9" })).status).toBe(200);
  });
});

describe("addressKey", () => {
  it("keeps an IPv4 address and folds an IPv6 address to its /64 in every spelling", () => {
    expect(addressKey("192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("2001:db8:0:1::5")).toBe("2001:db8:0:1::/64");
    expect(addressKey("2001:0DB8:0000:0001:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:0:1::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("::ffff:192.0.2.1")).toBe("0:0:0:0::/64");
  });
});
