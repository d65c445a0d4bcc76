/**
 * Fixtures for the verifier tests, shared by the unit (Node) and worker (workerd) tiers: keys made in
 * the test with jose, tokens in both Warden profiles, a JWKS "server" that is only a fetch function
 * (no network), and a clock the test moves by hand.
 */
import { base64url, type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { Algorithm } from "../../src/verify";

export const ISSUER = "https://warden.test/oauth2/default";
export const AUDIENCE = "api://orders";
export const JWKS_URI = `${ISSUER}/v1/keys`;
/** 2026-01-01T00:00:00Z, a fixed instant for every test clock. */
export const T0 = Date.UTC(2026, 0, 1);
export const T0_SECONDS = T0 / 1000;

export interface TestKey {
  kid: string;
  alg: Algorithm;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** As the authorization server publishes it: public members, `alg`, `kid`, `use: sig`. */
  jwk: JWK;
}

let kidCounter = 0;
export async function makeKey(
  alg: Algorithm = "RS256",
  kid = `kid-${alg}-${++kidCounter}`,
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg, kid, use: "sig" };
  return { kid, alg, privateKey, publicKey, jwk };
}

export function oktaClaims(
  overrides: Record<string, unknown> = {},
  nowSeconds = T0_SECONDS,
): Record<string, unknown> {
  return {
    ver: 1,
    jti: `AT.${crypto.randomUUID()}`,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: nowSeconds,
    exp: nowSeconds + 3600,
    cid: "svc-client",
    scp: ["orders:read"],
    sub: "svc-client",
    ...overrides,
  };
}

export function rfc9068Claims(
  overrides: Record<string, unknown> = {},
  nowSeconds = T0_SECONDS,
): Record<string, unknown> {
  return {
    iss: ISSUER,
    exp: nowSeconds + 3600,
    aud: AUDIENCE,
    sub: "svc-client",
    client_id: "svc-client",
    iat: nowSeconds,
    jti: crypto.randomUUID(),
    scope: "orders:read",
    ...overrides,
  };
}

/** Signs like Warden: header `{alg, kid}` (+ `typ: at+jwt` for rfc9068); `header` overrides or adds members. */
export function sign(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

export const signOkta = (key: TestKey, overrides: Record<string, unknown> = {}) =>
  sign(key, oktaClaims(overrides));
export const signRfc9068 = (key: TestKey, overrides: Record<string, unknown> = {}) =>
  sign(key, rfc9068Claims(overrides), { typ: "at+jwt" });

export function b64json(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

/** An unsecured JWT (RFC 7519 §6): what `alg: none` attacks send. */
export function unsecured(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  return `${b64json(header)}.${b64json(claims)}.`;
}

export interface Clock {
  now: () => number;
  advance(seconds: number): void;
  set(ms: number): void;
}

export function clock(start = T0): Clock {
  let t = start;
  return {
    now: () => t,
    advance: (seconds) => {
      t += seconds * 1000;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

export interface JwksCall {
  url: string;
  ifNoneMatch: string | null;
  /** What was answered: a status, or "error" for a network failure. */
  outcome: number | "error" | "pending";
}

type Mode = "ok" | "network_error" | "status_500" | "invalid_json";

/**
 * The authorization server's `/v1/keys` as a fetch function: `Cache-Control` as configured, an ETag
 * per key-set version and 304 on a matching `If-None-Match`, outages on demand, and responses that can
 * be held back to simulate a slow request. Every call is recorded.
 */
export class FakeJwksServer {
  readonly calls: JwksCall[] = [];
  cacheControl = "public, max-age=300";
  headers: Record<string, string> = {};
  mode: Mode = "ok";
  private keys: unknown[] = [];
  private version = 0;
  private holdNext = false;
  private readonly releases: (() => void)[] = [];

  constructor(keys: readonly (TestKey | JWK)[] = []) {
    this.setKeys(keys);
  }

  /** Test keys, JWKs, or anything at all (to publish junk). */
  setKeys(keys: readonly unknown[]): void {
    this.keys = keys.map((k) =>
      typeof k === "object" && k !== null && "privateKey" in k ? (k as TestKey).jwk : k,
    );
    this.version += 1;
  }

  get etag(): string {
    return `"jwks-v${this.version}"`;
  }

  /** Holds the next response (as it would be at call time) until `release()` is called. */
  holdNextResponse(): void {
    this.holdNext = true;
  }

  release(): void {
    for (const r of this.releases.splice(0)) r();
  }

  /** Calls that reached the server (network failures included). */
  get count(): number {
    return this.calls.length;
  }

  readonly fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const ifNoneMatch = new Headers(init.headers).get("if-none-match");
    const call: JwksCall = { url: String(input), ifNoneMatch, outcome: "pending" };
    this.calls.push(call);
    // Snapshot the state now: a held response answers with what the server had when asked.
    const mode = this.mode;
    const body = JSON.stringify({ keys: this.keys });
    const etag = this.etag;
    // An empty `cacheControl` sends no Cache-Control header at all.
    const headers: Record<string, string> = { ETag: etag, ...this.headers };
    if (this.cacheControl) headers["Cache-Control"] = this.cacheControl;
    if (this.holdNext) {
      this.holdNext = false;
      await new Promise<void>((resolve) => this.releases.push(resolve));
    }
    switch (mode) {
      case "network_error":
        call.outcome = "error";
        throw new TypeError("fetch failed");
      case "status_500":
        call.outcome = 500;
        return new Response("upstream down", { status: 500 });
      case "invalid_json":
        call.outcome = 200;
        return new Response("<html>", { status: 200, headers });
      case "ok":
        if (ifNoneMatch === etag) {
          call.outcome = 304;
          return new Response(null, { status: 304, headers });
        }
        call.outcome = 200;
        return new Response(body, {
          status: 200,
          headers: { "Content-Type": "application/json", ...headers },
        });
    }
  };
}

/** Lets queued microtasks and short timers (background revalidation) finish. */
export function settle(ms = 10): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
