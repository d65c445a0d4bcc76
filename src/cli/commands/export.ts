/// <reference types="node" />
/** `warden export`: the live configuration as a lean file, never with a secret. */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { WardenApi } from "../api";
import type { Options } from "../args";
import { connectionFrom } from "../connection";
import { toWardenFile } from "../document";
import { EXIT } from "../errors";
import { fileText, outputDirectory, schemaReference } from "../file-text";
import type { Io } from "../io";
import { readExport } from "./live";

export async function exportCommand(options: Options, io: Io): Promise<number> {
  const api = new WardenApi(connectionFrom(options, io.env), io.fetch);
  const exported = await readExport(api);
  const chosen = options.format === "yaml" || options.format === "json" ? options.format : undefined;
  const format = chosen ?? (options.output?.toLowerCase().endsWith(".json") ? "json" : "yaml");
  const text = fileText(
    toWardenFile(exported),
    format,
    schemaReference(outputDirectory(options.output, io.cwd)),
  );
  if (options.output === undefined) {
    io.stdout(text);
  } else {
    await writeFile(resolve(io.cwd, options.output), text);
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    io.stderr(
      `Wrote ${count(exported.authorizationServers.length, "authorization server")}, ${count(exported.clients.length, "client")}, ${count(exported.inlineHooks.length, "inline hook")} and ${count(exported.trustedOrigins.length, "trusted origin")} to ${options.output}\n`,
    );
  }
  return EXIT.ok;
}
