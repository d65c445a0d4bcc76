/**
 * DESIGN §10: start-up CPU is paid at every new location, so loading the Worker must not evaluate
 * what the token path does not use: the management API (its routes, OpenAPI document and zod
 * schemas) and the control plane load on first use (src/app.ts, src/control-plane/lazy-control-plane.ts).
 *
 * Not a timing: the Worker entry is bundled as wrangler bundles it (esbuild, one module, dynamic
 * imports kept lazy), every source module marked so that it records its own evaluation, and the
 * bundle imported. The test names the modules that ran.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const RECORD = "__wardenEvaluatedModules";
const dir = mkdtempSync(join(tmpdir(), "warden-start-up-"));

/** Modules evaluated by loading the Worker entry, as paths from the repository root. */
let evaluated: string[];
let worker: { default: { fetch: (request: Request, env: unknown) => Promise<Response> } };

beforeAll(async () => {
  const outfile = join(dir, "worker.mjs");
  await build({
    entryPoints: [join(ROOT, "src", "index.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    outfile,
    logLevel: "silent",
    plugins: [
      {
        name: "cloudflare-workers-stub",
        setup(b) {
          b.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: "stub", namespace: "cf" }));
          b.onLoad({ filter: /.*/, namespace: "cf" }, () => ({
            contents:
              "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }",
            loader: "js",
          }));
        },
      },
      {
        name: "record-evaluation",
        setup(b) {
          b.onLoad({ filter: /\.(ts|js|mjs)$/ }, (args) => {
            const name = relative(ROOT, args.path).replace(/^.*node_modules\//, "node_modules/");
            const mark = `(globalThis.${RECORD} ??= []).push(${JSON.stringify(name)});\n`;
            return {
              contents: mark + readFileSync(args.path, "utf8"),
              loader: args.path.endsWith(".ts") ? "ts" : "js",
              resolveDir: join(args.path, ".."),
            };
          });
        },
      },
    ],
  });
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
  const record = globalThis as unknown as Record<string, string[] | undefined>;
  record[RECORD] = [];
  worker = await import(/* @vite-ignore */ pathToFileURL(outfile).href);
  evaluated = [...(record[RECORD] ?? [])];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Worker start-up", () => {
  it("evaluates the token path", () => {
    // The marks work: what a token needs is there.
    for (const module of ["src/index.ts", "src/app.ts", "src/oauth/token.ts", "src/keys/key-store.ts"])
      expect(evaluated).toContain(module);
  });

  it("does not evaluate the management API, the control plane or any zod schema", () => {
    const eager = (pattern: RegExp) => evaluated.filter((m) => pattern.test(m));
    expect(eager(/^src\/admin\//)).toEqual([]);
    expect(eager(/^src\/control-plane\/(?!lazy-control-plane\.ts$)/)).toEqual([]);
    expect(eager(/^src\/config\/(schemas|issues)\.ts$/)).toEqual([]);
    expect(eager(/^node_modules\/zod\//)).toEqual([]);
  });

  it("is bundled without a __name() call per function (wrangler.toml keep_names = false)", () => {
    // esbuild's keepNames, wrangler's default, wraps every function in a `__name(fn, "…")` call at
    // module evaluation: about a quarter of the Worker's start-up CPU (bench:startup, issue 13).
    const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const topLevel = toml.slice(0, toml.search(/^\[/m));
    expect(topLevel).toMatch(/^keep_names\s*=\s*false\s*$/m);
  });

  it("loads the management API on its first request", async () => {
    const before = new Set(evaluated);
    const res = await worker.default.fetch(new Request("https://warden.test/api/v1/openapi.json"), {});
    await res.arrayBuffer();
    const loaded = ((globalThis as unknown as Record<string, string[]>)[RECORD] ?? []).filter(
      (m) => !before.has(m),
    );
    expect(loaded).toContain("src/admin/router.ts");
    expect(loaded).toContain("src/config/schemas.ts");
  });
});
