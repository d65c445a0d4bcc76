/**
 * The bench's floor (bench/floor-entry.ts): the minimal token Worker Warden's cold-start ratio is read
 * against (issue 13 item 5). Built as the bench builds it (bench/lib/build.mjs `floorBundle`, through
 * scripts/build.mjs) and run on workerd as the bench runs it (bench/lib/miniflare.mjs `startFloor`):
 * it must do a token endpoint's job — a verifiable Okta-shaped token for the right client, an RFC 6749
 * §5.2 refusal for anything else — or the floor it gives is not a token endpoint's. And
 * `floorColdStarts` measures it. In the e2e tier: it runs workerd (the unit tier is plain Node).
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { floorBundle } from "../../bench/lib/build.mjs";
import { type StartedWorker, startFloor } from "../../bench/lib/miniflare.mjs";
import { floorColdStarts } from "../../bench/lib/startup.mjs";

// A secret with a colon, a plus and a percent sign: RFC 6749 §2.3.1 form-encodes both parts inside
// the Basic credentials, so the first `:` of the decoded pair is the separator and `+` is a space.
const credentials = { clientId: "bench client", clientSecret: "s3cr:et+%/=" };
const ALGS = ["RS256", "ES256"] as const;

/** RFC 6749 §2.3.1 Basic credentials, each part form-encoded first. */
function basic(id: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const GOOD_BODY = "grant_type=client_credentials&scope=orders%3Aread+orders%3Awrite";

/** The right credentials, form-encoded except the secret's `+`, which is sent as it is. */
function rawPlus(): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  const secret = encode(credentials.clientSecret).replace("%2B", "+");
  return `Basic ${Buffer.from(`${encode(credentials.clientId)}:${secret}`).toString("base64")}`;
}

let tmp: string;
let bundle: string;
const floors = new Map<string, { worker: StartedWorker; publicKey: KeyObject }>();

function keyPair(alg: (typeof ALGS)[number]) {
  return alg === "RS256"
    ? generateKeyPairSync("rsa", { modulusLength: 2048 })
    : generateKeyPairSync("ec", { namedCurve: "P-256" });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "warden-floor-test-"));
  bundle = await floorBundle(join(tmp, "floor"));
  for (const alg of ALGS) {
    const { privateKey, publicKey } = keyPair(alg);
    const signingJwk = { ...privateKey.export({ format: "jwk" }), alg, kid: `kid-${alg}` };
    floors.set(alg, { worker: await startFloor({ bundlePath: bundle, credentials, signingJwk }), publicKey });
  }
}, 60_000);

afterAll(async () => {
  for (const { worker } of floors.values()) await worker.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

function floor(alg: string) {
  const found = floors.get(alg);
  if (!found) throw new Error(`no ${alg} floor`);
  return found;
}

const tokenUrl = (alg = "RS256") => `${floor(alg).worker.baseUrl}/oauth2/floor/v1/token`;

function post(body: string, authorization?: string, alg = "RS256"): Promise<Response> {
  return fetch(tokenUrl(alg), {
    method: "POST",
    headers: { ...FORM, ...(authorization === undefined ? {} : { authorization }) },
    body,
  });
}

describe("the floor answers a client_credentials token as a token endpoint does", () => {
  for (const alg of ALGS)
    it(`signs an Okta-shaped ${alg} access token, verifiable with the key's public half`, async () => {
      const res = await post(GOOD_BODY, basic(credentials.clientId, credentials.clientSecret), alg);
      expect(res.status).toBe(200);
      // RFC 6749 §5.1: the answer carries a credential and must not be cached.
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("pragma")).toBe("no-cache");
      expect(res.headers.get("content-type")).toBe("application/json");
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        token_type: "Bearer",
        expires_in: 3600,
        scope: "orders:read orders:write",
      });
      const token = String(body.access_token);
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: `kid-${alg}` });
      const { worker, publicKey } = floor(alg);
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: `${worker.baseUrl}/oauth2/floor`,
        audience: "api://bench",
        algorithms: [alg],
      });
      expect(payload).toMatchObject({
        ver: 1,
        cid: credentials.clientId,
        sub: credentials.clientId,
        scp: ["orders:read", "orders:write"],
      });
      expect(payload.jti).toMatch(/^AT\./);
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    });

  it("gives every token its own jti and signs the next tokens with the key imported by the first", async () => {
    const auth = basic(credentials.clientId, credentials.clientSecret);
    const tokens = [];
    for (let i = 0; i < 3; i++)
      tokens.push(((await (await post(GOOD_BODY, auth)).json()) as { access_token: string }).access_token);
    const jtis = await Promise.all(
      tokens.map(async (t) => (await jwtVerify(t, floor("RS256").publicKey)).payload.jti),
    );
    expect(new Set(jtis).size).toBe(3);
  });
});

