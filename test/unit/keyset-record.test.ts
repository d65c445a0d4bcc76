/**
 * The keyset record as KV holds it: every field of the keyset is under the MAC, and so is the server
 * id the edge asks for. These are the edits a stranger who can write KV (or the colo cache) would try.
 */
import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import { hookSecretKey } from "../../src/hooks/published-hook";
import type { PublishedKeyset } from "../../src/keys/keyset";
import { deriveKeysetKeys } from "../../src/keys/keyset-keys";
import { encodeKeysetRecord, KEYSET_RECORD_FORMAT, openKeysetRecord } from "../../src/keys/keyset-record";
import { seal, unseal } from "../../src/keys/seal";

const SECRET = base64url.encode(new Uint8Array(32).map((_, i) => i + 1));
const OTHER_SECRET = base64url.encode(new Uint8Array(32).map((_, i) => 200 - i));

async function sampleKeyset(serverId = "payments", version = 1_700_000_000_000): Promise<PublishedKeyset> {
  const keys = await deriveKeysetKeys(SECRET);
  const signing = [
    {
      kid: "k1",
      alg: "ES256" as const,
      activatesAt: 1_700_000_000,
      sequence: 1,
      privateJwk: { kty: "EC", crv: "P-256", x: "x", y: "y", d: "d" },
    },
  ];
  return {
    serverId,
    version,
    publishedAt: 1_700_000_000,
    schedule: { mode: "AUTO", periodSeconds: 7_776_000, leadSeconds: 3_888_000, retentionSeconds: 86_400 },
    keys: [
      {
        kid: "k1",
        createdAt: 1,
        activatesAt: 1_700_000_000,
        sequence: 1,
        revokedAt: null,
        safeAt: 1,
        pinned: false,
      },
    ],
    jwks: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y", alg: "ES256", kid: "k1", use: "sig" }] },
    sealed: await seal(signing, keys.seal, serverId, version),
  };
}

async function macKey(secret = SECRET) {
  return (await deriveKeysetKeys(secret)).mac;
}

/** The record with its keyset string rewritten by `edit`, the MAC left as the vault wrote it. */
function tampered(record: string, edit: (keyset: string) => string): string {
  const outer = JSON.parse(record) as { keyset: string };
  return JSON.stringify({ ...outer, keyset: edit(outer.keyset) });
}

