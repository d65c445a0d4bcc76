/**
 * A stranger who can write the KV namespace tries to mint real tokens through the config records the
 * edge reads: a client record with their own secret hash, a genuine record moved under another id, a
 * snapshot granting them a scope, an inline hook record sending every token's claims to their server.
 * Every record is authenticated as a whole for its kind and the id asked for
 * (src/config/config-record.ts): none of that works; the edge recovers the control plane's record,
 * and where it cannot the record is absent (invalid_client, 404, hook_not_found), never theirs.
 * Records of an older Warden (no MAC) are refused the same way and published again on upgrade.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { base64url } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDeps } from "../../src/app";
import { kvKeys } from "../../src/config/kv-keys";
import { ALL_RIGHTS } from "../../src/config/rights";
import type { Client, Snapshot } from "../../src/config/schemas";
import { ControlPlane } from "../../src/control-plane/control-plane";
import { hashSecret } from "../../src/crypto/secrets";
import type { Env } from "../../src/env";
import {
  adminRequest,
  basic,
  configRecord,
  controlPlane,
  decodeJwt,
  type Fixture,
  freshApp,
  importConfig,
  orgAccessToken,
  orgTokenRequest,
  SECRET,
  seedOrgClient,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";
import { HOOK_ORIGIN, recorded, tokenPreview, withHook } from "./preview-fixtures";

const bindings = env as Env;
const ATTACKER_SECRET = "attacker-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
type Kind = "snapshot" | "client" | "hook";

afterEach(() => {
  vi.restoreAllMocks();
});

/** The bindings with the control plane unreachable (counted): the edge cannot recover a record. */
function withoutControlPlane() {
  const calls = { controlPlane: 0 };
  const CONTROL_PLANE = new Proxy(bindings.CONTROL_PLANE, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "get") {
        // Unreachable for everything; only record recovery is counted (the revocation pulse's reads
        // are its own business, test/worker/revocation-pulse.test.ts).
        return () =>
          new Proxy(
            {},
            {
              get(_, method) {
                return () => {
                  if (method === "publishedRecord") calls.controlPlane += 1;
                  throw new Error("control plane unreachable");
                };
              },
            },
          );
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { env: { ...bindings, CONTROL_PLANE } as Env, calls };
}

/** The bindings with the control plane's record recoveries (`publishedRecord`) counted. */
function countingControlPlane() {
  const calls = { controlPlane: 0 };
  const CONTROL_PLANE = new Proxy(bindings.CONTROL_PLANE, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "get") {
        // The edge calls the control plane for two things: record recovery, counted, and the
        // revocation pulse (src/config/revocation-pulse.ts), passed through.
        return (id: DurableObjectId) => {
          const stub = target.get(id);
          return {
            publishedRecord: (kind: Kind, recordId: string) => {
              calls.controlPlane += 1;
              return stub.publishedRecord(kind, recordId);
            },
            revocationPulse: () => stub.revocationPulse(),
          };
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { env: { ...bindings, CONTROL_PLANE } as Env, calls };
}

async function kvRecord(kind: Kind, id: string): Promise<Record<string, string>> {
  const raw = await bindings.CONFIG.get(kvKeys[kind](id));
  if (raw === null) throw new Error(`no ${kind} record for ${id}`);
  return JSON.parse(raw) as Record<string, string>;
}

/** The three ways to write `value` as the record of `kind`/`id`: no MAC, the genuine MAC kept, a MAC of one's own. */
async function forgeries(kind: Kind, id: string, value: unknown): Promise<[string, string][]> {
  const genuine = await kvRecord(kind, id);
  const record = JSON.stringify(value);
  const ownKey = (await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ])) as CryptoKey;
  const ownMac = await crypto.subtle.sign("HMAC", ownKey, new TextEncoder().encode(record));
  return [
    ["no MAC, as Warden published before", record],
    ["the genuine MAC kept over a changed record", JSON.stringify({ ...genuine, record })],
    [
      "a MAC under a key of the stranger's own",
      JSON.stringify({ ...genuine, record, mac: base64url.encode(new Uint8Array(ownMac)) }),
    ],
  ];
}

function token(f: Fixture, secret: string, scope?: string, bindingsFor: Env = bindings, app = freshApp()) {
  return app(
    tokenRequest(
      f.issuer,
      { grant_type: "client_credentials", ...(scope ? { scope } : {}) },
      { authorization: basic(f.clientId, secret) },
    ),
    bindingsFor,
  );
}

async function expectInvalidClient(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.error).toBe("invalid_client");
  expect(body.access_token).toBeUndefined();
  expect(JSON.stringify(body)).not.toMatch(/MAC|HMAC|record|forg/i);
}

