/** Reading what Warden has, and the plan from it to a file: shared by plan and apply. */
import type { ApiFailure, WardenApi } from "../api";
import { desiredState, liveState } from "../canonical";
import { CliError } from "../errors";
import { ExportDocument } from "../file-schema";
import { type ImportRequest, importRequest, pathInFile } from "../import-request";
import type { Io } from "../io";
import { describeIssue, type LoadedFile, loadFile } from "../load";
import { type Plan, planChanges } from "../plan";
import { formatPath } from "../values";

/** The file, validated before any request: an invalid one stops the command with nothing sent. */
export async function loadBeforeAnyRequest(path: string, io: Io): Promise<LoadedFile> {
  try {
    return await loadFile(path, io.readStdin);
  } catch (error) {
    if (error instanceof CliError)
      throw new CliError(error.message, [...error.details, "Nothing was sent to Warden."]);
    throw error;
  }
}

export async function readExport(api: WardenApi): Promise<ExportDocument> {
  const parsed = ExportDocument.safeParse(await api.exportConfig());
  if (!parsed.success) {
    throw new CliError(
      "Warden's export is not in a shape this CLI understands (are the CLI and Warden the same version?)",
      parsed.error.issues.map(
        (issue) => `${formatPath(issue.path.filter((s) => typeof s !== "symbol"))}: ${issue.message}`,
      ),
    );
  }
  return parsed.data;
}

export async function planFor(
  loaded: LoadedFile,
  api: WardenApi,
  prune: boolean,
): Promise<{ plan: Plan; request: ImportRequest }> {
  const live = await readExport(api);
  const plan = planChanges(desiredState(loaded.document), liveState(live), { prune });
  return { plan, request: importRequest(plan, loaded.document) };
}

/** Warden's validation errors, each at the line of the file it is about when the path maps. */
export function refused(failure: ApiFailure, loaded: LoadedFile, request: ImportRequest): CliError {
  const details = failure.causes.map((cause) => {
    const split = cause.indexOf(": ");
    const path = split > 0 ? pathInFile(cause.slice(0, split), request) : undefined;
    return path === undefined
      ? cause
      : describeIssue(loaded.name, loaded.locate, path, cause.slice(split + 2));
  });
  return new CliError(failure.message, details);
}
