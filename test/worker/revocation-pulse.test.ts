/**
 * Issue 13 item 4: a disable reaches every edge within 10 s (src/config/revocation-pulse.ts), with
 * the real control plane, Cache API and KV. Several isolates are several apps, each with its own
 * caches and the same injected clock; requests run with an ExecutionContext so that the background
 * refreshes handed to `waitUntil` really run, and the test waits for them as the runtime would.
 * KV lag is simulated by putting the record as it was before the admin call back into KV, and by
 * the isolates' own cached records (30 s TTL), which the clock never outruns here.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp, createDeps } from "../../src/app";
import {
  PULSE_MAX_AGE_MS,
  PULSE_MAX_ENTRIES,
  PULSE_REFRESH_AFTER_MS,
  REVOCATION_BOUND_SECONDS,
} from "../../src/config/defaults";
import { PULSE_CACHE_URL } from "../../src/config/revocation-pulse";
import type { Deps } from "../../src/context";
import { RevocationLog, revocationWindowMs } from "../../src/control-plane/revocation-log";
import type { Env } from "../../src/env";
import { IsolateEventLog } from "../../src/log/event-log";
import {
  adminCall,
  basic,
  freshApp,
  ORIGIN,
  orgAccessToken,
  SECRET,
  seedOrgClient,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";
import { controlPlanePulse } from "./pulse-helpers";

const bindings = env as Env;
const BOUND_MS = REVOCATION_BOUND_SECONDS * 1000;

/** One isolate: its own caches and pulse, the shared clock, requests with an ExecutionContext. */
interface Isolate {
  deps: Deps;
  fetch(request: Request, env?: Env): Promise<Response>;
}

function cluster(size: number) {
  const clock = { now: Date.now() };
  const isolate = (): Isolate => {
    // The system log sends at once here: its 10 s tail timer would hold every waitOnExecutionContext.
    const deps: Deps = {
      ...createDeps(() => clock.now),
      log: new IsolateEventLog(() => clock.now, { flushIntervalSeconds: 0 }),
    };
    const app = createApp(deps);
    return {
      deps,
      async fetch(request, envOverride = bindings) {
        const ctx = createExecutionContext();
        const response = await app.fetch(request, envOverride, ctx);
        await waitOnExecutionContext(ctx);
        return response;
      },
    };
  };
  return {
    clock,
    isolate,
    isolates: Array.from({ length: size }, isolate),
    advance(ms: number) {
      clock.now += ms;
    },
  };
}

function token(issuer: string, clientId: string, secret = SECRET): Request {
  return tokenRequest(
    issuer,
    { grant_type: "client_credentials" },
    { authorization: basic(clientId, secret) },
  );
}

async function statuses(isolates: Isolate[], request: () => Request): Promise<number[]> {
  const out: number[] = [];
  for (const i of isolates) out.push((await i.fetch(request())).status);
  return out;
}

/** A KV record as it is now, to put back after a write: a replica that has not seen the write yet. */
async function lagging(key: string): Promise<() => Promise<void>> {
  const raw = await bindings.CONFIG.get(key);
  if (raw === null) throw new Error(`no ${key}`);
  return () => bindings.CONFIG.put(key, raw);
}

