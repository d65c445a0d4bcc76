/**
 * DESIGN §10: start-up CPU is paid at every new location, so loading the Worker must not evaluate
 * what the token path does not use: the management API (its routes, OpenAPI document and zod
 * schemas) and the control plane load on first use (src/app.ts, src/control-plane/lazy-control-plane.ts).
 * Nor parse it: V8 parses every module workerd loads, so the build (scripts/build.mjs, what wrangler
 * uploads) puts each lazy part in a module of its own, compiled on its first import (issue 13 item 5).
 *
 * Not a timing: the Worker entry is built by scripts/build.mjs itself, every source module marked so
 * that it records its own evaluation, and the build imported. The test names the modules that ran,
 * and, from esbuild's metafile, the modules that the start-up's modules contain.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorker } from "../../scripts/build.mjs";

const ROOT = join(import.meta.dirname, "..", "..");
const RECORD = "__wardenEvaluatedModules";
/** Paths Hono registered (its `#addRoute`), marked by the build below. */
const ROUTES = "__wardenRegisteredRoutes";
/** The head of Hono's `#addRoute` (hono/dist/hono-base.js): the mark goes right after it. */
const ADD_ROUTE = /#addRoute\(method, path, handler[^)]*\) \{/;
const dir = mkdtempSync(join(tmpdir(), "warden-start-up-"));

/** Modules evaluated by loading the Worker entry, as paths from the repository root. */
let evaluated: string[];
/** Source modules inside the output modules workerd loads at start-up (the entry's static imports). */
let parsedAtStartUp: string[];
/** Source modules inside the output modules loaded only on first use (dynamic imports). */
let parsedOnFirstUse: string[];
let output: string;
let worker: { default: { fetch: (request: Request, env: unknown) => Promise<Response> } };
/** Whether the route mark found Hono's `#addRoute` (else the route assertions would prove nothing). */
let routesMarked = false;
/** Routes registered by loading the Worker entry. */
let registeredAtStartUp: string[];

const sourceName = (path: string) => path.replace(/^.*node_modules\//, "node_modules/");

/** Outputs reachable from `entry` by static imports, and the rest. */
function splitOutputs(metafile: Metafile, entry: string): { startUp: string[]; lazy: string[] } {
  const seen = new Set<string>();
  const queue = [entry];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    for (const { path, kind } of metafile.outputs[next]?.imports ?? [])
      if (kind === "import-statement" && path in metafile.outputs) queue.push(path);
  }
  const all = Object.keys(metafile.outputs);
  return { startUp: [...seen], lazy: all.filter((o) => !seen.has(o)) };
}

