/**
 * Management API authentication. For now the bootstrap token from the `ADMIN_API_TOKEN` secret, sent
 * as Okta does: `Authorization: SSWS <token>`. Bearer tokens from the org authorization server come
 * with the management API.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { hashSecret, secretMatchesAny } from "../crypto/secrets";
import { ApiError } from "../errors";

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization");
  const match = header ? /^SSWS +(\S+) *$/i.exec(header) : null;
  // Okta answers a browser without a session with 403 E0000005; an API client without a token is
  // better served by RFC 9110's 401 with a challenge.
  if (!match?.[1]) throw new ApiError("E0000011", "Invalid token provided");
  const configured = c.env.ADMIN_API_TOKEN;
  // An unset secret must never match an empty or guessed token.
  if (!configured || !(await secretMatchesAny(match[1], [await hashSecret(configured)]))) {
    throw new ApiError("E0000011", "Invalid token provided");
  }
  await next();
});
