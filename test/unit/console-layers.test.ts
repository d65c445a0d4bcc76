/**
 * scripts/check-layers.mjs's console rule: the admin console's bundle may run the expression
 * language (src/claims/expression), and nothing else of the Worker; type-only imports are free.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkConsoleImports } from "../../scripts/check-layers.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const roots: string[] = [];

/** A repository of `console/src` and `src` files in a temp dir: path → source. */
function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "warden-console-layers-"));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
const check = (root: string) => checkConsoleImports(join(root, "console", "src"), join(root, "src"));

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("checkConsoleImports", () => {
  it("passes on the real console", () => {
    expect(checkConsoleImports(join(ROOT, "console", "src"), join(ROOT, "src"))).toEqual([]);
  });

  it("lets the console run the expression language, through a screen and a dynamic import", () => {
    const root = repo({
      "src/claims/expression/index.ts": 'export { compile } from "./compile";\n',
      "src/claims/expression/compile.ts": "export const compile = () => 1;\n",
      "console/src/check.ts":
        'import { compile } from "../../src/claims/expression";\nexport const c = compile;\n',
      "console/src/screens/claims.tsx": 'export const load = () => import("../check");\n',
    });
    expect(check(root)).toEqual([]);
  });

  it("refuses any other Worker folder, naming the file and line", () => {
    const root = repo({
      "src/config/schemas.ts": "export const Claim = 1;\n",
      "console/src/screens/claims.tsx": '// schemas\nimport { Claim } from "../../../src/config/schemas";\n',
    });
    const problems = check(root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /claims\.tsx:2: the console imports '\.\.\/\.\.\/\.\.\/src\/config\/schemas'/,
    );
  });

  it("refuses an allowed file that reaches out of its folder: the Worker would follow it in", () => {
    const root = repo({
      "src/claims/expression/index.ts": 'import { x } from "../../config/defaults";\nexport const y = x;\n',
      "src/config/defaults.ts": "export const x = 1;\n",
      "console/src/check.ts": 'import { y } from "../../src/claims/expression";\nexport const c = y;\n',
    });
    expect(check(root)[0]).toMatch(
      /expression[/\\]index\.ts:1: the console imports '\.\.\/\.\.\/config\/defaults'/,
    );
  });

  it("lets type-only imports point anywhere: they are erased from the bundle", () => {
    const root = repo({
      "src/policy/trace.ts": "export type TraceEntry = { kind: string };\n",
      "console/src/view.ts":
        'import type { TraceEntry } from "../../src/policy/trace";\nexport type T = TraceEntry;\n',
    });
    expect(check(root)).toEqual([]);
  });
});
