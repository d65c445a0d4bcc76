import { createMiddleware } from "hono/factory";
import type { AppEnv, Deps } from "../context";
import { ApiError } from "../errors";

/**
 * Resolves `/oauth2/{as}` to the server's published snapshot. Unknown and inactive servers are
 * indistinguishable: both are 404, as in Okta.
 */
export function serverContext(deps: Deps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const id = c.req.param("as") ?? "";
    const snapshot = await deps.config.snapshot(c.env.CONFIG, id);
    if (snapshot?.server.status !== "ACTIVE") {
      throw new ApiError("E0000007", `Not found: Resource not found: ${id} (AuthorizationServer)`);
    }
    c.set("snapshot", snapshot);
    c.set("issuer", `${orgUrl(c.env.ORG_URL, c.req.url)}/oauth2/${snapshot.server.id}`);
    await next();
  });
}

/** Okta's ORG_URL issuer mode: the org's origin, configured or taken from the request. */
export function orgUrl(configured: string | undefined, requestUrl: string): string {
  return (configured ?? new URL(requestUrl).origin).replace(/\/+$/, "");
}
