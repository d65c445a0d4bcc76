/**
 * Signing keys in the management API, at Okta's paths and shapes:
 * `GET …/credentials/keys`, `GET …/credentials/keys/{kid}`, `POST …/credentials/lifecycle/keyRotate`,
 * plus Warden's emergency `POST …/credentials/keys/{kid}/lifecycle/revoke`.
 */
import { Hono } from "hono";
import { ADMIN_BODY_MAX_BYTES, JSON_MAX_DEPTH } from "../config/defaults";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { readJsonBody } from "../http/json-body";
import type { KeyInfo } from "../keys/key-vault";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin, written } from "./responses";

export function keysRouter() {
  const router = new Hono<AppEnv>();

  router.get("/:id/credentials/keys", async (c) => {
    const id = c.req.param("id");
    const status = (await controlPlane(c.env).signingStatus(id)) ?? notFound(id);
    return c.json(status.keys.filter(published).map((k) => oktaKey(k, id, adminOrigin(c))));
  });

  router.get("/:id/credentials/keys/:kid", async (c) => {
    const { id, kid } = c.req.param();
    const status = (await controlPlane(c.env).signingStatus(id)) ?? notFound(id);
    const key = status.keys.find((k) => k.kid === kid) ?? notFound(kid, "Key");
    return c.json(oktaKey(key, id, adminOrigin(c)));
  });

  router.post("/:id/credentials/lifecycle/keyRotate", async (c) => {
    const id = c.req.param("id");
    const body = await readJsonBody(c.req.raw, {
      maxDepth: JSON_MAX_DEPTH,
      maxBytes: ADMIN_BODY_MAX_BYTES,
      optional: true,
    });
    if (
      body !== undefined &&
      (typeof body !== "object" || body === null || (body as { use?: unknown }).use !== "sig")
    ) {
      throw new ApiError("E0000001", "Api validation failed: use", [{ errorSummary: "use: must be 'sig'" }]);
    }
    const status = written(await controlPlane(c.env).rotateKeys(id), {
      missing: () => ({ id, kind: "AuthorizationServer" }),
    });
    return c.json(status.keys.filter(published).map((k) => oktaKey(k, id, adminOrigin(c))));
  });

  router.post("/:id/credentials/keys/:kid/lifecycle/revoke", async (c) => {
    const { id, kid } = c.req.param();
    const status = written(await controlPlane(c.env).revokeKey(id, kid), {
      missing: (what) => (what === "server" ? { id, kind: "AuthorizationServer" } : { id: kid, kind: "Key" }),
    });
    const key = status.keys.find((k) => k.kid === kid) ?? notFound(kid, "Key");
    return c.json(oktaKey(key, id, adminOrigin(c)));
  });

  return router;
}

/** Okta lists the keys in the JWKS; a revoked key is kept for audit and shown only by kid. */
function published(key: KeyInfo): boolean {
  return key.status !== "REVOKED";
}

/**
 * Okta's key (the public JWK, `status`, `_links`) plus Warden's dates from the key vault's schedule,
 * ISO 8601 as Okta writes dates: `created` (Okta's application keys carry it too) and `activatesAt`,
 * when the key signs or began signing (null while no rotation has dated it), so an admin sees the
 * timeline a rotation will follow without reading the schedule's code.
 */
function oktaKey(key: KeyInfo, serverId: string, origin: string) {
  const self = `${origin}/api/v1/authorizationServers/${serverId}/credentials/keys/${key.kid}`;
  return {
    ...key.jwk,
    status: key.status,
    created: iso(key.created),
    activatesAt: key.activatesAt === null ? null : iso(key.activatesAt),
    _links: { self: { href: self, hints: { allow: ["GET"] } } },
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
