/**
 * Warden's whole-configuration endpoints, which `npm start`'s seed and config as code
 * (`warden plan` / `apply`) build on:
 * - `GET /api/v1/warden/export`: every server, client, inline hook and trusted origin as an import document would
 *   restate it, without a secret;
 * - `POST /api/v1/warden/import[?prune=true][&dryRun=true]`: one validated, all-or-nothing write;
 *   `prune` also deletes what the document does not have, `dryRun` checks and writes nothing.
 */
import { Hono } from "hono";
import { IMPORT_MAX_BYTES, JSON_MAX_DEPTH } from "../config/defaults";
import type { AppEnv } from "../context";
import { readJsonBody } from "../http/json-body";
import { adminActor } from "./audit";
import { controlPlane } from "./control-plane-client";
import { validationFailed, written } from "./responses";

/** `true` / `false` (or absent) only: a typo must not silently mean "don't prune". */
function flag(c: { req: { query: (name: string) => string | undefined } }, name: string): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw validationFailed([{ path: name, message: "must be 'true' or 'false'" }]);
}

export function bulkRouter() {
  const router = new Hono<AppEnv>();

  router.post("/import", async (c) => {
    const options = {
      prune: flag(c, "prune"),
      dryRun: flag(c, "dryRun"),
      actor: adminActor(c.get("admin")).id,
    };
    const body = await readJsonBody(c.req.raw, { maxDepth: JSON_MAX_DEPTH, maxBytes: IMPORT_MAX_BYTES });
    // The caller's rights: an import grants no okta.* scope the caller lacks (DESIGN §8).
    const result = await controlPlane(c.env).importConfig(body, c.get("admin").rights, options);
    return c.json(written(result));
  });

  router.get("/export", async (c) => c.json(await controlPlane(c.env).exportConfig()));

  return router;
}
