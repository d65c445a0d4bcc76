/// <reference types="node" />
/**
 * Rotation under load, black-box: `npm start` with an accelerated schedule (a key signs for 10 s, its
 * successor is published 5 s ahead), tokens issued continuously by several clients while keys rotate
 * on schedule and by keyRotate, every token verified at once by
 * - a strict verifier that refreshes the JWKS only when its `Cache-Control: max-age` runs out, and
 * - `warden/verify`, which also refetches (rate-limited) on an unknown kid.
 * Then an emergency revocation: once the bound has passed, both reject the revoked key's tokens.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, type Verifier } from "../../src/verify";
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
  writeFileSync(join(stateDir, "vars.env"), "KEYSET_CACHE_TTL_SECONDS=1\nKV_PROPAGATION_SECONDS=0\n");
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

describe("rotation under load", () => {
  const wardenVerifier = () => createVerifier({ issuer, audience: AUDIENCE, cache: null });

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

  it("verifies every token across keyRotate calls, and rejects a revoked key's tokens once the bound has passed", async () => {
    const verifier = wardenVerifier();
    let stopped = false;
    const running = load(4, { warden: verifier }, () => stopped);
    for (let i = 0; i < 2; i++) {
      await sleep(3000);
      const res = await admin(`/authorizationServers/${SERVER}/credentials/lifecycle/keyRotate`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ use: "sig" }),
      });
      expect(res.status).toBe(200);
    }
    await sleep(3000);
    stopped = true;
    const result = await running;
    expect(result.failures.warden).toEqual([]);
    expect(result.kids.size).toBeGreaterThanOrEqual(3);

    // Emergency revocation of the key signing now.
    const before = await token();
    const revoked = decodeProtectedHeader(before).kid as string;
    const strict = new CacheControlVerifier(`${issuer}/v1/keys`);
    await strict.verify(before);
    const revoke = await admin(
      `/authorizationServers/${SERVER}/credentials/keys/${revoked}/lifecycle/revoke`,
      { method: "POST" },
    );
    expect(revoke.status).toBe(200);

    // The bound for a max-age verifier: propagation plus the max-age it last saw.
    await sleep((PROPAGATION_SECONDS + strict.lastMaxAge + 1) * 1000);
    await expect(strict.verify(before)).rejects.toThrow();
    await expect(wardenVerifier().verify(before)).rejects.toMatchObject({ reason: "unknown_kid" });
    const after = await token();
    expect(decodeProtectedHeader(after).kid).not.toBe(revoked);
    await expect(strict.verify(after)).resolves.toBeUndefined();
  }, 90_000);
});
