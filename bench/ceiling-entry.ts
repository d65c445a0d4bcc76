/**
 * Bench-only Worker entry: Warden exactly as `src/index.ts` exports it, with bench-only routes in
 * front of it. Built only for the benchmark, never deployed.
 *
 * - `GET /__floor`: an empty answer — what the runtime costs per request before any code runs.
 * - `POST /__ceiling/{alg}`: signs a fixed claim set with a key generated once per isolate — no
 *   configuration, no policy, no KV — the fastest a token endpoint in this build can be.
 * - `POST /__breakdown/{as}/{step}`: Warden's token-path work up to `step`, then the ceiling's
 *   signature, so consecutive steps show what each part costs: `body` (form parsing), `auth`
 *   (+ client secret authentication), `grant` (+ scope parsing, the grant: policy evaluation, claim
 *   set, token id), `endpoint` (Warden's whole token endpoint handler — rate limits, the system
 *   log's counting, the hook step, the key store and Warden's signer, the response headers — on a
 *   one-route Hono app, with the server's snapshot read as `forServer` reads it). The full endpoint
 *   adds only what wraps the handler: Warden's router, `withCors`, `forServer`'s checks, the onError
 *   handler. The steps call the functions the endpoint calls (they change less often than its wiring).
 * - `GET /__jwks/{as}`: the server's JWKS document and response, as Warden's own `/v1/keys` builds
 *   them (body and ETag once per keyset), answered before Warden's router runs: a reference for what
 *   the endpoint pays for Hono's routing, the server lookup and the key store.
 * - `POST /__codes/{as}` (JSON `{count, request}`): mints `count` real authorization codes for an
 *   `AuthorizedRequest`, each a new Grant Durable Object, exactly as `/v1/authorize` does once the
 *   user signed in (`durableGrants(...).issueCode`). A code is single-use, so the code-exchange load
 *   cases need a fresh set per run; minting through the hosted page would cost a PBKDF2 per code.
 * - `POST /__ceiling-code/{alg}/{as}`: the code exchange's ceiling — one Durable Object call (the
 *   grant's `redeem`, the same exactly-once transaction on a fresh object) and one signature of the
 *   fixed claim set; no client authentication, no directory read, no claims, no key store.
 * - `POST /__ceiling-refresh/{alg}/{as}/{client}`: the refresh_token grant's ceiling — one Durable
 *   Object call (the grant's `refresh`: the same rotation transaction, ROTATE or STATIC) and one
 *   signature of the fixed claim set, answered with the refresh token the grant handed out; no
 *   client authentication, no directory read, no policy, no key store.
 * - `POST /__ceiling-introspect/{as}`: access-token introspection's ceiling — one signature check
 *   against the server's published keys (jose, keys imported once per isolate) and one Durable
 *   Object call (`isActive` for the grant the `jti` names); no client authentication.
 * - `POST /__ceiling-introspect-refresh`: refresh-token introspection's ceiling — one Durable Object
 *   call (`introspectRefresh`); no client authentication, no directory read.
 */
import { Hono } from "hono";
import { createLocalJWKSet, generateKeyPair, type JWTVerifyGetKey, jwtVerify, SignJWT } from "jose";
import { TOKEN_REQUEST_MAX_BYTES } from "../src/config/defaults";
import { kvKeys } from "../src/config/kv-keys";
import { type AppEnv, bindPorts, createDeps } from "../src/context";
import type { Env } from "../src/env";
import { OAuthError } from "../src/errors";
import { durableGrants } from "../src/grants/durable-grants";
import { grantIdOfJti } from "../src/grants/grant-id";
import type { AuthorizedRequest } from "../src/grants/grant-port";
import warden from "../src/index";
import type { PublishedKeyset } from "../src/keys/keyset";
import { deriveKeysetKeys } from "../src/keys/keyset-keys";
import { openKeysetRecord } from "../src/keys/keyset-record";
import { authenticateClient, presentedCredentials } from "../src/oauth/client-auth";
import { customServer } from "../src/oauth/custom-server";
import { readFormBody } from "../src/oauth/form-body";
import { grantFor } from "../src/oauth/grants/registry";
import { jwksDocument } from "../src/oauth/keys";
import { publicMetadataCacheControl } from "../src/oauth/metadata-cache";
import { metadataResponse } from "../src/oauth/metadata-response";
import { withPorts } from "../src/oauth/server-context";
import { issueClaims, tokenEndpoint } from "../src/oauth/token";
import { tokenResponse } from "../src/oauth/token-response";

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
  refreshToken?: string,
): Promise<Response> {
  const accessToken = await new SignJWT(payload)
    .setProtectedHeader({ ...header, alg, kid: `ceiling-${alg}` })
    .sign(await signingKey(alg));
  return tokenResponse({
    token_type: "Bearer",
    expires_in: 3600,
    access_token: accessToken,
    scope: "orders:read",
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
  });
}

