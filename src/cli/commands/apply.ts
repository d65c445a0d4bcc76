/**
 * `warden apply`: plan, confirm, then one all-or-nothing import. A file that fails validation
 * stops before any request; a configuration Warden refuses changes nothing.
 */
import { ApiFailure, type ImportSummary, WardenApi } from "../api";
import type { Options } from "../args";
import { connectionFrom } from "../connection";
import { CliError, EXIT } from "../errors";
import type { Io } from "../io";
import { hasChanges } from "../plan";
import { renderPlan } from "../render-plan";
import { loadBeforeAnyRequest, planFor, refused } from "./live";

export async function applyCommand(options: Options & { file: string }, io: Io): Promise<number> {
  const loaded = await loadBeforeAnyRequest(options.file, io);
  const connection = connectionFrom(options, io.env);
  const api = new WardenApi(connection, io.fetch);
  const { plan, request } = await planFor(loaded, api, options.prune);
  io.stdout(renderPlan(plan));
  if (!hasChanges(plan)) return EXIT.ok;

  if (!options.yes) {
    if (!io.confirm)
      throw new CliError("not applied: there is no terminal to confirm on; pass --yes to apply");
    if (!(await io.confirm(`\nApply these changes to ${connection.url}? Only 'yes' applies: `))) {
      io.stderr("Apply cancelled; nothing was changed.\n");
      return EXIT.error;
    }
  }

  let summary: ImportSummary;
  try {
    summary = await api.importConfig(request.document, { prune: request.prune, dryRun: false });
  } catch (error) {
    if (error instanceof ApiFailure && error.kind === "invalid") {
      const failure = refused(error, loaded, request);
      throw new CliError(failure.message, [...failure.details, "Nothing was changed."]);
    }
    throw error;
  }
  io.stdout(renderSummary(summary));
  return EXIT.ok;
}

function renderSummary(summary: ImportSummary): string {
  const lines = [
    "",
    "Applied.",
    ...summary.servers.map((s) => `  authorization server "${s.id}": version ${s.version}`),
    ...summary.clients.map((c) => `  client "${c.client_id}": ${c.created ? "created" : "updated"}`),
    ...summary.inlineHooks.map((h) => `  inline hook "${h.id}": ${h.created ? "created" : "updated"}`),
    ...summary.trustedOrigins.map(
      (o) => `  trusted origin "${o.origin}": ${o.created ? "created" : "updated"}`,
    ),
    ...summary.deleted.authorizationServers.map((id) => `  authorization server "${id}": deleted`),
    ...summary.deleted.clients.map((id) => `  client "${id}": deleted`),
    ...summary.deleted.inlineHooks.map((id) => `  inline hook "${id}": deleted`),
    ...summary.deleted.trustedOrigins.map((id) => `  trusted origin ${id}: deleted`),
  ];
  const secrets = Object.entries(summary.generatedSecrets);
  if (secrets.length > 0) {
    lines.push(
      "",
      "New client secrets, shown this once (Warden keeps only their hashes):",
      ...secrets.map(([clientId, secret]) => `  ${clientId}: ${secret}`),
    );
  }
  return `${lines.join("\n")}\n`;
}
