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
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
} from "./helpers";

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

  it("publishes only sealed private keys to KV", async () => {
    const f = await seedServer();
    const raw = (await bindings.CONFIG.get(`keyset/${f.serverId}`)) as string;
    const keyset = JSON.parse(raw) as {
      jwks: { keys: Record<string, unknown>[] };
      sealed: { iv: string; ciphertext: string };
    };
    for (const key of keyset.jwks.keys) expect(key).not.toHaveProperty("d");
    expect(raw).not.toMatch(/"d"\s*:/);
    expect(keyset.sealed.iv).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it("cannot be unsealed under another server's name (AAD binds the server id)", async () => {
    const a = await seedServer();
    const b = await seedServer();
    const keysetA = await bindings.CONFIG.get(`keyset/${a.serverId}`);
    const keysetB = await bindings.CONFIG.get(`keyset/${b.serverId}`);
    const moved = { ...JSON.parse(keysetB as string), sealed: JSON.parse(keysetA as string).sealed };
    await bindings.CONFIG.put(`keyset/${b.serverId}`, JSON.stringify(moved));
    try {
      const res = await freshApp()(
        tokenRequest(
          b.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(b.clientId, SECRET) },
        ),
      );
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).not.toMatch(/decrypt|AES|stack/i);
    } finally {
      await bindings.CONFIG.put(`keyset/${b.serverId}`, keysetB as string);
    }
  });
});

describe("the token path's I/O", () => {
  /** Wraps the bindings so every KV operation and Durable Object access is counted. */
  function countingEnv() {
    const calls = { kv: [] as string[], durableObjects: 0 };
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
    const counted: Env = {
      ...bindings,
      CONFIG: kv,
      CONTROL_PLANE: namespace(bindings.CONTROL_PLANE),
      KEY_VAULT: namespace(bindings.KEY_VAULT),
    };
    return { counted, calls };
  }

  it("costs a cold isolate one KV read per kind of object and no Durable Object call; a warm one no I/O at all", async () => {
    const f = await seedServer();
    const { counted, calls } = countingEnv();
    const fetch = freshApp();
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

    calls.kv.length = 0;
    for (let i = 0; i < 10; i++) expect((await fetch(request(), counted)).status).toBe(200);
    expect(calls.kv).toEqual([]);
    expect(calls.durableObjects).toBe(0);
  });

  it("shares one KV read between concurrent requests of a cold isolate", async () => {
    const f = await seedServer();
    const { counted, calls } = countingEnv();
    const fetch = freshApp();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(
          tokenRequest(
            f.issuer,
            { grant_type: "client_credentials" },
            { authorization: basic(f.clientId, SECRET) },
          ),
          counted,
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(calls.kv).toHaveLength(3);
    expect(calls.durableObjects).toBe(0);
  });
});
