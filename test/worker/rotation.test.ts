import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../src/app";
import type { Env } from "../../src/env";
import type { KeyInfo, VaultStatus } from "../../src/keys/key-vault";
import type { PublishedKeyset } from "../../src/keys/keyset";
import { ADMIN_TOKEN, basic, decodeJwt, freshApp, ORIGIN, SECRET, seedServer, tokenRequest } from "./helpers";

const bindings = env as Env;
const vault = (serverId: string) => bindings.KEY_VAULT.get(bindings.KEY_VAULT.idFromName(serverId));
/** An accelerated schedule: a key signs for 20 s, its successor is published 10 s before. */
const FAST = { rotationMode: "AUTO", rotationPeriodSeconds: 20, nextKeyLeadSeconds: 10 } as const;

const byStatus = (status: VaultStatus) =>
  Object.fromEntries(
    ["ACTIVE", "NEXT", "EXPIRED", "REVOKED"].map((s) => [
      s,
      status.keys.filter((k) => k.status === s).map((k) => k.kid),
    ]),
  );

async function publishedKeyset(serverId: string): Promise<PublishedKeyset> {
  return JSON.parse((await bindings.CONFIG.get(`keyset/${serverId}`)) as string) as PublishedKeyset;
}

function admin(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `SSWS ${ADMIN_TOKEN}`);
  return freshApp()(new Request(`${ORIGIN}/api/v1/authorizationServers/${path}`, { ...init, headers }));
}

function activation(key: KeyInfo | undefined): number {
  if (key?.activatesAt == null) throw new Error("key has no activation time");
  return key.activatesAt;
}

describe("scheduled rotation (AUTO)", () => {
  it("publishes the following key a lead before the rotation and switches every edge at the instant", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const start = await vault(f.serverId).status();
    const k1 = start.keys.find((k) => k.status === "ACTIVE") as KeyInfo;
    const k2 = start.keys.find((k) => k.status === "NEXT") as KeyInfo;
    const t0 = activation(k1);
    expect(activation(k2)).toBe(t0 + 20);

    // The alarm is due when k2 has signed for period − lead.
    expect(await runInDurableObject(vault(f.serverId), (_, state) => state.storage.getAlarm())).toBe(
      (t0 + 30) * 1000,
    );

    const later = await vault(f.serverId).status(t0 + 30);
    expect(byStatus(later)).toMatchObject({ ACTIVE: [k2.kid], EXPIRED: [k1.kid] });
    const k3 = later.keys.find((k) => k.status === "NEXT") as KeyInfo;
    expect(activation(k3)).toBe(t0 + 40);
    expect(later).toMatchObject({ lastRotated: t0 + 20, nextRotation: t0 + 40, kid: k2.kid });

    // The JWKS already holds k3; an edge with that keyset switches at t0+40 without asking anyone.
    const jwks = await publishedKeyset(f.serverId);
    expect(jwks.jwks.keys.map((k) => k.kid).sort()).toEqual([k1.kid, k2.kid, k3.kid].sort());
    const edge = freshApp(createDeps(() => (t0 + 39) * 1000));
    const sign = () =>
      edge(
        tokenRequest(
          f.issuer,
          { grant_type: "client_credentials" },
          { authorization: basic(f.clientId, SECRET) },
        ),
      );
    expect(
      decodeJwt(((await (await sign()).json()) as { access_token: string }).access_token).header.kid,
    ).toBe(k2.kid);
    const atSwitch = freshApp(createDeps(() => (t0 + 40) * 1000));
    const res = await atSwitch(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(decodeJwt(((await res.json()) as { access_token: string }).access_token).header.kid).toBe(k3.kid);
  });

  it("changes nothing when the alarm runs twice", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const before = await publishedKeyset(f.serverId);
    const status = await vault(f.serverId).status();
    expect(await runDurableObjectAlarm(vault(f.serverId))).toBe(true);
    // a second firing: nothing is due yet, nothing is published again
    await runInDurableObject(vault(f.serverId), (instance) => instance.alarm());
    expect(await publishedKeyset(f.serverId)).toEqual(before);
    expect((await vault(f.serverId).status()).keys).toEqual(status.keys);
  });

  it("recovers a failed publication and a lost alarm from stored state", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const { keys } = await vault(f.serverId).status();
    // Simulate a crash after a key change was stored but before KV heard of it, with the alarm lost.
    await runInDurableObject(vault(f.serverId), async (_, state) => {
      state.storage.sql.exec("INSERT OR REPLACE INTO meta (name, value) VALUES ('unpublished', '1')");
      await state.storage.deleteAlarm();
    });
    await bindings.CONFIG.delete(`keyset/${f.serverId}`);

    const recovered = await vault(f.serverId).status();
    expect(recovered.keys).toEqual(keys);
    const keyset = await publishedKeyset(f.serverId);
    expect(keyset.jwks.keys.map((k) => k.kid).sort()).toEqual(keys.map((k) => k.kid).sort());
    expect(
      await runInDurableObject(vault(f.serverId), (_, state) => state.storage.getAlarm()),
    ).not.toBeNull();
  });

  it("catches up late: a NEXT key is never dated sooner than a lead ahead", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const t0 = activation((await vault(f.serverId).status()).keys.find((k) => k.status === "ACTIVE"));
    // nothing ran for 100 s: k2 took over at t0+20 by itself; its successor is generated now
    const late = await vault(f.serverId).status(t0 + 100);
    const next = late.keys.find((k) => k.status === "NEXT");
    expect(activation(next)).toBe(t0 + 110);
  });

  it("loses nothing when every Durable Object is reset", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const before = await vault(f.serverId).status();
    await abortAllDurableObjects();
    expect(await vault(f.serverId).status()).toEqual(before);
  });
});

