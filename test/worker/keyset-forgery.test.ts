/**
 * A stranger who can write the KV namespace (or a colo's Cache API copy) tries to publish a key of
 * their own in a server's keyset, so that Warden's JWKS serves it, `warden/verify` accepts their
 * tokens and the management API takes their org tokens. Every record is authenticated as a whole for
 * the server asked for (src/keys/keyset-record.ts): none of that works, the edge recovers the
 * vault's record, and where it cannot the server has no keys (503), never the attacker's.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { base64url, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createVerifier, TokenVerificationError } from "warden/verify";
import { createDeps } from "../../src/app";
import { ORG_KEYS_ID } from "../../src/config/defaults";
import type { Env } from "../../src/env";
import type { KeyVault } from "../../src/keys/key-vault";
import type { PublishedKeyset } from "../../src/keys/keyset";
import {
  adminRequest,
  basic,
  type ClientKey,
  clientKey,
  decodeJwt,
  type Fixture,
  freshApp,
  keysetRecord,
  ORIGIN,
  openRecord,
  orgAccessToken,
  publishedKeyset,
  SECRET,
  seedOrgClient,
  seedServer,
  tokenRequest,
} from "./helpers";

const bindings = env as Env;
const keysetKey = (serverId: string) => `keyset/${serverId}`;
const cacheUrl = (serverId: string) => `https://keysets.warden.internal/${encodeURIComponent(serverId)}`;
const vault = (serverId: string) => bindings.KEY_VAULT.get(bindings.KEY_VAULT.idFromName(serverId));
type App = ReturnType<typeof freshApp>;

/** The bindings with the key vaults unreachable (counted): the edge cannot recover a record. */
function withoutVaults() {
  const calls = { vault: 0 };
  const KEY_VAULT = new Proxy(bindings.KEY_VAULT, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "get") {
        return () => {
          calls.vault += 1;
          throw new Error("key vault unreachable");
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { env: { ...bindings, KEY_VAULT } as Env, calls };
}

/** The records a stranger would write, each with `attacker`'s public key in the JWKS. */
async function forgeries(serverId: string, attacker: ClientKey): Promise<[string, string][]> {
  const genuine = await publishedKeyset(serverId);
  const record = JSON.parse(await keysetRecord(serverId)) as Record<string, string>;
  const withAttacker: PublishedKeyset = {
    ...genuine,
    // Newer than anything the vault published, so "newest wins" would pick it.
    version: genuine.version + 1_000_000,
    jwks: { keys: [...genuine.jwks.keys, attacker.publicJwk as JWK] },
  };
  const payload = JSON.stringify(withAttacker);
  const ownKey = (await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ])) as CryptoKey;
  const ownMac = await crypto.subtle.sign("HMAC", ownKey, new TextEncoder().encode(payload));
  return [
    ["a record with no MAC, as Warden published before", payload],
    ["the vault's MAC kept over a changed keyset", JSON.stringify({ ...record, keyset: payload })],
    [
      "a MAC under a key of the attacker's own",
      JSON.stringify({ ...record, keyset: payload, mac: base64url.encode(new Uint8Array(ownMac)) }),
    ],
  ];
}

/** A genuine token's claims, signed by the attacker's key under the attacker's kid. */
async function forge(genuine: string, attacker: ClientKey): Promise<string> {
  const { header, payload } = decodeJwt(genuine);
  return new SignJWT(payload)
    .setProtectedHeader({ ...header, alg: attacker.alg, kid: attacker.kid })
    .sign(attacker.privateKey);
}

async function token(app: App, f: Fixture, bindingsFor: Env = bindings): Promise<Response> {
  return app(
    tokenRequest(
      f.issuer,
      { grant_type: "client_credentials" },
      { authorization: basic(f.clientId, SECRET) },
    ),
    bindingsFor,
  );
}

