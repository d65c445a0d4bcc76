/**
 * `GET /api/v1/authorizationServers/{id}` in Okta's shape, with `credentials.signing` read from the
 * key vault so `lastRotated`, `nextRotation` and `kid` are true at the moment of the request.
 */
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { controlPlane, notFound } from "./control-plane-client";

export function serversRouter() {
  const router = new Hono<AppEnv>();

  router.get("/:id", async (c) => {
    const id = c.req.param("id");
    const plane = controlPlane(c.env);
    const [config, signing] = await Promise.all([plane.getServerConfig(id), plane.signingStatus(id)]);
    if (!config || !signing) notFound(id);
    const origin = (c.env.ORG_URL ?? new URL(c.req.url).origin).replace(/\/+$/, "");
    const { server } = config;
    const iso = (seconds: number | null) =>
      seconds === null ? null : new Date(seconds * 1000).toISOString();
    return c.json({
      id: server.id,
      name: server.name,
      description: server.description,
      audiences: server.audiences,
      issuer: `${origin}/oauth2/${server.id}`,
      issuerMode: server.issuerMode,
      status: server.status,
      credentials: {
        signing: {
          ...server.credentials.signing,
          lastRotated: iso(signing.lastRotated),
          nextRotation: iso(signing.nextRotation),
          kid: signing.kid,
        },
      },
      tokenProfile: server.tokenProfile,
      _links: {
        self: { href: `${origin}/api/v1/authorizationServers/${server.id}` },
        keys: { href: `${origin}/api/v1/authorizationServers/${server.id}/credentials/keys` },
        metadata: [{ href: `${origin}/oauth2/${server.id}/.well-known/oauth-authorization-server` }],
      },
    });
  });

  return router;
}
