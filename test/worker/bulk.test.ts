/**
 * `GET /api/v1/warden/export` and `POST /api/v1/warden/import?prune&dryRun`: what config as code
 * (`warden plan` / `apply`) stands on. Prune documents are built from a fresh export minus what the
 * test removes, so nothing else in the store is touched.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../src/config/kv-keys";
import type { ExportDocument } from "../../src/control-plane/control-plane";
import type { Env } from "../../src/env";
import { authorizationHeader, tokenHook } from "../fixtures/inline-hook";
import {
  basic,
  adminCall as call,
  freshApp,
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

const bindings = env as Env;

async function exported(): Promise<ExportDocument> {
  const res = await call("GET", "/warden/export");
  expect(res.status).toBe(200);
  return res.body as ExportDocument;
}

function hook(id: string) {
  return tokenHook({ id, name: id, authScheme: authorizationHeader("hook-secret") });
}

describe("GET /api/v1/warden/export", () => {
  it("restates servers, clients and hooks without a secret, and re-imports as a no-op", async () => {
    const { serverId, clientId } = await seedServer();
    const hookId = uniqueId("cal");
    expect((await call("POST", "/warden/import", { inlineHooks: [hook(hookId)] })).status).toBe(200);

    const doc = await exported();
    const server = doc.authorizationServers.find((s) => s.server.id === serverId);
    expect(server).toMatchObject({
      server: { id: serverId, status: "ACTIVE" },
      policies: [{ id: "p1", priority: 1 }],
    });
    const client = doc.clients.find((c) => c.client_id === clientId);
    expect(client).toMatchObject({ client_id: clientId, client_name: "basic" });
    expect(client && "secrets" in client).toBe(false);
    const exportedHook = doc.inlineHooks.find((h) => h.id === hookId);
    expect(exportedHook?.channel.config.authScheme).toEqual({ type: "HEADER", key: "Authorization" });
    expect(JSON.stringify(doc)).not.toContain("hook-secret");
    expect(JSON.stringify(doc)).not.toContain("secretHash");

    // Importing the export changes nothing a client could see: the secret still works.
    const again = await call("POST", "/warden/import", doc);
    expect(again.status).toBe(200);
    expect(again.body.generatedSecrets).toEqual({});
    const res = await freshApp()(
      tokenRequest(
        `${ORIGIN}/oauth2/${serverId}`,
        { grant_type: "client_credentials" },
        { authorization: basic(clientId, SECRET) },
      ),
    );
    expect(res.status).toBe(200);
    const afterHook = (await call("GET", "/warden/export")).body.inlineHooks.find(
      (h: { id: string }) => h.id === hookId,
    );
    expect(afterHook).toEqual(exportedHook);
  });
});

describe("POST /api/v1/warden/import", () => {
  it("dryRun validates against current state, reports what would change, and writes nothing", async () => {
    const { serverId } = await seedServer();
    const doc = await exported();
    const newId = uniqueId("dry");
    const server = doc.authorizationServers.find((s) => s.server.id === serverId);
    if (!server) throw new Error("setup");
    const draft = {
      ...doc,
      authorizationServers: [{ ...server, server: { ...server.server, id: newId, name: "dry" } }],
    };
    const res = await call("POST", "/warden/import?dryRun=true", draft);
    expect(res.status).toBe(200);
    expect(res.body.servers).toEqual([{ id: newId, version: 1 }]);
    expect((await call("GET", `/authorizationServers/${newId}`)).status).toBe(404);
    expect(await bindings.CONFIG.get(kvKeys.snapshot(newId))).toBeNull();

    const bad = await call("POST", "/warden/import?dryRun=true", {
      authorizationServers: [
        {
          ...draft.authorizationServers[0],
          policies: [{ id: "p", name: "p", priority: 1, conditions: { clients: { include: ["ghost"] } } }],
        },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errorCauses[0].errorSummary).toContain("client 'ghost' does not exist");
  });

  it("prune deletes the servers, clients and hooks the document no longer has, in the same write", async () => {
    const { serverId, clientId, postClientId } = await seedServer();
    const spare = uniqueId("spare");
    const hookId = uniqueId("cal");
    expect(
      (
        await call("POST", "/warden/import", {
          clients: [{ client_id: spare, client_name: "spare", client_secrets: [SECRET] }],
          inlineHooks: [hook(hookId)],
        })
      ).status,
    ).toBe(200);

    const doc = await exported();
    const pruneDoc = {
      authorizationServers: doc.authorizationServers.filter((s) => s.server.id !== serverId),
      clients: doc.clients.filter(
        (c) => c.client_id !== spare && c.client_id !== clientId && c.client_id !== postClientId,
      ),
      inlineHooks: doc.inlineHooks.filter((h) => h.id !== hookId),
    };
    const res = await call("POST", "/warden/import?prune=true", pruneDoc);
    expect(res.status).toBe(200);
    expect(res.body.deleted).toEqual({
      authorizationServers: [serverId],
      clients: [clientId, postClientId, spare].sort(),
      inlineHooks: [hookId],
      trustedOrigins: [],
    });
    expect((await call("GET", `/authorizationServers/${serverId}`)).status).toBe(404);
    expect(await bindings.CONFIG.get(kvKeys.snapshot(serverId))).toBeNull();
    expect(await bindings.CONFIG.get(kvKeys.keyset(serverId))).toBeNull();
    expect(await bindings.CONFIG.get(kvKeys.client(spare))).toBeNull();
    expect(await bindings.CONFIG.get(kvKeys.hook(hookId))).toBeNull();
    expect((await call("GET", `/apps/${spare}`)).status).toBe(404);
    expect((await call("GET", `/inlineHooks/${hookId}`)).status).toBe(404);
    const after = await exported();
    expect(after.authorizationServers.length).toBe(pruneDoc.authorizationServers.length);
  });

  it("refuses a prune that would leave a policy naming a deleted client, and changes nothing", async () => {
    const { serverId, clientId } = await seedServer();
    const doc = await exported();
    const res = await call("POST", "/warden/import?prune=true", {
      ...doc,
      clients: doc.clients.filter((c) => c.client_id !== clientId),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errorCauses)).toContain(`client '${clientId}' does not exist`);
    expect((await call("GET", `/apps/${clientId}`)).status).toBe(200);
    expect((await call("GET", `/authorizationServers/${serverId}`)).status).toBe(200);
  });

  it("normalises priorities to 1..n in evaluation order", async () => {
    const { serverId } = await seedServer();
    const doc = await exported();
    const server = doc.authorizationServers.find((s) => s.server.id === serverId);
    if (!server) throw new Error("setup");
    const rule = server.policies[0]?.rules[0];
    if (!rule) throw new Error("setup");
    const spaced = {
      ...server,
      policies: [
        {
          ...server.policies[0],
          rules: [
            { ...rule, id: "late", name: "late", priority: 50 },
            { ...rule, priority: 10 },
          ],
        },
      ],
    };
    expect((await call("POST", "/warden/import", { authorizationServers: [spaced] })).status).toBe(200);
    const rules = (await call("GET", `/authorizationServers/${serverId}/policies/p1/rules`)).body;
    expect(rules.map((r: { id: string; priority: number }) => `${r.id}:${r.priority}`)).toEqual([
      "r1:1",
      "late:2",
    ]);
  });

  it("refuses a flag that is not true or false", async () => {
    const res = await call("POST", "/warden/import?prune=yes", {});
    expect(res).toMatchObject({
      status: 400,
      body: { errorCode: "E0000001", errorCauses: [{ errorSummary: "prune: must be 'true' or 'false'" }] },
    });
  });
});
