/**
 * Okta's `/api/v1/authorizationServers/{id}/scopes`: list (`q` on the name, `limit` / `after`), create, get, replace,
 * delete. Writes go through the control plane's `changeServer` (serialised, validated, published);
 * reads come from the control plane too, never from KV, so an admin reads its own writes.
 */
import { Hono } from "hono";
import { ADMIN_BODY_MAX_BYTES, JSON_MAX_DEPTH, SCOPES_PAGE_LIMIT } from "../config/defaults";
import type { Scope } from "../config/schemas";
import type { AppEnv } from "../context";
import { newObjectId } from "../crypto/object-id";
import { readJsonBody } from "../http/json-body";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin, inServer, pageLimit, setPageLinks, written } from "./responses";

const KIND = "OAuth2Scope";

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

export function scopesRouter() {
  const router = new Hono<AppEnv>();

  router.get("/:id/scopes", async (c) => {
    const id = c.req.param("id");
    const limit = pageLimit(c.req.query("limit"), SCOPES_PAGE_LIMIT);
    const q = c.req.query("q");
    const after = c.req.query("after");
    const config = await controlPlane(c.env).getServerConfig(id);
    if (!config) notFound(id);
    // In the server's order; the cursor is the last scope id of the page before. A cursor whose scope
    // is gone ends the listing rather than restarting it, so no scope is listed twice.
    const matching = q
      ? config.scopes.filter((s) => s.name.toLowerCase().includes(q.toLowerCase()))
      : config.scopes;
    const cursor = after === undefined ? -1 : matching.findIndex((s) => s.id === after);
    const start = after !== undefined && cursor === -1 ? matching.length : cursor + 1;
    const page = matching.slice(start, start + limit);
    const next = start + limit < matching.length ? page.at(-1)?.id : undefined;
    setPageLinks(c, `/api/v1/authorizationServers/${id}/scopes`, { limit, q, after, next });
    const origin = adminOrigin(c);
    return c.json(page.map((s) => scopeView(origin, id, s)));
  });

  router.post("/:id/scopes", async (c) => {
    const id = c.req.param("id");
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = await controlPlane(c.env).changeServer(id, {
      type: "createScope",
      id: newObjectId("scp"),
      scope: body,
    });
    return c.json(scopeView(adminOrigin(c), id, written(result, inServer(id, KIND)).object as Scope), 201);
  });

  router.get("/:id/scopes/:scopeId", async (c) => {
    const { id, scopeId } = c.req.param();
    const config = await controlPlane(c.env).getServerConfig(id);
    if (!config) notFound(id);
    const scope = config.scopes.find((s) => s.id === scopeId) ?? notFound(scopeId, KIND);
    return c.json(scopeView(adminOrigin(c), id, scope));
  });

  router.put("/:id/scopes/:scopeId", async (c) => {
    const { id, scopeId } = c.req.param();
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = await controlPlane(c.env).changeServer(id, { type: "replaceScope", scopeId, scope: body });
    return c.json(scopeView(adminOrigin(c), id, written(result, inServer(id, KIND)).object as Scope));
  });

  router.delete("/:id/scopes/:scopeId", async (c) => {
    const { id, scopeId } = c.req.param();
    written(await controlPlane(c.env).changeServer(id, { type: "deleteScope", scopeId }), inServer(id, KIND));
    return c.body(null, 204);
  });

  return router;
}
