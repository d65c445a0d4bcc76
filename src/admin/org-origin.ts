/**
 * The management API's org URL, resolved once per request before authentication: `_links`, Token
 * Preview's issuer and the org issuer bearer tokens are verified against all come from it, never
 * from the `Host` header outside local development (DESIGN §8, src/oauth/org-url.ts).
 *
 * Without one the whole API fails closed, before authentication and before any write: a write
 * answered after the fact with a 500 would have changed something, and a bearer token cannot be
 * verified without knowing whose issuer it must carry. Okta's 500 E0000009, with the reason an
 * operator needs; the log says which of the reasons it is.
 */
import { createMiddleware } from "hono/factory";
import { isLocalDevelopment } from "../config/vars";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { ISSUER_NOT_CONFIGURED, logOrgUrlFailure, resolveOrgUrl } from "../oauth/org-url";

export function requireOrgUrl() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const settings = { orgUrl: c.env.ORG_URL, localDevelopment: isLocalDevelopment(c.env) };
    const result = resolveOrgUrl(settings, c.req.url);
    if (!result.ok) {
      logOrgUrlFailure(result.reason);
      throw new ApiError("E0000009", ISSUER_NOT_CONFIGURED);
    }
    c.set("orgUrl", result.url);
    await next();
  });
}
