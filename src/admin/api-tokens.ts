/**
 * `/api/v1/api-tokens`, Okta's API Token Management API: list, get, revoke (`DELETE /{id}`) and
 * revoke the token making the request (`DELETE /current`). Okta creates tokens only in its console,
 * so Warden adds `POST /api/v1/api-tokens`, which returns the value once (`token`); the control plane
 * stores only its SHA-256. The bootstrap `ADMIN_API_TOKEN` is a Worker secret, not one of these.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ApiTokenRecord } from "../config/api-token-store";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { orgUrl } from "../oauth/server-context";
import { apiTokenId, forgetApiToken } from "./api-token-check";
import { controlPlane, notFound, readJsonBody } from "./control-plane-client";
import { validationFailed } from "./responses";

const API_TOKEN_BODY_MAX_BYTES = 16 * 1024;

export function apiTokensRouter(now: () => number) {
  const router = new Hono<AppEnv>();

  router.get("/", async (c) => {
    const tokens = await controlPlane(c.env).listApiTokens();
    return c.json(tokens.map((t) => oktaApiToken(t, c.env.ORG_URL, c.req.url)));
  });

  router.post(
    "/",
    bodyLimit({
      maxSize: API_TOKEN_BODY_MAX_BYTES,
      onError: () => {
        throw new ApiError("E0000003", `The request body exceeds ${API_TOKEN_BODY_MAX_BYTES} bytes.`);
      },
    }),
    async (c) => {
      const result = await controlPlane(c.env).createApiToken(await readJsonBody(c.req.raw));
      if (!result.ok) throw validationFailed(result.issues);
      const { token, ...record } = result.value;
      return c.json({ ...oktaApiToken(record, c.env.ORG_URL, c.req.url), token }, 201);
    },
  );

  // Before `/:id`: `current` is the SSWS token that authenticated this very request.
  router.delete("/current", async (c) => {
    const presented = /^SSWS +(\S+) *$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    const id = presented ? await apiTokenId(c.env, presented, now()) : undefined;
    if (!id) {
      throw validationFailed([
        {
          path: "Authorization",
          message:
            "only a managed API token can revoke itself (the bootstrap token is the ADMIN_API_TOKEN secret; bearer tokens expire)",
        },
      ]);
    }
    await revoke(c.env, id);
    return c.body(null, 204);
  });

  router.get("/:id", async (c) => {
    const id = c.req.param("id");
    const token = (await controlPlane(c.env).getApiToken(id)) ?? notFound(id, "ApiToken");
    return c.json(oktaApiToken(token, c.env.ORG_URL, c.req.url));
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await revoke(c.env, id))) notFound(id, "ApiToken");
    return c.body(null, 204);
  });

  return router;
}

async function revoke(env: AppEnv["Bindings"], id: string): Promise<boolean> {
  const revoked = await controlPlane(env).revokeApiToken(id);
  forgetApiToken(id);
  return revoked;
}

/** Okta's ApiToken object; the value and its hash never appear here. */
function oktaApiToken(token: ApiTokenRecord, configuredOrg: string | undefined, requestUrl: string) {
  const origin = orgUrl(configuredOrg, requestUrl);
  return {
    id: token.id,
    name: token.name,
    userId: token.userId ?? null,
    clientName: token.clientName,
    created: token.created,
    lastUpdated: token.lastUpdated,
    expiresAt: token.expiresAt ?? null,
    _links: {
      self: { href: `${origin}/api/v1/api-tokens/${token.id}`, hints: { allow: ["GET", "DELETE"] } },
      ...(token.userId ? { user: [{ href: `${origin}/api/v1/users/${token.userId}` }] } : {}),
    },
  };
}
