import { env } from "cloudflare:workers";
import {
  decodeJwt as decodeJwtPayload,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  SignJWT,
} from "jose";
import { expect } from "vitest";
import { createDeps, isolateHandler } from "../../src/app";
import { type ConfigRecordKind, configRecordMacKey, openConfigRecord } from "../../src/config/config-record";
import { kvKeys } from "../../src/config/kv-keys";
import { ALL_RIGHTS } from "../../src/config/rights";
import type { ClientJwk, ImportDocumentInput as ImportDocument } from "../../src/config/schemas";
import type { Deps } from "../../src/context";
import type { ImportSummary } from "../../src/control-plane/control-plane";
import type { Env } from "../../src/env";
import type { PublishedKeyset } from "../../src/keys/keyset";
import { deriveKeysetKeys } from "../../src/keys/keyset-keys";
import { openKeysetRecord } from "../../src/keys/keyset-record";

export const ORIGIN = "https://warden.test";
export const ADMIN_TOKEN = (env as Env).ADMIN_API_TOKEN;
export const SECRET = "s3cret-0123456789-abcdefghijklmnopqrstuvwxyz";

let counter = 0;
/** Ids unique within the run, so tests never see each other's configuration. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function controlPlane() {
  return (env as Env).CONTROL_PLANE.get((env as Env).CONTROL_PLANE.idFromName("global"));
}

export async function importConfig(doc: ImportDocument): Promise<ImportSummary> {
  const result = await controlPlane().importConfig(doc, ALL_RIGHTS);
  if (!result.ok) throw new Error(`import failed: ${JSON.stringify(result.issues)}`);
  return result.value;
}

export interface Fixture {
  serverId: string;
  issuer: string;
  clientId: string;
  postClientId: string;
}

type ServerInput = ImportDocument["authorizationServers"] extends (infer T)[] | undefined ? T : never;

/** A server whose one rule issues client_credentials tokens to any client, `read` by default. */
export function anyClientServer(serverId: string, audience: string): ServerInput {
  return {
    server: { id: serverId, name: serverId, audiences: [audience] },
    scopes: [{ id: "s-read", name: "read", default: true }],
    policies: [
      {
        id: "p",
        name: "all",
        priority: 1,
        conditions: { clients: { include: ["ALL_CLIENTS"] } },
        rules: [
          {
            id: "r",
            name: "cc",
            priority: 1,
            conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
          },
        ],
      },
    ],
  };
}

/**
 * A server with scopes `read` (default), `write` and `admin`, one policy for two clients (Basic and
 * post), and a rule granting read/write by client_credentials for 15 minutes.
 */
export async function seedServer(
  overrides: { server?: Partial<ServerInput["server"]>; config?: Partial<ServerInput> } = {},
): Promise<Fixture> {
  const serverId = uniqueId("as");
  const clientId = uniqueId("basic");
  const postClientId = uniqueId("post");
  await importConfig({
    clients: [
      { client_id: clientId, client_name: "basic", client_secrets: [SECRET] },
      {
        client_id: postClientId,
        client_name: "post",
        token_endpoint_auth_method: "client_secret_post",
        client_secrets: [SECRET],
      },
    ],
    authorizationServers: [
      {
        server: { id: serverId, name: serverId, audiences: ["api://test"], ...overrides.server },
        scopes: [
          { id: "s-read", name: "read", default: true, metadataPublish: "ALL_CLIENTS" },
          { id: "s-write", name: "write" },
          { id: "s-admin", name: "admin" },
        ],
        policies: [
          {
            id: "p1",
            name: "services",
            priority: 1,
            conditions: { clients: { include: [clientId, postClientId] } },
            rules: [
              {
                id: "r1",
                name: "read-write",
                priority: 1,
                conditions: {
                  grantTypes: { include: ["client_credentials"] },
                  scopes: { include: ["read", "write"] },
                },
                actions: { token: { accessTokenLifetimeMinutes: 15 } },
              },
            ],
          },
        ],
        ...overrides.config,
      },
    ],
  });
  return { serverId, issuer: `${ORIGIN}/oauth2/${serverId}`, clientId, postClientId };
}

/**
 * A management-API request: `path` under `/api/v1`, or a whole URL (a `Link` target); the bootstrap
 * SSWS token unless `authorization` is given; a JSON body when `body` is given (a string is sent as
 * is, so a test can send a body that is not JSON).
 */
