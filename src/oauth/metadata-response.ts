/**
 * Responses for public metadata (JWKS, discovery documents). A document is serialized, and given its
 * entity tag, once per object it is derived from — a published keyset, a config snapshot — and every
 * request after that compares one header and sends a string. The documents are immutable while that
 * object lives: a new keyset or snapshot is a new object, with its own document.
 *
 * Conditional requests follow RFC 9110 §13.1.2: a matching `If-None-Match` is answered 304 with the
 * caching headers the 200 would carry (§15.4.5). Cache-Control is computed by the caller for every
 * request, since it counts down to the next scheduled key change (DESIGN §5).
 *
 * The entity tag is the body's SHA-1 in hex, quoted — what Hono's etag() middleware, which served
 * these documents before, computed — so caches holding a tag from before keep revalidating.
 */
import type { Context } from "hono";
import { cors } from "hono/cors";
import { METADATA_DOCUMENTS_PER_SOURCE } from "../config/defaults";
import type { AppEnv } from "../context";

export interface PreparedDocument {
  body: string;
  etag: string;
}

/** Per source object, its documents by name; values, never promises (see src/config/isolate-cache.ts). */
const documents = new WeakMap<object, Map<string, PreparedDocument>>();

/** The document `name` derived from `source`, built by `build` the first time it is asked for. */
export async function preparedDocument(
  source: object,
  name: string,
  build: () => unknown,
): Promise<PreparedDocument> {
  const cached = documents.get(source)?.get(name);
  if (cached) return cached;
  const body = JSON.stringify(build());
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(body));
  const prepared = { body, etag: `"${hex(new Uint8Array(digest))}"` };
  // Concurrent first requests each prepare the document; the last to finish stores it.
  let byName = documents.get(source);
  if (!byName) {
    byName = new Map();
    documents.set(source, byName);
  }
  // Names carry the request's origin (discovery documents name the issuer), so they are bounded.
  if (byName.size >= METADATA_DOCUMENTS_PER_SOURCE) byName.clear();
  byName.set(name, prepared);
  return prepared;
}

/** The 200, or a 304 when the client holds this version already; CORS lets any origin read either. */
export function metadataResponse(
  request: Request,
  document: PreparedDocument,
  cacheControl: string,
): Response {
  // RFC 9110 §15.4.5: a 304 carries the Cache-Control and ETag the 200 would have.
  const validators = {
    "Cache-Control": cacheControl,
    ETag: document.etag,
    "Access-Control-Allow-Origin": "*",
  };
  if (ifNoneMatchHits(request.headers.get("If-None-Match"), document.etag)) {
    return new Response(null, { status: 304, headers: validators });
  }
  return new Response(document.body, {
    status: 200,
    headers: { "Content-Type": "application/json", ...validators },
  });
}

const preflight = cors({ origin: "*", allowMethods: ["GET", "HEAD"] });

/** A CORS preflight (Fetch §3.2.2) for public metadata: any origin may GET it. */
export async function metadataPreflight(c: Context<AppEnv>): Promise<Response> {
  // The middleware answers an OPTIONS request itself and never calls on.
  return (await preflight(c, async () => {})) ?? c.body(null, 204);
}

/**
 * RFC 9110 §13.1.2: true for `*` or for a listed entity tag equal to `etag` under weak comparison
 * (§8.8.3.2: opaque tags equal, either may be weak).
 */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (header === null) return false;
  // What a client that cached this document sends back, so checked first.
  if (header === etag) return true;
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => tag.replace(/^W\//, "") === opaque);
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}
