/**
 * `/api/v1/inlineHooks`, Okta's Inline Hooks Management API for token inline hooks: create, list
 * (`?type=`), get, replace, delete, and `lifecycle/activate|deactivate`. Every read and write goes
 * through the control plane; the auth secret (`channel.config.authScheme.value`) is write-only and
 * never appears in a response, as in Okta.
 */
import { Hono } from "hono";
import { HOOK_BODY_MAX_BYTES, JSON_MAX_DEPTH } from "../config/defaults";
import type { InlineHookRecord } from "../config/schemas";
import type { AppEnv } from "../context";
import { readJsonBody } from "../http/json-body";
import { controlPlane, notFound } from "./control-plane-client";
import { adminOrigin, LIFECYCLE, lifecycleLinks, type WriteAnswer, written } from "./responses";

export function inlineHooksRouter() {
  const router = new Hono<AppEnv>();

  router.post("/", async (c) => {
    const result = await controlPlane(c.env).createInlineHook(
      await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: HOOK_BODY_MAX_BYTES }),
    );
    return c.json(oktaHook(written(result, hookAnswer("")), adminOrigin(c)));
  });

  router.get("/", async (c) => {
    const type = c.req.query("type");
    const hooks = await controlPlane(c.env).listInlineHooks();
    const origin = adminOrigin(c);
    return c.json(hooks.filter((h) => type === undefined || h.type === type).map((h) => oktaHook(h, origin)));
  });

  router.get("/:id", async (c) => {
    const id = c.req.param("id");
    const hook = (await controlPlane(c.env).getInlineHook(id)) ?? notFound(id, "InlineHook");
    return c.json(oktaHook(hook, adminOrigin(c)));
  });

  router.put("/:id", async (c) => {
    const id = c.req.param("id");
    const result = await controlPlane(c.env).replaceInlineHook(
      id,
      await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: HOOK_BODY_MAX_BYTES }),
    );
    return c.json(oktaHook(written(result, hookAnswer(id)), adminOrigin(c)));
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    written(await controlPlane(c.env).deleteInlineHook(id), hookAnswer(id));
    return c.body(null, 204);
  });

  for (const [action, status] of LIFECYCLE) {
    // Okta answers a hook's lifecycle operations with the hook.
    router.post(`/:id/lifecycle/${action}`, async (c) => {
      const id = c.req.param("id");
      const result = await controlPlane(c.env).setInlineHookStatus(id, status);
      return c.json(oktaHook(written(result, hookAnswer(id)), adminOrigin(c)));
    });
  }

  return router;
}

/** A failed hook write names the hook in the path. */
function hookAnswer(id: string): WriteAnswer<"inlineHook"> {
  return { missing: () => ({ id, kind: "InlineHook" }) };
}

/** Okta's Inline Hook object, built field by field so the secret cannot slip through. */
function oktaHook(hook: InlineHookRecord, origin: string) {
  const { config } = hook.channel;
  const self = `${origin}/api/v1/inlineHooks/${hook.id}`;
  return {
    id: hook.id,
    status: hook.status,
    name: hook.name,
    type: hook.type,
    version: hook.version,
    channel: {
      type: hook.channel.type,
      version: hook.channel.version,
      config: {
        uri: config.uri,
        method: config.method,
        headers: config.headers.map(({ key, value }) => ({ key, value })),
        authScheme: config.authScheme ? { type: config.authScheme.type, key: config.authScheme.key } : null,
      },
    },
    created: hook.created,
    lastUpdated: hook.lastUpdated,
    _links: {
      self: {
        href: self,
        hints: { allow: ["GET", "PUT", ...(hook.status === "INACTIVE" ? ["DELETE"] : [])] },
      },
      ...lifecycleLinks(self, hook.status),
    },
  };
}