function warnings(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls.flatMap((call) => {
    try {
      return [JSON.parse(String(call[0])) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe("a stranger who can write a client record in KV", () => {
  it("never gets a token with a secret of their own, however the record is written", async () => {
    const f = await seedServer();
    const genuine = (await configRecord<Client>("client", f.clientId)) as Client;
    const forged: Client = {
      ...genuine,
      secrets: [
        { id: "ocsattacker", secretHash: await hashSecret(ATTACKER_SECRET), status: "ACTIVE", created: "" },
      ],
    };
    const genuineRaw = (await bindings.CONFIG.get(kvKeys.client(f.clientId))) ?? "";
    let first = true;
    for (const [name, raw] of await forgeries("client", f.clientId, forged)) {
      await bindings.CONFIG.put(kvKeys.client(f.clientId), raw);
      const warn = vi.spyOn(console, "warn");
      // With the control plane reachable, the edge recovers the genuine record: the stranger's secret
      // fails, the genuine one works.
      await expectInvalidClient(await token(f, ATTACKER_SECRET));
      const rejected = warnings(warn).find((e) => e.event === "config.record_rejected");
      expect(rejected, name).toMatchObject({ kind: "client", id: f.clientId, origin: "kv" });
      // Logged without the record's content.
      expect(JSON.stringify(warnings(warn))).not.toContain(await hashSecret(ATTACKER_SECRET));
      expect((await token(f, SECRET)).status, name).toBe(200);
      // The control plane put the genuine record back (the first time; then at most once a minute).
      if (first) expect(await configRecord("client", f.clientId), name).toEqual(genuine);
      first = false;

      // With the control plane unreachable, the client is unknown: no token for anyone.
      await bindings.CONFIG.put(kvKeys.client(f.clientId), raw);
      const cut = withoutControlPlane();
      await expectInvalidClient(await token(f, ATTACKER_SECRET, undefined, cut.env));
      await expectInvalidClient(await token(f, SECRET, undefined, cut.env));
      expect(cut.calls.controlPlane, name).toBe(2);
      await bindings.CONFIG.put(kvKeys.client(f.clientId), genuineRaw);
    }
  });

  it("cannot move a genuine record of their own client under a client a policy names", async () => {
    const f = await seedServer();
    const own = uniqueId("mine");
    await importConfig({
      clients: [{ client_id: own, client_name: "mine", client_secrets: [ATTACKER_SECRET] }],
    });
    await bindings.CONFIG.put(
      kvKeys.client(f.clientId),
      (await bindings.CONFIG.get(kvKeys.client(own))) ?? "",
    );
    const cut = withoutControlPlane();
    await expectInvalidClient(await token(f, ATTACKER_SECRET, undefined, cut.env));
    // Recovered from the control plane: still the genuine client, still not the stranger's secret.
    await expectInvalidClient(await token(f, ATTACKER_SECRET));
    expect((await token(f, SECRET)).status).toBe(200);
  });

  it("cannot re-activate a deactivated client under its kept MAC", async () => {
    const f = await seedServer();
    const res = await freshApp()(adminRequest("POST", `/apps/${f.clientId}/lifecycle/deactivate`));
    expect(res.status).toBe(200);
    await expectInvalidClient(await token(f, SECRET));
    const genuine = (await configRecord<Client>("client", f.clientId)) as Client;
    expect(genuine.status).toBe("INACTIVE");
    const [, kept] = (await forgeries("client", f.clientId, { ...genuine, status: "ACTIVE" }))[1] as [
      string,
      string,
    ];
    await bindings.CONFIG.put(kvKeys.client(f.clientId), kept);
    await expectInvalidClient(await token(f, SECRET, undefined, withoutControlPlane().env));
    await expectInvalidClient(await token(f, SECRET));
  });

  it("cannot grant an org client okta.* scopes, nor keep its org tokens working once it is refused", async () => {
    const svc = await seedOrgClient(["okta.apps.read"]);
    const orgToken = await orgAccessToken(svc, "okta.apps.read");
    const genuine = (await configRecord<Client>("client", svc.clientId)) as Client;
    const grants = [{ scopeId: "okta.apps.read" }, { scopeId: "okta.apps.manage" }];
    for (const [name, raw] of await forgeries("client", svc.clientId, { ...genuine, grants })) {
      await bindings.CONFIG.put(kvKeys.client(svc.clientId), raw);
      // A fresh isolate without the control plane: the client is unknown to the org server and to
      // the management API's bearer check.
      const cut = withoutControlPlane();
      const app = freshApp();
      const res = await orgTokenRequest(svc, "okta.apps.manage", {
        fetch: (request) => app(request, cut.env),
      });
      expect(res.status, name).toBe(401);
      const admin = await app(adminRequest("GET", "/apps", undefined, `Bearer ${orgToken}`), cut.env);
      expect(admin.status, name).toBe(401);
      // With it, the genuine grants: no okta.apps.manage.
      const recovered = await orgTokenRequest(svc, "okta.apps.manage");
      expect(recovered.status, name).toBe(400);
      expect(((await recovered.json()) as { error: string }).error).toBe("invalid_scope");
    }
  });
});

describe("a stranger who can write a snapshot in KV", () => {
  /** The server's rule widened to the `admin` scope. */
  function granting(snapshot: Snapshot): Snapshot {
    const policies = snapshot.policies.map((p) => ({
      ...p,
      rules: p.rules.map((r) => ({
        ...r,
        conditions: { ...r.conditions, scopes: { include: ["read", "write", "admin"] } },
      })),
    }));
    return { ...snapshot, policies, version: snapshot.version + 100 };
  }

  it("never gets a scope the genuine snapshot does not grant", async () => {
    const f = await seedServer();
    const refused = await token(f, SECRET, "admin");
    const genuineAnswer = { status: refused.status, body: await refused.json() };
    expect(genuineAnswer.status).toBe(400);
    const genuine = (await configRecord<Snapshot>("snapshot", f.serverId)) as Snapshot;
    const other = await seedServer({
      config: {
        policies: [
          {
            id: "p1",
            name: "everyone",
            priority: 1,
            conditions: { clients: { include: ["ALL_CLIENTS"] } },
            rules: [
              {
                id: "r1",
                name: "all",
                priority: 1,
                conditions: { grantTypes: { include: ["client_credentials"] }, scopes: { include: ["*"] } },
              },
            ],
          },
        ],
      },
    });
    const cases = [
      ...(await forgeries("snapshot", f.serverId, granting(genuine))),
      [
        "another server's genuine snapshot, granting every scope",
        (await bindings.CONFIG.get(kvKeys.snapshot(other.serverId))) ?? "",
      ] as [string, string],
    ];
    for (const [name, raw] of cases) {
      await bindings.CONFIG.put(kvKeys.snapshot(f.serverId), raw);
      // Without the control plane: the server is unknown.
      const cut = withoutControlPlane();
      expect((await token(f, SECRET, "admin", cut.env)).status, name).toBe(404);
      // With it: the genuine snapshot's answer.
      const res = await token(f, SECRET, "admin");
      expect({ status: res.status, body: await res.json() }, name).toEqual(genuineAnswer);
      const read = await token(f, SECRET, "read");
      expect(read.status).toBe(200);
      const { payload } = decodeJwt(((await read.json()) as { access_token: string }).access_token);
      expect(payload.scp).toEqual(["read"]);
    }
  });

  it("cannot bring up a server the control plane does not have", async () => {
    const f = await seedServer();
    const ghost = uniqueId("ghost");
    const genuine = (await configRecord<Snapshot>("snapshot", f.serverId)) as Snapshot;
    const forged = { ...genuine, server: { ...genuine.server, id: ghost } };
    for (const [name, raw] of await forgeries("snapshot", f.serverId, forged)) {
      await bindings.CONFIG.put(kvKeys.snapshot(ghost), raw);
      const res = await freshApp()(
        tokenRequest(
          f.issuer.replace(f.serverId, ghost),
          { grant_type: "client_credentials" },
          { authorization: basic(f.clientId, SECRET) },
        ),
      );
      expect(res.status, name).toBe(404);
    }
    expect(await controlPlane().publishedRecord("snapshot", ghost)).toBeUndefined();
    await bindings.CONFIG.delete(kvKeys.snapshot(ghost));
  });
});

describe("a stranger who can write an inline hook record in KV", () => {
  it("never has the token's claims sent to a URI of their own", async () => {
    const f = await withHook("success");
    const theirs = uniqueId("theirs");
    const genuine = (await configRecord("hook", f.hook.id)) as Record<string, unknown>;
    const forged = { ...genuine, uri: `${HOOK_ORIGIN}/success/${theirs}` };
    for (const [name, raw] of await forgeries("hook", f.hook.id, forged)) {
      await bindings.CONFIG.put(kvKeys.hook(f.hook.id), raw);
      // Without the control plane: hook_not_found, the token issued unchanged, nobody called.
      const cut = withoutControlPlane();
      const res = await token(f, SECRET, "read", cut.env);
      expect(res.status, name).toBe(200);
      const { payload } = decodeJwt(((await res.json()) as { access_token: string }).access_token);
      expect(payload.team).toBe("blue");
      // With it: the genuine hook is called, never theirs.
      const before = (await recorded(f.tag)).length;
      const hooked = await token(f, SECRET, "read");
      expect(hooked.status, name).toBe(200);
      expect(decodeJwt(((await hooked.json()) as { access_token: string }).access_token).payload.team).toBe(
        "red",
      );
      expect((await recorded(f.tag)).length).toBe(before + 1);
      // Token Preview reads the hook through an uncached store, verified the same way.
      await bindings.CONFIG.put(kvKeys.hook(f.hook.id), raw);
      const preview = await tokenPreview(f.serverId, {
        clientId: f.clientId,
        grantType: "client_credentials",
      });
      expect(preview.status).toBe(200);
      expect(await recorded(theirs), name).toEqual([]);
    }
  });
});

describe("records an older Warden published (no MAC)", () => {
  /** What an older Warden put in KV for these objects. */
  async function downgrade(f: Fixture, hookId?: string): Promise<void> {
    await bindings.CONFIG.put(
      kvKeys.snapshot(f.serverId),
      JSON.stringify(await configRecord("snapshot", f.serverId)),
    );
    await bindings.CONFIG.put(
      kvKeys.client(f.clientId),
      JSON.stringify(await configRecord("client", f.clientId)),
    );
    if (hookId)
      await bindings.CONFIG.put(kvKeys.hook(hookId), JSON.stringify(await configRecord("hook", hookId)));
  }

  async function authenticated(f: Fixture, hookId?: string): Promise<boolean> {
    const reads = [configRecord("snapshot", f.serverId), configRecord("client", f.clientId)];
    if (hookId) reads.push(configRecord("hook", hookId));
    return Promise.all(reads).then(
      () => true,
      () => false,
    );
  }

  it("are refused until republished: an edge that meets one asks the control plane once, and gets a token", async () => {
    const f = await seedServer();
    await downgrade(f);
    const cut = withoutControlPlane();
    const app = freshApp();
    expect((await token(f, SECRET, undefined, cut.env, app)).status).toBe(404);
    expect(cut.calls.controlPlane).toBe(1);

    const counted = countingControlPlane();
    const recovering = freshApp();
    expect((await token(f, SECRET, undefined, counted.env, recovering)).status).toBe(200);
    // Snapshot and client, once each; then the warm path does no control-plane call.
    expect(counted.calls.controlPlane).toBe(2);
    for (let i = 0; i < 5; i++)
      expect((await token(f, SECRET, undefined, counted.env, recovering)).status).toBe(200);
    expect(counted.calls.controlPlane).toBe(2);
    expect(await authenticated(f)).toBe(true);
    // And the next cold isolate reads them straight from KV.
    const next = countingControlPlane();
    expect((await token(f, SECRET, undefined, next.env)).status).toBe(200);
    expect(next.calls.controlPlane).toBe(0);
  });

  it("never caches a refused record, and asks the control plane at most once per cooldown", async () => {
    const f = await seedServer();
    let clock = Date.now();
    const deps = createDeps(() => clock);
    const app = freshApp(deps);
    const genuineClient = await bindings.CONFIG.get(kvKeys.client(f.clientId));
    await downgrade(f);
    const cut = withoutControlPlane();
    expect((await token(f, SECRET, undefined, cut.env, app)).status).toBe(404);
    expect(cut.calls.controlPlane).toBe(1);
    clock += 6_000;
    expect((await token(f, SECRET, undefined, cut.env, app)).status).toBe(404);
    expect(cut.calls.controlPlane).toBe(1);
    // KV fixed (a republish that propagated): the isolate uses it once its negative entry expires.
    await bindings.CONFIG.put(kvKeys.client(f.clientId), genuineClient ?? "");
    await controlPlane().publishedRecord("snapshot", f.serverId);
    clock += 6_000;
    expect((await token(f, SECRET, undefined, cut.env, app)).status).toBe(200);
  });

  it("are all published again on the control plane's first call after an upgrade", async () => {
    const f = await seedServer();
    const hooked = await withHook("success");
    await downgrade(f);
    await downgrade(hooked, hooked.hook.id);
    expect(await authenticated(f)).toBe(false);
    // The upgrade: a control plane whose stored marker predates authenticated records starts.
    await runInDurableObject(controlPlane(), async (_, state) => {
      state.storage.sql.exec("DELETE FROM control_plane_meta");
      const warn = vi.spyOn(console, "warn");
      const started = new ControlPlane(state, bindings);
      await started.listInlineHooks();
      await vi.waitFor(async () => expect(await authenticated(f)).toBe(true));
      expect(await authenticated(hooked, hooked.hook.id)).toBe(true);
      expect(warnings(warn).find((e) => e.event === "control_plane.records_republished")).toBeDefined();
    });
    const res = await token(hooked, SECRET, "read", withoutControlPlane().env);
    expect(res.status).toBe(200);
    // The hook's secret, sealed again under its own derived key, opens at the edge.
    expect(decodeJwt(((await res.json()) as { access_token: string }).access_token).payload.team).toBe("red");
    const [call] = (await recorded(hooked.tag)).slice(-1);
    expect(call?.headers.authorization).toMatch(/^Bearer hook-secret/);
  });

  it("are published again by an import, and by nothing else once they are current", async () => {
    const f = await seedServer();
    await downgrade(f);
    await runInDurableObject(controlPlane(), async (_, state) => {
      state.storage.sql.exec("DELETE FROM control_plane_meta");
    });
    await importConfig({});
    expect(await authenticated(f)).toBe(true);
    // Current now: a second import republishes nothing it does not name.
    await downgrade(f);
    const result = await controlPlane().importConfig({}, ALL_RIGHTS);
    expect(result.ok).toBe(true);
    expect(await authenticated(f)).toBe(false);
    await controlPlane().publishedRecord("snapshot", f.serverId);
    await controlPlane().publishedRecord("client", f.clientId);
  });
});