describe("keyRotate (Okta's credentials/lifecycle/keyRotate)", () => {
  it("makes NEXT ACTIVE now, keeps the old ACTIVE published as EXPIRED and generates a new NEXT", async () => {
    const f = await seedServer();
    const before = byStatus(await vault(f.serverId).status());
    const res = await admin(`${f.serverId}/credentials/lifecycle/keyRotate`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ use: "sig" }),
    });
    expect(res.status).toBe(200);
    const listed = (await res.json()) as { kid: string; status: string; d?: string }[];
    const after = Object.fromEntries(listed.map((k) => [k.kid, k.status]));
    expect(after[before.ACTIVE?.[0] as string]).toBe("EXPIRED");
    expect(after[before.NEXT?.[0] as string]).toBe("ACTIVE");
    expect(listed.filter((k) => k.status === "NEXT")).toHaveLength(1);
    expect(listed.every((k) => k.d === undefined)).toBe(true);

    // a new isolate signs with the formerly NEXT key; the old key still verifies
    const token = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(decodeJwt(((await token.json()) as { access_token: string }).access_token).header.kid).toBe(
      before.NEXT?.[0],
    );
    const jwks = (await (await freshApp()(new Request(`${f.issuer}/v1/keys`))).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toContain(before.ACTIVE?.[0]);
  });

  it("rotates within the same second the keys were created, and twice in one second", async () => {
    const f = await seedServer();
    const t = Math.floor(Date.now() / 1000) + 5;
    const first = await vault(f.serverId).status(t);
    const oldActive = first.keys.find((k) => k.status === "ACTIVE") as KeyInfo;
    const next = first.keys.find((k) => k.status === "NEXT") as KeyInfo;
    const once = await vault(f.serverId).rotate(t);
    if (!once.ok) throw new Error(once.reason);
    expect(byStatus(once.status)).toMatchObject({ ACTIVE: [next.kid], EXPIRED: [oldActive.kid] });
    const twice = await vault(f.serverId).rotate(t);
    if (!twice.ok) throw new Error(twice.reason);
    const newNext = once.status.keys.find((k) => k.status === "NEXT") as KeyInfo;
    expect(byStatus(twice.status).ACTIVE).toEqual([newNext.kid]);
  });

  it("reports lastRotated, nextRotation and kid on the authorization server", async () => {
    const f = await seedServer();
    await admin(`${f.serverId}/credentials/lifecycle/keyRotate`, { method: "POST" });
    const res = await admin(f.serverId);
    expect(res.status).toBe(200);
    const server = (await res.json()) as {
      credentials: { signing: Record<string, unknown> };
      issuer: string;
    };
    const status = await vault(f.serverId).status();
    expect(server.issuer).toBe(f.issuer);
    expect(server.credentials.signing).toMatchObject({
      rotationMode: "AUTO",
      use: "sig",
      kid: status.kid,
      lastRotated: new Date((status.lastRotated ?? 0) * 1000).toISOString(),
      nextRotation: new Date((status.nextRotation ?? 0) * 1000).toISOString(),
    });
    expect(Date.parse(server.credentials.signing.lastRotated as string)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("keeps a MANUAL server's NEXT key undated until the next keyRotate", async () => {
    const f = await seedServer({ server: { credentials: { signing: { rotationMode: "MANUAL" } } } });
    const status = await vault(f.serverId).status();
    expect(status.keys.find((k) => k.status === "NEXT")?.activatesAt).toBeNull();
    expect(status.nextRotation).toBeNull();
    expect(await runInDurableObject(vault(f.serverId), (_, state) => state.storage.getAlarm())).toBeNull();
  });

  it("answers 404 for an unknown server and 400 for a bad body, changing nothing", async () => {
    expect((await admin("nope/credentials/lifecycle/keyRotate", { method: "POST" })).status).toBe(404);
    const f = await seedServer();
    const before = await vault(f.serverId).status();
    const bad = await admin(`${f.serverId}/credentials/lifecycle/keyRotate`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ use: "enc" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errorCode: string }).errorCode).toBe("E0000001");
    expect(await vault(f.serverId).status()).toEqual(before);
  });
});

