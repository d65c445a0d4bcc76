/**
 * The config records as KV holds them (snapshot, client, inline hook): every field of the record is
 * under the MAC, and so are the kind and id the edge asks for. These are the edits a stranger who can
 * write KV would try.
 */
import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import {
  CONFIG_RECORD_FORMAT,
  type ConfigRecordKind,
  configRecordMacKey,
  encodeConfigRecord,
  openConfigRecord,
} from "../../src/config/config-record";
import { Client, type Snapshot } from "../../src/config/schemas";
import {
  hookSecretKey,
  type PublishedInlineHook,
  publishedHook,
  unsealHookSecret,
} from "../../src/hooks/published-hook";
import { deriveKeysetKeys } from "../../src/keys/keyset-keys";
import { encodeKeysetRecord } from "../../src/keys/keyset-record";

const SECRET = base64url.encode(new Uint8Array(32).map((_, i) => i + 1));
const OTHER_SECRET = base64url.encode(new Uint8Array(32).map((_, i) => 200 - i));

const client = Client.parse({
  client_id: "svc",
  client_name: "service",
  token_endpoint_auth_method: "private_key_jwt",
  jwks_uri: "https://keys.example.com/jwks",
  grants: [{ scopeId: "okta.apps.read" }],
  secrets: [
    { id: "ocs1", secretHash: "a".repeat(43), status: "ACTIVE", created: "2026-01-01T00:00:00.000Z" },
  ],
});

const snapshot = {
  server: { id: "payments", name: "payments", audiences: ["api://payments"], status: "ACTIVE" },
  scopes: [{ id: "s1", name: "read" }],
  claims: [{ id: "c1", name: "team", value: '"blue"' }],
  policies: [
    {
      id: "p1",
      priority: 1,
      status: "ACTIVE",
      conditions: { clients: { include: ["svc"] } },
      rules: [{ id: "r1", conditions: { scopes: { include: ["read"] } } }],
    },
  ],
  version: 7,
  publishedAt: "2026-01-01T00:00:00.000Z",
} as unknown as Snapshot;

const hook: PublishedInlineHook = {
  id: "calhook",
  name: "enrich",
  status: "ACTIVE",
  uri: "https://hooks.example.com/enrich",
  headers: [{ key: "X-Team", value: "blue" }],
  authScheme: { key: "Authorization", sealed: { iv: "aXY", ciphertext: "Y2lwaGVy" } },
};

const samples: [ConfigRecordKind, string, unknown][] = [
  ["client", "svc", client],
  ["snapshot", "payments", snapshot],
  ["hook", "calhook", hook],
];

const key = () => configRecordMacKey(SECRET);

