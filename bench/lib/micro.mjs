/**
 * Runs bench/micro/micro.ts in a fresh Node process. It imports src/ directly; src/ uses
 * extensionless imports, which Node's type stripping cannot resolve, so esbuild bundles it first
 * (into a temporary directory) — the same transform wrangler applies, and no vitest in between.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { BENCH } from "./paths.mjs";

const run = promisify(execFile);

export async function runMicro(tmpDir, options) {
  const outfile = join(tmpDir, "micro.mjs");
  await build({
    entryPoints: [join(BENCH, "micro", "micro.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outfile,
    logLevel: "warning",
  });
  const { stdout } = await run(process.execPath, [outfile, JSON.stringify(options)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1));
}
