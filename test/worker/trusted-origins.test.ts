/**
 * `/api/v1/trustedOrigins` in Okta's shapes: create, get, list (`q`, `filter`, `limit`/`after` with
 * `Link`), replace, lifecycle, delete; bad input refused in Okta's error shape with nothing written;
 * okta.trustedOrigins.read / manage; the import / export document; and the record the edges read,
 * `trustedOrigins/all`, authenticated as a whole (a forged one is refused).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../src/config/kv-keys";
import { ALL_RIGHTS } from "../../src/config/rights";
import type { Env } from "../../src/env";
import {
  adminCall,
  adminRequest,
  configRecord,
  controlPlane,
  freshApp,
  ORIGIN,
  orgAccessToken,
  seedOrgClient,
  uniqueId,
} from "./helpers";

const bindings = env as Env;

function origin(label = "spa"): string {
  return `https://${uniqueId(label).toLowerCase()}.example`;
}

async function create(body: Record<string, unknown>) {
  const res = await adminCall("POST", "/trustedOrigins", body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function listAll(): Promise<{ id: string; origin: string }[]> {
  return (await adminCall("GET", "/trustedOrigins?limit=200")).body;
}

describe("the Trusted Origins API", () => {
  it("creates, reads, replaces, deactivates, activates and deletes in Okta's shape", async () => {
    const at = origin();
    const created = await create({
      name: uniqueId("SPA"),
      origin: `${at.toUpperCase()}/`,
      scopes: [{ type: "CORS" }, { type: "REDIRECT" }],
    });
    expect(created).toMatchObject({
      origin: at,
      status: "ACTIVE",
      scopes: [{ type: "CORS" }, { type: "REDIRECT" }],
      createdBy: "bootstrap",
      lastUpdatedBy: "bootstrap",
    });
    expect(created.id).toMatch(/^tos[A-Za-z0-9]{17}$/);
    const self = `${ORIGIN}/api/v1/trustedOrigins/${created.id}`;
    expect(created._links).toEqual({
      self: { href: self, hints: { allow: ["GET", "PUT", "DELETE"] } },
      deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ["POST"] } },
    });
    expect(Date.parse(created.created)).not.toBeNaN();

    expect((await adminCall("GET", `/trustedOrigins/${created.id}`)).body).toEqual(created);

    const renamed = uniqueId("Renamed");
    const replaced = await adminCall("PUT", `/trustedOrigins/${created.id}`, {
      name: renamed,
      origin: at,
      scopes: [{ type: "REDIRECT" }],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id: created.id,
      name: renamed,
      scopes: [{ type: "REDIRECT" }],
      status: "ACTIVE",
    });
    expect(replaced.body.created).toBe(created.created);

    const off = await adminCall("POST", `/trustedOrigins/${created.id}/lifecycle/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body.status).toBe("INACTIVE");
    expect(off.body._links.activate.href).toBe(`${self}/lifecycle/activate`);
    // A replace without `status` keeps the stored one.
    const still = await adminCall("PUT", `/trustedOrigins/${created.id}`, {
      name: renamed,
      origin: at,
      scopes: [{ type: "CORS" }],
    });
    expect(still.body.status).toBe("INACTIVE");
    expect((await adminCall("POST", `/trustedOrigins/${created.id}/lifecycle/activate`)).body.status).toBe(
      "ACTIVE",
    );

    expect((await adminCall("DELETE", `/trustedOrigins/${created.id}`)).status).toBe(204);
    const gone = await adminCall("GET", `/trustedOrigins/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({
      errorCode: "E0000007",
      errorSummary: `Not found: Resource not found: ${created.id} (TrustedOrigin)`,
    });
    expect((await adminCall("DELETE", `/trustedOrigins/${created.id}`)).status).toBe(404);
    expect((await adminCall("POST", `/trustedOrigins/${created.id}/lifecycle/activate`)).status).toBe(404);
  });

  it("creates an INACTIVE origin when asked, and logs every write with Okta's event types", async () => {
    const created = await create({
      name: uniqueId("off"),
      origin: origin(),
      scopes: [{ type: "CORS" }],
      status: "INACTIVE",
    });
    expect(created.status).toBe("INACTIVE");
  });

  it("refuses bad input with 400 E0000001 and writes nothing", async () => {
    const before = await listAll();
    const cases: [unknown, string][] = [
      [
        { name: "x", origin: "example.com", scopes: [{ type: "CORS" }] },
        "origin: must be an absolute origin",
      ],
      [
        { name: "x", origin: "https://a.example/path", scopes: [{ type: "CORS" }] },
        "origin: must be an origin only",
      ],
      [
        { name: "x", origin: "https://*.a.example", scopes: [{ type: "CORS" }] },
        "origin: must not contain a wildcard",
      ],
      [{ name: "x", origin: "javascript:alert(1)", scopes: [{ type: "CORS" }] }, "origin: must use http"],
      [{ name: "x", origin: "null", scopes: [{ type: "CORS" }] }, "origin"],
      [{ name: "x", origin: "https://a.example", scopes: [] }, "scopes"],
      [{ name: "x", origin: "https://a.example", scopes: [{ type: "IFRAME_EMBED" }] }, "scopes.0.type"],
      [
        { name: "x", origin: "https://a.example", scopes: [{ type: "CORS" }, { type: "CORS" }] },
        "duplicate scope type",
      ],
      [{ name: "", origin: "https://a.example", scopes: [{ type: "CORS" }] }, "name"],
      [{ name: "x".repeat(256), origin: "https://a.example", scopes: [{ type: "CORS" }] }, "name"],
      [{ origin: "https://a.example", scopes: [{ type: "CORS" }] }, "name"],
      [{ name: "x", origin: `https://${"a".repeat(1100)}.example`, scopes: [{ type: "CORS" }] }, "origin"],
      [[], "body"],
      ["null", "body"],
    ];
    for (const [body, cause] of cases) {
      const res = await adminCall("POST", "/trustedOrigins", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errorCode).toBe("E0000001");
      expect(res.body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary).join("\n")).toContain(
        cause,
      );
    }
    // Not JSON, not UTF-8, too large: 400 too, never a 5xx.
    const raw = (body: BodyInit) =>
      freshApp()(
        new Request(`${ORIGIN}/api/v1/trustedOrigins`, {
          method: "POST",
          headers: {
            Authorization: adminRequest("GET", "/").headers.get("Authorization") ?? "",
            "Content-Type": "application/json",
          },
          body,
        }),
      );
    expect((await raw("{")).status).toBe(400);
    expect((await raw(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))).status).toBe(400);
    const huge = await raw(JSON.stringify({ name: "x".repeat(20_000) }));
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { errorCode: string }).errorCode).toBe("E0000003");
    expect(await listAll()).toEqual(before);
  });

  it("keeps names and origins unique, on create and on replace", async () => {
    const name = uniqueId("Unique");
    const at = origin();
    const first = await create({ name, origin: at, scopes: [{ type: "CORS" }] });
    const sameOrigin = await adminCall("POST", "/trustedOrigins", {
      name: uniqueId("other"),
      origin: at,
      scopes: [{ type: "CORS" }],
    });
    expect(sameOrigin.status).toBe(400);
    expect(sameOrigin.body.errorCauses[0].errorSummary).toContain(`already trusted by '${first.id}'`);
    const sameName = await adminCall("POST", "/trustedOrigins", {
      name: name.toUpperCase(),
      origin: origin(),
      scopes: [{ type: "CORS" }],
    });
    expect(sameName.status).toBe(400);
    expect(sameName.body.errorCauses[0].errorSummary).toContain("is already used by trusted origin");
    const second = await create({ name: uniqueId("second"), origin: origin(), scopes: [{ type: "CORS" }] });
    const clash = await adminCall("PUT", `/trustedOrigins/${second.id}`, {
      name: uniqueId("n"),
      origin: at,
      scopes: [{ type: "CORS" }],
    });
    expect(clash.status).toBe(400);
    expect((await adminCall("GET", `/trustedOrigins/${second.id}`)).body.origin).toBe(second.origin);
    const missing = await adminCall("PUT", "/trustedOrigins/tosNoSuchOrigin0000", {
      name: "n",
      origin: origin(),
      scopes: [{ type: "CORS" }],
    });
    expect(missing.status).toBe(404);
  });

  it("lists with q, filter, limit and after, following Link headers", async () => {
    const tag = uniqueId("Paged").toLowerCase();
    const made = [];
    for (let i = 0; i < 3; i += 1) {
      made.push(await create({ name: `${tag} ${i}`, origin: origin(), scopes: [{ type: "CORS" }] }));
    }
    await adminCall("POST", `/trustedOrigins/${made[1].id}/lifecycle/deactivate`);
    const ids = made.map((o) => o.id).sort();

    const first = await adminCall(
      "GET",
      `/trustedOrigins?q=${encodeURIComponent(tag.toUpperCase())}&limit=2`,
    );
    expect(first.status).toBe(200);
    expect(first.body.map((o: { id: string }) => o.id)).toEqual(ids.slice(0, 2));
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("Link") ?? "")?.[1];
    expect(next).toBeDefined();
    const second = await adminCall("GET", (next as string).replace(ORIGIN, "").replace("/api/v1", ""));
    expect(second.body.map((o: { id: string }) => o.id)).toEqual(ids.slice(2));
    expect(second.headers.get("Link")).not.toContain('rel="next"');

    const byOrigin = await adminCall("GET", `/trustedOrigins?q=${encodeURIComponent(made[0].origin)}`);
    expect(byOrigin.body.map((o: { id: string }) => o.id)).toEqual([made[0].id]);

    const inactive = await adminCall(
      "GET",
      `/trustedOrigins?filter=${encodeURIComponent(`status eq "INACTIVE" and name eq "${tag} 1"`)}`,
    );
    expect(inactive.body.map((o: { id: string }) => o.id)).toEqual([made[1].id]);
    const byName = await adminCall(
      "GET",
      `/trustedOrigins?filter=${encodeURIComponent(`name eq "${tag} 2"`)}`,
    );
    expect(byName.body.map((o: { id: string }) => o.id)).toEqual([made[2].id]);
    const exact = await adminCall(
      "GET",
      `/trustedOrigins?filter=${encodeURIComponent(`origin eq "${made[0].origin}"`)}`,
    );
    expect(exact.body.map((o: { id: string }) => o.id)).toEqual([made[0].id]);
  });

  it("never lets q or filter become SQL, and refuses filters it does not understand", async () => {
    const everything = (await listAll()).length;
    for (const q of ["%", "_", "'", "' OR 1=1 --", "\\"]) {
      const res = await adminCall("GET", `/trustedOrigins?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      expect(res.body.length, q).toBeLessThan(Math.max(everything, 1));
    }
    const injected = await adminCall(
      "GET",
      `/trustedOrigins?filter=${encodeURIComponent(`name eq "x' OR '1'='1"`)}`,
    );
    expect(injected.status).toBe(200);
    expect(injected.body).toEqual([]);
    for (const filter of ['name sw "a"', 'status eq "ACTIVE" or name eq "x"', "1=1", 'id eq "x"']) {
      const res = await adminCall("GET", `/trustedOrigins?filter=${encodeURIComponent(filter)}`);
      expect(res.status, filter).toBe(400);
      expect(res.body.errorCode).toBe("E0000031");
    }
    expect((await adminCall("GET", `/trustedOrigins?q=${"a".repeat(600)}`)).status).toBe(400);
    expect((await adminCall("GET", "/trustedOrigins?limit=0")).status).toBe(400);
    expect((await adminCall("PATCH", "/trustedOrigins")).status).toBe(405);
  });
});

describe("rights", () => {
  it("lets okta.trustedOrigins.read read and nothing more; manage writes; other scopes do nothing", async () => {
    const reader = await seedOrgClient(["okta.trustedOrigins.read", "okta.apps.manage"]);
    const manager = await seedOrgClient(["okta.trustedOrigins.manage"]);
    const read = `Bearer ${await orgAccessToken(reader, "okta.trustedOrigins.read okta.apps.manage")}`;
    const manage = `Bearer ${await orgAccessToken(manager, "okta.trustedOrigins.manage")}`;
    const body = { name: uniqueId("rights"), origin: origin(), scopes: [{ type: "CORS" }] };
    const call = (method: string, path: string, auth: string, payload?: unknown) =>
      freshApp()(adminRequest(method, path, payload, auth));

    expect((await call("GET", "/trustedOrigins", read)).status).toBe(200);
    const refused = await call("POST", "/trustedOrigins", read, body);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { errorCode: string }).errorCode).toBe("E0000006");
    expect(refused.headers.get("WWW-Authenticate")).toContain('scope="okta.trustedOrigins.manage"');

    const created = await call("POST", "/trustedOrigins", manage, body);
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    expect((await call("GET", `/trustedOrigins/${id}`, manage)).status).toBe(200);
    for (const [method, path] of [
      ["PUT", `/trustedOrigins/${id}`],
      ["DELETE", `/trustedOrigins/${id}`],
      ["POST", `/trustedOrigins/${id}/lifecycle/deactivate`],
    ] as const) {
      expect((await call(method, path, read, body)).status, `${method} ${path}`).toBe(403);
    }
    expect((await adminCall("GET", `/trustedOrigins/${id}`)).body.status).toBe("ACTIVE");

    // The bulk endpoints now cover trusted origins too: an importer without the right is refused.
    const importer = await seedOrgClient([
      "okta.authorizationServers.manage",
      "okta.apps.manage",
      "okta.inlineHooks.manage",
    ]);
    const narrow = `Bearer ${await orgAccessToken(importer, "okta.authorizationServers.manage okta.apps.manage okta.inlineHooks.manage")}`;
    const imported = await call("POST", "/warden/import", narrow, { trustedOrigins: [body] });
    expect(imported.status).toBe(403);
  });

  it("refuses an import that touches trusted origins without the right, inside the control plane too", async () => {
    const narrow = ALL_RIGHTS.filter((s) => !s.startsWith("okta.trustedOrigins"));
    const result = await controlPlane().importConfig(
      { trustedOrigins: [{ name: uniqueId("cp"), origin: origin(), scopes: [{ type: "CORS" }] }] },
      narrow,
    );
    expect(result).toMatchObject({ ok: false, forbidden: ["okta.trustedOrigins.manage"] });
    // Without trusted origins in it, the same rights still import.
    expect((await controlPlane().importConfig({}, narrow)).ok).toBe(true);
  });
});

describe("configuration as code", () => {
  it("imports by origin (create then update in place), exports without ids, and prunes", async () => {
    const at = origin("iac");
    const name = uniqueId("iac");
    const first = await adminCall("POST", "/warden/import", {
      trustedOrigins: [{ name, origin: `${at}/`, scopes: [{ type: "CORS" }] }],
    });
    expect(first.status).toBe(200);
    expect(first.body.trustedOrigins).toEqual([
      { id: expect.stringMatching(/^tos/), origin: at, created: true },
    ]);
    const id = first.body.trustedOrigins[0].id;

    const again = await adminCall("POST", "/warden/import", {
      trustedOrigins: [
        { name, origin: at, scopes: [{ type: "CORS" }, { type: "REDIRECT" }], status: "INACTIVE" },
      ],
    });
    expect(again.body.trustedOrigins).toEqual([{ id, origin: at, created: false }]);
    expect((await adminCall("GET", `/trustedOrigins/${id}`)).body).toMatchObject({
      status: "INACTIVE",
      scopes: [{ type: "CORS" }, { type: "REDIRECT" }],
    });

    const exported = await adminCall("GET", "/warden/export");
    expect(exported.body.trustedOrigins).toContainEqual({
      name,
      origin: at,
      scopes: [{ type: "CORS" }, { type: "REDIRECT" }],
      status: "INACTIVE",
    });

    const bad = await adminCall("POST", "/warden/import", {
      trustedOrigins: [
        { name: uniqueId("a"), origin: at, scopes: [{ type: "CORS" }] },
        { name: uniqueId("b"), origin: `${at}:443`, scopes: [{ type: "CORS" }] },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errorCauses.map((c: { errorSummary: string }) => c.errorSummary)).toContain(
      `trustedOrigins.1.origin: duplicate origin '${at}'`,
    );

    // A dry-run prune says what it would delete and deletes nothing.
    const everything = (await adminCall("GET", "/warden/export")).body;
    const keep = everything.trustedOrigins.filter((o: { origin: string }) => o.origin !== at);
    const dry = await adminCall("POST", "/warden/import?prune=true&dryRun=true", {
      ...everything,
      trustedOrigins: keep,
    });
    expect(dry.status).toBe(200);
    expect(dry.body.deleted.trustedOrigins).toEqual([id]);
    expect((await adminCall("GET", `/trustedOrigins/${id}`)).status).toBe(200);
    const pruned = await adminCall("POST", "/warden/import?prune=true", {
      ...everything,
      trustedOrigins: keep,
    });
    expect(pruned.status).toBe(200);
    expect(pruned.body.deleted.trustedOrigins).toEqual([id]);
    expect((await adminCall("GET", `/trustedOrigins/${id}`)).status).toBe(404);
  });
});

describe("the edges' record", () => {
  it("holds ACTIVE origins only, authenticated for its kind and id", async () => {
    const active = origin("rec");
    const inactive = origin("rec");
    await create({ name: uniqueId("rec-a"), origin: active, scopes: [{ type: "CORS" }] });
    await create({
      name: uniqueId("rec-i"),
      origin: inactive,
      scopes: [{ type: "CORS" }],
      status: "INACTIVE",
    });
    const record = await configRecord<{ id: string; cors: string[]; redirect: string[] }>(
      "trustedOrigins",
      "all",
    );
    expect(record?.id).toBe("all");
    expect(record?.cors).toContain(active);
    expect(record?.cors).not.toContain(inactive);
  });

  it("is refused when forged or moved, and the edge gets the control plane's instead", async () => {
    const attacker = origin("attacker");
    const genuine = await bindings.CONFIG.get(kvKeys.trustedOrigins("all"));
    const forgeries = [
      JSON.stringify({ id: "all", cors: [attacker], redirect: [] }),
      JSON.stringify({
        format: "warden-config/1",
        record: JSON.stringify({ id: "all", cors: [attacker], redirect: [] }),
        mac: "AAAA",
      }),
    ];
    // A genuine record of another kind, moved under this key.
    const anyClient = (await bindings.CONFIG.list({ prefix: "client/" })).keys[0]?.name;
    if (anyClient) forgeries.push((await bindings.CONFIG.get(anyClient)) as string);
    for (const [i, forged] of forgeries.entries()) {
      await bindings.CONFIG.put(kvKeys.trustedOrigins("all"), forged);
      const res = await freshApp()(
        new Request(`${ORIGIN}/oauth2/v1/token`, {
          method: "OPTIONS",
          headers: { Origin: attacker, "Access-Control-Request-Method": "POST" },
        }),
      );
      expect(res.status).toBe(403);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
      if (i === 0) {
        // The edge asked the control plane, which put its authenticated record back (then at most
        // once a minute per key: whoever keeps overwriting KV must not keep it writing).
        const restored = await bindings.CONFIG.get(kvKeys.trustedOrigins("all"));
        expect(JSON.parse(restored as string).record).toBe(JSON.parse(genuine as string).record);
      }
    }
  });
});
