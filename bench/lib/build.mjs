/**
 * Bundles through wrangler, exactly as `wrangler deploy` would upload them: the deployable Worker
 * (for its size and start-up) and the bench entry (Warden plus the ceiling, for the load cases);
 * and the floor (bench/floor-entry.ts) through the Worker's own esbuild build.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { buildWorker } from "../../scripts/build.mjs";
import { BENCH, ROOT } from "./paths.mjs";

const run = promisify(execFile);
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
export const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };

/**
 * `wrangler deploy --dry-run --outdir outdir [entry]` in the checkout at `root` (this one unless
 * given; bench/compare.mjs bundles another); resolves with the Worker's module paths, its main
 * module first. A checkout that builds its Worker itself (scripts/build.mjs: one module per lazy
 * import, uploaded by wrangler as they are) builds another `entry` the same way first, and wrangler
 * uploads that build; an older checkout lets wrangler bundle `entry` into one module.
 */
export async function wranglerBundle(outdir, entry, root = ROOT) {
  ensureAssetsDirectory(root);
  const builds = existsSync(join(root, "scripts", "build.mjs"));
  let main = entry;
  if (entry && builds) {
    const built = `${outdir}-build`;
    await run(process.execPath, [join(root, "scripts", "build.mjs"), "--entry", entry, "--outdir", built], {
      cwd: root,
    });
    main = join(built, "index.mjs");
  }
  await run(
    process.execPath,
    // `--config`: a built entry lies outside the checkout, where wrangler would not find it.
    [WRANGLER, "deploy", "--dry-run", "--config", join(root, "wrangler.toml"), "--outdir", outdir].concat(
      main ? [main] : [],
    ),
    {
      cwd: root,
      env: WRANGLER_ENV,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const modules = readdirSync(outdir).filter((name) => /\.(m?js|wasm)$/.test(name));
  if (modules.length === 0) throw new Error(`wrangler produced no module in ${outdir}`);
  // The main module first: scripts/build.mjs names the shared and lazy modules `chunk-*`.
  const isChunk = (name) => name.startsWith("chunk-");
  modules.sort((a, b) => Number(isChunk(a)) - Number(isChunk(b)));
  return modules.map((name) => join(outdir, name));
}

/**
 * The floor's module (bench/floor-entry.ts, its jose bundled in) in `outdir`, built by this
 * checkout's scripts/build.mjs — the options Warden's deployable Worker is built with (target,
 * export conditions, `keepNames` off), so the two differ only in their code. Not through wrangler:
 * wrangler.toml is Warden's (its Durable Objects, assets), and with `no_bundle` wrangler uploads
 * what the build wrote as it is. Built from this checkout alone: `bench:startup`'s other side
 * (`--base`) may predate the floor, and the floor is a property of the runtime, not of Warden.
 */
export async function floorBundle(outdir) {
  await buildWorker({ entry: join(BENCH, "floor-entry.ts"), outdir });
  return join(outdir, "index.mjs");
}

/**
 * The Worker's modules: `main`, then every other JavaScript module beside it (the chunks
 * scripts/build.mjs splits off, which the main module imports statically or on first use).
 */
export function workerModules(main) {
  const dir = dirname(main);
  const others = readdirSync(dir)
    .filter((name) => /\.m?js$/.test(name) && name !== basename(main))
    .sort();
  return [main, ...others.map((name) => join(dir, name))];
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
  ensureAssetsDirectory(root);
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

/**
 * wrangler refuses a configuration whose `[assets] directory` does not exist (the admin console's
 * dist/console, built by `npm install` / `npm start`, absent from a fresh `git worktree` such as
 * `--base`'s). The Worker's bundle and start-up do not depend on the assets, so an empty folder does.
 */
function ensureAssetsDirectory(root) {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const assets = /^\[assets\][^[]*?^directory\s*=\s*"([^"]+)"/ms.exec(toml);
  if (assets) mkdirSync(join(root, assets[1]), { recursive: true });
}
