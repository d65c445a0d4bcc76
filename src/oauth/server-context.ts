import type { Context } from "hono";
import type { AppEnv, BindPorts } from "../context";
import { ApiError } from "../errors";
import { canBeObjectId } from "./id-syntax";

type ServerHandler = (c: Context<AppEnv>) => Response | Promise<Response>;

/**
 * Wraps an endpoint of `/oauth2/{as}` so that it runs with the server's published snapshot and
 * issuer set on the context. A wrapper rather than a middleware: Hono runs a route with one handler
 * without composing a middleware chain, and the token endpoint is the hot path (bench/README.md).
 *
 * Unknown and inactive servers are indistinguishable: both are 404, as in Okta. A path segment that
 * cannot be a server id at all (the ObjectId rule: letters, digits, '-', '_', at most 64) is answered
 * the same way before any KV read: such an id was never published, and KV refuses keys over 512
 * bytes with an error, which must not surface as a 5xx (DESIGN §8).
 */
export function forServer(bind: BindPorts, handler: ServerHandler): ServerHandler {
  return withPorts(bind, async (c) => {
    const id = c.req.param("as") ?? "";
    if (!canBeObjectId(id)) throw notFound(undefined);
    const ports = c.get("ports");
    const snapshot = await ports.config.snapshot(id);
    if (snapshot?.server.status !== "ACTIVE") throw notFound(id);
    c.set("snapshot", snapshot);
    c.set("issuer", `${orgUrl(ports.settings.orgUrl, c.req.url)}/oauth2/${snapshot.server.id}`);
    return handler(c);
  });
}

/**
 * Wraps a protocol endpoint so that it runs with its ports on the context: the one place the
 * bindings are handed over (DESIGN §7 rule 8), without a middleware chain on the token path.
 */
export function withPorts(bind: BindPorts, handler: ServerHandler): ServerHandler {
  return (c) => {
    c.set("ports", bind(c.env));
    return handler(c);
  };
}

/** Okta's 404 names the id; one that is not an id at all is not echoed back. */
function notFound(id: string | undefined): ApiError {
  return new ApiError(
    "E0000007",
    id === undefined
      ? "Not found: Resource not found (AuthorizationServer)"
      : `Not found: Resource not found: ${id} (AuthorizationServer)`,
  );
}

/** Okta's ORG_URL issuer mode: the org's origin, configured or taken from the request. */
export function orgUrl(configured: string | undefined, requestUrl: string): string {
  return (configured ?? originOf(requestUrl)).replace(/\/+$/, "");
}

/**
 * The origin of an absolute http(s) URL, as `new URL(url).origin` gives it, without parsing the URL
 * on every request. A request's URL is already in the WHATWG serialization (scheme and host
 * lower-cased, default port dropped), so its origin is everything before the path's first '/'.
 * Anything else — credentials in the authority, no path — goes through the parser.
 */
function originOf(url: string): string {
  const scheme = url.startsWith("https://") ? 8 : url.startsWith("http://") ? 7 : -1;
  const pathStart = scheme < 0 ? -1 : url.indexOf("/", scheme);
  if (pathStart < 0) return new URL(url).origin;
  const origin = url.slice(0, pathStart);
  return origin.includes("@") ? new URL(url).origin : origin;
}
