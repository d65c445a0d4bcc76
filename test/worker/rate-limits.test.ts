/**
 * Rate limits inside workerd (README "Rate limits"): the `[[ratelimits]]` binding as Miniflare runs
 * it, the token endpoint refused by it, the management API's global per-caller count through the
 * `RateLimiter` Durable Object, and failed admin authentication — written as attacks: malformed and
 * well-formed wrong SSWS tokens from one address, a spoofed `X-Forwarded-For`.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import {
  API_TOKEN_BYTES,
  AUTH_FAILURE_RATE_LIMIT,
  RATE_LIMIT_REPORT_EVERY,
  TOKEN_RATE_LIMIT,
} from "../../src/config/defaults";
import type { Env } from "../../src/env";
import {
  ADMIN_TOKEN,
  adminRequest,
  basic,
  expectApiError,
  freshApp,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

const bindings = env as Env;

/** The bindings with every Durable Object access counted, by namespace. */
function countingEnv(overrides: Partial<Env> = {}) {
  const calls = { controlPlane: 0, rateLimiter: 0 };
  const namespace = <T extends object>(ns: T, name: keyof typeof calls) =>
    new Proxy(ns, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (prop === "get") calls[name] += 1;
          return value.apply(target, args);
        };
      },
    });
  const counted: Env = {
    ...bindings,
    CONTROL_PLANE: namespace(bindings.CONTROL_PLANE, "controlPlane"),
    RATE_LIMITER: namespace(bindings.RATE_LIMITER, "rateLimiter"),
    ...overrides,
  };
  return { counted, calls };
}

/** A random value of a Warden API token's shape that Warden never issued. */
function wellFormedWrongToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(API_TOKEN_BYTES));
  return `00${btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "")}`;
}

function fromAddress(request: Request, ip: string, extra: Record<string, string> = {}): Request {
  const headers = new Headers(request.headers);
  headers.set("CF-Connecting-IP", ip);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Request(request, { headers });
}

/** Distinct test-net addresses per call, so tests never share a failure budget. */
let lastOctet = 0;
function address(): string {
  lastOctet += 1;
  return `198.51.${Math.floor(lastOctet / 250)}.${lastOctet % 250}`;
}

/** What other isolates of the location would have done: `units` calls for `key`. */
async function spend(limiter: RateLimit, key: string, units: number): Promise<void> {
  for (let i = 0; i < units; i++) await limiter.limit({ key });
}

/**
 * Runs `attempt` once more when it failed across a window boundary. Rate-limit windows are aligned
 * to the wall clock (Cloudflare's and Miniflare's: epoch = ⌊now / period⌋), so a budget spent across
 * a boundary starts over; on a loaded machine spending 60 units can take long enough to cross one.
 * A failure within one window is a failure.
 */
async function inOneWindow(periodSeconds: number, attempt: () => Promise<void>): Promise<void> {
  const epoch = () => Math.floor(Date.now() / (periodSeconds * 1000));
  const start = epoch();
  try {
    await attempt();
  } catch (error) {
    if (epoch() === start) throw error;
    await attempt();
  }
}

describe("the [[ratelimits]] binding under Miniflare", () => {
  it("counts per key up to its configured limit", async () => {
    await inOneWindow(AUTH_FAILURE_RATE_LIMIT.windowSeconds, async () => {
      const limiter = bindings.AUTH_FAILURE_RATE_LIMIT as RateLimit;
      const key = uniqueId("rl");
      await spend(limiter, key, AUTH_FAILURE_RATE_LIMIT.limit - 1);
      expect(await limiter.limit({ key })).toEqual({ success: true });
      expect(await limiter.limit({ key })).toEqual({ success: false });
      expect(await limiter.limit({ key: uniqueId("rl") })).toEqual({ success: true });
    });
  });
});

describe("the token endpoint", () => {
  it("refuses a client the location has counted out, on a fresh isolate's first request, RFC 6749-shaped", async () => {
    const f = await seedServer();
    // Other isolates of this location have spent the client's budget.
    await spend(
      bindings.TOKEN_RATE_LIMIT as RateLimit,
      f.clientId,
      TOKEN_RATE_LIMIT.limit / RATE_LIMIT_REPORT_EVERY,
    );
    const res = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: "temporarily_unavailable" });
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get("X-Rate-Limit-Limit")).toBe(String(TOKEN_RATE_LIMIT.limit));
    // Its neighbour is unaffected.
    const ok = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", client_id: f.postClientId, client_secret: SECRET },
        {},
      ),
    );
    expect(ok.status).toBe(200);
    expect(Number(ok.headers.get("X-Rate-Limit-Remaining"))).toBe(TOKEN_RATE_LIMIT.limit - 1);
  });
});