beforeEach(() => {
  // Denials and refresh failures are logged as in production; keep the output quiet.
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("a deactivated client", () => {
  it("gets no token from any isolate within 10 s, while KV and the isolates still hold it ACTIVE", async () => {
    const f = await seedServer();
    const c = cluster(4);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([200, 200, 200, 200]);
    const restoreStale = await lagging(`client/${f.clientId}`);

    expect((await adminCall("POST", `/apps/${f.clientId}/lifecycle/deactivate`)).status).toBe(200);
    await restoreStale();

    // Warm isolates, a request every 4 s: the refresh goes to waitUntil, the next request refuses.
    c.advance(PULSE_REFRESH_AFTER_MS);
    for (const i of c.isolates) await i.fetch(token(f.issuer, f.clientId));
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([401, 401, 401, 401]);

    // Every isolate, however idle, refuses its first request at the bound; a cold one too.
    const d = cluster(3);
    const post = () =>
      tokenRequest(f.issuer, {
        grant_type: "client_credentials",
        client_id: f.postClientId,
        client_secret: SECRET,
      });
    expect(await statuses(d.isolates, post)).toEqual([200, 200, 200]);
    const restorePost = await lagging(`client/${f.postClientId}`);
    expect((await adminCall("POST", `/apps/${f.postClientId}/lifecycle/deactivate`)).status).toBe(200);
    await restorePost();
    d.advance(BOUND_MS);
    expect(await statuses([...d.isolates, d.isolate()], post)).toEqual([401, 401, 401, 401]);

    // The pulse won: the records these isolates and KV hold still say ACTIVE.
    expect((await d.isolates[0]?.deps.config.client(bindings, f.postClientId))?.status).toBe("ACTIVE");
    const stored = JSON.parse((await bindings.CONFIG.get(`client/${f.postClientId}`)) ?? "{}");
    expect(JSON.parse(stored.record).status).toBe("ACTIVE");
  });

  it("is allowed again once re-activated, also when that happens within the window", async () => {
    const f = await seedServer();
    const c = cluster(2);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([200, 200]);
    expect((await adminCall("POST", `/apps/${f.clientId}/lifecycle/deactivate`)).status).toBe(200);
    c.advance(BOUND_MS);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([401, 401]);

    expect((await adminCall("POST", `/apps/${f.clientId}/lifecycle/activate`)).status).toBe(200);
    const pulse = await controlPlanePulse();
    expect(pulse.entries.find((e) => e.id === f.clientId)).toMatchObject({ kind: "client", revoked: false });
    // The isolates' records are still ACTIVE (cached before the deactivation): once the pulse says
    // so too, they issue again, well within the window.
    c.advance(BOUND_MS);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([200, 200]);
  });

  it("stops the org access tokens of a client on the management API within 10 s", async () => {
    const org = await seedOrgClient(["okta.apps.read"]);
    const bearer = await orgAccessToken(org, "okta.apps.read");
    const c = cluster(2);
    const list = () =>
      new Request(`${ORIGIN}/api/v1/apps?limit=1`, { headers: { Authorization: `Bearer ${bearer}` } });
    expect(await statuses(c.isolates, list)).toEqual([200, 200]);
    expect((await adminCall("POST", `/apps/${org.clientId}/lifecycle/deactivate`)).status).toBe(200);
    c.advance(BOUND_MS);
    expect(await statuses(c.isolates, list)).toEqual([401, 401]);
  });
});

describe("a client secret rotated out", () => {
  it("is refused everywhere within 10 s; the new secret works once the record reaches the isolates", async () => {
    const f = await seedServer();
    const c = cluster(3);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([200, 200, 200]);

    const created = await adminCall("POST", `/apps/${f.clientId}/credentials/secrets`);
    expect(created.status).toBe(201);
    const next = created.body.client_secret as string;
    const secrets = (await adminCall("GET", `/apps/${f.clientId}/credentials/secrets`)).body as {
      id: string;
    }[];
    const old = secrets.find((s) => s.id !== created.body.id)?.id;
    const restoreStale = await lagging(`client/${f.clientId}`);
    const stale = await bindings.CONFIG.get(`client/${f.clientId}`);
    expect(
      (await adminCall("POST", `/apps/${f.clientId}/credentials/secrets/${old}/lifecycle/deactivate`)).status,
    ).toBe(200);
    const fresh = (await bindings.CONFIG.get(`client/${f.clientId}`)) as string;
    await restoreStale();
    expect(await bindings.CONFIG.get(`client/${f.clientId}`)).toBe(stale);

    c.advance(BOUND_MS);
    expect(await statuses([...c.isolates, c.isolate()], () => token(f.issuer, f.clientId))).toEqual([
      401, 401, 401, 401,
    ]);

    // KV catches up and the isolates' records expire (the KV bound): the new secret works, the old never again.
    await bindings.CONFIG.put(`client/${f.clientId}`, fresh);
    c.advance(31_000);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId, next))).toEqual([200, 200, 200]);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([401, 401, 401]);
  });
});

