import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import type { Env } from "../../src/env";
import type { KeyInfo } from "../../src/keys/key-vault";
import {
  ADMIN_TOKEN,
  basic,
  controlPlane,
  decodeJwt,
  freshApp,
  keysetRecord,
  ORIGIN,
  openRecord,
  publishedKeyset,
  SECRET,
  seedServer,
  tokenRequest,
} from "./helpers";
import { freshColoPulse } from "./pulse-helpers";

const bindings = env as Env;
const vault = (serverId: string) => bindings.KEY_VAULT.get(bindings.KEY_VAULT.idFromName(serverId));
const DEFAULT_SETTINGS = {
  alg: "RS256",
  rotationMode: "AUTO",
  rotationPeriodSeconds: 90 * 24 * 3600,
  nextKeyLeadSeconds: 45 * 24 * 3600,
} as const;

async function serverKeys(serverId: string): Promise<KeyInfo[]> {
  const status = await controlPlane().signingStatus(serverId);
  if (!status) throw new Error(`no server ${serverId}`);
  return status.keys;
}

function activation(key: KeyInfo | undefined): number {
  if (key?.activatesAt == null) throw new Error("key has no activation time");
  return key.activatesAt;
}

async function adminKeys(serverId: string) {
  const res = await freshApp()(
    new Request(`${ORIGIN}/api/v1/authorizationServers/${serverId}/credentials/keys`, {
      headers: { Authorization: `SSWS ${ADMIN_TOKEN}` },
    }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as (Record<string, unknown> & { kid: string; status: string })[];
}

async function issue(fetch: ReturnType<typeof freshApp>, issuer: string, clientId: string) {
  const res = await fetch(
    tokenRequest(issuer, { grant_type: "client_credentials" }, { authorization: basic(clientId, SECRET) }),
  );
  expect(res.status).toBe(200);
  return decodeJwt(((await res.json()) as { access_token: string }).access_token);
}

describe("key vault", () => {
  it("holds an ACTIVE and a NEXT key from the start, NEXT due one rotation period later", async () => {
    const f = await seedServer();
    const keys = await serverKeys(f.serverId);
    expect(keys.map((k) => k.status).sort()).toEqual(["ACTIVE", "NEXT"]);
    const active = keys.find((k) => k.status === "ACTIVE") as KeyInfo;
    const next = keys.find((k) => k.status === "NEXT") as KeyInfo;
    expect(activation(next) - activation(active)).toBe(90 * 24 * 3600);
    expect(active.jwk).toMatchObject({ kty: "RSA", alg: "RS256", e: "AQAB" });
    // 2048-bit modulus: 256 bytes, 342 base64url characters
    expect(active.jwk.n).toHaveLength(342);

    const listed = await adminKeys(f.serverId);
    expect(listed.map((k) => [k.kid, k.status]).sort()).toEqual(keys.map((k) => [k.kid, k.status]).sort());
    for (const k of listed) expect(k).not.toHaveProperty("d");
    // The schedule's dates, as Okta writes dates (the console's key timeline reads them).
    for (const k of keys) {
      const shown = listed.find((l) => l.kid === k.kid);
      expect(shown?.created).toBe(new Date(k.created * 1000).toISOString());
      expect(shown?.activatesAt).toBe(new Date(activation(k) * 1000).toISOString());
    }
  });

  it("signs with the ACTIVE key and lets every edge switch to NEXT at its instant, from the keyset it holds", async () => {
    const f = await seedServer();
    const keys = await serverKeys(f.serverId);
    const active = keys.find((k) => k.status === "ACTIVE") as KeyInfo;
    const next = keys.find((k) => k.status === "NEXT") as KeyInfo;

    expect((await issue(freshApp(), f.issuer, f.clientId)).header.kid).toBe(active.kid);
    const justBefore = createDeps(() => (activation(next) - 1) * 1000);
    expect((await issue(freshApp(justBefore), f.issuer, f.clientId)).header.kid).toBe(active.kid);
    const atSwitch = createDeps(() => activation(next) * 1000);
    expect((await issue(freshApp(atSwitch), f.issuer, f.clientId)).header.kid).toBe(next.kid);
  });

  it("is idempotent: ensuring keys again changes nothing", async () => {
    const f = await seedServer();
    const before = await serverKeys(f.serverId);
    const published = await bindings.CONFIG.get(`keyset/${f.serverId}`);
    const again = await vault(f.serverId).configure(f.serverId, DEFAULT_SETTINGS);
    expect(again.keys).toEqual(before);
    expect(await bindings.CONFIG.get(`keyset/${f.serverId}`)).toBe(published);
  });

  it("keeps its keys across a restart of the Durable Object and of the isolate", async () => {
    const f = await seedServer();
    const before = await serverKeys(f.serverId);
    const kid = (await issue(freshApp(), f.issuer, f.clientId)).header.kid;

    const stub = vault(f.serverId);
    await stub.status();
    await evictDurableObject(stub);
    expect((await vault(f.serverId).status()).keys).toEqual(before);
    expect((await vault(f.serverId).configure(f.serverId, DEFAULT_SETTINGS)).keys).toEqual(before);
    // a new isolate unseals the same keyset and signs with the same key
    expect((await issue(freshApp(), f.issuer, f.clientId)).header.kid).toBe(kid);
  });

  it("publishes only sealed private keys to KV, in a record authenticated as a whole", async () => {
    const f = await seedServer();
    const raw = await keysetRecord(f.serverId);
    const keyset = await publishedKeyset(f.serverId);
    for (const key of keyset.jwks.keys) expect(key).not.toHaveProperty("d");
    expect(raw).not.toMatch(/\\?"d\\?"\s*:/);
    expect(keyset.sealed.iv).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(Object.keys(JSON.parse(raw)).sort()).toEqual(["format", "keyset", "mac"]);
  });

  it("never signs with keys sealed for another server moved into this one's record", async () => {
    const a = await seedServer();
    const b = await seedServer();
    const recordB = await keysetRecord(b.serverId);
    const sealedA = (await publishedKeyset(a.serverId)).sealed;
    const outer = JSON.parse(recordB);
    const moved = { ...outer, keyset: JSON.stringify({ ...JSON.parse(outer.keyset), sealed: sealedA }) };
    await bindings.CONFIG.put(`keyset/${b.serverId}`, JSON.stringify(moved));
    try {
      // The MAC fails, so the edge asks B's vault for its record and signs with B's own key.
      const kid = (await issue(freshApp(), b.issuer, b.clientId)).header.kid;
      expect((await serverKeys(b.serverId)).map((k) => k.kid)).toContain(kid);
      expect((await serverKeys(a.serverId)).map((k) => k.kid)).not.toContain(kid);
    } finally {
      await bindings.CONFIG.put(`keyset/${b.serverId}`, recordB);
    }
  });
});

describe("an edge never goes back to an older keyset", () => {
  it("keeps the newest version it held when the colo cache and a lagging KV replica hand out an older one", async () => {
    const f = await seedServer();
    const keysetKey = `keyset/${f.serverId}`;
    const older = (await bindings.CONFIG.get(keysetKey)) as string;
    const revoked = (await vault(f.serverId).status()).kid as string;
    await vault(f.serverId).revoke(revoked);
    const newer = (await bindings.CONFIG.get(keysetKey)) as string;
    expect((await openRecord(newer, f.serverId)).version).toBeGreaterThan(
      (await openRecord(older, f.serverId)).version,
    );

    let now = Date.now();
    const edge = freshApp(createDeps(() => now));
    expect((await issue(edge, f.issuer, f.clientId)).header.kid).not.toBe(revoked);
    try {
      // What a KV replica that has not seen the revocation, and another isolate's copy of it in the
      // colo cache, would hand out: the keyset in which the revoked key still signs.
      await bindings.CONFIG.put(keysetKey, older);
      await caches.default.put(
        `https://keysets.warden.internal/${encodeURIComponent(f.serverId)}`,
        new Response(older, {
          headers: { "Content-Type": "application/json", "Cache-Control": "max-age=600" },
        }),
      );
      now += 61_000; // past the isolate's keyset TTL: it reads the colo cache, then KV, again
      expect((await issue(edge, f.issuer, f.clientId)).header.kid).not.toBe(revoked);
      const jwks = (await (await edge(new Request(`${f.issuer}/v1/keys`))).json()) as {
        keys: { kid: string }[];
      };
      expect(jwks.keys.map((k) => k.kid)).not.toContain(revoked);
    } finally {
      await bindings.CONFIG.put(keysetKey, newer);
      await caches.default.delete(`https://keysets.warden.internal/${encodeURIComponent(f.serverId)}`);
    }
  });

  it("reads KV when the colo cache's copy is older than what it held, and refreshes that copy", async () => {
    const f = await seedServer();
    const keysetKey = `keyset/${f.serverId}`;
    const cacheKey = `https://keysets.warden.internal/${encodeURIComponent(f.serverId)}`;
    const v1 = (await bindings.CONFIG.get(keysetKey)) as string;
    await vault(f.serverId).rotate();
    let now = Date.now();
    const edge = freshApp(createDeps(() => now));
    const v2Signer = (await issue(edge, f.issuer, f.clientId)).header.kid as string;
    await vault(f.serverId).revoke(v2Signer);
    const v3 = await publishedKeyset(f.serverId);
    try {
      await caches.default.put(
        cacheKey,
        new Response(v1, { headers: { "Content-Type": "application/json", "Cache-Control": "max-age=600" } }),
      );
      now += 61_000;
      const kid = (await issue(edge, f.issuer, f.clientId)).header.kid;
      expect(kid).not.toBe(v2Signer);
      expect(v3.keys.map((k) => k.kid)).toContain(kid);
      const cached = await openRecord(
        (await (await caches.default.match(cacheKey))?.text()) ?? "",
        f.serverId,
      );
      expect(cached.version).toBe(v3.version);
    } finally {
      await caches.default.delete(cacheKey);
    }
  });
});

describe("the token path's I/O", () => {
  /**
   * Wraps the bindings so every KV operation, Durable Object access and rate-limit binding call is
   * counted.
   */
  function countingEnv() {
    const calls = { kv: [] as string[], durableObjects: 0, rateLimits: [] as string[] };
    const kv = new Proxy(bindings.CONFIG, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.kv.push(`${String(prop)} ${String(args[0])}`);
          return value.apply(target, args);
        };
      },
    });
    const namespace = <T extends object>(ns: T) =>
      new Proxy(ns, {
        get(target, prop) {
          const value = Reflect.get(target, prop);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            calls.durableObjects += 1;
            return value.apply(target, args);
          };
        },
      });
    const tokenRateLimit = bindings.TOKEN_RATE_LIMIT as RateLimit;
    const counted: Env = {
      ...bindings,
      CONFIG: kv,
      CONTROL_PLANE: namespace(bindings.CONTROL_PLANE),
      KEY_VAULT: namespace(bindings.KEY_VAULT),
      RATE_LIMITER: namespace(bindings.RATE_LIMITER),
      ASSERTION_REPLAY: namespace(bindings.ASSERTION_REPLAY),
      TOKEN_RATE_LIMIT: {
        limit: (options) => {
          calls.rateLimits.push(options.key);
          return tokenRateLimit.limit(options);
        },
      },
    };
    return { counted, calls };
  }

  // The revocation pulse (src/config/revocation-pulse.ts): a cold isolate awaits it from the colo's
  // Cache API (no binding), fresh here as in any location with traffic; only where no isolate of the
  // location refreshed it for 3 s does a cold isolate read the control plane
  // (test/worker/revocation-pulse.test.ts counts that, and the background refresh every 4 s).
  // The per-client rate limit (README "Rate limits") adds the `TOKEN_RATE_LIMIT` binding: not a
  // network call but a counter cached on the Worker's own machine ("You are not waiting on a network
  // request", developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/#performance), and
  // even so consulted only on a client's first request in a window and then once per
  // RATE_LIMIT_REPORT_EVERY (10) requests: the binding counts in units of 10.
  it("costs a cold isolate one KV read per kind of object and no Durable Object call; a warm one no I/O at all", async () => {
    const f = await seedServer();
    const { counted, calls } = countingEnv();
    // A fixed clock: the requests below must fall in one rate-limit window.
    const start = Date.now();
    const fetch = freshApp(createDeps(() => start));
    await freshColoPulse();
    const request = () =>
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials", scope: "read" },
        { authorization: basic(f.clientId, SECRET) },
      );

    expect((await fetch(request(), counted)).status).toBe(200);
    expect(calls.kv.sort()).toEqual([
      `get client/${f.clientId}`,
      `get keyset/${f.serverId}`,
      `get snapshot/${f.serverId}`,
    ]);
    expect(calls.durableObjects).toBe(0);
    expect(calls.rateLimits).toEqual([f.clientId]);

    calls.kv.length = 0;
    calls.rateLimits.length = 0;
    for (let i = 0; i < 9; i++) expect((await fetch(request(), counted)).status).toBe(200);
    expect(calls.kv).toEqual([]);
    expect(calls.durableObjects).toBe(0);
    expect(calls.rateLimits).toEqual([]);
    // The client's 11th request starts its second unit of 10: one binding call, nothing else.
    expect((await fetch(request(), counted)).status).toBe(200);
    expect(calls.rateLimits).toEqual([f.clientId]);
    expect(calls.kv).toEqual([]);
    expect(calls.durableObjects).toBe(0);
  });

  it("serves concurrent requests of a cold isolate with one KV read per kind each, and no DO call", async () => {
    // Requests never share another's in-flight read (src/config/isolate-cache.ts): each cold one reads
    // the snapshot, the client and the keyset once; the values they leave behind serve the next.
    const f = await seedServer();
    const { counted, calls } = countingEnv();
    const fetch = freshApp();
    await freshColoPulse();
    const token = () =>
      fetch(
        tokenRequest(
          f.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(f.clientId, SECRET) },
        ),
        counted,
      );
    const responses = await Promise.all(Array.from({ length: 8 }, token));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(calls.kv.length).toBeLessThanOrEqual(8 * 3);
    expect(new Set(calls.kv).size).toBe(3);
    expect(calls.durableObjects).toBe(0);
    calls.kv.length = 0;
    expect((await token()).status).toBe(200);
    expect(calls.kv).toEqual([]);
  });
});
