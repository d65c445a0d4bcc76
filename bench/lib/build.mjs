/**
 * Bundles through wrangler, exactly as `wrangler deploy` would upload them: the deployable Worker
 * (for its size and start-up) and the bench entry (Warden plus the ceiling, for the load cases).
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { ROOT } from "./paths.mjs";

const run = promisify(execFile);
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
export const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };

/**
 * `wrangler deploy --dry-run --outdir outdir [entry]` in the checkout at `root` (this one unless
 * given; bench/compare.mjs bundles another); resolves with the bundle's module paths.
 */
export async function wranglerBundle(outdir, entry, root = ROOT) {
  await run(
    process.execPath,
    [WRANGLER, "deploy", "--dry-run", "--outdir", outdir, ...(entry ? [entry] : [])],
    {
      cwd: root,
      env: WRANGLER_ENV,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const modules = readdirSync(outdir).filter((name) => /\.(m?js|wasm)$/.test(name));
  if (modules.length === 0) throw new Error(`wrangler produced no module in ${outdir}`);
  return modules.map((name) => join(outdir, name));
}

/** Raw and gzipped bytes of the modules, summed: what the upload limit and cold start see. */
export function bundleSize(modules) {
  let raw = 0;
  let gzip = 0;
  for (const path of modules) {
    const bytes = readFileSync(path);
    raw += bytes.byteLength;
    gzip += gzipSync(bytes).byteLength;
  }
  return { modules: modules.length, rawBytes: raw, gzipBytes: gzip };
}

/**
 * Start-up CPU of the deployable Worker as `wrangler check startup` profiles it (its module
 * evaluation on workerd, locally): the profile's sampled time that is not idle, in ms.
 */
export async function startupCpuMs(outfile, root = ROOT) {
  await run(process.execPath, [WRANGLER, "check", "startup", "--outfile", outfile], {
    cwd: root,
    env: WRANGLER_ENV,
    maxBuffer: 16 * 1024 * 1024,
  });
  const profile = JSON.parse(readFileSync(outfile, "utf8"));
  const names = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
  let activeUs = 0;
  profile.samples.forEach((id, i) => {
    if (names.get(id) !== "(idle)") activeUs += profile.timeDeltas[i] ?? 0;
  });
  return activeUs / 1000;
}
