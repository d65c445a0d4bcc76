/**
 * The JSON Schema of the file, for editors (`# yaml-language-server: $schema=…` in YAML, a
 * `$schema` member in JSON). Generated from the same zod schemas that validate the file, in their
 * input form: a member with a default is optional. Objects are closed (`additionalProperties:
 * false`) because the CLI refuses unknown members too — an editor should flag a typo as early.
 */
import * as z from "zod";
import { WardenFile } from "./file-schema";

export const SCHEMA_FILE = "schema/warden.schema.json";

export function fileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(WardenFile, {
    io: "input",
    target: "draft-2020-12",
    // Free-form JSON (an app's `profile` values) is a z.custom: any value, as far as editors go.
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "object" && jsonSchema.additionalProperties === undefined) {
        jsonSchema.additionalProperties = false;
      }
    },
  }) as Record<string, unknown>;
}

export function fileJsonSchemaText(): string {
  return `${JSON.stringify(fileJsonSchema(), null, 2)}\n`;
}
