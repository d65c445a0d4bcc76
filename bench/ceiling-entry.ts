/**
 * Bench-only Worker entry: Warden exactly as `src/index.ts` exports it, with bench-only routes in
 * front of it. Built only for the benchmark, never deployed.
 *
 * - `GET /__floor`: an empty answer — what the runtime costs per request before any code runs.
 * - `POST /__ceiling/{alg}`: signs a fixed claim set with a key generated once per isolate — no
 *   configuration, no policy, no KV — the fastest a token endpoint in this build can be.
 * - `POST /__breakdown/{as}/{step}`: Warden's token-path work up to `step`, then the ceiling's
 *   signature, so consecutive steps show what each part costs: `body` (form parsing), `auth`
 *   (+ client secret authentication), `grant` (+ scope parsing, policy evaluation, claim set, token
 *   id). The full endpoint adds Hono routing, the server-context middleware and the key store. The
 *   steps call Warden's lower-level functions (they change less often than the endpoint's wiring).
 * - `GET /__jwks/{as}`: the server's JWKS with body and ETag computed once per keyset and
 *   If-None-Match compared first, answered before Warden's router runs: a reference for Warden's own
 *   `/v1/keys`, which works the same way since the bench first proposed it, behind Hono's routing,
 *   the server lookup and the key store.
 */
import { generateKeyPair, SignJWT } from "jose";
import { ConfigStore } from "../src/config/config-store";
import { TOKEN_ID_BYTES, TOKEN_REQUEST_MAX_BYTES } from "../src/config/defaults";
import { kvKeys } from "../src/config/kv-keys";
import { randomToken, secretMatchesAny } from "../src/crypto/secrets";
import type { Env } from "../src/env";
import warden from "../src/index";
import type { PublishedKeyset } from "../src/keys/keyset";
import { presentedCredentials } from "../src/oauth/client-auth";
import { readFormBody } from "../src/oauth/form-body";
import { publicMetadataCacheControl } from "../src/oauth/metadata-cache";
import { parseScopeParam } from "../src/oauth/scope-param";
import { evaluate } from "../src/policy";
import { buildAccessToken } from "../src/tokens/access-token";

// Every Durable Object class Warden exports (wrangler.toml binds them), whatever they are today.
export * from "../src/index";

const ALGS = ["RS256", "ES256"] as const;
type Alg = (typeof ALGS)[number];
const BREAKDOWN_ALG: Alg = "ES256";

/** Shaped like Warden's Okta-profile claim set, so both sign payloads of the same size. */
const FIXED_CLAIMS = {
  ver: 1,
  jti: "AT.bench-ceiling-fixed-token-id-000",
  iss: "http://127.0.0.1/oauth2/es256-20",
  aud: "api://bench",
  iat: 1_800_000_000,
  exp: 1_800_003_600,
  cid: "bench-client",
  scp: ["orders:read"],
  sub: "bench-client",
};

const keys = new Map<Alg, Promise<CryptoKey>>();

function signingKey(alg: Alg): Promise<CryptoKey> {
  let key = keys.get(alg);
  if (!key) {
    key = generateKeyPair(alg, { modulusLength: 2048 }).then((pair) => pair.privateKey);
    keys.set(alg, key);
  }
  return key;
}

async function signedResponse(
  alg: Alg,
  payload: Record<string, unknown>,
  header: Record<string, string> = {},
): Promise<Response> {
  const accessToken = await new SignJWT(payload)
    .setProtectedHeader({ ...header, alg, kid: `ceiling-${alg}` })
    .sign(await signingKey(alg));
  const body = { token_type: "Bearer", expires_in: 3600, access_token: accessToken, scope: "orders:read" };
  return new Response(JSON.stringify(body), {
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" },
  });
}

/** Isolate-scoped, like Warden's own: after the first request every lookup is served from memory. */
const config = new ConfigStore();