async function accessToken(app: App, f: Fixture, bindingsFor: Env = bindings): Promise<string> {
  const res = await token(app, f, bindingsFor);
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function jwksKids(app: App, url: string, bindingsFor: Env = bindings): Promise<string[]> {
  const res = await app(new Request(url), bindingsFor);
  expect(res.status).toBe(200);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

async function vaultKids(serverId: string): Promise<string[]> {
  return (await vault(serverId).status()).keys.map((k) => k.kid).sort();
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "verified";
  } catch (error) {
    if (error instanceof TokenVerificationError) return error.reason;
    throw error;
  }
}

async function expectUnavailable(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe("temporarily_unavailable");
  expect(body.error_description).not.toMatch(/MAC|HMAC|decrypt|AES|keyset|stack|\.ts/i);
}

function verifierFor(f: Fixture, app: App) {
  return createVerifier({
    issuer: f.issuer,
    audience: "api://test",
    fetch: async (input, init) => app(new Request(input, init)),
    cache: null,
  });
}

describe("a stranger who can write a server's keyset in KV", async () => {
  const attacker = await clientKey("RS256");

  it.each(await forgeriesOfANewServer())(
    "%s: never gets the key served, accepted or used",
    async (_, setup) => {
      const { f, forged } = await setup();
      const genuineToken = await accessToken(freshApp(), f);
      const keys = await vaultKids(f.serverId);
      await bindings.CONFIG.put(keysetKey(f.serverId), forged);

      // The JWKS a fresh isolate serves is the vault's, recovered from the vault.
      const app = freshApp();
      expect((await jwksKids(app, `${f.issuer}/v1/keys`)).sort()).toEqual(keys);
      // warden/verify fed from that endpoint refuses the attacker's token and keeps accepting Warden's.
      const verifier = verifierFor(f, app);
      expect(await reasonOf(verifier.verify(await forge(genuineToken, attacker)))).toBe("unknown_kid");
      expect(await reasonOf(verifier.verify(genuineToken))).toBe("verified");
      // Tokens are signed with the vault's keys.
      expect(keys).toContain(decodeJwt(await accessToken(app, f)).header.kid);
      // Nothing forged went into the colo cache.
      const cached = await caches.default.match(cacheUrl(f.serverId));
      const cachedKeys = (await openRecord((await cached?.text()) ?? "", f.serverId)).jwks.keys;
      expect(cachedKeys.map((k) => k.kid)).not.toContain(attacker.kid);

      // Where the vault cannot be reached either, the server has no keys: 503, never the attacker's.
      const cut = withoutVaults();
      await caches.default.delete(cacheUrl(f.serverId));
      const isolated = freshApp();
      await expectUnavailable(await token(isolated, f, cut.env));
      for (const path of [
        "/v1/keys",
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
      ]) {
        await expectUnavailable(await isolated(new Request(`${f.issuer}${path}`), cut.env));
      }
      const cutVerifier = createVerifier({
        issuer: f.issuer,
        audience: "api://test",
        fetch: async (input, init) => freshApp()(new Request(input, init), cut.env),
        cache: null,
      });
      expect(await reasonOf(cutVerifier.verify(await forge(genuineToken, attacker)))).not.toBe("verified");
    },
  );

  async function forgeriesOfANewServer() {
    // Each case seeds its own server; the forged records are built from that server's genuine one.
    const names = (await forgeries((await seedServer()).serverId, attacker)).map(([name]) => name);
    return names.map((name, i) => [
      name,
      async () => {
        const f = await seedServer();
        return { f, forged: (await forgeries(f.serverId, attacker))[i]?.[1] as string };
      },
    ]) as [string, () => Promise<{ f: Fixture; forged: string }>][];
  }

  it("cannot move another server's genuine record under this server's id", async () => {
    const f = await seedServer();
    const other = await seedServer();
    await bindings.CONFIG.put(keysetKey(f.serverId), await keysetRecord(other.serverId));
    const cut = withoutVaults();
    const app = freshApp();
    await expectUnavailable(await app(new Request(`${f.issuer}/v1/keys`), cut.env));
    await expectUnavailable(await token(app, f, cut.env));
    // With its vault reachable, the edge recovers this server's own keys.
    const keys = await vaultKids(f.serverId);
    expect((await jwksKids(freshApp(), `${f.issuer}/v1/keys`)).sort()).toEqual(keys);
  });

  it("cannot replace a keyset an isolate holds, even past its TTL and with a higher version", async () => {
    const f = await seedServer();
    let now = Date.now();
    const app = freshApp(createDeps(() => now));
    const kid = decodeJwt(await accessToken(app, f)).header.kid;
    await bindings.CONFIG.put(
      keysetKey(f.serverId),
      (await forgeries(f.serverId, attacker))[1]?.[1] as string,
    );
    await caches.default.delete(cacheUrl(f.serverId));
    now += 61_000; // past the keyset TTL: the isolate reads KV again
    const cut = withoutVaults();
    expect(await jwksKids(app, `${f.issuer}/v1/keys`, cut.env)).not.toContain(attacker.kid);
    expect(decodeJwt(await accessToken(app, f, cut.env)).header.kid).toBe(kid);
  });

  it("makes an isolate ask the vault at most once per cooldown, not once per request", async () => {
    const f = await seedServer();
    await bindings.CONFIG.put(
      keysetKey(f.serverId),
      (await forgeries(f.serverId, attacker))[0]?.[1] as string,
    );
    let now = Date.now();
    const app = freshApp(createDeps(() => now));
    const cut = withoutVaults();
    await expectUnavailable(await token(app, f, cut.env));
    expect(cut.calls.vault).toBe(1);
    for (const step of [1_000, 5_000, 10_000]) {
      now += step;
      await expectUnavailable(await token(app, f, cut.env));
    }
    expect(cut.calls.vault).toBe(1);
    now += 30_000;
    await expectUnavailable(await token(app, f, cut.env));
    expect(cut.calls.vault).toBe(2);
  });

  it("cannot make the vault write KV more than once a minute by overwriting it", async () => {
    const f = await seedServer();
    const genuine = await keysetRecord(f.serverId);
    const forged = (await forgeries(f.serverId, attacker))[0]?.[1] as string;
    await bindings.CONFIG.put(keysetKey(f.serverId), forged);
    // Published just now: the vault answers with its record but leaves KV alone for a minute.
    expect(await vault(f.serverId).republish()).toBe(genuine);
    expect(await bindings.CONFIG.get(keysetKey(f.serverId))).toBe(forged);
    await runInDurableObject(vault(f.serverId), (instance: KeyVault) => {
      const later = Math.floor(Date.now() / 1000) + 61;
      instance.clock = () => later;
    });
    expect(await vault(f.serverId).republish()).toBe(genuine);
    expect(await bindings.CONFIG.get(keysetKey(f.serverId))).toBe(genuine);
  });
});

describe("a stranger who can write a colo's Cache API copy of a keyset", async () => {
  const attacker = await clientKey("RS256");

  it("never gets it served, accepted or used; the copy is replaced by the genuine one", async () => {
    const f = await seedServer();
    const genuineToken = await accessToken(freshApp(), f);
    const keys = await vaultKids(f.serverId);
    for (const [name, forged] of await forgeries(f.serverId, attacker)) {
      await caches.default.put(
        cacheUrl(f.serverId),
        new Response(forged, {
          headers: { "Content-Type": "application/json", "Cache-Control": "max-age=600" },
        }),
      );
      const app = freshApp();
      expect((await jwksKids(app, `${f.issuer}/v1/keys`)).sort(), name).toEqual(keys);
      expect(await reasonOf(verifierFor(f, app).verify(await forge(genuineToken, attacker))), name).toBe(
        "unknown_kid",
      );
      expect(keys, name).toContain(decodeJwt(await accessToken(app, f)).header.kid);
      const cached = await (await caches.default.match(cacheUrl(f.serverId)))?.text();
      expect(
        (await openRecord(cached ?? "", f.serverId)).jwks.keys.map((k) => k.kid),
        name,
      ).not.toContain(attacker.kid);
    }
  });

  it("gets a 503, not the attacker's keys, when KV is forged too and the vault cannot be reached", async () => {
    const f = await seedServer();
    const [, [, forged]] = (await forgeries(f.serverId, attacker)) as [unknown, [string, string]];
    await bindings.CONFIG.put(keysetKey(f.serverId), forged);
    await caches.default.put(
      cacheUrl(f.serverId),
      new Response(forged, {
        headers: { "Content-Type": "application/json", "Cache-Control": "max-age=600" },
      }),
    );
    const cut = withoutVaults();
    const app = freshApp();
    await expectUnavailable(await token(app, f, cut.env));
    await expectUnavailable(await app(new Request(`${f.issuer}/v1/keys`), cut.env));
    // The forged copy is gone from the colo cache.
    expect(await caches.default.match(cacheUrl(f.serverId))).toBeUndefined();
  });
});

describe("a stranger who can write the org keyset", async () => {
  const attacker = await clientKey("RS256");

  it("cannot get an org token of their own accepted by the management API", async () => {
    const f = await seedServer();
    const manager = await seedOrgClient(["okta.authorizationServers.manage"]);
    const genuine = await orgAccessToken(manager, "okta.authorizationServers.manage");
    const forgedToken = await forge(genuine, attacker);
    const orgRecord = await keysetRecord(ORG_KEYS_ID);
    const read = (bearer: string) =>
      adminRequest("GET", `/authorizationServers/${f.serverId}`, undefined, `Bearer ${bearer}`);
    try {
      for (const [name, forged] of await forgeries(ORG_KEYS_ID, attacker)) {
        await bindings.CONFIG.put(keysetKey(ORG_KEYS_ID), forged);
        await caches.default.delete(cacheUrl(ORG_KEYS_ID));
        // With the vault reachable the edge recovers the org keyset: Warden's token works, the
        // attacker's does not.
        const app = freshApp();
        expect((await app(read(forgedToken))).status, name).toBe(401);
        expect((await app(read(genuine))).status, name).toBe(200);
        expect(await jwksKids(app, `${ORIGIN}/oauth2/v1/keys`), name).not.toContain(attacker.kid);
        // Without it, no org token is accepted at all.
        await caches.default.delete(cacheUrl(ORG_KEYS_ID));
        const cut = withoutVaults();
        const isolated = freshApp();
        expect((await isolated(read(forgedToken), cut.env)).status, name).toBe(401);
        expect((await isolated(read(genuine), cut.env)).status, name).toBe(401);
        await expectUnavailable(await isolated(new Request(`${ORIGIN}/oauth2/v1/keys`), cut.env));
      }
    } finally {
      await bindings.CONFIG.put(keysetKey(ORG_KEYS_ID), orgRecord);
      await caches.default.delete(cacheUrl(ORG_KEYS_ID));
    }
  });
});

describe("a Worker whose KEY_ENCRYPTION_KEY is not the one the keysets were published under", () => {
  /** Nothing the control plane published verifies there: the snapshot neither, so the server is unknown. */
  async function expectUnknownServer(res: Response): Promise<void> {
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/MAC|HMAC|decrypt|AES|keyset|stack|\.ts/i);
  }

  it("serves no key: the server is unknown (its snapshot fails too) and no org token is accepted", async () => {
    const f = await seedServer();
    const manager = await seedOrgClient(["okta.authorizationServers.read"]);
    const genuine = await orgAccessToken(manager, "okta.authorizationServers.read");
    const wrongKey: Env = {
      ...bindings,
      KEY_ENCRYPTION_KEY: base64url.encode(crypto.getRandomValues(new Uint8Array(32))),
    };
    const app = freshApp();
    await expectUnknownServer(await token(app, f, wrongKey));
    for (const path of ["/v1/keys", "/.well-known/openid-configuration"]) {
      await expectUnknownServer(await app(new Request(`${f.issuer}${path}`), wrongKey));
    }
    const res = await app(
      adminRequest("GET", `/authorizationServers/${f.serverId}`, undefined, `Bearer ${genuine}`),
      wrongKey,
    );
    expect(res.status).toBe(401);
    // The org server's own keyset (no snapshot in front of it) still answers 503.
    await expectUnavailable(await app(new Request(`${ORIGIN}/oauth2/v1/keys`), wrongKey));
  });

  it("answers 404 and 503, not 500, when the secret is not a key at all", async () => {
    const f = await seedServer();
    const notAKey: Env = { ...bindings, KEY_ENCRYPTION_KEY: "too-short" };
    const app = freshApp();
    await expectUnknownServer(await token(app, f, notAKey));
    await expectUnknownServer(await app(new Request(`${f.issuer}/v1/keys`), notAKey));
    await expectUnavailable(await app(new Request(`${ORIGIN}/oauth2/v1/keys`), notAKey));
  });
});

