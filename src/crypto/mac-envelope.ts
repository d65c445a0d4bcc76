/**
 * The one shape of an authenticated record in KV (keysets, snapshots, clients, inline hooks):
 * `{ format, <field>: text, mac }`, where `mac` is a base64url HMAC-SHA-256 over `input(text)` — the
 * format label, what the reader asked for (kind, id) and the exact bytes of `text`. The MAC covers the
 * bytes that are then parsed, so there is no canonical form to get wrong (DESIGN §8: what is read back
 * and decides trust is authenticated as a whole).
 */
import { base64url } from "jose";

/** Why an envelope did not open; logged, never sent. */
export type EnvelopeRejection = "malformed" | "unauthenticated" | "bad_mac";

export interface EnvelopeShape {
  format: string;
  /** The member that holds the authenticated text (`keyset`, `record`). */
  field: string;
}

/** The KV value holding `text`, authenticated over `input`. */
export async function sealEnvelope(
  shape: EnvelopeShape,
  text: string,
  input: Uint8Array,
  macKey: CryptoKey,
): Promise<string> {
  const tag = await crypto.subtle.sign("HMAC", macKey, input);
  return JSON.stringify({
    format: shape.format,
    [shape.field]: text,
    mac: base64url.encode(new Uint8Array(tag)),
  });
}

/** The authenticated text `raw` holds, if its MAC holds over `input(text)`. */
export async function openEnvelope(
  raw: string,
  shape: EnvelopeShape,
  input: (text: string) => Uint8Array,
  macKey: CryptoKey,
): Promise<{ ok: true; text: string } | { ok: false; reason: EnvelopeRejection }> {
  let wrapped: unknown;
  try {
    wrapped = JSON.parse(raw);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (typeof wrapped !== "object" || wrapped === null || Array.isArray(wrapped)) {
    return { ok: false, reason: "malformed" };
  }
  const members = wrapped as Record<string, unknown>;
  const text = members[shape.field];
  if (members.format !== shape.format || typeof text !== "string" || typeof members.mac !== "string") {
    return { ok: false, reason: "unauthenticated" };
  }
  let tag: Uint8Array;
  try {
    tag = base64url.decode(members.mac);
  } catch {
    return { ok: false, reason: "bad_mac" };
  }
  // One spelling per tag: base64url's last character carries unused bits (RFC 4648 §3.5), so a
  // changed record could otherwise pass with a different `mac` text. The tag is public; no timing matters.
  if (base64url.encode(tag) !== members.mac) return { ok: false, reason: "bad_mac" };
  // crypto.subtle.verify compares in constant time.
  if (!(await crypto.subtle.verify("HMAC", macKey, tag, input(text)))) {
    return { ok: false, reason: "bad_mac" };
  }
  return { ok: true, text };
}