async function breakdown(request: Request, env: Env, serverId: string, step: string): Promise<Response> {
  const params = await readFormBody(request, TOKEN_REQUEST_MAX_BYTES);
  if (step === "body") return signedResponse(BREAKDOWN_ALG, FIXED_CLAIMS);
  // Client authentication's secret path (client_secret_basic): parse, look up, hash and compare.
  const presented = presentedCredentials(request.headers.get("Authorization") ?? undefined, params);
  if (!("secret" in presented)) return new Response("not a secret", { status: 400 });
  const client = await config.client(env.CONFIG, presented.clientId);
  const hashes = client?.secrets.filter((s) => s.status === "ACTIVE").map((s) => s.secretHash) ?? [];
  if (!client || !(await secretMatchesAny(presented.secret, hashes))) {
    return new Response("authentication failed", { status: 401 });
  }
  if (step === "auth") return signedResponse(BREAKDOWN_ALG, FIXED_CLAIMS);
  const snapshot = await config.snapshot(env.CONFIG, serverId);
  if (!snapshot) return new Response("unknown server", { status: 404 });
  const issuer = `http://127.0.0.1/oauth2/${serverId}`;
  const now = Math.floor(Date.now() / 1000);
  const requestedScopes = parseScopeParam(params.get("scope"));
  const decision = evaluate(
    { clientId: client.client_id, grantType: "client_credentials", requestedScopes },
    snapshot,
  );
  if (!decision.ok) return new Response(decision.error, { status: 400 });
  const claims = buildAccessToken({
    profile: snapshot.server.tokenProfile,
    issuer,
    audiences: snapshot.server.audiences,
    clientId: client.client_id,
    subject: client.client_id,
    scopes: decision.scopes,
    issuedAt: now,
    lifetimeSeconds: decision.accessTokenLifetimeSeconds,
    jti: `AT.${randomToken(TOKEN_ID_BYTES)}`,
  });
  if (step === "grant") return signedResponse(BREAKDOWN_ALG, claims.payload, claims.header);
  return new Response("unknown step", { status: 404 });
}

interface PreparedJwks {
  keyset: PublishedKeyset;
  body: string;
  etag: string;
}

/** Per isolate, like Warden's keyset cache; each cold request loads its own (no shared promise). */
const preparedJwks = new Map<string, PreparedJwks>();

async function prepareJwks(env: Env, serverId: string): Promise<PreparedJwks | undefined> {
  const keyset = await env.CONFIG.get<PublishedKeyset>(kvKeys.keyset(serverId), "json");
  if (!keyset) return undefined;
  const body = JSON.stringify(keyset.jwks);
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(body));
  const etag = `"${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
  return { keyset, body, etag };
}

async function jwks(request: Request, env: Env, serverId: string): Promise<Response> {
  let prepared = preparedJwks.get(serverId);
  if (!prepared) {
    prepared = await prepareJwks(env, serverId);
    if (!prepared) return new Response("no keys", { status: 404 });
    preparedJwks.set(serverId, prepared);
  }
  const headers = {
    "Content-Type": "application/json",
    "Access-Control-Allow-Origin": "*",
    // Warden's own schedule-derived lifetime, computed per request as its endpoint does.
    "Cache-Control": publicMetadataCacheControl(prepared.keyset, env, Math.floor(Date.now() / 1000)),
    ETag: prepared.etag,
  };
  if (request.headers.get("If-None-Match") === prepared.etag)
    return new Response(null, { status: 304, headers });
  return new Response(prepared.body, { headers });
}

/** The path without parsing the whole URL: this runs in front of every Warden request too. */
function pathOf(url: string): string {
  return url.slice(url.indexOf("/", url.indexOf("//") + 2));
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    const path = pathOf(request.url);
    if (!path.startsWith("/__")) return warden.fetch(request, env, ctx);
    const [, route, first, second] = path.split("/");
    if (route === "__floor") return new Response(null, { status: 204 });
    if (route === "__ceiling" && ALGS.includes(first as Alg))
      return signedResponse(first as Alg, FIXED_CLAIMS);
    if (route === "__breakdown" && first && second) return breakdown(request, env, first, second);
    if (route === "__jwks" && first) return jwks(request, env, first);
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
