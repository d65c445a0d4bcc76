/**
 * `/api/v1/inlineHooks`, Okta's Inline Hooks Management API for token inline hooks: create, list
 * (`?type=`), get, replace, delete, and `lifecycle/activate|deactivate`. Every read and write goes
 * through the control plane; the auth secret (`channel.config.authScheme.value`) is write-only and
 * never appears in a response, as in Okta.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { InlineHookRecord } from "../config/schemas";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import type { HookWriteResult } from "../hooks/hook-store";
import { orgUrl } from "../oauth/server-context";
import { controlPlane, notFound, readJsonBody } from "./control-plane-client";
import { LIFECYCLE, validationFailed } from "./responses";

/** An inline hook is a few hundred bytes; 64 KiB leaves room for every header Okta allows. */
const HOOK_BODY_MAX_BYTES = 64 * 1024;

export function inlineHooksRouter() {
  const router = new Hono<AppEnv>();
  const limit = bodyLimit({
    maxSize: HOOK_BODY_MAX_BYTES,
    onError: () => {
      throw new ApiError("E0000003", `The request body exceeds ${HOOK_BODY_MAX_BYTES} bytes.`);
    },
  });

  router.post("/", limit, async (c) => {
    const result = await controlPlane(c.env).createInlineHook(await readJsonBody(c.req.raw));
    return c.json(oktaHook(written(result, ""), c.env.ORG_URL, c.req.url));
  });

  router.get("/", async (c) => {
    const type = c.req.query("type");
    const hooks = await controlPlane(c.env).listInlineHooks();
    return c.json(
      hooks
        .filter((h) => type === undefined || h.type === type)
        .map((h) => oktaHook(h, c.env.ORG_URL, c.req.url)),
    );
  });

  router.get("/:id", async (c) => {
    const id = c.req.param("id");
    const hook = (await controlPlane(c.env).getInlineHook(id)) ?? notFound(id, "InlineHook");
    return c.json(oktaHook(hook, c.env.ORG_URL, c.req.url));
  });

  router.put("/:id", limit, async (c) => {
    const id = c.req.param("id");
    const result = await controlPlane(c.env).replaceInlineHook(id, await readJsonBody(c.req.raw));
    return c.json(oktaHook(written(result, id), c.env.ORG_URL, c.req.url));
  });

  router.delete("/:id", async (c) => {
    const id = c.req.param("id");
    written(await controlPlane(c.env).deleteInlineHook(id), id);
    return c.body(null, 204);
  });

  for (const [action, status] of LIFECYCLE) {
    // Okta answers a hook's lifecycle operations with the hook.
    router.post(`/:id/lifecycle/${action}`, async (c) => {
      const id = c.req.param("id");
      const result = await controlPlane(c.env).setInlineHookStatus(id, status);
      return c.json(oktaHook(written(result, id), c.env.ORG_URL, c.req.url));
    });
  }

  return router;
}

/** The written hook, or Okta's 404 (E0000007) or 400 (E0000001, one cause per field). */
function written(result: HookWriteResult, id: string): InlineHookRecord {
  if (result.ok) return result.value;
  if ("notFound" in result) notFound(id, "InlineHook");
  throw validationFailed(result.issues);
}

/** Okta's Inline Hook object, built field by field so the secret cannot slip through. */
function oktaHook(hook: InlineHookRecord, configuredOrg: string | undefined, requestUrl: string) {
  const { config } = hook.channel;
  const self = `${orgUrl(configuredOrg, requestUrl)}/api/v1/inlineHooks/${hook.id}`;
  const post = { hints: { allow: ["POST"] } };
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
      ...(hook.status === "ACTIVE"
        ? { deactivate: { href: `${self}/lifecycle/deactivate`, ...post } }
        : { activate: { href: `${self}/lifecycle/activate`, ...post } }),
    },
  };
}
