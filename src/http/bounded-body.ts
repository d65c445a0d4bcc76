/**
 * Reads a request or response body as UTF-8 text, never holding more than `maxBytes`: the declared
 * Content-Length is checked first, then what actually arrives (it can be absent or wrong). Shared by
 * every place Warden reads a body from a peer it does not trust: token requests, client `jwks_uri`
 * documents, inline-hook replies.
 */
import { strictUtf8 } from "./utf8";

/**
 * How much of an over-limit request body is read and discarded so the answer gets through (see
 * discardRest); past it the body is cancelled rather than read on a hostile client's behalf. Here,
 * not in src/config/defaults.ts, because src/http is shared with warden/verify, which imports
 * nothing from the authorization server.
 */
export const REQUEST_BODY_DRAIN_MAX_BYTES = 8 * 1024 * 1024;

export type BoundedBodyResult = { ok: true; text: string } | { ok: false; reason: "too_large" | "not_utf8" };

export async function readBoundedText(
  message: Request | Response,
  maxBytes: number,
): Promise<BoundedBodyResult> {
  const declared = message.headers.get("Content-Length");
  if (Number(declared ?? "0") > maxBytes) {
    // Not one byte read yet: a request body is left for the runtime (see discardRest).
    if (!isRequest(message)) await message.body?.cancel();
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
      await discardRest(message, reader);
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

/**
 * The rest of an over-limit body, once Warden has read part of it. A fetched response (a JWKS
 * document, a hook reply) is cancelled: that only closes Warden's own connection to the peer.
 * A request body Warden answers is drained instead, up to REQUEST_BODY_DRAIN_MAX_BYTES: under
 * `wrangler dev`, whose proxy worker forwards each request to the Worker over HTTP/1.1, a cancelled
 * request body tore the connection down before the 400 got through and the proxy answered 500
 * "Network connection lost" (measured: 20 in 100 2 MB token requests, 49 in 100 2 MB admin bodies,
 * 17 in 100 chunked 2 MB token requests). Merely stopping mid-body failed too (3 in 50 chunked
 * 2 MB requests with the reader left locked, 9 in 100 with it released); draining failed none in 50,
 * at 20 MB too. A body never touched needs nothing: workerd writes the answer first (0 in 200 2 MB
 * bodies answered 401, 404 or 400 for the media type), and cancelling it from the app made those
 * fail instead (roughly 28 in 50 404s lost), so the request paths above leave it alone.
 */
async function discardRest(
  message: Request | Response,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<void> {
  if (isRequest(message)) {
    let drained = 0;
    while (drained <= REQUEST_BODY_DRAIN_MAX_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      drained += value.byteLength;
    }
  }
  await reader.cancel();
}

/**
 * Reads and discards a request body Warden answered without reading (refused by its declared length
 * or media type, or sent to an endpoint that reads none), up to REQUEST_BODY_DRAIN_MAX_BYTES. For
 * local development only (src/index.ts): on Cloudflare the runtime writes the answer whatever is
 * left unread, but under `wrangler dev` the request crosses the proxy worker and, with static assets
 * configured (the admin console), the assets router, and there an unread 2 MB body lost the answer
 * ("Network connection lost", or the socket closed) for 2–6 in 20 requests of every kind in
 * test/e2e/oversized-body.test.ts once the console's assets were added. A body already being read
 * is left alone (`readBoundedText` drains what it started).
 */
export async function drainUnreadRequestBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed || request.body.locked) return;
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > REQUEST_BODY_DRAIN_MAX_BYTES) return;
  await discardRest(request, request.body.getReader());
}

function isRequest(message: Request | Response): message is Request {
  return "method" in message;
}

function decode(bytes: Uint8Array): BoundedBodyResult {
  const text = strictUtf8(bytes);
  return text === undefined ? { ok: false, reason: "not_utf8" } : { ok: true, text };
}
