/**
 * `/api/v1/api-tokens`, Okta's API Token Management API: list, get, revoke (`DELETE /{id}`) and
 * revoke the token making the request (`DELETE /current`). Okta creates tokens only in its console,
 * so Warden adds `POST /api/v1/api-tokens`, which returns the value once (`token`); the control plane
 * stores only its SHA-256. The bootstrap `ADMIN_API_TOKEN` is a Worker secret, not one of these.
 *
 * A token acts with at most its creator's rights (Okta: with its creating admin's permissions): it
 * records its owner and `scopes`, the creator's rights or the subset the request names, and loses
 * them when the owner does (DESIGN §8). Warden adds both to Okta's ApiToken object.
 */
import { Hono } from "hono";
import { API_TOKEN_BODY_MAX_BYTES, JSON_MAX_DEPTH } from "../config/defaults";
import type { AppEnv, Deps } from "../context";
import type { ApiTokenRecord } from "../control-plane/api-token-store";
import type { WriteResult } from "../control-plane/write-result";
import { ApiError } from "../errors";
import { readJsonBody } from "../http/json-body";
import { type ApiTokenCache, apiTokenCache } from "./api-token-check";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin, validationFailed, written } from "./responses";

/** `deps`: the isolate whose cached token acceptances a revocation ends at once. */
export function apiTokensRouter(deps: Deps) {
  const router = new Hono<AppEnv>();
  const cache = apiTokenCache(deps);

  router.get("/", async (c) => {
    const tokens = await controlPlane(c.env).listApiTokens();
    const origin = adminOrigin(c);
    return c.json(tokens.map((t) => oktaApiToken(t, origin)));
  });

  router.post("/", async (c) => {
    const creator = c.get("admin");
    // A token owned by a user would have to lose its rights with the user's roles, which the control
    // plane cannot see (they are in D1): refused rather than minted with rights that never end.
    if (creator.type === "USER") {
      throw new ApiError("E0000006", "You do not have permission to perform the requested action", [
        {
          errorSummary:
            "API tokens are created with an API token or a service app's access token, not a user's.",
        },
      ]);
    }
    const result = await controlPlane(c.env).createApiToken(
      await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: API_TOKEN_BODY_MAX_BYTES }),
      creator,
    );
    const { token, ...record } = written(result);
    return c.json({ ...oktaApiToken(record, adminOrigin(c)), token }, 201);
  });

  // Before `/:id`: `current` is the SSWS token that authenticated this very request.
  router.delete("/current", async (c) => {
    const caller = c.get("admin");
    if (caller.type !== "API_TOKEN") {
      throw validationFailed([
        {
          path: "Authorization",
          message:
            "only a managed API token can revoke itself (the bootstrap token is the ADMIN_API_TOKEN secret; bearer tokens expire)",
        },
      ]);
    }
    await revoke(c.env, cache, caller.id);
    return c.body(null, 204);
  });

  router.get("/:id", async (c) => {
    const id = c.req.param("id");
    const token = (await controlPlane(c.env).getApiToken(id)) ?? notFound(id, "ApiToken");
    return c.json(oktaApiToken(token, adminOrigin(c)));
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    written(await revoke(c.env, cache, id), { missing: () => ({ id, kind: "ApiToken" }) });
    return c.body(null, 204);
  });

  return router;
}

async function revoke(
  env: AppEnv["Bindings"],
  cache: ApiTokenCache,
  id: string,
): Promise<WriteResult<null, "apiToken">> {
  const revoked = await controlPlane(env).revokeApiToken(id);
  cache.forget(id);
  return revoked;
}

/** Okta's ApiToken object; the value and its hash never appear here. */
function oktaApiToken(token: ApiTokenRecord, origin: string) {
  return {
    id: token.id,
    name: token.name,
    userId: token.userId ?? null,
    clientName: token.clientName,
    created: token.created,
    lastUpdated: token.lastUpdated,
    expiresAt: token.expiresAt ?? null,
    // Warden: what the token may do and who created it (null on tokens from before rights were recorded).
    scopes: token.scopes ?? null,
    // Which bootstrap token minted it (`check`) stays inside: the type says enough.
    owner: token.owner?.type === "BOOTSTRAP" ? { type: "BOOTSTRAP" } : (token.owner ?? null),
    _links: {
      self: { href: `${origin}/api/v1/api-tokens/${token.id}`, hints: { allow: ["GET", "DELETE"] } },
      ...(token.userId ? { user: [{ href: `${origin}/api/v1/users/${token.userId}` }] } : {}),
    },
  };
}