describe("the floor refuses what a token endpoint refuses, in RFC 6749 §5.2's shape", () => {
  const INVALID_CLIENT = {
    error: "invalid_client",
    error_description:
      "Client authentication failed. Either the client or the client credentials are invalid.",
  };
  const refusals: [string, string | undefined][] = [
    ["a wrong secret", basic(credentials.clientId, "wrong")],
    ["another client's id with the right secret", basic("other", credentials.clientSecret)],
    // Form encoding reads a raw `+` as a space: the secret's `+` must travel as `%2B`.
    ["the secret's `+` sent raw", rawPlus()],
    ["no Authorization header", undefined],
    ["a Bearer token instead of Basic credentials", "Bearer abc"],
    ["Basic credentials that are not base64", "Basic !!!"],
    ["Basic credentials without a colon", `Basic ${Buffer.from("bench+client").toString("base64")}`],
    ["a malformed percent-encoding (not a 500)", `Basic ${Buffer.from("%zz:%zz").toString("base64")}`],
    ["an empty id and secret", `Basic ${Buffer.from(":").toString("base64")}`],
  ];
  for (const [what, authorization] of refusals)
    it(`answers 401 invalid_client for ${what}`, async () => {
      const res = await post(GOOD_BODY, authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="floor"');
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toEqual(INVALID_CLIENT);
    });

  for (const [what, body] of [
    ["no grant_type", "scope=orders%3Aread"],
    ["the password grant", "grant_type=password&username=a&password=b"],
    ["grant_type in another case", "grant_type=CLIENT_CREDENTIALS"],
    ["an empty body", ""],
  ] as const)
    it(`answers 400 unsupported_grant_type for ${what}, before looking at the client`, async () => {
      const res = await post(body, basic(credentials.clientId, credentials.clientSecret));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: "unsupported_grant_type",
        error_description: "The grant type is not supported.",
      });
    });

  it("answers 404 to anything but POST to a token path", async () => {
    const base = floor("RS256").worker.baseUrl;
    expect((await fetch(tokenUrl())).status).toBe(404);
    const keys = await fetch(`${base}/oauth2/floor/v1/keys`, {
      method: "POST",
      headers: FORM,
      body: GOOD_BODY,
    });
    expect(keys.status).toBe(404);
    expect((await fetch(`${base}/oauth2/floor/v1/token/x`, { method: "POST", body: GOOD_BODY })).status).toBe(
      404,
    );
  });
});

describe("floorColdStarts", () => {
  it("measures a first and a next token on a fresh workerd per algorithm and run", async () => {
    const samples = await floorColdStarts({ bundlePath: bundle, credentials, runs: 1, algs: ["ES256"] });
    expect(Object.keys(samples)).toEqual(["ES256"]);
    expect(samples.ES256).toHaveLength(1);
    const [s] = samples.ES256 ?? [];
    for (const v of [s?.readyMs, s?.firstTokenMs, s?.warmTokenMs, s?.firstTokenCpuMs, s?.warmTokenCpuMs])
      expect(v).toBeGreaterThan(0);
    // The first token on a new isolate pays the import and the first run of jose's code: never cheaper.
    expect(s?.firstTokenCpuMs).toBeGreaterThan(s?.warmTokenCpuMs ?? Number.POSITIVE_INFINITY);
  });
});