/** Every leaf of `value` with a path to it. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) =>
      leaves(v, [...path, Array.isArray(value) ? Number(k) : k]),
    );
  }
  return [path];
}

function changed(value: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  const old = at[last];
  at[last] = typeof old === "string" ? `${old}x` : typeof old === "number" ? old + 1 : !old;
  return copy;
}

describe("config records", () => {
  it.each(samples)("a %s record opens for its own kind and id, as published", async (kind, id, value) => {
    const raw = await encodeConfigRecord(kind, id, value, await key());
    expect(JSON.parse(raw)).toMatchObject({ format: CONFIG_RECORD_FORMAT, record: JSON.stringify(value) });
    expect(await openConfigRecord(raw, kind, id, await key())).toEqual({ ok: true, value });
  });

  it.each(samples)(
    "a %s record with any one field changed under the kept MAC is refused",
    async (kind, id, value) => {
      const raw = JSON.parse(await encodeConfigRecord(kind, id, value, await key())) as Record<
        string,
        string
      >;
      const paths = leaves(value);
      expect(paths.length).toBeGreaterThan(5);
      for (const path of paths) {
        const forged = JSON.stringify({ ...raw, record: JSON.stringify(changed(value, path)) });
        expect(await openConfigRecord(forged, kind, id, await key()), path.join(".")).toEqual({
          ok: false,
          reason: "bad_mac",
        });
      }
      // A field added (a second secret hash, a scope) is a change too.
      const added = JSON.stringify({ ...raw, record: JSON.stringify({ ...(value as object), extra: true }) });
      expect(await openConfigRecord(added, kind, id, await key())).toEqual({ ok: false, reason: "bad_mac" });
    },
  );

  it.each(samples)("a %s record moved under another id or kind is refused", async (kind, id, value) => {
    const raw = await encodeConfigRecord(kind, id, value, await key());
    expect(await openConfigRecord(raw, kind, `${id}2`, await key())).toEqual({
      ok: false,
      reason: "bad_mac",
    });
    for (const other of ["client", "snapshot", "hook"] as const) {
      if (other === kind) continue;
      expect(await openConfigRecord(raw, other, id, await key())).toEqual({ ok: false, reason: "bad_mac" });
    }
  });

  it("binds the id exactly: no id is a prefix or an escape of another", async () => {
    const raw = await encodeConfigRecord("client", 'a"\n"b', { client_id: 'a"\n"b' }, await key());
    for (const id of ["a", 'a"', 'a"\n', 'a\\"\n"b']) {
      expect((await openConfigRecord(raw, "client", id, await key())).ok, id).toBe(false);
    }
    expect((await openConfigRecord(raw, "client", 'a"\n"b', await key())).ok).toBe(true);
  });

  it("refuses a genuine MAC for a record that names another id inside", async () => {
    // Only the control plane can make one; it never does, but the id asked for still wins.
    const raw = await encodeConfigRecord("client", "svc", { ...client, client_id: "other" }, await key());
    expect(await openConfigRecord(raw, "client", "svc", await key())).toEqual({
      ok: false,
      reason: "wrong_id",
    });
  });

  it("refuses a record authenticated under another key-encryption key", async () => {
    const raw = await encodeConfigRecord("client", "svc", client, await configRecordMacKey(OTHER_SECRET));
    expect(await openConfigRecord(raw, "client", "svc", await key())).toEqual({
      ok: false,
      reason: "bad_mac",
    });
  });

  it("refuses a record signed with the keyset MAC key, and a keyset record as a config record", async () => {
    const keysetMac = (await deriveKeysetKeys(SECRET)).mac;
    const raw = await encodeConfigRecord("client", "svc", client, keysetMac);
    expect(await openConfigRecord(raw, "client", "svc", await key())).toEqual({
      ok: false,
      reason: "bad_mac",
    });
    const keyset = await encodeKeysetRecord(
      {
        serverId: "payments",
        version: 1,
        publishedAt: 1,
        schedule: { mode: "AUTO", periodSeconds: 1, leadSeconds: 1, retentionSeconds: 1 },
        keys: [],
        jwks: { keys: [] },
        sealed: { iv: "", ciphertext: "" },
      },
      keysetMac,
    );
    expect(await openConfigRecord(keyset, "snapshot", "payments", await key())).toEqual({
      ok: false,
      reason: "unauthenticated",
    });
  });

  it("refuses what older Warden published and anything that is not a record", async () => {
    const raw = JSON.parse(await encodeConfigRecord("client", "svc", client, await key())) as Record<
      string,
      string
    >;
    const cases: [string, string][] = [
      [JSON.stringify(client), "unauthenticated"],
      ["not json", "malformed"],
      ["[]", "malformed"],
      ["null", "malformed"],
      [JSON.stringify({ ...raw, format: "warden-config/0" }), "unauthenticated"],
      [JSON.stringify({ ...raw, mac: undefined }), "unauthenticated"],
      [JSON.stringify({ ...raw, record: client }), "unauthenticated"],
      [JSON.stringify({ ...raw, mac: "" }), "bad_mac"],
      [JSON.stringify({ ...raw, mac: "!!not base64url!!" }), "bad_mac"],
      [JSON.stringify({ ...raw, mac: `${raw.mac}A` }), "bad_mac"],
      [JSON.stringify({ ...raw, record: ` ${raw.record}` }), "bad_mac"],
    ];
    for (const [text, reason] of cases) {
      expect(await openConfigRecord(text, "client", "svc", await key()), text).toEqual({ ok: false, reason });
    }
  });

  it("derives the MAC key once per secret and refuses a secret that is not 32 bytes", async () => {
    expect(await configRecordMacKey(SECRET)).toBe(await configRecordMacKey(SECRET));
    await expect(configRecordMacKey(base64url.encode(new Uint8Array(16)))).rejects.toThrow(/32 bytes/);
  });
});

describe("inline hook secrets", () => {
  const record = {
    id: "calhook",
    name: "enrich",
    type: "com.okta.oauth2.tokens.transform",
    version: "1.0.0",
    status: "ACTIVE",
    channel: {
      type: "HTTP",
      version: "1.0.0",
      config: {
        uri: "https://hooks.example.com/enrich",
        method: "POST",
        headers: [],
        authScheme: { type: "HEADER", key: "Authorization", value: "Bearer hook-secret" },
      },
    },
    created: "2026-01-01T00:00:00.000Z",
    lastUpdated: "2026-01-01T00:00:00.000Z",
  } as Parameters<typeof publishedHook>[0];

  it("are sealed under a key derived for them, not the secret itself, and only for their hook", async () => {
    const published = await publishedHook(record, SECRET);
    const sealed = published.authScheme?.sealed;
    if (!sealed) throw new Error("no sealed secret");
    expect(await unsealHookSecret(sealed, SECRET, "calhook")).toBe("Bearer hook-secret");
    await expect(unsealHookSecret(sealed, SECRET, "other")).rejects.toThrow();
    await expect(unsealHookSecret(sealed, OTHER_SECRET, "calhook")).rejects.toThrow();
    const raw = await crypto.subtle.importKey("raw", base64url.decode(SECRET), "AES-GCM", false, ["decrypt"]);
    const open = (k: CryptoKey) =>
      crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: base64url.decode(sealed.iv),
          additionalData: new TextEncoder().encode("warden-inline-hook:calhook"),
        },
        k,
        base64url.decode(sealed.ciphertext),
      );
    await expect(open(raw)).rejects.toThrow();
    await expect(open((await deriveKeysetKeys(SECRET)).seal)).rejects.toThrow();
    await expect(open(await hookSecretKey(SECRET))).resolves.toBeInstanceOf(ArrayBuffer);
  });
});
