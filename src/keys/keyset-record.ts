/**
 * The record `keyset/{serverId}` in KV (and its copy in the colo's Cache API): the published keyset
 * as a JSON string, and an HMAC-SHA-256 over that exact string and the server id, under the MAC key
 * derived from the key-encryption key (keyset-keys.ts). Whoever can write the KV namespace or the
 * colo cache cannot write the key, so nothing of the record — public JWKS, schedule, key dates,
 * version, sealed keys — is used until the MAC holds (DESIGN §8: what decides trust is authenticated
 * as a whole).
 *
 * - The MAC covers the bytes the edge then parses, so there is no canonical form to get wrong.
 * - The server id in the MAC input is the one the edge asked for, never one read from the record: a
 *   record copied under another server's key fails.
 * - The version and server id the sealing AAD binds (seal.ts) are inside the authenticated string.
 * - A record without this shape (one published before records were authenticated, or anything else)
 *   is unauthenticated and never trusted; the vault publishes it again (key-vault.ts `republish`).
 */
import { openEnvelope, sealEnvelope } from "../crypto/mac-envelope";
import type { PublishedKeyset } from "./keyset";

export const KEYSET_RECORD_FORMAT = "warden-keyset/2";

/** What KV holds under `keyset/{serverId}`. */
export interface KeysetRecord {
  format: typeof KEYSET_RECORD_FORMAT;
  /** `JSON.stringify(PublishedKeyset)`, exactly the bytes the MAC covers. */
  keyset: string;
  /** base64url HMAC-SHA-256 of `macInput(serverId, keyset)`. */
  mac: string;
}

/** Why a record was refused; logged, never sent. */
export type KeysetRejection = "malformed" | "unauthenticated" | "bad_mac" | "wrong_server";

export type OpenedKeyset = { ok: true; keyset: PublishedKeyset } | { ok: false; reason: KeysetRejection };

const encoder = new TextEncoder();

/**
 * Format label, server id, keyset. `JSON.stringify` quotes the id, so where it ends is unambiguous
 * whatever characters it holds.
 */
function macInput(serverId: string, keyset: string): Uint8Array {
  return encoder.encode(`${KEYSET_RECORD_FORMAT}\n${JSON.stringify(serverId)}\n${keyset}`);
}

const SHAPE = { format: KEYSET_RECORD_FORMAT, field: "keyset" } as const;

/** The record for `keyset`, authenticated for `keyset.serverId`. */
export function encodeKeysetRecord(keyset: PublishedKeyset, macKey: CryptoKey): Promise<string> {
  const payload = JSON.stringify(keyset);
  return sealEnvelope(SHAPE, payload, macInput(keyset.serverId, payload), macKey);
}

/** The keyset `raw` holds, if its MAC holds for the server the caller asked for. */
export async function openKeysetRecord(
  raw: string,
  serverId: string,
  macKey: CryptoKey,
): Promise<OpenedKeyset> {
  const opened = await openEnvelope(raw, SHAPE, (keyset) => macInput(serverId, keyset), macKey);
  if (!opened.ok) return opened;
  // Authenticated, so written by a key vault; the id inside must still be the one asked for.
  const published = JSON.parse(opened.text) as PublishedKeyset;
  if (published.serverId !== serverId) return { ok: false, reason: "wrong_server" };
  return { ok: true, keyset: published };
}
