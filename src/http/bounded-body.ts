/**
 * Reads a request or response body as UTF-8 text, never holding more than `maxBytes`: the declared
 * Content-Length is checked first, then what actually arrives (it can be absent or wrong). Shared by
 * every place Warden reads a body from a peer it does not trust: token requests, client `jwks_uri`
 * documents, inline-hook replies.
 */

export type BoundedBodyResult = { ok: true; text: string } | { ok: false; reason: "too_large" | "not_utf8" };

export async function readBoundedText(
  message: { headers: Headers; body: ReadableStream<Uint8Array> | null },
  maxBytes: number,
): Promise<BoundedBodyResult> {
  if (Number(message.headers.get("Content-Length") ?? "0") > maxBytes) {
    await message.body?.cancel();
    return { ok: false, reason: "too_large" };
  }
  if (!message.body) return { ok: true, text: "" };
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
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, reason: "not_utf8" };
  }
}
