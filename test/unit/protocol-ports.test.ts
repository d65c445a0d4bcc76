/**
 * DESIGN §7 rule 8: protocol code never reads a binding; `env` reaches it only as ports built in
 * src/context.ts. A read of `env.NAME` (or `.env.NAME`) in these folders is a binding read.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");
const PROTOCOL_FOLDERS = ["oauth", "hooks", "tokens", "policy"];
const BINDING_READ = /\benv\??\.[A-Z_][A-Z0-9_]*\b/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** `file:line: text` of every binding read in `files`. */
function bindingReads(files: string[]): string[] {
  return files.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) =>
        line.match(BINDING_READ) ? [`${relative(SRC, file)}:${i + 1}: ${line.trim()}`] : [],
      ),
  );
}

describe("protocol code reads ports, not env", () => {
  it.each(PROTOCOL_FOLDERS)("src/%s reads no binding", (folder) => {
    expect(bindingReads(sources(join(SRC, folder)))).toEqual([]);
  });

  it("finds a binding read where there is one", () => {
    expect(bindingReads([join(SRC, "context.ts")]).length).toBeGreaterThan(0);
  });
});
