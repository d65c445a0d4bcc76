/// <reference types="node" />
/**
 * Loading a config file for plan and apply: read it (`-` is stdin), parse it, validate it. Every
 * problem is reported as `file:line:column path: rule broken`, all of them at once.
 */
import { readFile } from "node:fs/promises";
import { CliError } from "./errors";
import type { ImportDocument, WardenFile } from "./file-schema";
import { detectFormat, type ParsedSource, type Position, parseSource } from "./source";
import { validateFile } from "./validate";
import { formatPath, type PathSegment } from "./values";

export interface LoadedFile {
  /** As the user named it, `<stdin>` for `-`. */
  name: string;
  file: WardenFile;
  document: ImportDocument;
  locate: ParsedSource["locate"];
}

export async function loadFile(path: string, readStdin: () => Promise<string>): Promise<LoadedFile> {
  const name = path === "-" ? "<stdin>" : path;
  let text: string;
  try {
    text = path === "-" ? await readStdin() : await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${name}: ${(error as Error).message}`);
  }
  return parseFile(name, text);
}

export function parseFile(name: string, text: string): LoadedFile {
  const parsed = parseSource(text, detectFormat(name, text));
  if (!parsed.ok) {
    throw new CliError(
      `${name} is not a valid file`,
      parsed.errors.map((error) => `${where(name, error.position)} ${error.message}`),
    );
  }
  const { value, locate } = parsed.source;
  const validation = validateFile(value);
  if (!validation.ok) {
    const count = validation.issues.length;
    throw new CliError(
      `${name} is invalid (${count} ${count === 1 ? "problem" : "problems"})`,
      validation.issues.map((issue) => describeIssue(name, locate, issue.path, issue.message)),
    );
  }
  return { name, file: validation.file, document: validation.document, locate };
}

/** `warden.yaml:23:9 authorizationServers[0].name: Too small: expected string to have >=1 characters` */
export function describeIssue(
  name: string,
  locate: ParsedSource["locate"],
  path: readonly PathSegment[],
  message: string,
): string {
  const at = formatPath(path);
  return `${where(name, locate(path))} ${at === "" ? "" : `${at}: `}${message}`;
}

function where(name: string, position: Position | undefined): string {
  return position === undefined ? `${name}:` : `${name}:${position.line}:${position.column}`;
}
