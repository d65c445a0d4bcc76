/**
 * Okta's Authorization Server Associations API: the trusted servers of token exchange (RFC 8693,
 * Okta's on-behalf-of flow). A server accepts as a `subject_token` an access token of its own or of
 * a server it trusts (src/oauth/subject-token.ts).
 *
 *   GET    /api/v1/authorizationServers/{id}/associatedServers?trusted=true|false  the trusted
 *          servers, or (false) the others an admin could add, each as Okta's AuthorizationServer
 *   POST   /api/v1/authorizationServers/{id}/associatedServers  `{"trusted": ["aus…"]}` → the
 *          trusted servers after the change
 *   DELETE /api/v1/authorizationServers/{id}/associatedServers/{associatedServerId}  → 204
 *
 * Writes go through the control plane like every other change of a server: serialised, validated
 * (a trusted server must exist and must not be the server itself), stored and published, so the
 * edges' snapshots carry the list and the token endpoint reads no other record to decide trust.
 */
import { Hono } from "hono";
import { ADMIN_BODY_MAX_BYTES, AUTHORIZATION_SERVERS_PAGE_LIMIT, JSON_MAX_DEPTH } from "../config/defaults";
import type { ServerConfig } from "../config/schemas";
import type { AppEnv } from "../context";
import { readJsonBody } from "../http/json-body";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin, inServer, pageLimit, setPageLinks, validationFailed, written } from "./responses";
import { serverView } from "./servers";

type Plane = ReturnType<typeof controlPlane>;

/** The servers `ids` names, as Okta's AuthorizationServer objects (one since deleted is left out). */
async function views(
  origin: string,
  plane: Plane,
  ids: readonly string[],
  keep: (server: ServerConfig["server"]) => boolean = () => true,
) {
  const found = await Promise.all(
    ids.map(async (id) => {
      const [config, signing] = await Promise.all([plane.getServerConfig(id), plane.signingStatus(id)]);
      return config && keep(config.server) ? serverView(origin, config.server, signing) : undefined;
    }),
  );
  return found.filter((v) => v !== undefined);
}

/** `trusted` is a boolean query parameter; Okta lists the trusted servers when it is left out. */
function trustedParam(raw: string | undefined): boolean {
  if (raw === undefined || raw === "true") return true;
  if (raw === "false") return false;
  throw validationFailed([{ path: "trusted", message: "must be true or false" }]);
}

export function associatedServersRouter() {
  const router = new Hono<AppEnv>();

  router.get("/:id/associatedServers", async (c) => {
    const id = c.req.param("id");
    const trusted = trustedParam(c.req.query("trusted"));
    const q = c.req.query("q")?.toLowerCase();
    const plane = controlPlane(c.env);
    const config = await plane.getServerConfig(id);
    if (!config) notFound(id);
    const origin = adminOrigin(c);
    const matches = (server: ServerConfig["server"]) =>
      q === undefined || server.name.toLowerCase().startsWith(q) || server.id.toLowerCase().startsWith(q);
    if (trusted) {
      return c.json(await views(origin, plane, config.trustedServers ?? [], matches));
    }
    // The servers an admin could add: every other server not yet trusted, a page at a time.
    const limit = pageLimit(c.req.query("limit"), AUTHORIZATION_SERVERS_PAGE_LIMIT);
    const after = c.req.query("after");
    const page = await plane.listServers({ limit, ...(q ? { q } : {}), ...(after ? { after } : {}) });
    const candidates = page.configs
      .map(({ server }) => server)
      .filter((server) => server.id !== id && !(config.trustedServers ?? []).includes(server.id));
    setPageLinks(c, `/api/v1/authorizationServers/${id}/associatedServers`, {
      limit,
      q,
      after,
      next: page.next,
    });
    return c.json(
      await views(
        origin,
        plane,
        candidates.map((s) => s.id),
      ),
    );
  });

  router.post("/:id/associatedServers", async (c) => {
    const id = c.req.param("id");
    const plane = controlPlane(c.env);
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = written(
      await plane.changeServer(id, { type: "trustServers", trusted: body }),
      inServer(id, "AuthorizationServer"),
    );
    const trusted = Array.isArray(result.object) ? result.object : [];
    return c.json(await views(adminOrigin(c), plane, trusted));
  });

  router.delete("/:id/associatedServers/:associatedServerId", async (c) => {
    const id = c.req.param("id");
    const associated = c.req.param("associatedServerId");
    written(
      await controlPlane(c.env).changeServer(id, { type: "untrustServer", serverId: associated }),
      inServer(id, "AuthorizationServer"),
    );
    return c.body(null, 204);
  });

  return router;
}
