/** What the numbers were measured on, and a wait for the machine to be quiet before each run. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { ROOT } from "./paths.mjs";
import { machineBusyTicks, sleep } from "./processes.mjs";

export const CLOCK_TICKS_PER_SECOND = Number(
  execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim(),
);

function version(pkg, from = "node_modules") {
  try {
    return JSON.parse(readFileSync(join(ROOT, from, pkg, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

/** The source measured: its commit, and whether the Worker's files differ from it. */
export function sourceInfo() {
  const git = (...args) => execFileSync("git", ["-C", ROOT, ...args], { encoding: "utf8" }).trim();
  try {
    const dirty = git("status", "--porcelain", "--", "src", "wrangler.toml", "package.json");
    return { commit: git("rev-parse", "HEAD"), workerSourceModified: dirty.length > 0 };
  } catch {
    return { commit: null, workerSourceModified: null };
  }
}

export function machineInfo() {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
    workerd: version("workerd", "node_modules/miniflare/node_modules") ?? version("workerd"),
    miniflare: version("miniflare"),
    wrangler: version("wrangler"),
    oidcProvider: version("oidc-provider"),
    jose: version("jose"),
    hono: version("hono"),
    loadAverageAtStart: loadavg(),
  };
}

/** Busy cores of the whole machine over `ms`. */
export async function busyCores(ms) {
  const before = machineBusyTicks();
  await sleep(ms);
  return (machineBusyTicks() - before) / CLOCK_TICKS_PER_SECOND / (ms / 1000);
}

/**
 * Before each run, waits until the machine has been nearly idle for a short sample (other work on a
 * shared machine would be measured as the server's slowness): at most `maxWaitMs` per run and
 * `budgetMs` over the whole bench, so the run stays bounded in time. Resolves with the time waited.
 */
export function quietWaiter({ thresholdCores, maxWaitMs, budgetMs, sampleMs = 300 }) {
  let spentMs = 0;
  return async () => {
    const started = Date.now();
    const limit = Math.min(maxWaitMs, budgetMs - spentMs);
    while (Date.now() - started < limit && (await busyCores(sampleMs)) > thresholdCores) {
      // keep sampling
    }
    const waited = Date.now() - started;
    spentMs += waited;
    return waited;
  };
}
