import { createMiddleware } from "hono/factory";
import { ObjectId } from "../config/schemas";
import type { AppEnv, Deps } from "../context";
import { ApiError } from "../errors";

/**
 * Resolves `/oauth2/{as}` to the server's published snapshot. Unknown and inactive servers are
 * indistinguishable: both are 404, as in Okta. A path segment that cannot be a server id at all
 * (the ObjectId rule: letters, digits, '-', '_', at most 64) is answered the same way before any KV
 * read: such an id was never published, and KV refuses keys over 512 bytes with an error, which must
 * not surface as a 5xx (DESIGN §8).
 */
export function serverContext(deps: Deps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const id = c.req.param("as") ?? "";
    if (!ObjectId.safeParse(id).success) throw notFound(undefined);
    const snapshot = await deps.config.snapshot(c.env.CONFIG, id);
    if (snapshot?.server.status !== "ACTIVE") throw notFound(id);
    c.set("snapshot", snapshot);
    c.set("issuer", `${orgUrl(c.env.ORG_URL, c.req.url)}/oauth2/${snapshot.server.id}`);
    await next();
  });
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
  return (configured ?? new URL(requestUrl).origin).replace(/\/+$/, "");
}
