/**
 * The config records in KV — `snapshot/{serverId}`, `client/{clientId}`, `hook/{hookId}`,
 * `trustedOrigins/all` — as the control plane publishes them: the record as a JSON string, and an
 * HMAC-SHA-256 over the format, the record's kind, the id it is published under and that exact
 * string, under a MAC key derived from the key-encryption key with a label of its own
 * (src/crypto/derived-keys.ts). Whoever can write the KV namespace cannot write the key, so nothing
 * of a record — a client's status, grant types, secret hashes, keys or okta.* grants; a server's
 * policies, rules, scopes, claims, audiences or status; a hook's URI, headers or sealed secret; the
 * origins a browser may read token responses from — is used until the MAC holds (DESIGN §8: what
 * decides trust is authenticated as a whole). The keyset records have their own format
 * (src/keys/keyset-record.ts), on the same principle.
 *
 * - The MAC covers the bytes the edge then parses, so there is no canonical form to get wrong.
 * - The kind and id in the MAC input are the ones the edge asked for, never read from the record:
 *   a genuine record copied under another id, or a client record under a `snapshot/` key, fails.
 * - A record without this shape (one published before records were authenticated, or anything else)
 *   is unauthenticated and never trusted; the control plane publishes it again
 *   (src/control-plane/record-publisher.ts).
 *
 * What the MAC cannot say is whether a genuine record is the newest: a stranger holding an older
 * genuine record of the same id can put it back. See README "Records in KV are authenticated".
 */
import { DerivedKeyCache, deriveHmacKey } from "../crypto/derived-keys";
import { openEnvelope, sealEnvelope } from "../crypto/mac-envelope";

export const CONFIG_RECORD_FORMAT = "warden-config/1";

/** What a config record describes; also the first segment of its KV key (kv-keys.ts). */
export type ConfigRecordKind = "snapshot" | "client" | "hook" | "trustedOrigins";

/** What KV holds under a config record's key. */
export interface ConfigRecord {
  format: typeof CONFIG_RECORD_FORMAT;
  /** `JSON.stringify` of the record, exactly the bytes the MAC covers. */
  record: string;
  /** base64url HMAC-SHA-256 of `macInput(kind, id, record)`. */
  mac: string;
}

/** Why a record was refused; logged, never sent. */
export type ConfigRecordRejection = "malformed" | "unauthenticated" | "bad_mac" | "wrong_id";

export type OpenedConfigRecord<T> = { ok: true; value: T } | { ok: false; reason: ConfigRecordRejection };

/** The label names the record format: a new format derives a new key. */
const MAC_INFO = "warden config/1 mac";

const macKeys = new DerivedKeyCache((material) => deriveHmacKey(material, MAC_INFO));

/** The config records' MAC key, derived once per isolate (a value, per secret); throws for a bad secret. */
export function configRecordMacKey(secret: string): Promise<CryptoKey> {
  return macKeys.get(secret);
}

const encoder = new TextEncoder();

/**
 * Format label, kind, id, record. `JSON.stringify` quotes the kind and id, so where each ends is
 * unambiguous whatever characters the id holds.
 */
function macInput(kind: ConfigRecordKind, id: string, record: string): Uint8Array {
  return encoder.encode(`${CONFIG_RECORD_FORMAT}\n${JSON.stringify(kind)}\n${JSON.stringify(id)}\n${record}`);
}

/** The id a record of `kind` carries itself. */
function ownId(kind: ConfigRecordKind, value: unknown): unknown {
  const v = value as Record<string, unknown> | null;
  switch (kind) {
    case "snapshot":
      return (v?.server as Record<string, unknown> | undefined)?.id;
    case "client":
      return v?.client_id;
    case "hook":
    case "trustedOrigins":
      return v?.id;
  }
}

const SHAPE = { format: CONFIG_RECORD_FORMAT, field: "record" } as const;

/** The KV value for `value`, authenticated as the `kind` record of `id`. */
export function encodeConfigRecord(
  kind: ConfigRecordKind,
  id: string,
  value: unknown,
  macKey: CryptoKey,
): Promise<string> {
  const record = JSON.stringify(value);
  return sealEnvelope(SHAPE, record, macInput(kind, id, record), macKey);
}

/** The record `raw` holds, if its MAC holds for the kind and id the caller asked for. */
export async function openConfigRecord<T>(
  raw: string,
  kind: ConfigRecordKind,
  id: string,
  macKey: CryptoKey,
): Promise<OpenedConfigRecord<T>> {
  const opened = await openEnvelope(raw, SHAPE, (record) => macInput(kind, id, record), macKey);
  if (!opened.ok) return opened;
  // Authenticated, so written by the control plane; the id inside must still be the one asked for.
  const value = JSON.parse(opened.text) as T;
  if (ownId(kind, value) !== id) return { ok: false, reason: "wrong_id" };
  return { ok: true, value };
}