/** Isolate-scoped, like Warden's own: after the first request every lookup is served from memory. */
const bind = bindPorts(createDeps());

async function breakdown(request: Request, env: Env, serverId: string, step: string): Promise<Response> {
  const params = await readFormBody(request, TOKEN_REQUEST_MAX_BYTES);
  if (step === "body") return signedResponse(BREAKDOWN_ALG, FIXED_CLAIMS);
  const issuer = `http://127.0.0.1/oauth2/${serverId}`;
  const ports = bind(env);
  const now = Math.floor(ports.clock() / 1000);
  try {
    // Client authentication's secret path (client_secret_basic): parse, look up, hash and compare.
    const presented = presentedCredentials(request.headers.get("Authorization") ?? undefined, params);
    const client = await authenticateClient(presented, {
      config: ports.config,
      clientKeys: ports.clientKeys,
      replay: ports.assertionReplay,
      revocations: ports.revocations,
      audiences: [`${issuer}/v1/token`, issuer],
      now,
    });
    if (step === "auth") return signedResponse(BREAKDOWN_ALG, FIXED_CLAIMS);
    const snapshot = await ports.config.snapshot(serverId);
    if (!snapshot) return new Response("unknown server", { status: 404 });
    // The endpoint's own steps: the grant module, policy, the claim set and its token id.
    const authority = customServer(snapshot, issuer);
    const grant = grantFor(params.get("grant_type"), authority.grantTypes);
    const { token } = await issueClaims(grant, authority, { client, params, ports, now });
    if (step === "grant") return signedResponse(BREAKDOWN_ALG, token.payload, token.header);
  } catch (error) {
    if (error instanceof OAuthError) return new Response(error.code, { status: error.status });
    throw error;
  }
  return new Response("unknown step", { status: 404 });
}

/**
 * The `endpoint` step: Warden's token endpoint handler as the router mounts it, minus what wraps it
 * (Warden's router and onError, `withCors`, `forServer`'s id, org URL and revocation checks).
 */
const endpointApp = new Hono<AppEnv>().post(
  "/__breakdown/:as/endpoint",
  withPorts(bind, async (c) => {
    const serverId = c.req.param("as") ?? "";
    const snapshot = await c.get("ports").config.snapshot(serverId);
    if (!snapshot) return new Response("unknown server", { status: 404 });
    c.set("snapshot", snapshot);
    c.set("issuer", `http://127.0.0.1/oauth2/${serverId}`);
    return endpointHandler(c);
  }),
);
const endpointHandler = tokenEndpoint((c) => customServer(c.get("snapshot"), c.get("issuer")));

/** Per isolate, like Warden's keyset cache; each cold request loads its own (no shared promise). */
const keysets = new Map<string, PublishedKeyset>();
let derivedMac: CryptoKey | undefined;

async function macKey(env: Env): Promise<CryptoKey> {
  derivedMac ??= (await deriveKeysetKeys(env.KEY_ENCRYPTION_KEY)).mac;
  return derivedMac;
}

async function publishedKeyset(env: Env, serverId: string): Promise<PublishedKeyset | undefined> {
  let keyset = keysets.get(serverId);
  if (!keyset) {
    // Authenticated as Warden's key store does it, once per isolate and keyset.
    const raw = await env.CONFIG.get(kvKeys.keyset(serverId));
    const opened = raw === null ? undefined : await openKeysetRecord(raw, serverId, await macKey(env));
    if (!opened?.ok) return undefined;
    keyset = opened.keyset;
    keysets.set(serverId, keyset);
  }
  return keyset;
}

async function jwks(request: Request, env: Env, serverId: string): Promise<Response> {
  const keyset = await publishedKeyset(env, serverId);
  if (!keyset) return new Response("no keys", { status: 404 });
  // Warden's own schedule-derived lifetime, computed per request as its endpoint does.
  const cacheControl = publicMetadataCacheControl(keyset, env, Math.floor(Date.now() / 1000));
  return metadataResponse(request, await jwksDocument(keyset), cacheControl);
}

/** At most this many codes per mint request, and this many Durable Object creations in flight. */
const MINT_MAX = 5000;
const MINT_PARALLEL = 32;