describe("emergency revocation", () => {
  it("takes the key out of the JWKS and the sealed keyset; the published NEXT key signs at once", async () => {
    const f = await seedServer();
    const before = byStatus(await vault(f.serverId).status());
    const revoked = before.ACTIVE?.[0] as string;
    const res = await admin(`${f.serverId}/credentials/keys/${revoked}/lifecycle/revoke`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("REVOKED");

    const jwks = (await (await freshApp()(new Request(`${f.issuer}/v1/keys`))).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(revoked);
    const listed = (await (await admin(`${f.serverId}/credentials/keys`)).json()) as { kid: string }[];
    expect(listed.map((k) => k.kid)).not.toContain(revoked);
    expect(
      ((await (await admin(`${f.serverId}/credentials/keys/${revoked}`)).json()) as { status: string })
        .status,
    ).toBe("REVOKED");

    const token = await freshApp()(
      tokenRequest(
        f.issuer,
        { grant_type: "client_credentials" },
        { authorization: basic(f.clientId, SECRET) },
      ),
    );
    expect(decodeJwt(((await token.json()) as { access_token: string }).access_token).header.kid).toBe(
      before.NEXT?.[0],
    );
    // even an edge whose clock runs far ahead never picks the revoked key again
    const keyset = await publishedKeyset(f.serverId);
    expect(keyset.keys.map((k) => k.kid)).not.toContain(revoked);
  });

  it("answers 404 for an unknown kid and changes nothing", async () => {
    const f = await seedServer();
    const before = await vault(f.serverId).status();
    expect(
      (await admin(`${f.serverId}/credentials/keys/nope/lifecycle/revoke`, { method: "POST" })).status,
    ).toBe(404);
    expect(await vault(f.serverId).status()).toEqual(before);
  });
});

describe("JWKS cache lifetime follows the schedule", () => {
  it("shortens max-age so no cached JWKS outlives the moment an unpublished key could sign", async () => {
    const f = await seedServer({ server: { credentials: { signing: FAST } } });
    const t0 = activation((await vault(f.serverId).status()).keys.find((k) => k.status === "ACTIVE"));
    const local = { ...bindings, KV_PROPAGATION_SECONDS: "0", KEYSET_CACHE_TTL_SECONDS: "1" };
    const at = (t: number) => freshApp(createDeps(() => t * 1000))(new Request(`${f.issuer}/v1/keys`), local);
    // the key after k2 signs at t0+40 at the earliest; propagation here is 2 s
    expect((await at(t0)).headers.get("Cache-Control")).toBe(
      "public, max-age=38, stale-while-revalidate=0, stale-if-error=86400",
    );
    expect((await at(t0 + 30)).headers.get("Cache-Control")).toBe(
      "public, max-age=8, stale-while-revalidate=0, stale-if-error=86400",
    );
  });
});
