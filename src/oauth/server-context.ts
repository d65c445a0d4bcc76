import type { Context } from "hono";
import type { AppEnv, BindPorts } from "../context";
import { ApiError } from "../errors";
import { canBeObjectId } from "./id-syntax";
import { requireOrgUrl } from "./org-url";

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
    // Before any KV read: without an org URL nothing here can be answered (src/oauth/org-url.ts).
    const orgUrl = requireOrgUrl(ports.settings, c.req.url);
    const snapshot = await ports.config.snapshot(id);
    // The revocation pulse wins over a snapshot still ACTIVE in this isolate or KV (src/config/revocations.ts).
    if (snapshot?.server.status !== "ACTIVE" || ports.revocations.isRevoked("server", id)) throw notFound(id);
    c.set("snapshot", snapshot);
    c.set("issuer", `${orgUrl}/oauth2/${snapshot.server.id}`);
    return handler(c);
  });
}

/**
 * Wraps a protocol endpoint so that it runs with its ports on the context: the one place the
 * bindings are handed over (DESIGN §7 rule 8), without a middleware chain on the token path.
 *
 * Before anything is decided, the revocation pulse must be young enough to decide with: on a warm
 * isolate it is (a clock read), or a refresh goes to `waitUntil` and the request does not wait; only
 * a cold isolate, or one idle for longer than the pulse may be used, awaits its own refresh
 * (src/config/revocation-pulse.ts).
 */
export function withPorts(bind: BindPorts, handler: ServerHandler): ServerHandler {
  return (c) => {
    const ports = bind(c.env);
    c.set("ports", ports);
    const pending = ports.revocations.keepFresh((task) => inBackground(c, task));
    return pending ? pending.then(() => handler(c)) : handler(c);
  };
}

/** `waitUntil` when the runtime gave the request one; otherwise (`app.request()` in tests) the task runs unattended. */
export function inBackground(c: Context<AppEnv>, task: Promise<unknown>): void {
  let ctx: { waitUntil(task: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined;
  }
  ctx?.waitUntil(task);
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
