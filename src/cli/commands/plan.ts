/**
 * `warden plan`: the diff, and Warden's verdict on it — the changes are sent as a dry run, so a
 * reference to a client or hook that does not exist fails the plan, not the apply.
 */
import { ApiFailure, WardenApi } from "../api";
import type { Options } from "../args";
import { connectionFrom } from "../connection";
import { EXIT } from "../errors";
import type { Io } from "../io";
import { hasChanges } from "../plan";
import { renderPlan } from "../render-plan";
import { loadBeforeAnyRequest, planFor, refused } from "./live";

export async function planCommand(options: Options & { file: string }, io: Io): Promise<number> {
  const loaded = await loadBeforeAnyRequest(options.file, io);
  const api = new WardenApi(connectionFrom(options, io.env), io.fetch);
  const { plan, request } = await planFor(loaded, api, options.prune);
  io.stdout(renderPlan(plan));
  if (!hasChanges(plan)) return EXIT.ok;
  try {
    await api.importConfig(request.document, { prune: request.prune, dryRun: true });
  } catch (error) {
    if (error instanceof ApiFailure && error.kind === "invalid") throw refused(error, loaded, request);
    throw error;
  }
  return EXIT.changes;
}
