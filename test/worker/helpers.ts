import { env } from "cloudflare:workers";
import { decodeJwt as decodeJwtPayload, decodeProtectedHeader } from "jose";
import { createApp, createDeps } from "../../src/app";
import type { ImportDocument, ImportSummary } from "../../src/config/control-plane";
import type { Deps } from "../../src/context";
import type { Env } from "../../src/env";

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
  const result = await controlPlane().importConfig(doc);
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

/** A fresh app is a cold isolate: empty config and key caches. */
export function freshApp(deps: Deps = createDeps()) {
  const app = createApp(deps);
  return (request: Request, bindings: Env = env as Env) => app.fetch(request, bindings);
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