describe("a deactivated authorization server", () => {
  it("answers 404 at its token endpoint and JWKS in every isolate within 10 s, with a stale snapshot in KV", async () => {
    const f = await seedServer();
    const c = cluster(3);
    const keys = () => new Request(`${f.issuer}/v1/keys`);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([200, 200, 200]);
    expect(await statuses(c.isolates, keys)).toEqual([200, 200, 200]);
    const restoreStale = await lagging(`snapshot/${f.serverId}`);

    expect((await adminCall("POST", `/authorizationServers/${f.serverId}/lifecycle/deactivate`)).status).toBe(
      204,
    );
    await restoreStale();
    c.advance(BOUND_MS);
    const all = [...c.isolates, c.isolate()];
    expect(await statuses(all, () => token(f.issuer, f.clientId))).toEqual([404, 404, 404, 404]);
    expect(await statuses(all, keys)).toEqual([404, 404, 404, 404]);

    // Activated again: served again once the pulse says so (the snapshots held still say ACTIVE).
    expect((await adminCall("POST", `/authorizationServers/${f.serverId}/lifecycle/activate`)).status).toBe(
      204,
    );
    c.advance(BOUND_MS);
    expect(await statuses(c.isolates, () => token(f.issuer, f.clientId))).toEqual([200, 200, 200]);
  });
});

