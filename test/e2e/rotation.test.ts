/// <reference types="node" />
/**
 * Rotation under load, black-box: `npm start` with an accelerated schedule (a key signs for 10 s; a
 * NEXT key is always published, at least 5 s ahead), tokens issued continuously by several clients
 * while keys rotate on schedule and by keyRotate, every token verified at once by
 * - a strict verifier that refreshes the JWKS only when its `Cache-Control: max-age` runs out, and
 * - `warden/verify`, which also refetches (rate-limited) on an unknown kid.
 * Then an emergency revocation: once the bound has passed, both reject the revoked key's tokens —
 * the `warden/verify` instance that verified under load as well, with its JWKS long warm.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type Verifier } from "warden/verify";
import { parseCacheControl } from "../../src/verify/freshness";
import { basicAuth, freePort, makeStateDir, removeStateDir, startWarden, type WardenProcess } from "./warden";

const SERVER = "rotating";
const AUDIENCE = "api://rotating";
const CLIENT = "rotation-load";
const SECRET = "rotation-load-secret-0123456789abcdefghijkl";
const PERIOD = 10;
const LEAD = 5;
/** vars.env below: KV is instant locally and keysets are trusted 1 s, so propagation is 0 + 2 × 1 s. */
const PROPAGATION_SECONDS = 2;

let stateDir: string;
let warden: WardenProcess | undefined;
let issuer: string;

/** Refreshes the JWKS only when max-age has run out: no other signal, no refetch on an unknown kid. */
class CacheControlVerifier {
  private keys?: ReturnType<typeof createLocalJWKSet>;
  private expiresAt = 0;
  fetches = 0;
  lastMaxAge = 0;

  constructor(private readonly jwksUri: string) {}

  async verify(token: string): Promise<void> {
    if (!this.keys || Date.now() >= this.expiresAt) await this.refresh();
    await jwtVerify(token, this.keys as ReturnType<typeof createLocalJWKSet>, {
      issuer,
      audience: AUDIENCE,
      algorithms: ["ES256"],
    });
  }

  private async refresh(): Promise<void> {
    const res = await fetch(this.jwksUri);
    this.fetches += 1;
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get("Cache-Control") ?? "")?.[1] ?? 0);
    this.lastMaxAge = maxAge;
    this.keys = createLocalJWKSet((await res.json()) as JSONWebKeySet);
    this.expiresAt = Date.now() + maxAge * 1000;
  }
}

async function admin(path: string, init: RequestInit = {}): Promise<Response> {
  const local = warden?.local;
  if (!local) throw new Error("warden is not running");
  const headers = new Headers(init.headers);
  headers.set("Authorization", `SSWS ${local.adminToken}`);
  return fetch(`${local.baseUrl}/api/v1${path}`, { ...init, headers });
}

