/**
 * Okta's `/api/v1/authorizationServers`: list (`q`, `limit` / `after`), create, get, replace,
 * delete, and `lifecycle/activate|deactivate`. `credentials.signing` is read from the key vault,
 * so `lastRotated`, `nextRotation` and `kid` are true at the moment of the request. Every read and
 * write goes through the control plane, never KV: an admin reads its own writes.
 */
import { Hono } from "hono";
import { ADMIN_BODY_MAX_BYTES, AUTHORIZATION_SERVERS_PAGE_LIMIT, JSON_MAX_DEPTH } from "../config/defaults";
import type { ServerConfig } from "../config/schemas";
import type { AppEnv, BindPorts } from "../context";
import { readJsonBody } from "../http/json-body";
import type { VaultStatus } from "../keys/key-vault";
import { controlPlane, notFound } from "./control-plane-client";
import { revokeGrants } from "./grant-revocation";
import {
  adminOrigin,
  inServer,
  LIFECYCLE,
  lifecycleLinks,
  pageLimit,
  setPageLinks,
  written,
} from "./responses";

const KIND = "AuthorizationServer";

/** Okta's AuthorizationServer object. */
export function serverView(origin: string, server: ServerConfig["server"], signing: VaultStatus | undefined) {
  const self = `${origin}/api/v1/authorizationServers/${server.id}`;
  const issuer = `${origin}/oauth2/${server.id}`;
  const iso = (seconds: number | null | undefined) =>
    seconds === null || seconds === undefined ? null : new Date(seconds * 1000).toISOString();
  return {
    id: server.id,
    name: server.name,
    description: server.description,
    audiences: server.audiences,
    issuer,
    issuerMode: server.issuerMode,
    status: server.status,
    credentials: {
      signing: {
        ...server.credentials.signing,
        lastRotated: iso(signing?.lastRotated),
        nextRotation: iso(signing?.nextRotation),
        kid: signing?.kid ?? null,
      },
    },
    tokenProfile: server.tokenProfile,
    // System log: servers stored before the field existed count their grants (the default).
    logging: server.logging ?? { grants: "AGGREGATED" },
    _links: {
      self: {
        href: self,
        hints: { allow: ["GET", "PUT", ...(server.status === "INACTIVE" ? ["DELETE"] : [])] },
      },
      scopes: { href: `${self}/scopes`, hints: { allow: ["GET"] } },
      claims: { href: `${self}/claims`, hints: { allow: ["GET"] } },
      policies: { href: `${self}/policies`, hints: { allow: ["GET"] } },
      keys: { href: `${self}/credentials/keys`, hints: { allow: ["GET"] } },
      rotateKey: { href: `${self}/credentials/lifecycle/keyRotate`, hints: { allow: ["POST"] } },
      metadata: [
        { name: "oauth-authorization-server", href: `${issuer}/.well-known/oauth-authorization-server` },
        { name: "openid-configuration", href: `${issuer}/.well-known/openid-configuration` },
      ],
      ...lifecycleLinks(self, server.status),
    },
  };
}

/** `bind` and `now`: deleting a server revokes the grants it issued (src/admin/grant-revocation.ts). */
export function serversRouter(bind: BindPorts, now: () => number) {
  const router = new Hono<AppEnv>();

  router.get("/", async (c) => {
    const limit = pageLimit(c.req.query("limit"), AUTHORIZATION_SERVERS_PAGE_LIMIT);
    const q = c.req.query("q");
    const after = c.req.query("after");
    const plane = controlPlane(c.env);
    const page = await plane.listServers({ limit, ...(q ? { q } : {}), ...(after ? { after } : {}) });
    const signing = await Promise.all(page.configs.map(({ server }) => plane.signingStatus(server.id)));
    setPageLinks(c, "/api/v1/authorizationServers", { limit, q, after, next: page.next });
    const origin = adminOrigin(c);
    return c.json(page.configs.map(({ server }, i) => serverView(origin, server, signing[i])));
  });

  router.post("/", async (c) => {
    const plane = controlPlane(c.env);
    const result = written(
      await plane.createServer(
        await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES }),
      ),
      inServer("", KIND),
    );
    const server = result.object as ServerConfig["server"];
    return c.json(serverView(adminOrigin(c), server, await plane.signingStatus(server.id)), 201);
  });

  router.get("/:id", async (c) => {
    const id = c.req.param("id");
    const plane = controlPlane(c.env);
    const [config, signing] = await Promise.all([plane.getServerConfig(id), plane.signingStatus(id)]);
    if (!config) notFound(id);
    return c.json(serverView(adminOrigin(c), config.server, signing));
  });

  router.put("/:id", async (c) => {
    const id = c.req.param("id");
    const plane = controlPlane(c.env);
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = written(
      await plane.changeServer(id, { type: "replaceServer", server: body }),
      inServer(id, KIND),
    );
    return c.json(
      serverView(adminOrigin(c), result.object as ServerConfig["server"], await plane.signingStatus(id)),
    );
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    written(await controlPlane(c.env).deleteServer(id), inServer(id, KIND));
    await revokeGrants(c, bind, { serverId: id }, "server_deleted", now());
    return c.body(null, 204);
  });

  for (const [action, status] of LIFECYCLE) {
    // Okta answers the lifecycle operations of authorization servers with 204 No Content.
    router.post(`/:id/lifecycle/${action}`, async (c) => {
      const id = c.req.param("id");
      written(
        await controlPlane(c.env).changeServer(id, { type: "setServerStatus", status }),
        inServer(id, KIND),
      );
      return c.body(null, 204);
    });
  }

  return router;
}
