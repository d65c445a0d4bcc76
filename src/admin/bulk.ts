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
import type { AppEnv, BindPorts } from "../context";
import { deleteAppAssignments } from "../directory/assignments";
import { readJsonBody } from "../http/json-body";
import { isRecord } from "../http/json-value";
import { adminActor } from "./audit";
import { controlPlane } from "./control-plane-client";
import { revokeGrants } from "./grant-revocation";
import { validationFailed, written } from "./responses";

/** `true` / `false` (or absent) only: a typo must not silently mean "don't prune". */
function flag(c: { req: { query: (name: string) => string | undefined } }, name: string): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw validationFailed([{ path: name, message: "must be 'true' or 'false'" }]);
}

/**
 * `bind` and `now`: an import that deletes (prunes) servers or apps, or leaves an app INACTIVE,
 * revokes their grants as the Apps and Authorization Servers APIs do (src/admin/grant-revocation.ts).
 */
export function bulkRouter(bind: BindPorts, now: () => number) {
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
    const summary = written(result);
    // A pruned app's users and groups go with it, as they do when the Apps API deletes it
    // (src/admin/apps.ts): config as code names apps by client_id, so an app added back under the
    // same id would otherwise find every old assignment and issue user tokens to them again.
    if (!options.dryRun) {
      for (const appId of summary.deleted.clients) await deleteAppAssignments(c.env.DIRECTORY, appId);
      for (const clientId of [...summary.deleted.clients, ...inactiveClients(body)]) {
        await revokeGrants(c, bind, { clientId }, "config_import", now());
      }
      for (const serverId of summary.deleted.authorizationServers) {
        await revokeGrants(c, bind, { serverId }, "config_import", now());
      }
    }
    return c.json(summary);
  });

  router.get("/export", async (c) => c.json(await controlPlane(c.env).exportConfig()));

  return router;
}

/** The apps the (accepted) document leaves INACTIVE: a deactivation, whatever they were before. */
function inactiveClients(body: unknown): string[] {
  const clients = isRecord(body) && Array.isArray(body.clients) ? body.clients : [];
  return clients.flatMap((client: unknown) =>
    isRecord(client) && client.status === "INACTIVE" && typeof client.client_id === "string"
      ? [client.client_id]
      : [],
  );
}
