#!/usr/bin/env node
/**
 * The Worker's build (wrangler.toml `[build] command`; `wrangler dev`, `wrangler deploy` and
 * `wrangler check startup` run it): `src/index.ts` → `dist/worker/`, one ES module per lazy part.
 *
 * Why not wrangler's own bundler: it inlines every dynamic `import()` into the one module it uploads,
 * so V8 parses the management API, its zod schemas and OpenAPI document and the control plane at
 * every isolate's start-up although they load on first use (src/app.ts,
 * src/control-plane/lazy-control-plane.ts). esbuild's code splitting emits each dynamic import as a
 * module of its own (and what both sides share as a chunk); wrangler uploads them as they are
 * (`no_bundle`, `find_additional_modules`, an `ESModule` rule for `chunk-*.mjs`), and workerd compiles a module only
 * when it is first imported (issue 13 item 5).
 *
 * The options are wrangler's own for a Worker (esbuild, ESM, the `workerd` / `worker` / `browser`
 * export conditions), with `keepNames` off: no `__name()` call per function at start-up.
 *
 * `node scripts/build.mjs [--entry file] [--outdir dir]`: another entry (the bench's) or place.
 */
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Builds `entry` into `outdir` (emptied first: a stale chunk would be uploaded too). `plugins`: for
 * test/unit/start-up.test.ts, which marks every module to see which ones run. Resolves with
 * esbuild's result, its metafile included (which output imports which, statically or on first use).
 */
export async function buildWorker({
  entry = join(root, "src", "index.ts"),
  outdir = join(root, "dist", "worker"),
  plugins = [],
} = {}) {
  rmSync(outdir, { recursive: true, force: true });
  return build({
    absWorkingDir: root,
    entryPoints: { index: entry },
    plugins,
    metafile: true,
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    // The runtime's own modules stay imports; wrangler's bundler treats them the same way.
    external: ["cloudflare:*", "node:*"],
    // `chunk-<hash>.mjs` beside `index.mjs`: wrangler.toml's ESModule rule uploads them.
    chunkNames: "chunk-[hash]",
    entryNames: "[name]",
    outExtension: { ".js": ".mjs" },
    keepNames: false,
    // esbuild's `// src/…` comments stay: the bench's profiles attribute samples to modules by them.
    legalComments: "none",
    sourcemap: false,
    logLevel: "warning",
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { entry: { type: "string" }, outdir: { type: "string" } },
  });
  await buildWorker({
    ...(values.entry ? { entry: resolve(values.entry) } : {}),
    ...(values.outdir ? { outdir: resolve(values.outdir) } : {}),
  });
}
