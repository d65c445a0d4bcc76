import type { Context } from "hono";
import type { Snapshot } from "../config/schemas";
import type { AppEnv, BindPorts, Ports } from "../context";
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
 *
 * On a new isolate (or one idle past the pulse's bound) the revocation pulse must be refreshed before
 * anything is decided (`withPorts`): the snapshot's KV read is started beside that refresh instead of
 * after it, two reads at once instead of one after the other (issue 13 item 5), and nothing of the
 * snapshot is used — not even whether it exists — until the refresh is done, so a server the pulse
 * names as disabled is refused as before.
 */
export function forServer(bind: BindPorts, handler: ServerHandler): ServerHandler {
  return (c) => {
    const ports = portsOf(c, bind);
    const pending = ports.revocations.keepFresh((task) => inBackground(c, task));
    const lookup = lookUpServer(c, ports);
    if (!pending) return serveServer(c, ports, lookup, handler);
    // Read now, judged after the refresh: a rejection is handled there, not reported as unhandled meanwhile.
    lookup.catch(() => undefined);
    return pending.then(() => serveServer(c, ports, lookup, handler));
  };
}

interface ServerLookup {
  id: string;
  orgUrl: string;
  snapshot: Snapshot | undefined;
}

/** The path's server id checked, the org URL required, the snapshot read: all before the pulse is consulted. */
async function lookUpServer(c: Context<AppEnv>, ports: Ports): Promise<ServerLookup> {
  const id = c.req.param("as") ?? "";
  if (!canBeObjectId(id)) throw notFound(undefined);
  // Before any KV read: without an org URL nothing here can be answered (src/oauth/org-url.ts).
  const orgUrl = requireOrgUrl(ports.settings, c.req.url);
  return { id, orgUrl, snapshot: await ports.config.snapshot(id) };
}

/** Once the pulse may decide: the server must be ACTIVE in its snapshot and not disabled since. */
async function serveServer(
  c: Context<AppEnv>,
  ports: Ports,
  lookup: Promise<ServerLookup>,
  handler: ServerHandler,
): Promise<Response> {
  const { id, orgUrl, snapshot } = await lookup;
  // The revocation pulse wins over a snapshot still ACTIVE in this isolate or KV (src/config/revocations.ts).
  if (snapshot?.server.status !== "ACTIVE" || ports.revocations.isRevoked("server", id)) throw notFound(id);
  c.set("snapshot", snapshot);
  c.set("issuer", `${orgUrl}/oauth2/${snapshot.server.id}`);
  return handler(c);
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
    const ports = portsOf(c, bind);
    const pending = ports.revocations.keepFresh((task) => inBackground(c, task));
    return pending ? pending.then(() => handler(c)) : handler(c);
  };
}

/** The request's ports, put on the context: the one place the bindings are handed over. */
function portsOf(c: Context<AppEnv>, bind: BindPorts): Ports {
  const ports = bind(c.env);
  c.set("ports", ports);
  return ports;
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
