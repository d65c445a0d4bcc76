/**
 * What readBoundedText leaves behind of an over-limit body: a fetched response's is cancelled, a
 * request's is never cancelled while the rest is small enough to drain (wrangler dev's proxy turned a
 * cancelled request body into a 500; see src/http/bounded-body.ts and test/e2e/oversized-body.test.ts).
 */
import { describe, expect, it } from "vitest";
import { REQUEST_BODY_DRAIN_MAX_BYTES, readBoundedText } from "../../src/http/bounded-body";

const CHUNK = 64 * 1024;

/** A body of `chunks` 64 KiB chunks (endless when Infinity) that records what its reader did. */
function trackedBody(chunks: number) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled === chunks) {
        controller.close();
        return;
      }
      seen.pulled++;
      controller.enqueue(new Uint8Array(CHUNK).fill(97));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

function request(body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request("https://warden.test/oauth2/default/v1/token", {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as RequestInit);
}

describe("readBoundedText over the limit", () => {
  it("cancels a fetched response's body", async () => {
    const { stream, seen } = trackedBody(32);
    const result = await readBoundedText(new Response(stream), 2 * CHUNK);
    expect(result).toEqual({ ok: false, reason: "too_large" });
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThan(32);
  });

  it("leaves a request body with a declared length over the limit untouched", async () => {
    const { stream, seen } = trackedBody(32);
    const req = request(stream, { "Content-Length": String(32 * CHUNK) });
    expect(await readBoundedText(req, 2 * CHUNK)).toEqual({ ok: false, reason: "too_large" });
    expect(req.bodyUsed).toBe(false);
    expect(seen.cancelled).toBe(false);
  });

  it("drains the rest of a request body it started reading instead of cancelling it", async () => {
    const { stream, seen } = trackedBody(32);
    expect(await readBoundedText(request(stream), 2 * CHUNK)).toEqual({ ok: false, reason: "too_large" });
    expect(seen).toEqual({ pulled: 32, cancelled: false });
  });

  it("cancels a request body once it drained REQUEST_BODY_DRAIN_MAX_BYTES of it", async () => {
    const { stream, seen } = trackedBody(Number.POSITIVE_INFINITY);
    expect(await readBoundedText(request(stream), 2 * CHUNK)).toEqual({ ok: false, reason: "too_large" });
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled * CHUNK).toBeGreaterThan(REQUEST_BODY_DRAIN_MAX_BYTES);
    expect(seen.pulled * CHUNK).toBeLessThan(REQUEST_BODY_DRAIN_MAX_BYTES + 8 * CHUNK);
  });
});
