/**
 * Okta's `/api/v1/authorizationServers/{id}/scopes`: list, create, get, replace, delete. Writes go
 * through the control plane's `changeServer` (serialised, validated, published); reads come from the
 * control plane too, never from KV, so an admin reads its own writes.
 */
import { Hono } from "hono";
import type { ServerChangeResult } from "../config/control-plane";
import type { Scope } from "../config/schemas";
import { newObjectId } from "../config/server-changes";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { controlPlane, notFound, readJsonBody } from "./control-plane-client";

export function adminOrigin(env: AppEnv["Bindings"], url: string): string {
  return (env.ORG_URL ?? new URL(url).origin).replace(/\/+$/, "");
}

function scopeView(origin: string, serverId: string, scope: Scope) {
  return {
    id: scope.id,
    name: scope.name,
    displayName: scope.displayName ?? scope.name,
    description: scope.description,
    system: scope.system,
    default: scope.default,
    metadataPublish: scope.metadataPublish,
    consent: scope.consent,
    optional: scope.optional,
    _links: {
      self: {
        href: `${origin}/api/v1/authorizationServers/${serverId}/scopes/${scope.id}`,
        hints: { allow: ["GET", "PUT", "DELETE"] },
      },
    },
  };
}

/** A failed change as Okta reports it: 404 for an unknown server or scope, else 400 E0000001. */
export function failure(
  serverId: string,
  result: Extract<ServerChangeResult, { ok: false }>,
  kind = "OAuth2Scope",
): never {
  if (result.notFound !== undefined) {
    notFound(result.notFound, result.notFound === serverId ? "AuthorizationServer" : kind);
  }
  throw new ApiError(
    "E0000001",
    `Api validation failed: ${result.issues.map((i) => i.path || "body").join(", ")}`,
    result.issues.map((i) => ({ errorSummary: `${i.path || "body"}: ${i.message}` })),
  );
}

export function methodNotAllowed(): never {
  throw new ApiError("E0000022", "The endpoint does not support the provided HTTP method");
}

export function scopesRouter() {
  const router = new Hono<AppEnv>();

  router.get("/:id/scopes", async (c) => {
    const id = c.req.param("id");
    const config = await controlPlane(c.env).getServerConfig(id);
    if (!config) notFound(id);
    const q = c.req.query("q")?.toLowerCase();
    const origin = adminOrigin(c.env, c.req.url);
    const scopes = q ? config.scopes.filter((s) => s.name.toLowerCase().includes(q)) : config.scopes;
    return c.json(scopes.map((s) => scopeView(origin, id, s)));
  });

  router.post("/:id/scopes", async (c) => {
    const id = c.req.param("id");
    const body = await readJsonBody(c.req.raw);
    const result = await controlPlane(c.env).changeServer(id, {
      type: "createScope",
      id: newObjectId("scp"),
      scope: body,
    });
    if (!result.ok) failure(id, result);
    return c.json(scopeView(adminOrigin(c.env, c.req.url), id, result.value as Scope), 201);
  });

  router.all("/:id/scopes", methodNotAllowed);

  router.get("/:id/scopes/:scopeId", async (c) => {
    const { id, scopeId } = c.req.param();
    const config = await controlPlane(c.env).getServerConfig(id);
    if (!config) notFound(id);
    const scope = config.scopes.find((s) => s.id === scopeId);
    if (!scope) notFound(scopeId, "OAuth2Scope");
    return c.json(scopeView(adminOrigin(c.env, c.req.url), id, scope));
  });

  router.put("/:id/scopes/:scopeId", async (c) => {
    const { id, scopeId } = c.req.param();
    const body = await readJsonBody(c.req.raw);
    const result = await controlPlane(c.env).changeServer(id, { type: "replaceScope", scopeId, scope: body });
    if (!result.ok) failure(id, result);
    return c.json(scopeView(adminOrigin(c.env, c.req.url), id, result.value as Scope));
  });

  router.delete("/:id/scopes/:scopeId", async (c) => {
    const { id, scopeId } = c.req.param();
    const result = await controlPlane(c.env).changeServer(id, { type: "deleteScope", scopeId });
    if (!result.ok) failure(id, result);
    return c.body(null, 204);
  });

  router.all("/:id/scopes/:scopeId", methodNotAllowed);

  return router;
}