/** One character of `text` after `marker` replaced by another. */
function flipAfter(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker}`);
  const i = at + marker.length;
  const c = text[i] === "0" ? "1" : text[i] === "a" ? "b" : "0";
  return text.slice(0, i) + c + text.slice(i + 1);
}

describe("keyset record", () => {
  it("opens for the server it was published for", async () => {
    const keyset = await sampleKeyset();
    const record = await encodeKeysetRecord(keyset, await macKey());
    expect(Object.keys(JSON.parse(record)).sort()).toEqual(["format", "keyset", "mac"]);
    expect(JSON.parse(record).format).toBe(KEYSET_RECORD_FORMAT);
    expect(await openKeysetRecord(record, "payments", await macKey())).toEqual({ ok: true, keyset });
  });

  it.each([
    ["jwks", '"jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"'],
    ["keys", '"keys":[{"kid":"k'],
    ["schedule", '"periodSeconds":'],
    ["serverId", '"serverId":"'],
    ["version", '"version":'],
    ["publishedAt", '"publishedAt":'],
    ["sealed iv", '"iv":"'],
    ["sealed ciphertext", '"ciphertext":"'],
  ])("refuses a changed byte in %s", async (_, marker) => {
    const record = await encodeKeysetRecord(await sampleKeyset(), await macKey());
    const forged = tampered(record, (k) => flipAfter(k, marker));
    expect(await openKeysetRecord(forged, "payments", await macKey())).toEqual({
      ok: false,
      reason: "bad_mac",
    });
  });

  it("refuses every single-character change of the keyset, and of the MAC", async () => {
    const record = await encodeKeysetRecord(await sampleKeyset(), await macKey());
    const { keyset, mac } = JSON.parse(record) as { keyset: string; mac: string };
    const key = await macKey();
    for (let i = 0; i < keyset.length; i++) {
      const changed = keyset.slice(0, i) + (keyset[i] === "A" ? "B" : "A") + keyset.slice(i + 1);
      const opened = await openKeysetRecord(
        tampered(record, () => changed),
        "payments",
        key,
      );
      expect(opened.ok, `position ${i}`).toBe(false);
    }
    for (let i = 0; i < mac.length; i++) {
      const changed = mac.slice(0, i) + (mac[i] === "A" ? "B" : "A") + mac.slice(i + 1);
      const opened = await openKeysetRecord(
        JSON.stringify({ ...JSON.parse(record), mac: changed }),
        "payments",
        key,
      );
      expect(opened.ok, `mac position ${i}`).toBe(false);
    }
  });

  it("refuses the MAC spelled another way (the unused bits of its last base64url character set)", async () => {
    const record = await encodeKeysetRecord(await sampleKeyset(), await macKey());
    const { mac } = JSON.parse(record) as { mac: string };
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 32 bytes are 43 characters; the last one's two low bits are padding and decode to nothing.
    const last = alphabet.indexOf(mac.at(-1) ?? "");
    const respelled = mac.slice(0, -1) + alphabet[last | 1];
    expect(respelled).not.toBe(mac);
    const opened = await openKeysetRecord(
      JSON.stringify({ ...JSON.parse(record), mac: respelled }),
      "payments",
      await macKey(),
    );
    expect(opened).toEqual({ ok: false, reason: "bad_mac" });
  });

  it("refuses a public key added to the JWKS, however the keyset is otherwise kept", async () => {
    const keyset = await sampleKeyset();
    const record = await encodeKeysetRecord(keyset, await macKey());
    const attacker = { kty: "EC", crv: "P-256", x: "ax", y: "ay", alg: "ES256", kid: "attacker", use: "sig" };
    const withAttacker = { ...keyset, jwks: { keys: [...keyset.jwks.keys, attacker] } };
    const forged = tampered(record, () => JSON.stringify(withAttacker));
    expect((await openKeysetRecord(forged, "payments", await macKey())).ok).toBe(false);
  });

  it("refuses a record copied under another server's id, with or without its serverId rewritten", async () => {
    const record = await encodeKeysetRecord(await sampleKeyset("payments"), await macKey());
    expect(await openKeysetRecord(record, "orders", await macKey())).toEqual({
      ok: false,
      reason: "bad_mac",
    });
    const renamed = tampered(record, (k) => k.replace('"serverId":"payments"', '"serverId":"orders"'));
    expect(await openKeysetRecord(renamed, "orders", await macKey())).toEqual({
      ok: false,
      reason: "bad_mac",
    });
  });

  it("refuses a record authenticated for an id written inside it other than the one asked for", async () => {
    // Only a vault can write such a record; the edge still uses none it did not ask for.
    const keyset = { ...(await sampleKeyset("payments")), serverId: "orders" };
    const macInputIdMismatch = await encodeKeysetRecord(keyset, await macKey());
    expect(await openKeysetRecord(macInputIdMismatch, "payments", await macKey())).toEqual({
      ok: false,
      reason: "bad_mac",
    });
  });

  it("refuses a record authenticated under another key-encryption key", async () => {
    const record = await encodeKeysetRecord(await sampleKeyset(), await macKey(OTHER_SECRET));
    expect(await openKeysetRecord(record, "payments", await macKey())).toEqual({
      ok: false,
      reason: "bad_mac",
    });
  });

  it("refuses a record as published before records were authenticated, and anything else", async () => {
    const key = await macKey();
    const legacy = JSON.stringify(await sampleKeyset());
    expect(await openKeysetRecord(legacy, "payments", key)).toEqual({ ok: false, reason: "unauthenticated" });
    const record = JSON.parse(await encodeKeysetRecord(await sampleKeyset(), key));
    const cases: [string, string][] = [
      ["{not json", "malformed"],
      ["null", "malformed"],
      ["[]", "malformed"],
      ['"text"', "malformed"],
      [JSON.stringify({ ...record, format: "warden-keyset/1" }), "unauthenticated"],
      [JSON.stringify({ ...record, mac: undefined }), "unauthenticated"],
      [JSON.stringify({ ...record, keyset: JSON.parse(record.keyset) }), "unauthenticated"],
      [JSON.stringify({ ...record, mac: "" }), "bad_mac"],
      [JSON.stringify({ ...record, mac: "!!not base64url!!" }), "bad_mac"],
    ];
    for (const [raw, reason] of cases) {
      expect(await openKeysetRecord(raw, "payments", key), raw).toEqual({ ok: false, reason });
    }
  });
});

describe("keyset keys", () => {
  it("derives the sealing key apart from the secret itself and from the key inline hook secrets use", async () => {
    const derived = await deriveKeysetKeys(SECRET);
    const sealed = await seal([], derived.seal, "payments", 1);
    const raw = await crypto.subtle.importKey("raw", base64url.decode(SECRET), "AES-GCM", false, ["decrypt"]);
    await expect(unseal(sealed, raw, "payments", 1)).rejects.toThrow();
    await expect(unseal(sealed, await hookSecretKey(SECRET), "payments", 1)).rejects.toThrow();
    await expect(unseal(sealed, derived.seal, "payments", 1)).resolves.toEqual([]);
  });

  it("refuses a secret that is not 32 bytes", async () => {
    await expect(deriveKeysetKeys(base64url.encode(new Uint8Array(16)))).rejects.toThrow(/32 bytes/);
  });
});
