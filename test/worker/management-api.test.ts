import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import { CONFIG_CACHE_TTL_SECONDS } from "../../src/config/defaults";
import {
  ADMIN_TOKEN,
  basic,
  adminCall as call,
  decodeJwt,
  expectRefusals,
  freshApp,
  ORIGIN,
  SECRET,
  seedServer,
  tokenRequest,
} from "./helpers";

interface ScopeBody {
  id: string;
  name: string;
  default: boolean;
  _links: { self: { href: string } };
}

describe("/api/v1/authorizationServers/{id}/scopes", () => {
  it("lists, creates (201, Okta id and defaults), gets, replaces and deletes (204)", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/scopes`;

    const created = await call("POST", base, { name: "orders:read", description: "Read orders" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^scp[A-Za-z0-9]{17}$/),
      name: "orders:read",
      displayName: "orders:read",
      description: "Read orders",
      system: false,
      default: false,
      metadataPublish: "NO_CLIENTS",
      consent: "IMPLICIT",
      optional: false,
      _links: {
        self: {
          href: `${ORIGIN}/api/v1${base}/${created.body.id}`,
          hints: { allow: ["GET", "PUT", "DELETE"] },
        },
      },
    });
    const scopeId = created.body.id as string;

    // Read-your-writes: the list and the get read the control plane.
    const list = await call("GET", base);
    expect(list.status).toBe(200);
    expect((list.body as ScopeBody[]).map((s) => s.name)).toEqual(["read", "write", "admin", "orders:read"]);
    expect((await call("GET", `${base}?q=ORDERS`)).body.map((s: ScopeBody) => s.id)).toEqual([scopeId]);
    expect((await call("GET", `${base}/${scopeId}`)).body).toEqual(created.body);

    const replaced = await call("PUT", `${base}/${scopeId}`, { name: "orders:list", default: true });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: scopeId, name: "orders:list", default: true, description: "" });
    expect((await call("GET", `${base}/${scopeId}`)).body).toMatchObject({ name: "orders:list" });

    expect((await call("DELETE", `${base}/${scopeId}`)).status).toBe(204);
    expect((await call("GET", `${base}/${scopeId}`)).status).toBe(404);
  });

  it("refuses a body over the admin limit, or one that is not UTF-8, with 400 E0000003; stores nothing", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}`;
    const huge = { name: "big", description: "x".repeat(70 * 1024) };
    for (const [method, path] of [
      ["POST", `${base}/scopes`],
      ["PUT", `${base}/scopes/s-read`],
      ["POST", `${base}/policies`],
      ["POST", `${base}/policies/p1/rules`],
      ["POST", `${base}/claims`],
      ["PUT", base],
    ] as const) {
      const res = await call(method, path, huge);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body).toMatchObject({
        errorCode: "E0000003",
        errorSummary: "The request body exceeds 65536 bytes.",
      });
    }
    const notUtf8 = await freshApp()(
      new Request(`${ORIGIN}/api/v1${base}/scopes`, {
        method: "POST",
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
      }),
    );
    expect(notUtf8.status).toBe(400);
    expect(((await notUtf8.json()) as { errorCode: string }).errorCode).toBe("E0000003");
    expect((await call("GET", `${base}/scopes`)).body.map((s: ScopeBody) => s.name)).toEqual([
      "read",
      "write",
      "admin",
    ]);
  });

  it("pages with limit and after, following Link rel=next to the end", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/scopes`;
    const seen: string[] = [];
    let next: string | undefined = `${base}?limit=2`;
    while (next) {
      const page = await call("GET", next);
      expect(page.status).toBe(200);
      seen.push(...page.body.map((s: ScopeBody) => s.name));
      next = /<([^>]+)>; rel="next"/
        .exec(page.headers.get("Link") ?? "")?.[1]
        ?.replace(`${ORIGIN}/api/v1`, "");
    }
    expect(seen).toEqual(["read", "write", "admin"]);
    expect((await call("GET", `${base}?after=gone`)).body).toEqual([]);
    expect((await call("GET", `${base}?limit=-1`)).status).toBe(400);
  });

  it("refuses invalid input with 400 E0000001 naming the field, and stores nothing", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/scopes`;
    const cases: [unknown, string][] = [
      [{ name: "two words" }, "name"],
      [{ name: "x", consent: "SOMETIMES" }, "consent"],
      [{ name: "x", metadataPublish: "EVERYONE" }, "metadataPublish"],
      [{ name: "x", displayName: "d".repeat(101) }, "displayName"],
      [{ name: "read" }, "name: a scope named 'read' already exists"],
      [{ name: "openid" }, "name: 'openid' is a reserved system scope"],
      [{ name: "x", system: true }, "system"],
    ];
    await expectRefusals(base, cases);
    expect((await call("GET", base)).body).toHaveLength(3);
    const notJson = await freshApp()(
      new Request(`${ORIGIN}/api/v1${base}`, {
        method: "POST",
        headers: { Authorization: `SSWS ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: "{",
      }),
    );
    expect(notJson.status).toBe(400);
  });

  it("answers 404 E0000007 for an unknown server or scope and 405 E0000022 for a wrong method", async () => {
    const { serverId } = await seedServer();
    for (const [method, path, body] of [
      ["GET", "/authorizationServers/nope/scopes"],
      ["POST", "/authorizationServers/nope/scopes", { name: "x" }],
      ["GET", `/authorizationServers/${serverId}/scopes/nope`],
      ["PUT", `/authorizationServers/${serverId}/scopes/nope`, { name: "x" }],
      ["DELETE", `/authorizationServers/${serverId}/scopes/nope`],
    ] as [string, string, unknown][]) {
      const res = await call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.errorCode).toBe("E0000007");
    }
    const patch = await call("PATCH", `/authorizationServers/${serverId}/scopes/s-read`, { name: "x" });
    expect(patch).toMatchObject({ status: 405, body: { errorCode: "E0000022" } });
    const put = await call("PUT", `/authorizationServers/${serverId}/scopes`, { name: "x" });
    expect(put).toMatchObject({ status: 405, body: { errorCode: "E0000022" } });
  });

  it("refuses to delete or rename a scope a rule names, with a clear cause", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/scopes`;
    const del = await call("DELETE", `${base}/s-read`);
    expect(del.status).toBe(400);
    expect(del.body.errorCauses).toEqual([
      { errorSummary: "scope: scope 'read' is used by rule 'r1' of policy 'p1'" },
    ]);
    const rename = await call("PUT", `${base}/s-write`, { name: "write2" });
    expect(rename.status).toBe(400);
    expect((await call("GET", `${base}/s-read`)).status).toBe(200);
    expect((await call("GET", `${base}/s-write`)).body.name).toBe("write");
    // The unreferenced one goes.
    expect((await call("DELETE", `${base}/s-admin`)).status).toBe(204);
  });

  it("50 concurrent creates on one server give 50 scopes (no lost update)", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/scopes`;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call("POST", base, { name: `bulk:${i}` })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const names = ((await call("GET", base)).body as ScopeBody[]).map((s) => s.name);
    expect(names).toHaveLength(53);
    for (let i = 0; i < 50; i++) expect(names).toContain(`bulk:${i}`);
  });

  it("a change reaches the token endpoint: at once for a cold isolate, within the cache TTL for a warm one", async () => {
    const { serverId, issuer, clientId } = await seedServer();
    const base = `/authorizationServers/${serverId}/scopes`;
    let now = Date.now();
    const warm = freshApp(createDeps(() => now));
    const token = async (app: ReturnType<typeof freshApp>) => {
      const res = await app(
        tokenRequest(
          issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(clientId, SECRET) },
        ),
      );
      expect(res.status).toBe(200);
      const { access_token } = (await res.json()) as { access_token: string };
      return decodeJwt(access_token).payload.scp;
    };
    expect(await token(warm)).toEqual(["read"]);

    // Swap the default scope: read → write.
    expect((await call("PUT", `${base}/s-write`, { name: "write", default: true })).status).toBe(200);
    expect((await call("PUT", `${base}/s-read`, { name: "read", default: false })).status).toBe(200);

    expect(await token(freshApp())).toEqual(["write"]);
    expect(await token(warm)).toEqual(["read"]);
    now += (CONFIG_CACHE_TTL_SECONDS + 1) * 1000;
    expect(await token(warm)).toEqual(["write"]);
  });
});

describe("/api/v1/authorizationServers/{id}/claims", () => {
  it("creates (201), lists, gets, replaces and deletes a claim; a new claim reaches tokens", async () => {
    const { serverId, issuer, clientId } = await seedServer();
    const base = `/authorizationServers/${serverId}/claims`;
    const created = await call("POST", base, {
      name: "tier",
      claimType: "RESOURCE",
      valueType: "EXPRESSION",
      value: '"gold"',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^ocl[A-Za-z0-9]{17}$/),
      name: "tier",
      status: "ACTIVE",
      alwaysIncludeInToken: true,
      conditions: { scopes: [] },
      system: false,
      _links: { self: { href: `${ORIGIN}/api/v1${base}/${created.body.id}` } },
    });
    const claimId = created.body.id as string;
    expect((await call("GET", base)).body.map((c: { id: string }) => c.id)).toEqual([claimId]);
    expect((await call("GET", `${base}/${claimId}`)).body).toEqual(created.body);

    const res = await freshApp()(
      tokenRequest(issuer, { grant_type: "client_credentials" }, { authorization: basic(clientId, SECRET) }),
    );
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token).payload.tier).toBe("gold");

    const replaced = await call("PUT", `${base}/${claimId}`, {
      name: "tier",
      claimType: "RESOURCE",
      valueType: "EXPRESSION",
      value: '"silver"',
      status: "INACTIVE",
    });
    expect(replaced).toMatchObject({
      status: 200,
      body: { id: claimId, value: '"silver"', status: "INACTIVE" },
    });
    expect((await call("DELETE", `${base}/${claimId}`)).status).toBe(204);
    expect((await call("GET", `${base}/${claimId}`)).status).toBe(404);
  });

  it("refuses bad expressions, bad enums, reserved and duplicate names; 404 for unknown ids", async () => {
    const { serverId } = await seedServer();
    const base = `/authorizationServers/${serverId}/claims`;
    const good = { name: "c1", claimType: "RESOURCE", valueType: "EXPRESSION", value: '"x"' };
    expect((await call("POST", base, good)).status).toBe(201);
    for (const [body, field] of [
      [{ ...good, name: "c2", value: "(((" }, "value"],
      [{ ...good, name: "c2", claimType: "OTHER" }, "claimType"],
      [{ ...good, name: "scp" }, "name"],
      [good, "claims"],
      [{ ...good, name: "c2", valueType: "GROUPS" }, "group_filter_type"],
    ] as [unknown, string][]) {
      const res = await call("POST", base, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errorCode).toBe("E0000001");
      expect(res.body.errorSummary).toContain(field);
    }
    expect((await call("GET", base)).body).toHaveLength(1);
    expect((await call("GET", `${base}/nope`)).status).toBe(404);
    expect((await call("PUT", `${base}/nope`, good)).status).toBe(404);
    expect((await call("DELETE", `${base}/nope`)).status).toBe(404);
    expect((await call("GET", "/authorizationServers/nope/claims")).status).toBe(404);
    expect((await call("PATCH", base, good)).status).toBe(405);
  });
});