beforeAll(async () => {
  const outdir = join(dir, "dist");
  const result = await buildWorker({
    outdir,
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
            const name = sourceName(relative(ROOT, args.path));
            const mark = `(globalThis.${RECORD} ??= []).push(${JSON.stringify(name)});\n`;
            let source = readFileSync(args.path, "utf8");
            if (name === "node_modules/hono/dist/hono-base.js" && ADD_ROUTE.test(source)) {
              routesMarked = true;
              source = source.replace(
                ADD_ROUTE,
                (head) => `${head} (globalThis.${ROUTES} ??= []).push(path);`,
              );
            }
            return {
              contents: mark + source,
              loader: args.path.endsWith(".ts") ? "ts" : "js",
              resolveDir: join(args.path, ".."),
            };
          });
        },
      },
    ],
  });
  const { metafile } = result;
  const entry = Object.keys(metafile.outputs).find((o) => o.endsWith("/index.mjs"));
  if (!entry) throw new Error("the build has no index.mjs");
  const { startUp, lazy } = splitOutputs(metafile, entry);
  const inputsOf = (outputs: string[]) =>
    outputs.flatMap((o) => Object.keys(metafile.outputs[o]?.inputs ?? {}).map(sourceName));
  parsedAtStartUp = inputsOf(startUp);
  parsedOnFirstUse = inputsOf(lazy);
  output = startUp.map((o) => readFileSync(join(ROOT, o), "utf8")).join("\n");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
  const record = globalThis as unknown as Record<string, string[] | undefined>;
  record[RECORD] = [];
  record[ROUTES] = [];
  worker = await import(/* @vite-ignore */ pathToFileURL(join(outdir, "index.mjs")).href);
  evaluated = [...(record[RECORD] ?? [])];
  registeredAtStartUp = [...(record[ROUTES] ?? [])];
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

  it("leaves the management API, the control plane and zod out of the modules loaded at start-up", () => {
    // What is not evaluated is not parsed either: each lazy part is a module of its own.
    const eager = (pattern: RegExp) => parsedAtStartUp.filter((m) => pattern.test(m));
    expect(eager(/^src\/admin\//)).toEqual([]);
    expect(eager(/^src\/control-plane\/(?!lazy-control-plane\.ts$)/)).toEqual([]);
    expect(eager(/^src\/config\/(schemas|issues)\.ts$/)).toEqual([]);
    expect(eager(/^node_modules\/zod\//)).toEqual([]);
    // The hosted pages (src/signin/router.ts loads them on their first request).
    expect(eager(/^src\/signin\/(authorize|activate|authn|logout|consent|pages)\.ts$/)).toEqual([]);
    // …and shipped beside it, loaded on first use.
    expect(parsedOnFirstUse).toContain("src/admin/router.ts");
    expect(parsedOnFirstUse).toContain("src/control-plane/control-plane.ts");
    expect(parsedOnFirstUse).toContain("src/signin/authorize.ts");
    // The marks' own check: the token path is in the start-up modules.
    expect(parsedAtStartUp).toContain("src/oauth/token.ts");
  });

  it("registers no route at start-up: the app is built by the first request", async () => {
    // Registering every route (Hono's #addRoute, its path parsing and trie) was most of what module
    // evaluation ran (bench/results/cold-start.md); src/index.ts builds the app on the first request.
    expect(routesMarked).toBe(true);
    expect(registeredAtStartUp).toEqual([]);
    const record = globalThis as unknown as Record<string, string[]>;
    const res = await worker.default.fetch(new Request("https://warden.test/nowhere"), {});
    expect(res.status).toBe(404);
    const registered = record[ROUTES] ?? [];
    // As Hono's #addRoute receives them: below a sub-router's mount point, or the org server's full path.
    expect(registered).toContain("/v1/token");
    expect(registered).toContain("/oauth2/v1/token");
    // Once per isolate: a second request registers nothing more.
    const count = registered.length;
    await (await worker.default.fetch(new Request("https://warden.test/nowhere"), {})).arrayBuffer();
    expect(record[ROUTES]?.length).toBe(count);
  });

  it("leaves introspection, revocation, device authorization and the log's queue consumer out of start-up", () => {
    // Not on the client_credentials path: each loads on its first request, batch or cron.
    const lazy = [
      "src/oauth/introspect.ts",
      "src/oauth/revoke.ts",
      "src/oauth/device-authorize.ts",
      "src/log/consumer.ts",
      "src/log/retention.ts",
      "src/signin/session-sweep.ts",
    ];
    for (const module of lazy) {
      expect(parsedAtStartUp).not.toContain(module);
      expect(evaluated).not.toContain(module);
      expect(parsedOnFirstUse).toContain(module);
    }
  });

  it("is built without a __name() call per function (keepNames off)", () => {
    // esbuild's keepNames, wrangler's default, wraps every function in a `__name(fn, "…")` call at
    // module evaluation: about a quarter of the Worker's start-up CPU (bench:startup, issue 13).
    expect(output).not.toMatch(/\b__name\(/);
  });

  it("is what wrangler uploads (wrangler.toml: the build's modules, not wrangler's bundle)", () => {
    // wrangler's bundler would inline every dynamic import into the one module it uploads.
    const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const topLevel = toml.slice(0, toml.search(/^\[/m));
    expect(topLevel).toMatch(/^main\s*=\s*"dist\/worker\/index\.mjs"\s*$/m);
    expect(topLevel).toMatch(/^no_bundle\s*=\s*true\s*$/m);
    expect(topLevel).toMatch(/^find_additional_modules\s*=\s*true\s*$/m);
    expect(toml).toMatch(/^command\s*=\s*"node scripts\/build\.mjs"\s*$/m);
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
