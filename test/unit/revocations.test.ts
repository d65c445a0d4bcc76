/**
 * The revocation pulse, pure parts and the isolate's refresh rules (src/config/revocations.ts,
 * src/config/revocation-pulse.ts, src/control-plane/revocation-changes.ts). The colo cache is the
 * worker tier's (test/worker/revocation-pulse.test.ts); Node has none, so a refresh here goes
 * straight to the source.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  PULSE_MAX_AGE_MS,
  PULSE_REFRESH_AFTER_MS,
  PULSE_RETRY_AFTER_FAILURE_MS,
  REVOCATION_BOUND_SECONDS,
} from "../../src/config/defaults";
import { type PulseSource, RevocationPulse } from "../../src/config/revocation-pulse";
import {
  type HeldPulse,
  indexPulse,
  isRevokedIn,
  newerPulse,
  type Pulse,
  parseHeldPulse,
  type RevocationEntry,
} from "../../src/config/revocations";
import { type Client, ServerConfig } from "../../src/config/schemas";
import { clientChanges, serverChanges } from "../../src/control-plane/revocation-changes";
import { memoryApp, memoryPorts, ORIGIN } from "./memory-ports";
import { rule, scope } from "./policy-fixtures";

const WINDOW = 120_000;

function entry(kind: RevocationEntry["kind"], id: string, revoked: boolean, version: number, ageMs = 0) {
  return { kind, id, revoked, version, ageMs };
}

function held(entries: RevocationEntry[], fetchedAt = 1_000_000, version = 10): HeldPulse {
  return { version, windowMs: WINDOW, fetchedAt, entries };
}

describe("a pulse, looked up", () => {
  it("refuses what its newest change disabled, and only that kind", () => {
    const index = indexPulse(held([entry("client", "a", true, 3), entry("secret", "ocs1", true, 2)]));
    const now = () => 1_000_000;
    expect(isRevokedIn(index, "client", "a", now)).toBe(true);
    expect(isRevokedIn(index, "secret", "ocs1", now)).toBe(true);
    expect(isRevokedIn(index, "server", "a", now)).toBe(false);
    expect(isRevokedIn(index, "client", "b", now)).toBe(false);
    expect(isRevokedIn(undefined, "client", "a", now)).toBe(false);
  });

  it("lets through a client disabled then enabled again within the window: its newest change wins", () => {
    // Newest first, as the control plane sends them.
    const index = indexPulse(held([entry("client", "a", false, 5), entry("client", "a", true, 4)]));
    expect(isRevokedIn(index, "client", "a", () => 1_000_000)).toBe(false);
    expect(index.size).toBe(0);
  });

  it("stops refusing by the pulse once a change is older than the window (KV says the same by then)", () => {
    const index = indexPulse(held([entry("client", "a", true, 3, 20_000)], 1_000_000));
    expect(isRevokedIn(index, "client", "a", () => 1_000_000 + WINDOW - 20_001)).toBe(true);
    expect(isRevokedIn(index, "client", "a", () => 1_000_000 + WINDOW - 20_000)).toBe(false);
  });

  it("never reads the clock when nothing is revoked", () => {
    const index = indexPulse(held([]));
    expect(
      isRevokedIn(index, "client", "a", () => {
        throw new Error("clock read");
      }),
    ).toBe(false);
  });

  it("keeps the higher version, then the later read", () => {
    const v10 = held([], 5, 10);
    const v11 = held([], 1, 11);
    const v10later = held([], 9, 10);
    expect(newerPulse(v10, v11)).toBe(v11);
    expect(newerPulse(v11, v10later)).toBe(v11);
    expect(newerPulse(v10, v10later)).toBe(v10later);
    expect(newerPulse(undefined, v10)).toBe(v10);
    expect(newerPulse(v10, undefined)).toBe(v10);
  });

  it("parses only a well-formed pulse from outside the isolate", () => {
    const good = held([entry("user", "u1", true, 1)]);
    expect(parseHeldPulse(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(parseHeldPulse({ ...good, version: -1 })).toBeUndefined();
    expect(parseHeldPulse({ ...good, entries: [{ ...entry("client", "a", true, 1), kind: 7 }] })).toBe(
      undefined,
    );
    expect(parseHeldPulse({ ...good, entries: [{ ...entry("client", "a", true, 1), id: 7 }] })).toBe(
      undefined,
    );
    expect(parseHeldPulse([])).toBeUndefined();
    expect(parseHeldPulse(null)).toBeUndefined();
  });

  it("skips a kind a newer deployment added, keeping the rest (a rolling deploy)", () => {
    const newer = held([
      entry("client", "a", true, 2),
      { ...entry("client", "g", true, 1), kind: "group" } as never,
    ]);
    const parsed = parseHeldPulse(JSON.parse(JSON.stringify(newer)));
    expect(parsed?.entries).toEqual([entry("client", "a", true, 2)]);
    // Straight from the control plane (RPC), unparsed: indexed without the unknown kind, no throw.
    const index = indexPulse(newer);
    expect(index.size).toBe(1);
    expect(isRevokedIn(index, "client", "a", () => newer.fetchedAt)).toBe(true);
  });
});

describe("what a write changed, for the pulse", () => {
  const secret = (id: string, status: "ACTIVE" | "INACTIVE") => ({
    id,
    secretHash: "h",
    status,
    created: "",
  });
  const client = (status: "ACTIVE" | "INACTIVE", secrets = [secret("ocs1", "ACTIVE")]) =>
    ({ client_id: "c1", status, secrets }) as unknown as Client;

  it("records a client deactivated, deleted, re-activated, created", () => {
    expect(clientChanges(client("ACTIVE"), client("INACTIVE"))).toEqual([
      { kind: "client", id: "c1", revoked: true },
    ]);
    expect(clientChanges(client("INACTIVE"), undefined)).toEqual([
      { kind: "secret", id: "ocs1", revoked: true },
    ]);
    expect(clientChanges(client("INACTIVE"), client("ACTIVE"))).toEqual([
      { kind: "client", id: "c1", revoked: false },
    ]);
    expect(clientChanges(undefined, client("ACTIVE"))).toEqual([
      { kind: "client", id: "c1", revoked: false },
      { kind: "secret", id: "ocs1", revoked: false },
    ]);
    expect(clientChanges(client("ACTIVE"), client("ACTIVE"))).toEqual([]);
  });

  it("records a secret rotated out (deactivated, deleted, replaced) and one activated again", () => {
    const both = [secret("ocs1", "ACTIVE"), secret("ocs2", "ACTIVE")];
    expect(
      clientChanges(client("ACTIVE", both), client("ACTIVE", [both[1] ?? secret("x", "ACTIVE")])),
    ).toEqual([{ kind: "secret", id: "ocs1", revoked: true }]);
    expect(
      clientChanges(
        client("ACTIVE", both),
        client("ACTIVE", [secret("ocs1", "INACTIVE"), secret("ocs2", "ACTIVE")]),
      ),
    ).toEqual([{ kind: "secret", id: "ocs1", revoked: true }]);
    expect(clientChanges(client("ACTIVE"), client("ACTIVE", [secret("ocs9", "ACTIVE")]))).toEqual([
      { kind: "secret", id: "ocs1", revoked: true },
      { kind: "secret", id: "ocs9", revoked: false },
    ]);
    expect(clientChanges(client("ACTIVE", [secret("ocs1", "INACTIVE")]), client("ACTIVE"))).toEqual([
      { kind: "secret", id: "ocs1", revoked: false },
    ]);
  });

  it("records a server deactivated or deleted while ACTIVE, and activated again", () => {
    const server = (status: "ACTIVE" | "INACTIVE") =>
      ServerConfig.parse({ server: { id: "as1", name: "as1", audiences: ["api://x"], status } });
    expect(serverChanges(server("ACTIVE"), server("INACTIVE"))).toEqual([
      { kind: "server", id: "as1", revoked: true },
    ]);
    expect(serverChanges(server("ACTIVE"), undefined)).toEqual([
      { kind: "server", id: "as1", revoked: true },
    ]);
    expect(serverChanges(server("INACTIVE"), undefined)).toEqual([]);
    expect(serverChanges(server("INACTIVE"), server("ACTIVE"))).toEqual([
      { kind: "server", id: "as1", revoked: false },
    ]);
  });
});

describe("an isolate's pulse", () => {
  // A failed refresh is logged as in production; keep the output quiet.
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });

  function world(initial: Pulse = { version: 1, windowMs: WINDOW, entries: [] }) {
    let now = 5_000_000;
    const state = { pulse: initial, reads: 0, fail: false as boolean | "hang" };
    const source: PulseSource = {
      keyEncryptionKey: "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM",
      read: async () => {
        state.reads += 1;
        if (state.fail === "hang") return new Promise<Pulse>(() => {});
        if (state.fail) throw new Error("control plane unreachable");
        return state.pulse;
      },
    };
    const store = new RevocationPulse(() => now);
    const view = store.view(source);
    const background: Promise<unknown>[] = [];
    const waitUntil = (task: Promise<unknown>) => background.push(task);
    return {
      state,
      store,
      view,
      background,
      waitUntil,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it("makes a cold isolate await one read, then serves from memory until it gets old", async () => {
    const w = world();
    const pending = w.view.keepFresh(w.waitUntil);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(w.state.reads).toBe(1);
    w.advance(PULSE_REFRESH_AFTER_MS - 1);
    expect(w.view.keepFresh(w.waitUntil)).toBeUndefined();
    expect(w.background).toHaveLength(0);
    expect(w.state.reads).toBe(1);
  });

  it("takes a pulse stamped after a request's frozen clock as fresh, not as one to await again", async () => {
    // Workers freeze Date.now() within a request until its next I/O: a request that began before
    // another request's refresh sees that pulse up to a moment "in the future".
    const w = world();
    await w.view.keepFresh(w.waitUntil);
    w.advance(-500);
    for (let i = 0; i < 5; i++) expect(w.view.keepFresh(w.waitUntil)).toBeUndefined();
    expect(w.background).toHaveLength(0);
    expect(w.state.reads).toBe(1);
    // Beyond the skew allowance it is a clock that jumped: stale, refreshed.
    w.advance(-2_000);
    expect(w.view.keepFresh(w.waitUntil)).toBeInstanceOf(Promise);
  });

  it("refreshes an ageing pulse in the background, once however many requests ask", async () => {
    const w = world();
    await w.view.keepFresh(w.waitUntil);
    w.advance(PULSE_REFRESH_AFTER_MS);
    w.state.pulse = { version: 2, windowMs: WINDOW, entries: [entry("client", "c1", true, 2)] };
    for (let i = 0; i < 5; i++) expect(w.view.keepFresh(w.waitUntil)).toBeUndefined();
    expect(w.background).toHaveLength(1);
    // Until it lands, requests decide with the pulse held.
    expect(w.view.isRevoked("client", "c1")).toBe(false);
    await Promise.all(w.background);
    expect(w.state.reads).toBe(2);
    expect(w.view.isRevoked("client", "c1")).toBe(true);
  });

  it("never decides with a pulse as old as the bound allows: an idle isolate awaits its refresh", async () => {
    expect(PULSE_MAX_AGE_MS + 1000).toBeLessThan(REVOCATION_BOUND_SECONDS * 1000);
    const w = world();
    await w.view.keepFresh(w.waitUntil);
    w.state.pulse = { version: 2, windowMs: WINDOW, entries: [entry("client", "c1", true, 2)] };
    w.advance(PULSE_MAX_AGE_MS);
    const pending = w.view.keepFresh(w.waitUntil);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(w.view.isRevoked("client", "c1")).toBe(true);
  });

  it("never goes back to a lower version", async () => {
    const w = world({ version: 5, windowMs: WINDOW, entries: [entry("client", "c1", true, 5)] });
    await w.view.keepFresh(w.waitUntil);
    w.state.pulse = { version: 4, windowMs: WINDOW, entries: [] };
    w.advance(PULSE_MAX_AGE_MS);
    await w.view.keepFresh(w.waitUntil);
    expect(w.store.held?.version).toBe(5);
    expect(w.view.isRevoked("client", "c1")).toBe(true);
  });

  it("keeps the last pulse through a control-plane outage, retries in the background, never makes requests wait", async () => {
    const w = world({ version: 3, windowMs: WINDOW, entries: [entry("secret", "ocs1", true, 3)] });
    await w.view.keepFresh(w.waitUntil);
    w.state.fail = true;
    w.advance(PULSE_MAX_AGE_MS);
    await w.view.keepFresh(w.waitUntil); // this one waited and failed: logged, pulse kept
    expect(w.view.isRevoked("secret", "ocs1")).toBe(true);
    const reads = w.state.reads;
    // Within the retry interval nobody waits and nothing is read.
    expect(w.view.keepFresh(w.waitUntil)).toBeUndefined();
    expect(w.state.reads).toBe(reads);
    // After it, one background retry; requests still do not wait.
    w.advance(PULSE_RETRY_AFTER_FAILURE_MS);
    expect(w.view.keepFresh(w.waitUntil)).toBeUndefined();
    expect(w.view.keepFresh(w.waitUntil)).toBeUndefined();
    expect(w.background).toHaveLength(1);
    w.state.fail = false;
    await Promise.all(w.background);
    expect(w.state.reads).toBe(reads + 1);
    // Recovered: a young pulse again, nothing to do.
    expect(w.view.keepFresh(w.waitUntil)).toBeUndefined();
    expect(w.background).toHaveLength(1);
  });

  it("lets a cold isolate through (logged) when the control plane does not answer in time", async () => {
    const w = world();
    w.state.fail = "hang";
    const started = Date.now();
    await w.view.keepFresh(w.waitUntil);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(w.view.isRevoked("client", "anything")).toBe(false);
    expect(w.view.keepFresh(w.waitUntil)).toBeUndefined();
  }, 10_000);
});

describe("the token endpoint and the pulse", () => {
  const server = {
    server: { id: "default", name: "default", audiences: ["api://default"] },
    scopes: [scope("read", true)],
    policies: [
      {
        id: "p1",
        name: "p",
        priority: 1,
        conditions: { clients: { include: ["svc"] } },
        rules: [rule("r1", 1)],
      },
    ],
  };
  const request = () =>
    new Request(`${ORIGIN}/oauth2/default/v1/token`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${btoa("svc:s3cret-0123456789")}`,
      },
      body: "grant_type=client_credentials",
    });
  const clients = [{ client_id: "svc", client_name: "svc", secret: "s3cret-0123456789" }];

  it("refuses a client, its secret or its server the pulse names, though the records say ACTIVE", async () => {
    const ok = memoryApp(await memoryPorts({ servers: [server], clients }));
    expect((await ok(request())).status).toBe(200);
    for (const revoked of [
      { kind: "client", id: "svc" },
      { kind: "secret", id: "ocs1" },
    ] as const) {
      const res = await memoryApp(await memoryPorts({ servers: [server], clients, revoked: [revoked] }))(
        request(),
      );
      expect(res.status, revoked.kind).toBe(401);
      expect(await res.json()).toMatchObject({ error: "invalid_client" });
    }
    const gone = await memoryApp(
      await memoryPorts({ servers: [server], clients, revoked: [{ kind: "server", id: "default" }] }),
    )(request());
    expect(gone.status).toBe(404);
  });
});
