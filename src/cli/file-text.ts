/// <reference types="node" />
/**
 * A file as text, as `warden export` writes it: YAML with the `yaml-language-server` modeline, or
 * JSON with a `$schema` member, either way pointing editors at the committed JSON Schema.
 */
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import type { WardenFileInput } from "./file-schema";
import { SCHEMA_FILE } from "./json-schema";

export type FileFormat = "yaml" | "json";

const SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "..", SCHEMA_FILE);

/** The schema's path relative to the directory the file is written to, as editors resolve it. */
export function schemaReference(directory: string): string {
  const path = relative(directory, SCHEMA_PATH).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
}

export function outputDirectory(outputPath: string | undefined, cwd: string): string {
  return outputPath === undefined ? cwd : dirname(resolve(cwd, outputPath));
}

export function fileText(file: WardenFileInput, format: FileFormat, schemaRef: string): string {
  const { $schema: _ignored, ...content } = file;
  if (format === "json") return `${JSON.stringify({ $schema: schemaRef, ...content }, null, 2)}\n`;
  // No anchors and aliases (identical objects stay spelled out) and no folding of long strings.
  const yaml = stringify(content, { aliasDuplicateObjects: false, lineWidth: 0 });
  return `# yaml-language-server: $schema=${schemaRef}\n${yaml}`;
}
