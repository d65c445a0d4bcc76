/**
 * Reads a request or response body as UTF-8 text, never holding more than `maxBytes`: the declared
 * Content-Length is checked first, then what actually arrives (it can be absent or wrong). Shared by
 * every place Warden reads a body from a peer it does not trust: token requests, client `jwks_uri`
 * documents, inline-hook replies.
 */
import { strictUtf8 } from "./utf8";

export type BoundedBodyResult = { ok: true; text: string } | { ok: false; reason: "too_large" | "not_utf8" };

export async function readBoundedText(
  message: Request | Response,
  maxBytes: number,
): Promise<BoundedBodyResult> {
  const declared = message.headers.get("Content-Length");
  if (Number(declared ?? "0") > maxBytes) {
    await message.body?.cancel();
    return { ok: false, reason: "too_large" };
  }
  if (!message.body) return { ok: true, text: "" };
  // With a declared length the HTTP layer delivers exactly that many bytes, so one read is safe and
  // much cheaper than pulling chunks (the token endpoint's hottest step before signing). Not so for
  // a compressed body: fetch() decodes gzip/br/deflate transparently while Content-Length still
  // counts the encoded bytes (measured in workerd and Node: 8 KiB declared, 8 MiB read), so those
  // are counted as they arrive.
  const encoding = message.headers.get("Content-Encoding")?.trim().toLowerCase();
  const identity = encoding === undefined || encoding === "" || encoding === "identity";
  if (identity && declared !== null && /^\d+$/.test(declared)) {
    return decode(new Uint8Array(await message.arrayBuffer()));
  }
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decode(bytes);
}

function decode(bytes: Uint8Array): BoundedBodyResult {
  const text = strictUtf8(bytes);
  return text === undefined ? { ok: false, reason: "not_utf8" } : { ok: true, text };
}
