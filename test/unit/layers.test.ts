import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkLayers, runtimeImports } from "../../scripts/check-layers.mjs";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");

const trees: string[] = [];

/** A small `src/` tree in a temp dir: path → source. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "warden-layers-"));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("check-layers", () => {
  it("passes on the real src/", () => {
    expect(checkLayers(SRC)).toEqual([]);
  });

  it("passes on a tree whose imports all point down", () => {
    const root = tree({
      "errors.ts": "export class ApiError extends Error {}\n",
      "http/json-body.ts": 'import { ApiError } from "../errors";\nexport const x = ApiError;\n',
      "config/defaults.ts": "export const N = 1;\n",
      "admin/apps.ts": 'import { N } from "../config/defaults";\nimport { x } from "../http/json-body";\n',
      "app.ts": 'import "./admin/apps";\n',
    });
    expect(checkLayers(root)).toEqual([]);
  });

  it("fails on an import of a higher layer, naming the file and line", () => {
    const root = tree({
      "tokens/access-token.ts": "export const RESERVED = new Set();\n",
      "claims/reserved-names.ts": '// reserved names\nimport { RESERVED } from "../tokens/access-token";\n',
    });
    const problems = checkLayers(root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/claims[/\\]reserved-names\.ts:2: claims imports tokens/);
  });

  it("fails on a root file imported from a folder", () => {
    const root = tree({ "app.ts": "export const app = 1;\n", "oauth/token.ts": 'export * from "../app";\n' });
    expect(checkLayers(root)[0]).toMatch(/oauth[/\\]token\.ts:1: oauth imports \(root\)/);
  });

  it("fails on a runtime import cycle, printing it", () => {
    const root = tree({
      "config/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
      "config/b.ts": 'import {\n  c,\n} from "./c";\nexport const b = () => c;\n',
      "config/c.ts": 'export { a as c } from "./a";\n',
    });
    const problems = checkLayers(root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^import cycle through .*config[/\\]a\.ts/);
    expect(problems[0]).toMatch(/a\.ts:1 imports .*b\.ts/);
    expect(problems[0]).toMatch(/b\.ts:1 imports .*c\.ts/);
    expect(problems[0]).toMatch(/c\.ts:1 imports .*a\.ts/);
  });

  it("fails on a cycle between two folders of one layer", () => {
    const root = tree({
      "http/a.ts": 'import { b } from "../crypto/b";\nexport const a = 1;\n',
      "crypto/b.ts": 'import { a } from "../http/a";\nexport const b = 2;\n',
    });
    const problems = checkLayers(root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^import cycle/);
  });

  it("ignores type-only imports, upward or in a cycle", () => {
    const root = tree({
      "config/config-store.ts": [
        'import type { HookRecord } from "../hooks/hook";',
        'import { type HookId, type HookName } from "../hooks/hook";',
        "import {",
        "  type HookStatus,",
        '} from "../hooks/hook";',
        'export type { HookRecord as Stored } from "../hooks/hook";',
        "export const read = 1;",
        "",
      ].join("\n"),
      "hooks/hook.ts":
        'import { read } from "../config/config-store";\nexport type HookRecord = typeof read;\n',
    });
    expect(checkLayers(root)).toEqual([]);
  });

  it("counts an import that mixes a type binding with a value binding", () => {
    const root = tree({
      "config/a.ts": 'import { type T, value } from "../hooks/b";\n',
      "hooks/b.ts": "export type T = 1;\nexport const value = 1;\n",
    });
    expect(checkLayers(root)[0]).toMatch(/config imports hooks/);
  });

  it("skips src/cli/ and imports inside comments", () => {
    const root = tree({
      "cli/main.ts": 'import { app } from "../app";\n',
      "app.ts": "export const app = 1;\n",
      "config/a.ts": '/* import { app } from "../app"; */\n// import "../app";\nexport const a = 1;\n',
    });
    expect(checkLayers(root)).toEqual([]);
  });

  it("reads static, side-effect and dynamic imports with their lines", () => {
    const found = runtimeImports('import "./a";\nexport * from "./b";\nconst m = () => import("./c");\n');
    expect(found).toEqual([
      { specifier: "./a", line: 1, dynamic: false },
      { specifier: "./b", line: 2, dynamic: false },
      { specifier: "./c", line: 3, dynamic: true },
    ]);
  });
});
