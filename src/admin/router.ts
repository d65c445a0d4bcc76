/**
 * The management API as far as the foundation needs it: a bulk import through the control plane
 * (what `npm start` seeds with and config-as-code builds on) and the key list in Okta's shape.
 * The full Okta resource API arrives with the management-API issue.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { requireAdmin } from "./auth";

/** Config documents are small; 1 MiB holds thousands of rules. */
const IMPORT_MAX_BYTES = 1024 * 1024;

export function adminRouter() {
  const router = new Hono<AppEnv>();
  router.use(requireAdmin);

  router.post(
    "/warden/import",
    bodyLimit({
      maxSize: IMPORT_MAX_BYTES,
      onError: () => {
        throw new ApiError("E0000003", `The request body exceeds ${IMPORT_MAX_BYTES} bytes.`);
      },
    }),
    async (c) => {
      const body = await readJson(c.req.raw);
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

  router.get("/authorizationServers/:id/credentials/keys", async (c) => {
    const id = c.req.param("id");
    const keys = await controlPlane(c.env).listKeys(id);
    if (!keys) throw new ApiError("E0000007", `Not found: Resource not found: ${id} (AuthorizationServer)`);
    const base = new URL(c.req.url).origin;
    return c.json(
      keys.map((k) => ({
        ...k.jwk,
        status: k.status,
        _links: {
          self: {
            href: `${base}/api/v1/authorizationServers/${id}/credentials/keys/${k.kid}`,
            hints: { allow: ["GET"] },
          },
        },
      })),
    );
  });
  return router;
}

function controlPlane(env: AppEnv["Bindings"]) {
  return env.CONTROL_PLANE.get(env.CONTROL_PLANE.idFromName("global"));
}

async function readJson(request: Request): Promise<unknown> {
  if (request.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase() !== "application/json") {
    throw new ApiError(
      "E0000003",
      "The request body was not well-formed: Content-Type must be application/json.",
    );
  }
  try {
    return await request.json();
  } catch {
    throw new ApiError("E0000003", "The request body was not well-formed.");
  }
}
