import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import type { Env } from "../../src/env";
import type { KeyInfo, KeyVault, VaultStatus } from "../../src/keys/key-vault";
import {
  ADMIN_TOKEN,
  basic,
  decodeJwt,
  freshApp,
  ORIGIN,
  publishedKeyset,
  SECRET,
  seedServer,
  tokenRequest,
} from "./helpers";

const bindings = env as Env;
const vault = (serverId: string) => bindings.KEY_VAULT.get(bindings.KEY_VAULT.idFromName(serverId));
/** An accelerated schedule: a key signs for 20 s, its successor is published 10 s before. */
const FAST = { rotationMode: "AUTO", rotationPeriodSeconds: 20, nextKeyLeadSeconds: 10 } as const;

const byStatus = (status: VaultStatus) =>
  Object.fromEntries(
    ["ACTIVE", "NEXT", "EXPIRED", "REVOKED"].map((s) => [
      s,
      status.keys.filter((k) => k.status === s).map((k) => k.kid),
    ]),
  );

function admin(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `SSWS ${ADMIN_TOKEN}`);
  return freshApp()(new Request(`${ORIGIN}/api/v1/authorizationServers/${path}`, { ...init, headers }));
}

function activation(key: KeyInfo | undefined): number {
  if (key?.activatesAt == null) throw new Error("key has no activation time");
  return key.activatesAt;
}

/**
 * A schedule accelerated as far as the worker tier's propagation allows: the vault runs with the
 * deployed defaults (KV 60 s + two 60 s keyset TTLs = 180 s), and a key published less than that
 * before its activation would be held (see the cache-horizon tests below).
 */
const STEADY = { rotationMode: "AUTO", rotationPeriodSeconds: 1000, nextKeyLeadSeconds: 500 } as const;
/**
 * The worker tier's keyset propagation bound; a response served without a new key lives at most
 * that, plus the second edges add for their floored clocks, plus the caps (max-age 900 + swr 300).
 */
const PROPAGATION = 180;
const CACHE_HORIZON = PROPAGATION + 1 + 900 + 300;

const setClock = (serverId: string, t: number) =>
  runInDurableObject(vault(serverId), (instance: KeyVault) => {
    instance.clock = () => t;
  });
const alarmAt = (serverId: string) =>
  runInDurableObject(vault(serverId), (_, state) => state.storage.getAlarm());
const metaOf = (serverId: string, name: string) =>
  runInDurableObject(
    vault(serverId),
    (_, state) =>
      state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray()[0]
        ?.value,
  );
const setMeta = (serverId: string, name: string, value: string) =>
  runInDurableObject(vault(serverId), (_, state) => {
    state.storage.sql.exec("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", name, value);
  });

const tokenKid = async (fetch: ReturnType<typeof freshApp>, f: { issuer: string; clientId: string }) => {
  const res = await fetch(
    tokenRequest(
      f.issuer,
      { grant_type: "client_credentials" },
      { authorization: basic(f.clientId, SECRET) },
    ),
  );
  return decodeJwt(((await res.json()) as { access_token: string }).access_token).header.kid;
};