describe("the pulse's cost and failure modes", () => {
  /** Counts the Durable Object calls made through the control plane's namespace. */
  function countingEnv(options: { unreachable?: boolean } = {}) {
    const calls = { controlPlane: 0 };
    const CONTROL_PLANE = new Proxy(bindings.CONTROL_PLANE, {
      get(target, prop) {
        if (prop === "get") {
          return (...args: unknown[]) => {
            calls.controlPlane += 1;
            if (options.unreachable) {
              return { revocationPulse: () => Promise.reject(new Error("control plane unreachable")) };
            }
            return Reflect.apply(target.get, target, args);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return { counted: { ...bindings, CONTROL_PLANE } as Env, calls };
  }

  it("costs a location about one control-plane read per refresh interval, never one per token", async () => {
    const f = await seedServer();
    const { counted, calls } = countingEnv();
    const c = cluster(4);
    await caches.default.delete(PULSE_CACHE_URL);

    // A cold isolate in an idle location: one read, put in the colo cache; the next cold ones read that.
    for (const i of c.isolates)
      expect((await i.fetch(token(f.issuer, f.clientId), counted)).status).toBe(200);
    expect(calls.controlPlane).toBe(1);

    // Warm, within the refresh interval: nothing.
    for (let n = 0; n < 5; n++)
      for (const i of c.isolates) await i.fetch(token(f.issuer, f.clientId), counted);
    expect(calls.controlPlane).toBe(1);

    // Past it: each isolate refreshes in the background, and the location reads the control plane once.
    c.advance(PULSE_REFRESH_AFTER_MS);
    for (let n = 0; n < 3; n++)
      for (const i of c.isolates) await i.fetch(token(f.issuer, f.clientId), counted);
    expect(calls.controlPlane).toBe(2);
  });

  it("keeps the last pulse when the control plane cannot be reached, logs it, and makes no request wait", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const f = await seedServer();
    const c = cluster(1);
    const [isolate] = c.isolates as [Isolate];
    expect((await isolate.fetch(token(f.issuer, f.clientId))).status).toBe(200);
    expect((await adminCall("POST", `/apps/${f.clientId}/lifecycle/deactivate`)).status).toBe(200);
    c.advance(BOUND_MS);
    expect((await isolate.fetch(token(f.issuer, f.clientId))).status).toBe(401);

    const { counted, calls } = countingEnv({ unreachable: true });
    c.advance(BOUND_MS);
    expect((await isolate.fetch(token(f.issuer, f.clientId), counted)).status).toBe(401);
    expect(calls.controlPlane).toBe(1);
    expect(warn.mock.calls.some(([line]) => String(line).includes('"pulse.refresh_failed"'))).toBe(true);
    // Within the retry interval no request reads or waits; the disable still holds.
    expect((await isolate.fetch(token(f.issuer, f.clientId), counted)).status).toBe(401);
    expect(calls.controlPlane).toBe(1);
  });

  it("refuses a colo copy that is not authenticated, and reads the control plane instead", async () => {
    const f = await seedServer();
    expect((await adminCall("POST", `/apps/${f.postClientId}/lifecycle/deactivate`)).status).toBe(200);
    const forged = JSON.stringify({
      format: 1,
      pulse: JSON.stringify({ version: 1e9, windowMs: 1e9, fetchedAt: Date.now(), entries: [] }),
      mac: "AAAA",
    });
    await caches.default.put(
      PULSE_CACHE_URL,
      new Response(forged, { headers: { "Cache-Control": "max-age=60" } }),
    );
    const c = cluster(1);
    const [isolate] = c.isolates as [Isolate];
    const post = tokenRequest(f.issuer, {
      grant_type: "client_credentials",
      client_id: f.postClientId,
      client_secret: SECRET,
    });
    expect((await isolate.fetch(post)).status).toBe(401);
    expect(isolate.deps.revocations.held?.version).toBeLessThan(1e9);
  });

  it("stays bounded: changes older than the window leave it, and it carries at most PULSE_MAX_ENTRIES", async () => {
    const stub = bindings.CONTROL_PLANE.get(bindings.CONTROL_PLANE.idFromName(uniqueId("pulse-log")));
    await runInDurableObject(stub, (_instance, state) => {
      const log = new RevocationLog(state.storage.sql, bindings);
      const window = revocationWindowMs(bindings);
      // The window covers the KV bound: propagation + the isolate TTL (30 s), and a margin.
      expect(window).toBeGreaterThanOrEqual(30_000);
      const t0 = 1_000_000_000_000;
      log.record(
        Array.from({ length: PULSE_MAX_ENTRIES + 200 }, (_, n) => ({
          kind: "client" as const,
          id: `c${n}`,
          revoked: true,
        })),
        t0,
      );
      const full = log.pulse(t0);
      expect(full.entries).toHaveLength(PULSE_MAX_ENTRIES);
      expect(full.entries[0]?.version).toBe(full.version);
      expect(full.version).toBe(PULSE_MAX_ENTRIES + 200);

      // An enablement of an id the log does not hold is not recorded; one it holds replaces its state.
      log.record([{ kind: "server", id: "never-disabled", revoked: false }], t0 + 1);
      log.record([{ kind: "client", id: "c0", revoked: false }], t0 + 1);
      const after = log.pulse(t0 + 1);
      expect(after.entries.find((e) => e.id === "never-disabled")).toBeUndefined();
      expect(after.entries[0]).toMatchObject({ id: "c0", revoked: false, version: PULSE_MAX_ENTRIES + 201 });

      // Past the window: nothing left in the pulse, nor in the table after the next write; the version stays.
      expect(log.pulse(t0 + window + 1).entries).toEqual([]);
      log.record([{ kind: "user", id: "u1", revoked: true }], t0 + window + 2);
      const rows = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM revocations").one().n;
      expect(rows).toBe(1);
      expect(log.pulse(t0 + window + 2)).toMatchObject({
        version: PULSE_MAX_ENTRIES + 202,
        entries: [{ kind: "user", id: "u1", revoked: true }],
      });
    });
  });

  it("is younger than the bound at every decision: the constants add up", () => {
    // A decision uses a pulse read < PULSE_MAX_AGE_MS ago; 1 s covers clock skew.
    expect(PULSE_MAX_AGE_MS + 1000).toBeLessThanOrEqual(BOUND_MS);
    expect(PULSE_REFRESH_AFTER_MS).toBeLessThan(PULSE_MAX_AGE_MS);
  });
});

describe("the real Worker", () => {
  it("answers the first requests of a cold isolate after awaiting the pulse", async () => {
    const f = await seedServer();
    const res = await freshApp()(token(f.issuer, f.clientId));
    expect(res.status).toBe(200);
  });
});
