/**
 * Fixtures the custom claim, token inline hook and Token Preview tests share: scopes and claims,
 * hooks on the test hook service (test/hook-server, started by the worker tier's globalSetup), a
 * server whose one rule names a hook, and the Token Preview call.
 */
import { inject } from "vitest";
import type { z } from "zod";
import type { Claim, ImportDocumentInput as ImportDocument } from "../../src/config/schemas";
import type { Env } from "../../src/env";
import { authorizationHeader, tokenHook } from "../fixtures/inline-hook";
import type { RecordedRequest } from "../hook-server/server";
import { ADMIN_TOKEN, freshApp, importConfig, ORIGIN, seedServer, uniqueId } from "./helpers";

export const SCOPES = [
  { id: "s-read", name: "read", default: true },
  { id: "s-write", name: "write" },
];

type ClaimInput = z.input<typeof Claim>;

/** A RESOURCE expression claim, id `c-<name>`. */
export const claim = (name: string, value: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({
  id: `c-${name}`,
  name,
  claimType: "RESOURCE",
  valueType: "EXPRESSION",
  value,
  ...extra,
});

/**
 * `POST /api/v1/authorizationServers/{serverId}/tokenPreview` with the bootstrap SSWS token, against
 * the tier's bindings or others (e.g. without LOCAL_DEVELOPMENT).
 */
export async function tokenPreview(serverId: string, body: unknown, bindings?: Env): Promise<Response> {
  return freshApp()(
    new Request(`${ORIGIN}/api/v1/authorizationServers/${serverId}/tokenPreview`, {
      method: "POST",
      headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
    bindings,
  );
}

export const HOOK_ORIGIN = `http://127.0.0.1:${inject("hookServer").port}`;
export const HOOK_SECRET = "Bearer hook-secret-0123456789abcdefghijklmnopqrstuvwxyz";

/** The test hook service's behaviours, by the first path segment (test/hook-server/server.ts). */
type Behaviour =
  | "success"
  | "slow"
  | "error"
  | "reserved"
  | "long-lifetime"
  | "status"
  | "bad-json"
  | "empty"
  | "no-content"
  | "accepted"
  | "redirect";
export type HookDoc = NonNullable<ImportDocument["inlineHooks"]>[number];

/** A hook on the test service; its requests are recorded under `tag`. */
export function hookDoc(behaviour: Behaviour, tag: string, overrides: Partial<HookDoc> = {}): HookDoc {
  return {
    ...tokenHook({
      id: uniqueId("hook"),
      name: uniqueId(`hook ${behaviour}`),
      uri: `${HOOK_ORIGIN}/${behaviour}/${tag}`,
      method: "POST",
      headers: [{ key: "X-Warden-Test", value: tag }],
      authScheme: authorizationHeader(HOOK_SECRET),
    }),
    ...overrides,
  };
}

/** The requests the test service received under `tag`. */
export async function recorded(tag: string): Promise<RecordedRequest[]> {
  return (await fetch(`${HOOK_ORIGIN}/__requests/${tag}`)).json();
}

/** A server whose one rule (15-minute tokens) names `hookId`, with claims `team` and `legacy`. */
export function hookedServer(hookId: string | undefined) {
  return seedServer({
    config: {
      scopes: SCOPES,
      claims: [claim("team", '"blue"'), claim("legacy", '"old"')],
      policies: [
        {
          id: "p1",
          name: "services",
          priority: 1,
          conditions: { clients: { include: ["ALL_CLIENTS"] } },
          rules: [
            {
              id: "r1",
              name: "hooked",
              priority: 1,
              conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
              actions: {
                token: { accessTokenLifetimeMinutes: 15, ...(hookId ? { inlineHook: { id: hookId } } : {}) },
              },
            },
          ],
        },
      ],
    },
  });
}

/** The hook imported, a server whose rule names it, and the tag its requests are recorded under. */
export async function withHook(behaviour: Behaviour, overrides: Partial<HookDoc> = {}) {
  const tag = uniqueId("t");
  const hook = hookDoc(behaviour, tag, overrides);
  await importConfig({ inlineHooks: [hook] });
  const f = await hookedServer(hook.id);
  return { ...f, hook, tag };
}