async function token(): Promise<string> {
  const res = await fetch(`${issuer}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: basicAuth(CLIENT, SECRET),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials&scope=load",
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

interface LoadResult {
  issued: number;
  kids: Set<string>;
  tokensByKid: Map<string, string>;
  failures: { strict: string[]; warden: string[] };
}

/** Issues and verifies tokens from `clients` concurrent loops until `stop()` says so. */
async function load(
  clients: number,
  verifiers: { strict?: CacheControlVerifier; warden: Verifier },
  stop: () => boolean,
): Promise<LoadResult> {
  const result: LoadResult = {
    issued: 0,
    kids: new Set(),
    tokensByKid: new Map(),
    failures: { strict: [], warden: [] },
  };
  const loop = async () => {
    while (!stop()) {
      const jwt = await token();
      const kid = decodeProtectedHeader(jwt).kid as string;
      result.issued += 1;
      result.kids.add(kid);
      result.tokensByKid.set(kid, jwt);
      await verifiers.strict
        ?.verify(jwt)
        .catch((e: Error) => result.failures.strict.push(`${kid}: ${e.message}`));
      await verifiers.warden
        .verify(jwt)
        .catch((e: Error) => result.failures.warden.push(`${kid}: ${e.message}`));
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  return result;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stateDir = makeStateDir();
  writeFileSync(
    join(stateDir, "vars.env"),
    "KEYSET_CACHE_TTL_SECONDS=1\nKV_PROPAGATION_SECONDS=0\nTOKEN_RATE_LIMIT_PER_MINUTE=1000000000\n",
  );
  warden = await startWarden({ stateDir, port: await freePort() });
  issuer = `${warden.local.baseUrl}/oauth2/${SERVER}`;
  const imported = await admin("/warden/import", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      clients: [{ client_id: CLIENT, client_name: "rotation load", client_secrets: [SECRET] }],
      authorizationServers: [
        {
          server: {
            id: SERVER,
            name: SERVER,
            audiences: [AUDIENCE],
            credentials: {
              signing: { alg: "ES256", rotationPeriodSeconds: PERIOD, nextKeyLeadSeconds: LEAD },
            },
          },
          scopes: [{ id: "load", name: "load" }],
          policies: [
            {
              id: "all",
              name: "all",
              priority: 1,
              conditions: { clients: { include: ["ALL_CLIENTS"] } },
              rules: [
                {
                  id: "cc",
                  name: "cc",
                  priority: 1,
                  conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(imported.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await warden?.stop();
  if (stateDir) removeStateDir(stateDir);
}, 60_000);

/** What a verifier's own JWKS requests returned: when, and for how long the response said to keep it. */
interface JwksFetchLog {
  at: number;
  keepSeconds: number;
}

/** `fetch` for `warden/verify` that logs each JWKS response's max-age + stale-while-revalidate. */
function loggingFetch(log: JwksFetchLog[]) {
  return async (input: string, init: RequestInit): Promise<Response> => {
    const at = Date.now();
    const res = await fetch(input, init);
    const cc = parseCacheControl(res.headers.get("Cache-Control"));
    const keepSeconds = Number(cc.get("max-age") ?? 0) + Number(cc.get("stale-while-revalidate") ?? 0);
    log.push({ at, keepSeconds });
    return res;
  };
}

describe("rotation under load", () => {
  const wardenVerifier = (log?: JwksFetchLog[]) =>
    createVerifier({ issuer, audience: AUDIENCE, cache: null, ...(log ? { fetch: loggingFetch(log) } : {}) });

  it("verifies every token across scheduled rotations, even for a verifier that only honours max-age", async () => {
    const strict = new CacheControlVerifier(`${issuer}/v1/keys`);
    const deadline = Date.now() + 3.5 * PERIOD * 1000;
    const result = await load(4, { strict, warden: wardenVerifier() }, () => Date.now() > deadline);

    expect(result.failures.strict).toEqual([]);
    expect(result.failures.warden).toEqual([]);
    // at least three scheduled rotations: four signing keys seen
    expect(result.kids.size).toBeGreaterThanOrEqual(4);
    expect(result.issued).toBeGreaterThan(100);
    // the strict verifier really cached: far fewer JWKS fetches than tokens
    expect(strict.fetches).toBeLessThan(result.issued / 4);
    console.info(
      `scheduled rotation: ${result.issued} tokens, ${result.kids.size} signing keys, ${strict.fetches} JWKS fetches by the max-age verifier, 0 failures`,
    );
  }, 90_000);

  it("verifies every token across keyRotate calls for a max-age-only verifier too, and a long-lived warden/verify rejects a revoked key once the bound has passed", async () => {
    const fetchLog: JwksFetchLog[] = [];
    const verifier = wardenVerifier(fetchLog);
    const strict = new CacheControlVerifier(`${issuer}/v1/keys`);
    let stopped = false;
    const running = load(4, { strict, warden: verifier }, () => stopped);
    // Three keyRotates, the later ones well within one cache lifetime of the one before: each makes
    // its key sign only once no cached JWKS can lack it.
    for (let i = 0; i < 3; i++) {
      await sleep(5000);
      const res = await admin(`/authorizationServers/${SERVER}/credentials/lifecycle/keyRotate`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ use: "sig" }),
      });
      expect(res.status).toBe(200);
    }
    await sleep(7000);
    stopped = true;
    const result = await running;
    expect(result.failures.strict).toEqual([]);
    expect(result.failures.warden).toEqual([]);
    expect(result.kids.size).toBeGreaterThanOrEqual(3);
    console.info(
      `keyRotate under load: ${result.issued} tokens, ${result.kids.size} signing keys, ${strict.fetches} JWKS fetches by the max-age verifier, 0 failures`,
    );

    // Emergency revocation of the key signing now.
    const before = await token();
    const revoked = decodeProtectedHeader(before).kid as string;
    await verifier.verify(before);
    const strictAfter = new CacheControlVerifier(`${issuer}/v1/keys`);
    await strictAfter.verify(before);
    const revokedAt = Date.now();
    const revoke = await admin(
      `/authorizationServers/${SERVER}/credentials/keys/${revoked}/lifecycle/revoke`,
      { method: "POST" },
    );
    expect(revoke.status).toBe(200);

    // The bound for a verifier that honours Cache-Control: any JWKS response it fetched before the
    // revocation reached every edge (propagation) may still lack the news; it keeps that response
    // for max-age + stale-while-revalidate, then refetches.
    const propagated = revokedAt + PROPAGATION_SECONDS * 1000;
    await sleep(propagated - Date.now() + 100);
    const wardenBound = Math.max(
      propagated,
      ...fetchLog.filter((f) => f.at < propagated).map((f) => f.at + f.keepSeconds * 1000),
    );
    const strictBound = revokedAt + (PROPAGATION_SECONDS + strictAfter.lastMaxAge) * 1000;
    await sleep(wardenBound - Date.now() + 1000);
    await expect(verifier.verify(before)).rejects.toMatchObject({ reason: "unknown_kid" });
    const refusedAfter = (Date.now() - revokedAt) / 1000;
    await sleep(strictBound - Date.now() + 1000);
    await expect(strictAfter.verify(before)).rejects.toThrow();
    const after = await token();
    expect(decodeProtectedHeader(after).kid).not.toBe(revoked);
    await expect(strictAfter.verify(after)).resolves.toBeUndefined();
    await expect(verifier.verify(after)).resolves.toMatchObject({ clientId: CLIENT });
    console.info(
      `revocation: the long-lived warden/verify refused the revoked key ${refusedAfter.toFixed(1)} s after revoke (its bound ${((wardenBound - revokedAt) / 1000).toFixed(1)} s; the max-age verifier's ${((strictBound - revokedAt) / 1000).toFixed(1)} s)`,
    );
  }, 120_000);
});