describe("records published by an older Warden (no MAC)", () => {
  /** What an older Warden left behind: the keyset with no MAC in KV, a vault with no record of one. */
  async function olderWarden(serverId: string): Promise<PublishedKeyset> {
    const before = await publishedKeyset(serverId);
    await runInDurableObject(vault(serverId), (_, state) => {
      state.storage.sql.exec("DELETE FROM meta WHERE name IN ('publishedRecord', 'recordPutAt')");
    });
    await bindings.CONFIG.put(keysetKey(serverId), JSON.stringify(before));
    await caches.default.delete(cacheUrl(serverId));
    return before;
  }

  it("are replaced when an edge meets one first: it asks the vault, which publishes an authenticated record", async () => {
    const f = await seedServer();
    const before = await olderWarden(f.serverId);
    const kid = decodeJwt(await accessToken(freshApp(), f)).header.kid;
    expect(before.keys.map((k) => k.kid)).toContain(kid);
    const after = await publishedKeyset(f.serverId);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.jwks).toEqual(before.jwks);
  });

  it("are replaced on the vault's next call or alarm", async () => {
    const f = await seedServer();
    const before = await olderWarden(f.serverId);
    await vault(f.serverId).status();
    const after = await publishedKeyset(f.serverId);
    expect(after.version).toBeGreaterThan(before.version);
    const again = await olderWarden(f.serverId);
    await runInDurableObject(vault(f.serverId), (instance: KeyVault) => instance.alarm());
    expect((await publishedKeyset(f.serverId)).version).toBeGreaterThan(again.version);
  });
});
