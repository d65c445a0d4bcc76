/**
 * Concurrent first requests on a cold isolate, each a request of its own (`exports.default.fetch`
 * dispatches to the Worker's handler as the runtime would). Workers bind a promise's I/O to the
 * request that created it: a cache that handed one request's in-flight KV read to another would
 * make those requests hang or fail with "Cannot perform I/O on behalf of a different request".
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { basic, SECRET, seedServer, tokenRequest } from "./helpers";

describe("a cold isolate under concurrent first requests", () => {
  it("answers every one of them", async () => {
    const { issuer, clientId } = await seedServer();
    const worker = (exports as unknown as { default: { fetch: (r: Request) => Promise<Response> } }).default;
    const responses = await Promise.all(
      Array.from({ length: 16 }, () =>
        worker.fetch(
          tokenRequest(
            issuer,
            { grant_type: "client_credentials" },
            { authorization: basic(clientId, SECRET) },
          ),
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(16).fill(200));
    const jwks = await Promise.all(
      Array.from({ length: 8 }, () => worker.fetch(new Request(`${issuer}/v1/keys`))),
    );
    expect(jwks.map((r) => r.status)).toEqual(Array(8).fill(200));
  });
});