describe("scheduled rotation (AUTO)", () => {
  it("always keeps a NEXT key published: its successor is generated when it activates, a period ahead, and every edge switches at the instant", async () => {
    const f = await seedServer({ server: { credentials: { signing: STEADY } } });
    const start = await vault(f.serverId).status();
    const k1 = start.keys.find((k) => k.status === "ACTIVE") as KeyInfo;
    const k2 = start.keys.find((k) => k.status === "NEXT") as KeyInfo;
    const t0 = activation(k1);
    expect(activation(k2)).toBe(t0 + 1000);

    // The alarm is due when k2 takes over: then its successor is generated.
    expect(await alarmAt(f.serverId)).toBe((t0 + 1000) * 1000);

    const later = await vault(f.serverId).status(t0 + 1000);
    expect(byStatus(later)).toMatchObject({ ACTIVE: [k2.kid], EXPIRED: [k1.kid] });
    const k3 = later.keys.find((k) => k.status === "NEXT") as KeyInfo;
    expect(activation(k3)).toBe(t0 + 2000);
    expect(later).toMatchObject({ lastRotated: t0 + 1000, nextRotation: t0 + 2000, kid: k2.kid });

    // The JWKS already holds k3; an edge with that keyset switches at t0+2000 without asking anyone.
    const jwks = await publishedKeyset(f.serverId);
    expect(jwks.jwks.keys.map((k) => k.kid).sort()).toEqual([k1.kid, k2.kid, k3.kid].sort());
    expect(await tokenKid(freshApp(createDeps(() => (t0 + 1999) * 1000)), f)).toBe(k2.kid);
    expect(await tokenKid(freshApp(createDeps(() => (t0 + 2000) * 1000)), f)).toBe(k3.kid);
  });

  it("changes nothing when the alarm runs twice", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const before = await publishedKeyset(f.serverId);
    const status = await vault(f.serverId).status();
    expect(await runDurableObjectAlarm(vault(f.serverId))).toBe(true);
    // a second firing: nothing is due yet, nothing is published again
    await runInDurableObject(vault(f.serverId), (instance) => instance.alarm());
    expect(await publishedKeyset(f.serverId)).toEqual(before);
    expect((await vault(f.serverId).status()).keys).toEqual(status.keys);
  });

  it("recovers a failed publication and a lost alarm from stored state", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const { keys } = await vault(f.serverId).status();
    // Simulate a crash after a key change was stored but before KV heard of it, with the alarm lost.
    await runInDurableObject(vault(f.serverId), async (_, state) => {
      state.storage.sql.exec("INSERT OR REPLACE INTO meta (name, value) VALUES ('unpublished', '1')");
      await state.storage.deleteAlarm();
    });
    await bindings.CONFIG.delete(`keyset/${f.serverId}`);

    const recovered = await vault(f.serverId).status();
    expect(recovered.keys).toEqual(keys);
    const keyset = await publishedKeyset(f.serverId);
    expect(keyset.jwks.keys.map((k) => k.kid).sort()).toEqual(keys.map((k) => k.kid).sort());
    expect(await alarmAt(f.serverId)).not.toBeNull();
  });

  it("retries a KV put that fails inside a real alarm run, past the runtime's six retries, until the next alarm publishes it", async () => {
    const f = await seedServer({ server: { credentials: { signing: STEADY } } });
    const t0 = activation((await vault(f.serverId).status()).keys.find((k) => k.status === "ACTIVE"));
    const before = await publishedKeyset(f.serverId);
    // KV refuses keys over 512 bytes: with this server id every put of the keyset fails, for real.
    await setMeta(f.serverId, "serverId", "x".repeat(600));
    const due = t0 + 1000; // k2 takes over; its successor must be generated and published
    await setClock(f.serverId, due);

    const delays: number[] = [];
    for (let failure = 1; failure <= 8; failure++) {
      expect(await runDurableObjectAlarm(vault(f.serverId))).toBe(true);
      const alarm = await alarmAt(f.serverId);
      expect(alarm).not.toBeNull();
      delays.push((alarm as number) / 1000 - due);
      expect(await metaOf(f.serverId, "alarmFailures")).toBe(String(failure));
    }
    // 2 s, doubling, capped at 5 minutes, and never given up
    expect(delays).toEqual([2, 4, 8, 16, 32, 64, 128, 256]);
    expect(await publishedKeyset(f.serverId)).toEqual(before);
    expect(await metaOf(f.serverId, "unpublished")).toBe("1");

    // KV works again: the next alarm publishes what the failed runs decided, and schedules onward.
    await setMeta(f.serverId, "serverId", f.serverId);
    expect(await runDurableObjectAlarm(vault(f.serverId))).toBe(true);
    const keyset = await publishedKeyset(f.serverId);
    expect(keyset.version).toBeGreaterThan(before.version);
    expect(keyset.keys).toHaveLength(3);
    const k3 = keyset.keys.find((k) => k.activatesAt === t0 + 2000);
    expect(k3).toBeDefined();
    expect(await alarmAt(f.serverId)).toBe((t0 + 2000) * 1000);
    expect(await metaOf(f.serverId, "alarmFailures")).toBeUndefined();
    expect(await metaOf(f.serverId, "unpublished")).toBeUndefined();
  });

  it("keeps what an admin call decided when its publication fails, and the alarm it leaves publishes it", async () => {
    const f = await seedServer();
    const before = await publishedKeyset(f.serverId);
    const signing = (await vault(f.serverId).status()).kid;
    await setMeta(f.serverId, "serverId", "x".repeat(600));
    const failed = await vault(f.serverId)
      .rotate()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(String(failed)).toMatch(/KV PUT failed/);
    const alarm = await alarmAt(f.serverId);
    expect(alarm).not.toBeNull();
    expect(alarm as number).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(await publishedKeyset(f.serverId)).toEqual(before);

    await setMeta(f.serverId, "serverId", f.serverId);
    expect(await runDurableObjectAlarm(vault(f.serverId))).toBe(true);
    const keyset = await publishedKeyset(f.serverId);
    expect(keyset.version).toBeGreaterThan(before.version);
    // the rotation the admin asked for is what got published
    const status = await vault(f.serverId).status();
    expect(byStatus(status).EXPIRED).toEqual([signing]);
    expect(await tokenKid(freshApp(), f)).toBe(status.kid);
  });

  it("catches up late: a NEXT key is never dated sooner than a lead ahead", async () => {
    const f = await seedServer({ server: { credentials: { signing: STEADY } } });
    const t0 = activation((await vault(f.serverId).status()).keys.find((k) => k.status === "ACTIVE"));
    // nothing ran for 1700 s: k2 took over at t0+1000 by itself; its successor is generated now,
    // a lead ahead — and a second more, since edges promised from their next second (floored clocks)
    const late = await vault(f.serverId).status(t0 + 1700);
    const next = late.keys.find((k) => k.status === "NEXT");
    expect(activation(next)).toBe(t0 + 1700 + 500 + 1);
  });

  it("loses nothing when every Durable Object is reset", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const before = await vault(f.serverId).status();
    await abortAllDurableObjects();
    expect(await vault(f.serverId).status()).toEqual(before);
  });
});