export function adminRequest(
  method: string,
  path: string,
  body?: unknown,
  authorization = `SSWS ${ADMIN_TOKEN}`,
): Request {
  const headers = new Headers({ Authorization: authorization });
  if (body !== undefined) headers.set("Content-Type", "application/json");
  return new Request(path.startsWith("https://") ? path : `${ORIGIN}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A management-API call on a cold isolate: status, headers and the parsed JSON body, if any. */
export async function adminCall(method: string, path: string, body?: unknown) {
  const res = await freshApp()(adminRequest(method, path, body));
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
  const json: any = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body: json };
}

/** Okta's error body, as `expectApiError` returns it. */
export interface ApiErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: { errorSummary: string }[];
}

/** The response is Okta's error with this status and code, and whatever else `expected` names. */
export async function expectApiError(
  res: Response,
  status: number,
  errorCode: string,
  expected: Record<string, unknown> = {},
): Promise<ApiErrorBody> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ApiErrorBody;
  expect(body).toMatchObject({ errorCode, ...expected });
  return body;
}

/** Each body POSTed to `path` is refused with 400 E0000001, with a cause that contains its text. */
export async function expectRefusals(path: string, cases: readonly [unknown, string][]): Promise<void> {
  for (const [body, cause] of cases) {
    const res = await adminCall("POST", path, body);
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(res.body.errorCode).toBe("E0000001");
    expect(res.body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join("\n")).toContain(
      cause,
    );
  }
}

/**
 * A fresh app is a cold isolate: empty config and key caches. Requests reach it as the Worker's
 * `fetch` hands them on (src/app.ts isolateHandler: token requests to the token endpoints' own app).
 */
export function freshApp(deps: Deps = createDeps()) {
  const handle = isolateHandler(deps);
  return (request: Request, bindings: Env = env as Env) => handle(request, bindings);
}

export function basic(clientId: string, secret: string): string {
  return `Basic ${btoa(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`)}`;
}

export function tokenRequest(
  issuer: string,
  params: Record<string, string>,
  init: { authorization?: string; contentType?: string; body?: BodyInit } = {},
): Request {
  const headers = new Headers({ "Content-Type": init.contentType ?? "application/x-www-form-urlencoded" });
  if (init.authorization) headers.set("Authorization", init.authorization);
  return new Request(`${issuer}/v1/token`, {
    method: "POST",
    headers,
    body: init.body ?? new URLSearchParams(params).toString(),
  });
}

export function decodeJwt(token: string) {
  return { header: decodeProtectedHeader(token), payload: decodeJwtPayload(token) };
}

export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface ClientKey {
  /** Empty for a key registered without a kid: assertions then name none. */
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  /** The public JWK as a client registers it (kid, alg, use). */
  publicJwk: ClientJwk;
}

/** A client's signing key pair, the public half ready for `jwks`. */
export async function clientKey(alg: "RS256" | "ES256" | "PS256" | "EdDSA" = "RS256"): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = uniqueId(`k-${alg}`);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } as ClientJwk;
  return { kid, alg, privateKey, publicJwk };
}

/** A client assertion (RFC 7523 §3) valid for a minute; every claim and header member can be overridden. */
export function clientAssertion(
  key: ClientKey,
  clientId: string,
  audience: string | string[],
  options: { claims?: Record<string, unknown>; header?: Record<string, unknown>; now?: number } = {},
): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: clientId,
    sub: clientId,
    aud: audience,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 60,
    ...options.claims,
  })
    .setProtectedHeader({ alg: key.alg, ...(key.kid ? { kid: key.kid } : {}), ...options.header })
    .sign(key.privateKey);
}

/** A private_key_jwt token request body; `extra` can add or (with undefined) drop parameters. */
export function assertionParams(
  assertion: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  const params: Record<string, string | undefined> = {
    grant_type: "client_credentials",
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
    ...extra,
  };
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

export const ORG_TOKEN_ENDPOINT = `${ORIGIN}/oauth2/v1/token`;

export interface OrgClient {
  clientId: string;
  key: ClientKey;
}

/** A service client for the org authorization server: private_key_jwt with inline keys, okta.* grants. */
export async function seedOrgClient(
  scopes: string[],
  overrides: Record<string, unknown> = {},
): Promise<OrgClient> {
  const key = await clientKey("RS256");
  const clientId = uniqueId("svc");
  await importConfig({
    clients: [
      {
        client_id: clientId,
        client_name: "service",
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [key.publicJwk] },
        grants: scopes.map((scopeId) => ({ scopeId })),
        ...overrides,
      } as NonNullable<ImportDocument["clients"]>[number],
    ],
  });
  return { clientId, key };
}

/** `POST /oauth2/v1/token` with a fresh assertion. */
export async function orgTokenRequest(
  client: OrgClient,
  scope: string | undefined,
  options: { audience?: string; fetch?: ReturnType<typeof freshApp> } = {},
): Promise<Response> {
  const assertion = await clientAssertion(
    client.key,
    client.clientId,
    options.audience ?? ORG_TOKEN_ENDPOINT,
  );
  return (options.fetch ?? freshApp())(
    tokenRequest(`${ORIGIN}/oauth2`, assertionParams(assertion, { scope })),
  );
}

/** An org access token for `client` with `scope`; fails the test otherwise. */
export async function orgAccessToken(client: OrgClient, scope: string): Promise<string> {
  const res = await orgTokenRequest(client, scope);
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token)
    throw new Error(`org token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** The KV record of a server's keyset, as its key vault wrote it. */
export async function keysetRecord(serverId: string): Promise<string> {
  const raw = await (env as Env).CONFIG.get(`keyset/${serverId}`);
  if (raw === null) throw new Error(`no keyset for ${serverId}`);
  return raw;
}

/** The keyset a server's vault published, authenticated as an edge authenticates it. */
export async function publishedKeyset(serverId: string): Promise<PublishedKeyset> {
  return openRecord(await keysetRecord(serverId), serverId);
}

/** The keyset a record holds, if it verifies for `serverId` under this tier's key-encryption key. */
export async function openRecord(raw: string, serverId: string): Promise<PublishedKeyset> {
  const { mac } = await deriveKeysetKeys((env as Env).KEY_ENCRYPTION_KEY);
  const opened = await openKeysetRecord(raw, serverId, mac);
  if (!opened.ok) throw new Error(`keyset record of ${serverId} does not verify: ${opened.reason}`);
  return opened.keyset;
}

/** The config record KV holds for `kind` and `id`, authenticated as an edge authenticates it; null when absent. */
export async function configRecord<T = Record<string, unknown>>(
  kind: ConfigRecordKind,
  id: string,
): Promise<T | null> {
  const raw = await (env as Env).CONFIG.get(kvKeys[kind](id));
  if (raw === null) return null;
  const opened = await openConfigRecord<T>(
    raw,
    kind,
    id,
    await configRecordMacKey((env as Env).KEY_ENCRYPTION_KEY),
  );
  if (!opened.ok) throw new Error(`${kind} record of ${id} does not verify: ${opened.reason}`);
  return opened.value;
}
