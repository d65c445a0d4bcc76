/**
 * Okta's `/api/v1/authorizationServers/{id}/claims`: list, create, get, replace, delete, through the
 * control plane's `changeServer` like scopes (serialised, validated, published; reads never from KV).
 */
import { Hono } from "hono";
import { ADMIN_BODY_MAX_BYTES, JSON_MAX_DEPTH } from "../config/defaults";
import type { Claim } from "../config/schemas";
import type { AppEnv } from "../context";
import { newObjectId } from "../crypto/object-id";
import { readJsonBody } from "../http/json-body";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin, inServer, written } from "./responses";

function claimView(origin: string, serverId: string, claim: Claim) {
  return {
    ...claim,
    _links: {
      self: {
        href: `${origin}/api/v1/authorizationServers/${serverId}/claims/${claim.id}`,
        hints: { allow: ["GET", "PUT", "DELETE"] },
      },
    },
  };
}

export function claimsRouter() {
  const router = new Hono<AppEnv>();

  router.get("/:id/claims", async (c) => {
    const id = c.req.param("id");
    const config = await controlPlane(c.env).getServerConfig(id);
    if (!config) notFound(id);
    const origin = adminOrigin(c);
    return c.json(config.claims.map((claim) => claimView(origin, id, claim)));
  });

  router.post("/:id/claims", async (c) => {
    const id = c.req.param("id");
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = await controlPlane(c.env).changeServer(id, {
      type: "createClaim",
      id: newObjectId("ocl"),
      claim: body,
    });
    return c.json(
      claimView(adminOrigin(c), id, written(result, inServer(id, "OAuth2Claim")).object as Claim),
      201,
    );
  });

  router.get("/:id/claims/:claimId", async (c) => {
    const { id, claimId } = c.req.param();
    const config = await controlPlane(c.env).getServerConfig(id);
    if (!config) notFound(id);
    const claim = config.claims.find((cl) => cl.id === claimId);
    if (!claim) notFound(claimId, "OAuth2Claim");
    return c.json(claimView(adminOrigin(c), id, claim));
  });

  router.put("/:id/claims/:claimId", async (c) => {
    const { id, claimId } = c.req.param();
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: ADMIN_BODY_MAX_BYTES });
    const result = await controlPlane(c.env).changeServer(id, { type: "replaceClaim", claimId, claim: body });
    return c.json(
      claimView(adminOrigin(c), id, written(result, inServer(id, "OAuth2Claim")).object as Claim),
    );
  });

  router.delete("/:id/claims/:claimId", async (c) => {
    const { id, claimId } = c.req.param();
    const result = await controlPlane(c.env).changeServer(id, { type: "deleteClaim", claimId });
    written(result, inServer(id, "OAuth2Claim"));
    return c.body(null, 204);
  });

  return router;
}