describe("no key signs before every cached JWKS holds it", () => {
  it("holds a scheduled key whose period is shorter than propagation until the old keyset cannot be served", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const t0 = activation((await vault(f.serverId).status()).keys.find((k) => k.status === "ACTIVE"));
    // At t0+20 k2 takes over and k3 is generated, due t0+40; but edges may serve the keyset without
    // k3 until t0+20+180 (+1 s for their floored clocks), so k3 signs from then.
    const status = await vault(f.serverId).status(t0 + 20);
    expect(activation(status.keys.find((k) => k.status === "NEXT"))).toBe(t0 + 20 + PROPAGATION + 1);
  });

  it("keeps the old algorithm's key signing until the new algorithm's key is in every cache", async () => {
    const f = await seedServer();
    const before = await vault(f.serverId).status();
    const oldActive = before.kid as string;
    const t = Math.floor(Date.now() / 1000) + 1;
    const settings = {
      alg: "ES256",
      rotationMode: "AUTO",
      rotationPeriodSeconds: 90 * 86400,
      nextKeyLeadSeconds: 45 * 86400,
    } as const;
    const after = await vault(f.serverId).configure(f.serverId, settings, t);
    expect(after.kid).toBe(oldActive);
    const es = after.keys.filter((k) => k.alg === "ES256");
    expect(es.map((k) => k.status)).toEqual(["NEXT", "NEXT"]);
    expect(Math.min(...es.map(activation))).toBe(t + CACHE_HORIZON);
    // any later configuration write configures the vault again: nothing more is generated
    expect((await vault(f.serverId).configure(f.serverId, settings, t + 10)).keys).toEqual(after.keys);
    const switched = await vault(f.serverId).status(t + CACHE_HORIZON);
    expect(switched.keys.find((k) => k.kid === switched.kid)?.alg).toBe("ES256");
  });
});

