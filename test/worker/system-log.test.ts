/**
 * The system log against real D1 and the queue consumer: token grants counted in isolate memory and
 * written after a flush (exactly once, whatever the redelivery), denials with their policy trace,
 * admin writes, API-token use, key rotation; `/api/v1/logs` filters, cursors, `Link`, sort and bad
 * input; retention; and the warm token path's I/O, queue and D1 included.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import { LOG_DENIAL_SAMPLES_PER_WINDOW, LOG_FLUSH_INTERVAL_SECONDS } from "../../src/config/defaults";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import type { LogEvent } from "../../src/log/event";
import type { LogMessage, LogQueue } from "../../src/log/event-log";
import { writeMessages } from "../../src/log/store";
import {
  ADMIN_TOKEN,
  adminCall,
  adminRequest,
  basic,
  expectApiError,
  freshApp,
  SECRET,
  seedServer,
  tokenRequest,
  uniqueId,
} from "./helpers";

const bindings = env as Env;

/** A queue that keeps what it is sent, and an env that uses it. */
function capturing() {
  const sent: LogMessage[] = [];
  let calls = 0;
  const queue: LogQueue = {
    sendBatch: async (messages) => {
      calls += 1;
      for (const m of messages) sent.push(m.body);
    },
  };
  const bound: Env = { ...bindings, LOG_QUEUE: queue as unknown as Env["LOG_QUEUE"] };
  return { sent, queue, env: bound, calls: () => calls };
}

