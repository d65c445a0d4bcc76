/// <reference types="node" />
/** `warden schema`: the file's JSON Schema, as committed in schema/warden.schema.json. */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Options } from "../args";
import { EXIT } from "../errors";
import type { Io } from "../io";
import { fileJsonSchemaText } from "../json-schema";

export async function schemaCommand(options: Options, io: Io): Promise<number> {
  const text = fileJsonSchemaText();
  if (options.output === undefined) io.stdout(text);
  else await writeFile(resolve(io.cwd, options.output), text);
  return EXIT.ok;
}