async function mintCodes(request: Request, env: Env, serverId: string): Promise<Response> {
  const { count, request: authorized } = (await request.json()) as {
    count: number;
    request: AuthorizedRequest;
  };
  if (!Number.isInteger(count) || count < 1 || count > MINT_MAX)
    return new Response("bad count", { status: 400 });
  const grants = durableGrants(env.GRANT);
  const codes: string[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i += MINT_PARALLEL) {
    const batch = Math.min(MINT_PARALLEL, count - i);
    const minted = await Promise.all(
      Array.from({ length: batch }, () => grants.issueCode({ ...authorized, serverId }, now)),
    );
    codes.push(...minted);
  }
  return Response.json(codes);
}

async function codeCeiling(request: Request, env: Env, alg: Alg, serverId: string): Promise<Response> {
  // The form must be read: the code is in it (the client_credentials ceiling never reads its body).
  const params = new URLSearchParams(await request.text());
  const outcome = await durableGrants(env.GRANT).redeemCode(
    params.get("code") ?? "",
    {
      serverId,
      clientId: params.get("client_id") ?? "",
      redirectUri: params.get("redirect_uri") ?? "",
      codeVerifier: undefined,
    },
    Date.now(),
  );
  if (!outcome.ok) return new Response(outcome.reason, { status: 400 });
  return signedResponse(alg, FIXED_CLAIMS);
}

async function refreshCeiling(
  request: Request,
  env: Env,
  alg: Alg,
  serverId: string,
  clientId: string,
): Promise<Response> {
  const params = new URLSearchParams(await request.text());
  const outcome = await durableGrants(env.GRANT).refresh(
    params.get("refresh_token") ?? "",
    { serverId, clientId, scopes: undefined },
    Date.now(),
  );
  if (!outcome.ok) return new Response(outcome.reason, { status: 400 });
  return signedResponse(alg, FIXED_CLAIMS, {}, outcome.refreshToken);
}

/** The server's public keys as jose's local JWKS (each key imported once, then cached by jose). */
const verifiers = new Map<string, JWTVerifyGetKey>();

async function introspectCeiling(request: Request, env: Env, serverId: string): Promise<Response> {
  const params = new URLSearchParams(await request.text());
  let verify = verifiers.get(serverId);
  if (!verify) {
    const keyset = await publishedKeyset(env, serverId);
    if (!keyset) return new Response("no keys", { status: 404 });
    verify = createLocalJWKSet(keyset.jwks);
    verifiers.set(serverId, verify);
  }
  const { payload } = await jwtVerify(params.get("token") ?? "", verify).catch(() => ({
    payload: undefined,
  }));
  const grantId = grantIdOfJti(payload?.jti);
  const active =
    payload !== undefined &&
    (grantId === undefined || (await durableGrants(env.GRANT).isActive(grantId, Date.now(), payload.jti)));
  return Response.json(active ? { active, jti: payload.jti, exp: payload.exp } : { active });
}

async function introspectRefreshCeiling(request: Request, env: Env): Promise<Response> {
  const params = new URLSearchParams(await request.text());
  const facts = await durableGrants(env.GRANT).introspectRefresh(params.get("token") ?? "", Date.now());
  return Response.json(facts ? { active: true, exp: Math.floor(facts.expiresAt / 1000) } : { active: false });
}

/** The path without parsing the whole URL: this runs in front of every Warden request too. */
function pathOf(url: string): string {
  return url.slice(url.indexOf("/", url.indexOf("//") + 2));
}

export default {
  fetch(
    request: Request<unknown, IncomingRequestCfProperties>,
    env: Env,
    ctx: ExecutionContext,
  ): Response | Promise<Response> {
    const path = pathOf(request.url);
    if (!path.startsWith("/__")) return warden.fetch(request, env, ctx);
    const [, route, first, second, third] = path.split("/");
    if (route === "__floor") return new Response(null, { status: 204 });
    if (route === "__ceiling" && ALGS.includes(first as Alg))
      return signedResponse(first as Alg, FIXED_CLAIMS);
    if (route === "__breakdown" && first && second === "endpoint")
      return endpointApp.fetch(request, env, ctx);
    if (route === "__breakdown" && first && second) return breakdown(request, env, first, second);
    if (route === "__jwks" && first) return jwks(request, env, first);
    if (route === "__codes" && first) return mintCodes(request, env, first);
    if (route === "__ceiling-code" && ALGS.includes(first as Alg) && second)
      return codeCeiling(request, env, first as Alg, second);
    if (route === "__ceiling-refresh" && ALGS.includes(first as Alg) && second && third)
      return refreshCeiling(request, env, first as Alg, second, third);
    if (route === "__ceiling-introspect" && first) return introspectCeiling(request, env, first);
    if (route === "__ceiling-introspect-refresh") return introspectRefreshCeiling(request, env);
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
