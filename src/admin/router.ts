/**
 * The management API so far: a bulk import through the control plane (what `npm start` seeds with
 * and config-as-code builds on), reading a server, and its signing keys in Okta's shapes. The full
 * Okta resource API arrives with the management-API issue.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv, Deps } from "../context";
import { ApiError } from "../errors";
import { apiTokensRouter } from "./api-tokens";
import { appsRouter } from "./apps";
import { requireAdmin } from "./auth";
import { claimsRouter } from "./claims";
import { controlPlane, readJsonBody } from "./control-plane-client";
import { inlineHooksRouter } from "./inline-hooks";
import { keysRouter } from "./keys";
import { scopesRouter } from "./scopes";
import { serversRouter } from "./servers";
import { tokenPreviewRouter } from "./token-preview";

/** Config documents are small; 1 MiB holds thousands of rules. */
const IMPORT_MAX_BYTES = 1024 * 1024;

export function adminRouter(deps: Deps) {
  const router = new Hono<AppEnv>();
  router.use(requireAdmin(deps));

  router.post(
    "/warden/import",
    bodyLimit({
      maxSize: IMPORT_MAX_BYTES,
      onError: () => {
        throw new ApiError("E0000003", `The request body exceeds ${IMPORT_MAX_BYTES} bytes.`);
      },
    }),
    async (c) => {
      const body = await readJsonBody(c.req.raw);
      const result = await controlPlane(c.env).importConfig(body);
      if (!result.ok) {
        throw new ApiError(
          "E0000001",
          `Api validation failed: ${result.issues.map((i) => i.path || "body").join(", ")}`,
          result.issues.map((i) => ({ errorSummary: `${i.path || "body"}: ${i.message}` })),
        );
      }
      return c.json(result.value);
    },
  );

  router.route("/authorizationServers", keysRouter());
  router.route("/authorizationServers", serversRouter());
  router.route("/authorizationServers", tokenPreviewRouter(deps.now));
  router.route("/authorizationServers", scopesRouter());
  router.route("/authorizationServers", claimsRouter());
  router.route("/inlineHooks", inlineHooksRouter());
  router.route("/apps", appsRouter());
  router.route("/api-tokens", apiTokensRouter(deps.now));
  return router;
}
