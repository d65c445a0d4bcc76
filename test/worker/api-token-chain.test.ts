/**
 * A managed API token minted by another one (or by an org client) is accepted only while everything
 * it was minted from still holds (README "Rights never grow"). Edges cache an acceptance for
 * API_TOKEN_CACHE_TTL_SECONDS; revoking a token must end the cached acceptance of every token minted
 * from it at once in the isolate that revoked it, and within the revocation pulse's bound
 * (REVOCATION_BOUND_SECONDS) in every other isolate — not after the cache's 30 s.
 *
 * And what `okta.apiTokens.manage` may do to other tokens, as Okta has it: read their metadata (never
 * a value) and revoke any of them, wider ones included. Revoking only ever takes rights away.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp, createDeps } from "../../src/app";
import {
  API_TOKEN_CACHE_TTL_SECONDS,
  PULSE_MAX_AGE_MS,
  REVOCATION_BOUND_SECONDS,
} from "../../src/config/defaults";
import type { Deps } from "../../src/context";
import type { Env } from "../../src/env";
import { IsolateEventLog } from "../../src/log/event-log";
import { adminRequest, orgAccessToken, seedOrgClient, uniqueId } from "./helpers";

const bindings = env as Env;

/** Isolates sharing one injected clock, each with its own caches; background work awaited. */
function cluster() {
  const clock = { now: Date.now() };
  const isolate = () => {
    const deps: Deps = {
      ...createDeps(() => clock.now),
      log: new IsolateEventLog(() => clock.now, { flushIntervalSeconds: 0 }),
    };
    const app = createApp(deps);
    return async (request: Request): Promise<Response> => {
      const ctx = createExecutionContext();
      const response = await app.fetch(request, bindings, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    };
  };
  return { clock, isolate };
}

type Fetch = (request: Request) => Promise<Response>;

async function mint(fetch: Fetch, auth: string | undefined, scopes?: string[]) {
  const body = { name: uniqueId("tok"), ...(scopes ? { scopes } : {}) };
  const res = await fetch(adminRequest("POST", "/api-tokens", body, auth));
  expect(res.status).toBe(201);
  const created = (await res.json()) as { id: string; token: string };
  return { id: created.id, auth: `SSWS ${created.token}`, value: created.token };
}

/** The status of an admin read (`okta.apps.read`) made with `auth`. */
async function use(fetch: Fetch, auth: string): Promise<number> {
  return (await fetch(adminRequest("GET", "/apps?limit=1", undefined, auth))).status;
}

async function revoke(fetch: Fetch, id: string, auth?: string): Promise<number> {
  return (await fetch(adminRequest("DELETE", `/api-tokens/${id}`, undefined, auth))).status;
}

beforeEach(() => {
  // Pulse refreshes and denials log warnings as in production.
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("a token minted from a revoked token", () => {
  it("is refused at once in the isolate that revoked the parent, though its acceptance was cached", async () => {
    const { isolate } = cluster();
    const warm = isolate();
    const parent = await mint(warm, undefined, ["okta.apiTokens.manage", "okta.apps.read"]);
    const child = await mint(warm, parent.auth);
    const grandchild = await mint(warm, child.auth);
    // Used, so each acceptance is cached in this isolate.
    expect(await use(warm, child.auth)).toBe(200);
    expect(await use(warm, grandchild.auth)).toBe(200);

    expect(await revoke(warm, parent.id)).toBe(204);
    expect(await use(warm, child.auth)).toBe(401);
    expect(await use(warm, grandchild.auth)).toBe(401);
  });

  it("is refused within the revocation bound in another isolate that cached it, not after the cache's TTL", async () => {
    expect(PULSE_MAX_AGE_MS).toBeLessThan(API_TOKEN_CACHE_TTL_SECONDS * 1000);
    const { clock, isolate } = cluster();
    const [a, b] = [isolate(), isolate()];
    const parent = await mint(b, undefined, ["okta.apiTokens.manage", "okta.apps.read"]);
    const child = await mint(b, parent.auth);
    // Isolate a caches the child's acceptance (the second use reads the pulse too).
    expect(await use(a, child.auth)).toBe(200);
    expect(await use(a, child.auth)).toBe(200);

    expect(await revoke(b, parent.id)).toBe(204);
    expect(await use(b, child.auth)).toBe(401);
    // a's pulse was read a moment ago: within the bound it may still accept, from its cache…
    expect(await use(a, child.auth)).toBe(200);
    // …and no later than the bound it refuses, with 20 s of its cache's TTL still to run.
    clock.now += PULSE_MAX_AGE_MS;
    expect(PULSE_MAX_AGE_MS).toBeLessThan(REVOCATION_BOUND_SECONDS * 1000);
    expect(await use(a, child.auth)).toBe(401);
    // A token minted from nothing revoked is untouched.
    const sibling = await mint(b, undefined, ["okta.apps.read"]);
    expect(await use(a, sibling.auth)).toBe(200);
  });

  it("is refused within the bound in another isolate once the org client that minted it is deactivated", async () => {
    const { clock, isolate } = cluster();
    const [a, b] = [isolate(), isolate()];
    const org = await seedOrgClient(["okta.apiTokens.manage", "okta.apps.read"]);
    const bearer = `Bearer ${await orgAccessToken(org, "okta.apiTokens.manage okta.apps.read")}`;
    const owned = await mint(b, bearer);
    expect(await use(a, owned.auth)).toBe(200);
    expect(await use(a, owned.auth)).toBe(200);

    const deactivated = await b(adminRequest("POST", `/apps/${org.clientId}/lifecycle/deactivate`));
    expect(deactivated.status).toBe(200);
    clock.now += PULSE_MAX_AGE_MS;
    expect(await use(a, owned.auth)).toBe(401);
  });
});

describe("what okta.apiTokens.manage may do to other tokens (Okta: any token's metadata, revoke any token)", () => {
  it("reads every token's metadata but never a value", async () => {
    const { isolate } = cluster();
    const app = isolate();
    const wide = await mint(app, undefined);
    const manager = await mint(app, undefined, ["okta.apiTokens.manage"]);
    for (const path of ["/api-tokens", `/api-tokens/${wide.id}`]) {
      const res = await app(adminRequest("GET", path, undefined, manager.auth));
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain(wide.id);
      expect(text).not.toContain(wide.value);
      expect(text).not.toContain(manager.value);
      expect(text).not.toMatch(/"token"\s*:/);
    }
  });

  it("revokes a wider token (taking rights away from it), and gains nothing from doing so", async () => {
    const { isolate } = cluster();
    const app = isolate();
    const wide = await mint(app, undefined);
    const manager = await mint(app, undefined, ["okta.apiTokens.manage"]);
    expect(await use(app, wide.auth)).toBe(200);
    expect(await revoke(app, wide.id, manager.auth)).toBe(204);
    expect(await use(app, wide.auth)).toBe(401);
    // Still only its own right: no read of apps, no token wider than itself.
    expect(await use(app, manager.auth)).toBe(403);
    const wider = await app(
      adminRequest("POST", "/api-tokens", { name: uniqueId("w"), scopes: ["okta.apps.read"] }, manager.auth),
    );
    expect(wider.status).toBe(403);
  });

  it("cannot rewrite a token's rights: Okta's upsert and any other write to a token is refused", async () => {
    const { isolate } = cluster();
    const app = isolate();
    const narrow = await mint(app, undefined, ["okta.apps.read"]);
    const manager = await mint(app, undefined, ["okta.apiTokens.manage"]);
    const body = { name: "widened", scopes: ["okta.apps.manage", "okta.apiTokens.manage"] };
    for (const method of ["PUT", "POST", "PATCH"]) {
      const res = await app(adminRequest(method, `/api-tokens/${narrow.id}`, body, manager.auth));
      expect(res.status, method).toBe(405);
    }
    const after = (await (await app(adminRequest("GET", `/api-tokens/${narrow.id}`))).json()) as {
      scopes: string[];
    };
    expect(after.scopes).toEqual(["okta.apps.read"]);
  });

  it("revoking its own parent ends the revoker too: it acted with its parent's rights", async () => {
    const { isolate } = cluster();
    const app = isolate();
    const parent = await mint(app, undefined, ["okta.apiTokens.manage", "okta.apps.read"]);
    const child = await mint(app, parent.auth);
    expect(await use(app, child.auth)).toBe(200);
    expect(await revoke(app, parent.id, child.auth)).toBe(204);
    expect(await use(app, child.auth)).toBe(401);
  });

  it("okta.apiTokens.read lists tokens but revokes none", async () => {
    const { isolate } = cluster();
    const app = isolate();
    const target = await mint(app, undefined, ["okta.apps.read"]);
    const reader = await mint(app, undefined, ["okta.apiTokens.read"]);
    expect((await app(adminRequest("GET", "/api-tokens", undefined, reader.auth))).status).toBe(200);
    expect(await revoke(app, target.id, reader.auth)).toBe(403);
    expect(await use(app, target.auth)).toBe(200);
  });
});
