/**
 * `forServer` (src/oauth/server-context.ts) on a new isolate: the revocation pulse must be refreshed
 * before anything is decided, and the server's snapshot is read beside that refresh rather than after
 * it (issue 13 item 5). Nothing read early may decide early: a server the refreshed pulse disables is
 * refused, an id that cannot be one is refused without a read, and a warm pulse waits for nothing.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/context";
import { ApiError } from "../../src/errors";
import { forServer } from "../../src/oauth/server-context";
import { memoryPorts } from "./memory-ports";

const SERVER = {
  server: { id: "aus1", name: "one", audiences: ["api://one"] },
  scopes: [],
  policies: [],
};

/** Ports whose pulse refresh the test completes by hand, recording what happened in order. */
async function coldWorld(options: { revokedByRefresh?: boolean } = {}) {
  const ports = await memoryPorts({ servers: [SERVER] });
  const order: string[] = [];
  let finish: () => void = () => undefined;
  let refreshed = false;
  let fresh = false;
  const snapshot = ports.config.snapshot;
  ports.config.snapshot = async (id) => {
    order.push(`snapshot ${id}`);
    return snapshot(id);
  };
  ports.revocations = {
    isRevoked: (kind, id) =>
      refreshed && options.revokedByRefresh === true && kind === "server" && id === "aus1",
    keepFresh: () => {
      if (fresh) return undefined;
      order.push("refresh started");
      return new Promise<void>((resolve) => {
        finish = () => {
          order.push("refresh done");
          refreshed = true;
          fresh = true;
          resolve();
        };
      });
    },
    publish: async () => {},
  };
  const app = new Hono<AppEnv>();
  app.get(
    "/oauth2/:as/probe",
    forServer(
      () => ports,
      (c) => {
        order.push("handler");
        return c.text(c.get("issuer"));
      },
    ),
  );
  app.onError((error) =>
    error instanceof ApiError ? error.getResponse() : new Response("boom", { status: 500 }),
  );
  return { app, order, finish: () => finish() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("forServer on a cold pulse", () => {
  it("reads the snapshot while the pulse refreshes, and serves only after the refresh", async () => {
    const { app, order, finish } = await coldWorld();
    const answer = app.request("https://warden.test/oauth2/aus1/probe");
    await tick();
    expect(order).toEqual(["refresh started", "snapshot aus1"]);
    finish();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("https://warden.test/oauth2/aus1");
    expect(order).toEqual(["refresh started", "snapshot aus1", "refresh done", "handler"]);
  });

  it("refuses a server the refreshed pulse disables, although its snapshot was read ACTIVE before", async () => {
    const { app, order, finish } = await coldWorld({ revokedByRefresh: true });
    const answer = app.request("https://warden.test/oauth2/aus1/probe");
    await tick();
    finish();
    const res = await answer;
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errorSummary: string }).errorSummary).toBe(
      "Not found: Resource not found: aus1 (AuthorizationServer)",
    );
    expect(order).not.toContain("handler");
  });

  it("answers an unknown server 404 after the refresh, and an id that cannot be one without a read", async () => {
    const unknown = await coldWorld();
    const pendingUnknown = unknown.app.request("https://warden.test/oauth2/aus2/probe");
    await tick();
    unknown.finish();
    expect((await pendingUnknown).status).toBe(404);

    const bad = await coldWorld();
    const pendingBad = Promise.resolve(bad.app.request(`https://warden.test/oauth2/${"x".repeat(65)}/probe`));
    let settled = false;
    void pendingBad.then(() => {
      settled = true;
    });
    await tick();
    // Not answered before the refresh (as before: the pulse is refreshed first), and never read.
    expect(settled).toBe(false);
    bad.finish();
    const res = await pendingBad;
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errorSummary: string }).errorSummary).toBe(
      "Not found: Resource not found (AuthorizationServer)",
    );
    expect(bad.order).toEqual(["refresh started", "refresh done"]);
  });

  it("waits for nothing once the pulse is fresh", async () => {
    const { app, order, finish } = await coldWorld();
    const first = app.request("https://warden.test/oauth2/aus1/probe");
    await tick();
    finish();
    await first;
    order.length = 0;
    const res = await app.request("https://warden.test/oauth2/aus1/probe");
    expect(res.status).toBe(200);
    expect(order).toEqual(["snapshot aus1", "handler"]);
  });
});