describe("the management API", () => {
  it("counts each API token globally: two isolates share one budget, then 429 E0000047", async () => {
    const created = await freshApp()(adminRequest("POST", "/api-tokens", { name: uniqueId("rl") }));
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const limited = { ...bindings, MANAGEMENT_API_RATE_LIMIT_PER_MINUTE: "3" } as Env;
    // A fixed second within the minute is not needed: the object counts by its own clock, and a
    // window boundary would only let more through, which the last assertion would catch.
    const [a, b] = [freshApp(), freshApp()];
    const call = (app: typeof a) => app(adminRequest("GET", "/apps", undefined, `SSWS ${token}`), limited);
    const first = await call(a);
    expect(first.status).toBe(200);
    expect(first.headers.get("X-Rate-Limit-Limit")).toBe("3");
    expect(first.headers.get("X-Rate-Limit-Remaining")).toBe("2");
    expect(Number(first.headers.get("X-Rate-Limit-Reset"))).toBeGreaterThan(Date.now() / 1000);
    expect((await call(b)).headers.get("X-Rate-Limit-Remaining")).toBe("1");
    expect((await call(a)).status).toBe(200);
    const refused = await call(b);
    await expectApiError(refused, 429, "E0000047");
    expect(refused.headers.get("X-Rate-Limit-Remaining")).toBe("0");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    // Another caller (the bootstrap token) has its own budget.
    expect((await a(adminRequest("GET", "/apps"), limited)).status).toBe(200);
  });

  it("puts the headers on errors too", async () => {
    const res = await freshApp()(adminRequest("GET", "/apps/0oa-no-such-app"));
    expect(res.status).toBe(404);
    expect(res.headers.get("X-Rate-Limit-Limit")).toBe("1200");
  });
});

describe("failed admin authentication", () => {
  it("refuses malformed SSWS tokens without any Durable Object call", async () => {
    const { counted, calls } = countingEnv();
    const app = freshApp();
    const ip = address();
    for (const value of [
      "nope",
      "00",
      `00${"A".repeat(42)}`,
      `00${"A".repeat(44)}`,
      `00${"A".repeat(42)}=`,
      `01${"A".repeat(43)}`,
      "x".repeat(4096),
    ]) {
      const res = await app(
        fromAddress(adminRequest("GET", "/apps", undefined, `SSWS ${value}`), ip),
        counted,
      );
      await expectApiError(res, 401, "E0000011");
    }
    expect(calls).toEqual({ controlPlane: 0, rateLimiter: 0 });
  });

  it("asks the control plane once about a well-formed wrong token, then remembers the refusal", async () => {
    const { counted, calls } = countingEnv();
    const app = freshApp();
    const wrong = wellFormedWrongToken();
    for (let i = 0; i < 5; i++) {
      const res = await app(adminRequest("GET", "/apps", undefined, `SSWS ${wrong}`), counted);
      await expectApiError(res, 401, "E0000011");
    }
    expect(calls).toEqual({ controlPlane: 1, rateLimiter: 0 });
  });

  it("stops an address guessing SSWS tokens after its failure limit, before any Durable Object call, whatever X-Forwarded-For says", async () => {
    await inOneWindow(AUTH_FAILURE_RATE_LIMIT.windowSeconds, async () => {
      const { counted, calls } = countingEnv();
      const app = freshApp(createDeps());
      const ip = address();
      for (let i = 0; i < AUTH_FAILURE_RATE_LIMIT.limit; i++) {
        const res = await app(
          fromAddress(adminRequest("GET", "/apps", undefined, `SSWS ${wellFormedWrongToken()}`), ip, {
            "X-Forwarded-For": `203.0.113.${i % 250}`,
          }),
          counted,
        );
        expect(res.status).toBe(401);
      }
      expect(calls.controlPlane).toBe(AUTH_FAILURE_RATE_LIMIT.limit);
      calls.controlPlane = 0;
      const guess = await app(
        fromAddress(adminRequest("GET", "/apps", undefined, `SSWS ${wellFormedWrongToken()}`), ip, {
          "X-Forwarded-For": "203.0.113.99",
        }),
        counted,
      );
      await expectApiError(guess, 429, "E0000047");
      expect(Number(guess.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
      // Even the right token is refused from that address until the window ends (Okta's per-IP rule);
      // a bearer token too.
      await expectApiError(
        await app(fromAddress(adminRequest("GET", "/apps", undefined, `SSWS ${ADMIN_TOKEN}`), ip), counted),
        429,
        "E0000047",
      );
      expect(calls).toEqual({ controlPlane: 0, rateLimiter: 0 });
      // Another address is not affected.
      expect((await app(fromAddress(adminRequest("GET", "/apps"), address()), counted)).status).toBe(200);
    });
  });

  it("learns of an address the location has counted out from the binding, in a fresh isolate", async () => {
    await inOneWindow(AUTH_FAILURE_RATE_LIMIT.windowSeconds, async () => {
      const ip = address();
      await spend(bindings.AUTH_FAILURE_RATE_LIMIT as RateLimit, ip, AUTH_FAILURE_RATE_LIMIT.limit);
      const { counted, calls } = countingEnv();
      const app = freshApp();
      // The first failure here is reported, refused by the location, and the address is refused from then on.
      await expectApiError(
        await app(fromAddress(adminRequest("GET", "/apps", undefined, "SSWS nope"), ip), counted),
        401,
        "E0000011",
      );
      await expectApiError(
        await app(
          fromAddress(adminRequest("GET", "/apps", undefined, `SSWS ${wellFormedWrongToken()}`), ip),
          counted,
        ),
        429,
        "E0000047",
      );
      expect(calls.controlPlane).toBe(0);
    });
  });
});