describe("keyRotate (Okta's credentials/lifecycle/keyRotate)", () => {
  it("makes NEXT ACTIVE now, keeps the old ACTIVE published as EXPIRED and generates a new NEXT", async () => {
    const f = await seedServer();
    const before = byStatus(await vault(f.serverId).status());
    const res = await admin(`${f.serverId}/credentials/lifecycle/keyRotate`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ use: "sig" }),
    });
    expect(res.status).toBe(200);
    const listed = (await res.json()) as { kid: string; status: string; d?: string }[];
    const after = Object.fromEntries(listed.map((k) => [k.kid, k.status]));
    expect(after[before.ACTIVE?.[0] as string]).toBe("EXPIRED");
    expect(after[before.NEXT?.[0] as string]).toBe("ACTIVE");
    expect(listed.filter((k) => k.status === "NEXT")).toHaveLength(1);
    expect(listed.every((k) => k.d === undefined)).toBe(true);

    // a new isolate signs with the formerly NEXT key; the old key still verifies
    expect(await tokenKid(freshApp(), f)).toBe(before.NEXT?.[0]);
    const jwks = (await (await freshApp()(new Request(`${f.issuer}/v1/keys`))).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toContain(before.ACTIVE?.[0]);
  });

  it("rotates at once within the same second the keys were first published", async () => {
    const f = await seedServer();
    const t = Math.floor(Date.now() / 1000) + 5;
    const first = await vault(f.serverId).status(t);
    const oldActive = first.keys.find((k) => k.status === "ACTIVE") as KeyInfo;
    const next = first.keys.find((k) => k.status === "NEXT") as KeyInfo;
    const once = await vault(f.serverId).rotate(t);
    if (!once.ok) throw new Error(once.reason);
    expect(byStatus(once.status)).toMatchObject({ ACTIVE: [next.kid], EXPIRED: [oldActive.kid] });
    expect(once.rotation).toEqual({ kid: next.kid, activatesAt: t, deferred: false });
  });

  it("a second keyRotate right after the first waits until no cached JWKS can lack its key, and says so", async () => {
    const f = await seedServer();
    const t = Math.floor(Date.now() / 1000) + 5;
    const once = await vault(f.serverId).rotate(t);
    if (!once.ok) throw new Error(once.reason);
    const signing = once.status.kid as string;
    const newNext = once.status.keys.find((k) => k.status === "NEXT") as KeyInfo;

    const twice = await vault(f.serverId).rotate(t + 1);
    if (!twice.ok) throw new Error(twice.reason);
    // Responses served before newNext was published live until t + propagation + max-age + swr.
    expect(twice.rotation).toEqual({ kid: newNext.kid, activatesAt: t + CACHE_HORIZON, deferred: true });
    expect(twice.status.kid).toBe(signing);
    expect(twice.status.nextRotation).toBe(t + CACHE_HORIZON);
    // edges hold newNext already and switch to it at that instant, not before
    const edgeAt = (s: number) => freshApp(createDeps(() => s * 1000));
    expect(await tokenKid(edgeAt(t + CACHE_HORIZON - 1), f)).toBe(signing);
    expect(await tokenKid(edgeAt(t + CACHE_HORIZON), f)).toBe(newNext.kid);
    const settled = await vault(f.serverId).status(t + CACHE_HORIZON);
    expect(byStatus(settled)).toMatchObject({ ACTIVE: [newNext.kid] });
    expect(byStatus(settled).NEXT).toHaveLength(1);
  });

  it("reports lastRotated, nextRotation and kid on the authorization server", async () => {
    const f = await seedServer();
    await admin(`${f.serverId}/credentials/lifecycle/keyRotate`, { method: "POST" });
    const res = await admin(f.serverId);
    expect(res.status).toBe(200);
    const server = (await res.json()) as {
      credentials: { signing: Record<string, unknown> };
      issuer: string;
    };
    const status = await vault(f.serverId).status();
    expect(server.issuer).toBe(f.issuer);
    expect(server.credentials.signing).toMatchObject({
      rotationMode: "AUTO",
      use: "sig",
      kid: status.kid,
      lastRotated: new Date((status.lastRotated ?? 0) * 1000).toISOString(),
      nextRotation: new Date((status.nextRotation ?? 0) * 1000).toISOString(),
    });
    expect(Date.parse(server.credentials.signing.lastRotated as string)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("keeps a MANUAL server's NEXT key undated until the next keyRotate", async () => {
    const f = await seedServer({ server: { credentials: { signing: { rotationMode: "MANUAL" } } } });
    const status = await vault(f.serverId).status();
    expect(status.keys.find((k) => k.status === "NEXT")?.activatesAt).toBeNull();
    expect(status.nextRotation).toBeNull();
    expect(await alarmAt(f.serverId)).toBeNull();
  });

  it("MANUAL: a second keyRotate waits with its key dated, an undated NEXT behind it, and an alarm for the switch", async () => {
    const f = await seedServer({ server: { credentials: { signing: { rotationMode: "MANUAL" } } } });
    const t = Math.floor(Date.now() / 1000) + 5;
    await vault(f.serverId).rotate(t);
    const twice = await vault(f.serverId).rotate(t + 1);
    if (!twice.ok) throw new Error(twice.reason);
    expect(twice.rotation?.deferred).toBe(true);
    const waiting = twice.status.keys.filter((k) => k.status === "NEXT");
    expect(waiting.map((k) => k.activatesAt)).toEqual([t + CACHE_HORIZON, null]);
    expect(twice.status.nextRotation).toBe(t + CACHE_HORIZON);
    expect(await alarmAt(f.serverId)).toBe((t + CACHE_HORIZON) * 1000);
    // the schedule of a MANUAL server leaves the keyRotate's date alone
    expect((await vault(f.serverId).status(t + 2)).keys.filter((k) => k.status === "NEXT")).toEqual(waiting);
  });

  it("answers 404 for an unknown server and 400 for a bad body, changing nothing", async () => {
    expect((await admin("nope/credentials/lifecycle/keyRotate", { method: "POST" })).status).toBe(404);
    const f = await seedServer();
    const before = await vault(f.serverId).status();
    const bad = await admin(`${f.serverId}/credentials/lifecycle/keyRotate`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ use: "enc" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errorCode: string }).errorCode).toBe("E0000001");
    expect(await vault(f.serverId).status()).toEqual(before);
  });
});