/** Runs the Worker's own queue() handler over `bodies`, as the runtime would deliver them. */
async function deliver(bodies: readonly unknown[]) {
  const batch = createMessageBatch(
    "warden-system-log",
    bodies.map((body, i) => ({ id: `m${i}-${Math.random()}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, bindings);
  return getQueueResult(batch, ctx);
}

async function logs(query: string): Promise<{ status: number; headers: Headers; body: LogEvent[] }> {
  return adminCall("GET", `/logs?${query}`);
}

const raw = (path: string) => freshApp()(adminRequest("GET", path));
const filterFor = (expr: string) => `filter=${encodeURIComponent(expr)}`;

function clock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("token grants", () => {
  it("are counted in isolate memory and written as one row per client and minute, exactly once", async () => {
    const f = await seedServer();
    const t = clock();
    const deps = createDeps(t.now);
    const q = capturing();
    const fetch = freshApp(deps);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(
        tokenRequest(
          f.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(f.clientId, SECRET) },
        ),
        q.env,
      );
      expect(res.status).toBe(200);
    }
    // Nothing was sent during the requests: the flush interval has not passed.
    expect(q.calls()).toBe(0);
    await deps.log.flush(q.queue, true);
    expect(q.calls()).toBe(1);
    expect(q.sent).toHaveLength(1);
    expect(q.sent[0]?.aggregate?.count).toBe(3);

    expect((await deliver(q.sent)).ackAll).toBe(true);
    // At-least-once delivery: the same contribution again changes nothing.
    await deliver(q.sent);
    // A second isolate's contribution to the same minute adds to the same row.
    const other = createDeps(t.now);
    const q2 = capturing();
    await freshApp(other)(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
      q2.env,
    );
    await other.log.flush(q2.queue, true);
    await deliver(q2.sent);

    const res = await logs(
      filterFor(`eventType eq "app.oauth2.as.token.grant.access_token" and target.id eq "${f.serverId}"`),
    );
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    const event = res.body[0] as LogEvent;
    expect(event).toMatchObject({
      eventType: "app.oauth2.as.token.grant.access_token",
      outcome: { result: "SUCCESS" },
      actor: { id: f.clientId, type: "PublicClientApp" },
      target: [{ id: f.serverId, type: "AuthorizationServer" }],
      debugContext: { debugData: { aggregated: true, count: 4, grantType: "client_credentials" } },
    });
  });

  it("are one event each, with the client's address, on a server that opted into FULL logging", async () => {
    const f = await seedServer({ server: { logging: { grants: "FULL" } } });
    const deps = createDeps();
    const q = capturing();
    const request = tokenRequest(
      f.issuer,
      { grant_type: "client_credentials" },
      { authorization: basic(f.clientId, SECRET) },
    );
    const headers = new Headers(request.headers);
    headers.set("CF-Connecting-IP", "203.0.113.7");
    headers.set("User-Agent", "orders-service/1.0");
    for (let i = 0; i < 2; i++) {
      const res = await freshApp(deps)(new Request(request.clone(), { headers }), q.env);
      expect(res.status).toBe(200);
    }
    await deps.log.flush(q.queue, true);
    await deliver(q.sent);
    const res = await logs(filterFor(`target.id eq "${f.serverId}" and client.ipAddress eq "203.0.113.7"`));
    expect(res.body).toHaveLength(2);
    expect(res.body[0]).toMatchObject({
      client: { ipAddress: "203.0.113.7", userAgent: { rawUserAgent: "orders-service/1.0" } },
      debugContext: { debugData: { grantType: "client_credentials", grantedScopes: "read" } },
    });
    expect(res.body[0]?.debugContext.debugData.aggregated).toBeUndefined();
  });
});

describe("denials", () => {
  it("are stored with their policy trace, the first few per minute in full and the rest counted", async () => {
    const f = await seedServer();
    const deps = createDeps();
    const q = capturing();
    const fetch = freshApp(deps);
    const attempts = LOG_DENIAL_SAMPLES_PER_WINDOW + 3;
    for (let i = 0; i < attempts; i++) {
      const res = await fetch(
        tokenRequest(
          f.issuer,
          { grant_type: "client_credentials", scope: "admin" },
          { authorization: basic(f.clientId, SECRET) },
        ),
        q.env,
      );
      expect(res.status).toBe(400);
    }
    await deps.log.flush(q.queue, true);
    await deliver(q.sent);
    const res = await logs(
      filterFor(
        `eventType eq "app.oauth2.as.token.grant" and outcome.result eq "FAILURE" and target.id eq "${f.serverId}"`,
      ),
    );
    const full = res.body.filter((e) => !e.debugContext.debugData.aggregated);
    const counted = res.body.filter((e) => e.debugContext.debugData.aggregated);
    expect(full).toHaveLength(LOG_DENIAL_SAMPLES_PER_WINDOW);
    expect(full[0]).toMatchObject({
      outcome: { result: "FAILURE", reason: "access_denied" },
      actor: { id: f.clientId },
      debugContext: { debugData: { grantType: "client_credentials", error: "access_denied" } },
    });
    const trace = full[0]?.debugContext.debugData.trace as { kind: string; id: string }[];
    expect(trace).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "rule", id: "r1" })]));
    expect(counted).toHaveLength(1);
    expect(counted[0]?.debugContext.debugData.count).toBe(3);
  });

  it("of client authentication are Okta's app.oauth2.invalid_client_credentials", async () => {
    const f = await seedServer();
    const deps = createDeps();
    const q = capturing();
    const res = await freshApp(deps)(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, "wrong") },
      ),
      q.env,
    );
    expect(res.status).toBe(401);
    await deps.log.flush(q.queue, true);
    expect(q.sent.map((m) => m.event)).toEqual([
      expect.objectContaining({
        eventType: "app.oauth2.invalid_client_credentials",
        outcome: { result: "FAILURE", reason: "invalid_client" },
        actor: expect.objectContaining({ id: f.clientId }),
      }),
    ]);
  });
});

describe("admin events", () => {
  it("records a write with the admin as actor and the objects as targets, sent at once", async () => {
    const f = await seedServer();
    const q = capturing();
    const res = await freshApp()(
      adminRequest("POST", `/authorizationServers/${f.serverId}/scopes`, { name: "orders:audit" }),
      q.env,
    );
    expect(res.status).toBe(201);
    const scope = (await res.json()) as { id: string };
    // No execution context here: the send was awaited before the answer.
    expect(q.sent.map((m) => m.event)).toEqual([
      expect.objectContaining({
        eventType: "oauth2.scope.created",
        actor: expect.objectContaining({ id: "bootstrap", type: "SystemPrincipal" }),
        outcome: { result: "SUCCESS", reason: null },
        target: [
          expect.objectContaining({ id: f.serverId, type: "AuthorizationServer" }),
          expect.objectContaining({ id: scope.id, type: "Scope" }),
        ],
      }),
    ]);
    await deliver(q.sent);
    const found = await logs(filterFor(`eventType eq "oauth2.scope.created" and target.id eq "${scope.id}"`));
    expect(found.body).toHaveLength(1);
  });

  it("records a key rotation as app.oauth2.as.key.rollover", async () => {
    const f = await seedServer();
    const q = capturing();
    const res = await freshApp()(
      adminRequest("POST", `/authorizationServers/${f.serverId}/credentials/lifecycle/keyRotate`, {
        use: "sig",
      }),
      q.env,
    );
    expect(res.status).toBe(200);
    expect(q.sent.map((m) => m.event.eventType)).toEqual(["app.oauth2.as.key.rollover"]);
    expect(q.sent[0]?.event.target[0]).toMatchObject({ id: f.serverId });
  });

  it("counts a managed API token's use and logs its creation and revocation", async () => {
    const q = capturing();
    const deps = createDeps();
    const fetch = freshApp(deps);
    const created = await fetch(adminRequest("POST", "/api-tokens", { name: uniqueId("tok") }), q.env);
    expect(created.status).toBe(201);
    const token = (await created.json()) as { id: string; token: string };
    expect(q.sent.at(-1)?.event).toMatchObject({
      eventType: "system.api_token.create",
      target: [expect.objectContaining({ id: token.id, type: "ApiToken" })],
    });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(
        adminRequest("GET", "/authorizationServers", undefined, `SSWS ${token.token}`),
        q.env,
      );
      expect(res.status).toBe(200);
    }
    await deps.log.flush(q.queue, true);
    const use = q.sent.find((m) => m.event.eventType === "warden.api_token.use");
    expect(use?.aggregate?.count).toBe(2);
    expect(use?.event.actor).toMatchObject({ id: token.id, type: "ApiToken" });
    const revoked = await fetch(adminRequest("DELETE", `/api-tokens/${token.id}`), q.env);
    expect(revoked.status).toBe(204);
    expect(q.sent.at(-1)?.event.eventType).toBe("system.api_token.revoke");
  });

  it("records nothing for a read, a refused write or a dry run", async () => {
    const f = await seedServer();
    const q = capturing();
    const fetch = freshApp();
    await fetch(adminRequest("GET", `/authorizationServers/${f.serverId}/scopes`), q.env);
    await fetch(adminRequest("POST", `/authorizationServers/${f.serverId}/scopes`, { name: "" }), q.env);
    await fetch(adminRequest("POST", "/warden/import?dryRun=true", { authorizationServers: [] }), q.env);
    expect(q.sent).toEqual([]);
  });
});

describe("GET /api/v1/logs", () => {
  async function seedEvents(prefix: string, n: number, start: number) {
    const messages: LogMessage[] = Array.from({ length: n }, (_, i) => ({
      v: 1,
      event: {
        uuid: `${prefix}-${i}`,
        published: new Date(start + i * 1000).toISOString(),
        eventType: i % 2 === 0 ? "oauth2.as.updated" : "policy.rule.update",
        version: "0",
        severity: i === n - 1 ? "WARN" : "INFO",
        legacyEventType: null,
        displayMessage: `Event ${prefix} number ${i}`,
        actor: {
          id: `actor-${prefix}`,
          type: "SystemPrincipal",
          alternateId: null,
          displayName: null,
          detailEntry: null,
        },
        client: { ipAddress: null, userAgent: null, zone: null, device: null, id: null },
        outcome: { result: i === n - 1 ? "FAILURE" : "SUCCESS", reason: null },
        target: [
          {
            id: `${prefix}-target-${i % 3}`,
            type: "AuthorizationServer",
            alternateId: null,
            displayName: null,
            detailEntry: null,
          },
        ],
        transaction: { type: "WEB", id: null, detail: {} },
        debugContext: { debugData: { n: i } },
        authenticationContext: { authenticationStep: 0, externalSessionId: null },
        securityContext: {},
        request: { ipChain: [] },
      },
    }));
    await writeMessages(bindings.DIRECTORY, messages, Date.now());
  }

  it("filters, pages with cursors and Link, sorts, and keeps next for polling", async () => {
    const prefix = uniqueId("q");
    await seedEvents(prefix, 7, Date.now() - 60_000);
    const actor = `actor.id eq "actor-${prefix}"`;

    const all = await logs(filterFor(actor));
    expect(all.body.map((e) => e.uuid)).toEqual(Array.from({ length: 7 }, (_, i) => `${prefix}-${i}`));

    const rules = await logs(filterFor(`${actor} and eventType eq "policy.rule.update"`));
    expect(rules.body.map((e) => e.debugContext.debugData.n)).toEqual([1, 3, 5]);
    const nested = await logs(
      filterFor(
        `${actor} and (target.id eq "${prefix}-target-0" or outcome.result eq "FAILURE") and not severity eq "DEBUG"`,
      ),
    );
    expect(nested.body.map((e) => e.debugContext.debugData.n)).toEqual([0, 3, 6]);
    const co = await logs(filterFor(`${actor} and displayMessage co "number 4"`));
    expect(co.body.map((e) => e.uuid)).toEqual([`${prefix}-4`]);
    const keyword = await logs(`q=${encodeURIComponent(`NUMBER ${prefix}`)}&limit=2`);
    expect(keyword.body).toHaveLength(2);

    // Pages of 3, following Link rel="next" until the polling answer comes back empty, still with next.
    const seen: string[] = [];
    let url = `/logs?${filterFor(actor)}&limit=3`;
    for (let page = 0; page < 4; page++) {
      const res = await adminCall("GET", url);
      expect(res.headers.get("Link")).toContain('rel="self"');
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.get("Link") ?? "")?.[1];
      expect(next).toBeDefined();
      seen.push(...(res.body as LogEvent[]).map((e) => e.uuid));
      url = next as string;
    }
    expect(seen).toEqual(all.body.map((e) => e.uuid));

    const desc = await logs(`${filterFor(actor)}&sortOrder=DESCENDING&limit=2`);
    expect(desc.body.map((e) => e.debugContext.debugData.n)).toEqual([6, 5]);

    // A bounded query with everything on one page has no next.
    const bounded = await logs(`${filterFor(actor)}&until=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(bounded.body).toHaveLength(7);
    expect(bounded.headers.get("Link")).not.toContain('rel="next"');

    const since = await logs(
      `${filterFor(actor)}&since=${new Date(Date.now() - 60_000 + 4500).toISOString()}`,
    );
    expect(since.body.map((e) => e.debugContext.debugData.n)).toEqual([5, 6]);
  });

  it("refuses bad input in Okta's shape", async () => {
    for (const bad of [
      'eventType eq "x" and',
      "eventType equals 1",
      'nosuch eq "x"',
      '(eventType eq "x"',
      `${"(".repeat(20)}eventType eq "x"${")".repeat(20)}`,
      'eventType eq "unterminated',
    ]) {
      await expectApiError(await raw(`/logs?${filterFor(bad)}`), 400, "E0000031");
    }
    for (const bad of [
      "since=yesterday",
      "until=2026-13-45",
      "sortOrder=UP",
      "limit=0",
      "limit=abc",
      "after=not-a-cursor",
    ]) {
      await expectApiError(await raw(`/logs?${bad}`), 400, "E0000001");
    }
    await expectApiError(
      await raw("/logs?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z"),
      400,
      "E0000001",
    );
  });

  it("needs okta.logs.read", async () => {
    const res = await freshApp()(adminRequest("GET", "/logs", undefined, "SSWS wrong"));
    expect(res.status).toBe(401);
    expect(ADMIN_TOKEN).toBeTruthy();
  });
});

describe("retention", () => {
  it("the daily cron deletes events older than 90 days and keeps the rest", async () => {
    const prefix = uniqueId("old");
    const now = Date.UTC(2031, 0, 1);
    const day = 86_400_000;
    const message = (id: string, at: number): LogMessage => ({
      v: 1,
      event: {
        uuid: id,
        published: new Date(at).toISOString(),
        eventType: "oauth2.as.updated",
        version: "0",
        severity: "INFO",
        legacyEventType: null,
        displayMessage: "x",
        actor: {
          id: prefix,
          type: "SystemPrincipal",
          alternateId: null,
          displayName: null,
          detailEntry: null,
        },
        client: { ipAddress: null, userAgent: null, zone: null, device: null, id: null },
        outcome: { result: "SUCCESS", reason: null },
        target: [],
        transaction: { type: "JOB", id: null, detail: {} },
        debugContext: { debugData: {} },
        authenticationContext: { authenticationStep: 0, externalSessionId: null },
        securityContext: {},
        request: { ipChain: [] },
      },
    });
    await writeMessages(
      bindings.DIRECTORY,
      [message(`${prefix}-91d`, now - 91 * day), message(`${prefix}-89d`, now - 89 * day)],
      now,
    );
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "17 3 * * *" }), bindings);
    await waitOnExecutionContext(ctx);
    const { results } = await bindings.DIRECTORY.prepare("SELECT uuid FROM system_log WHERE actor_id = ?")
      .bind(prefix)
      .all<{ uuid: string }>();
    expect(results.map((r) => r.uuid)).toEqual([`${prefix}-89d`]);
  });
});

describe("the warm token path's I/O", () => {
  it("makes no queue or D1 call per request; one sendBatch per isolate per flush interval", async () => {
    const f = await seedServer();
    const t = clock();
    const deps = createDeps(t.now);
    const q = capturing();
    const calls = { d1: 0 };
    const d1 = new Proxy(bindings.DIRECTORY, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.d1 += 1;
          return value.apply(target, args);
        };
      },
    });
    const counted: Env = { ...q.env, DIRECTORY: d1 };
    const fetch = freshApp(deps);
    const request = () =>
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      );
    for (let i = 0; i < 20; i++) expect((await fetch(request(), counted)).status).toBe(200);
    expect(q.calls()).toBe(0);
    expect(calls.d1).toBe(0);

    t.advance(LOG_FLUSH_INTERVAL_SECONDS * 1000);
    for (let i = 0; i < 5; i++) expect((await fetch(request(), counted)).status).toBe(200);
    // The first request past the interval sent what the isolate held; the next four sent nothing.
    expect(q.calls()).toBe(1);
    expect(q.sent.reduce((n, m) => n + (m.aggregate?.count ?? 0), 0)).toBe(20);
    expect(calls.d1).toBe(0);
  });
});