describe("emergency revocation", () => {
  it("takes the key out of the JWKS and the sealed keyset; the published NEXT key signs at once", async () => {
    const f = await seedServer();
    const before = byStatus(await vault(f.serverId).status());
    const revoked = before.ACTIVE?.[0] as string;
    const res = await admin(`${f.serverId}/credentials/keys/${revoked}/lifecycle/revoke`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("REVOKED");

    const jwks = (await (await freshApp()(new Request(`${f.issuer}/v1/keys`))).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(revoked);
    const listed = (await (await admin(`${f.serverId}/credentials/keys`)).json()) as { kid: string }[];
    expect(listed.map((k) => k.kid)).not.toContain(revoked);
    expect(
      ((await (await admin(`${f.serverId}/credentials/keys/${revoked}`)).json()) as { status: string })
        .status,
    ).toBe("REVOKED");

    const token = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(decodeJwt(((await token.json()) as { access_token: string }).access_token).header.kid).toBe(
      before.NEXT?.[0],
    );
    // even an edge whose clock runs far ahead never picks the revoked key again
    const keyset = await publishedKeyset(f.serverId);
    expect(keyset.keys.map((k) => k.kid)).not.toContain(revoked);
  });

  it("answers 404 for an unknown kid and changes nothing", async () => {
    const f = await seedServer();
    const before = await vault(f.serverId).status();
    expect(
      (await admin(`${f.serverId}/credentials/keys/nope/lifecycle/revoke`, { method: "POST" })).status,
    ).toBe(404);
    expect(await vault(f.serverId).status()).toEqual(before);
  });
});

describe("JWKS cache lifetime follows the schedule", () => {
  it("shortens max-age so no cached JWKS outlives the moment an unpublished key could sign", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const t0 = activation((await vault(f.serverId).status()).keys.find((k) => k.status === "ACTIVE"));
    const local = { ...bindings, KV_PROPAGATION_SECONDS: "0", KEYSET_CACHE_TTL_SECONDS: "1" };
    const at = (t: number) => freshApp(createDeps(() => t * 1000))(new Request(`${f.issuer}/v1/keys`), local);
    // the key after k2 signs at t0+40 at the earliest; propagation here is 2 s, and the edge counts
    // from the next second (its clock is floored)
    expect((await at(t0)).headers.get("Cache-Control")).toBe(
      "public, max-age=37, stale-while-revalidate=0, stale-if-error=300",
    );
    // at t0+30 nothing has run yet: the key after k2 is generated now at the earliest, a lead ahead
    expect((await at(t0 + 30)).headers.get("Cache-Control")).toBe(
      "public, max-age=8, stale-while-revalidate=0, stale-if-error=300",
    );
  });
});
