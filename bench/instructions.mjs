#!/usr/bin/env node
/**
 * `npm run bench:instructions -- [--base <git ref>] [--requests n] [--windows k] [--warmup n] [case …]`:
 * instructions executed by workerd per request, counted by Valgrind's callgrind, for the cases of
 * bench:compare (bench/lib/ab-cases.mjs). With `--base`, the bench entry of this working tree (B)
 * against the same entry at the ref (A), as bench:compare does it; without, this tree alone.
 *
 * Why: on a shared 2-core machine the CPU time per request of two identical builds differs by up to
 * ~15 % (bench/README.md), more than the changes worth making on the token path. An instruction count
 * does not depend on what else runs: the ceiling's count repeats to within about 1 % between windows.
 * What it does not see: time (a cache miss, a syscall's wait, the CPU's frequency), so it guides and
 * confirms a change; requests/s and CPU per request stay the figures the results report.
 *
 * How: Miniflare starts workerd through a wrapper (`MINIFLARE_WORKERD_PATH`) that runs it under
 * `valgrind --tool=callgrind`; after a warm-up (`--warmup` requests per case, so V8 has optimised
 * the hot path), each window zeroes the counters (`callgrind_control --zero`), sends `--requests`
 * requests (4 at a time), dumps and reads the total. Work driven by the clock rather than by
 * requests (isolate caches expiring every 30–60 s, the revocation pulse, the log's flush) runs far
 * more often per request under Valgrind's ~50× slowdown and only ever adds: the minimum over the
 * windows is the per-request figure, the median is printed beside it. Workerd's binary carries no
 * symbols, so callgrind gives totals only; use `npm run bench:profile` to see where time goes.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CASES, SERVERS } from "./lib/ab-cases.mjs";
import { wranglerBundle } from "./lib/build.mjs";
import { jwksPath } from "./lib/cases.mjs";
import { benchCredentials, seed } from "./lib/config.mjs";
import { startMiniflare } from "./lib/miniflare.mjs";
import { ROOT } from "./lib/paths.mjs";
import { etagOf } from "./lib/preflight.mjs";
import { makeTempDir, removeTempDir } from "./lib/processes.mjs";
import { median } from "./lib/summary.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: "string" },
    requests: { type: "string", default: "400" },
    windows: { type: "string", default: "4" },
    warmup: { type: "string", default: "1500" },
  },
});
const cases = positionals.length > 0 ? positionals : ["ceiling-ES256", "token-ES256"];
for (const name of cases)
  if (!CASES[name]) throw new Error(`unknown case ${name}; known: ${Object.keys(CASES)}`);
const requests = Number(args.requests);
const CONCURRENCY = 4;

const workerdBinary = createRequire(join(ROOT, "package.json"))("workerd").default;
const tmp = makeTempDir("warden-instructions-");
const sides = [];
let worktree;
try {
  const credentials = benchCredentials();
  const roots = [["B (working tree)", ROOT]];
  if (args.base) {
    worktree = join(tmp, "base");
    execFileSync("git", ["-C", ROOT, "worktree", "add", "--detach", worktree, args.base], {
      stdio: "ignore",
    });
    symlinkSync(join(ROOT, "node_modules"), join(worktree, "node_modules"));
    roots.unshift([`A (${args.base})`, worktree]);
  }
  for (const [label, root] of roots) {
    const dir = join(tmp, label[0]);
    const [bundle] = await wranglerBundle(dir, join(root, "bench", "ceiling-entry.ts"), root);
    const wrapper = join(tmp, `workerd-${label[0]}.sh`);
    writeFileSync(
      wrapper,
      `#!/bin/sh\nexec valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=${dir}/callgrind.%p ${workerdBinary} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    process.env.MINIFLARE_WORKERD_PATH = wrapper;
    console.log(`${label}: starting workerd under callgrind (a minute or two)`);
    const mf = await startMiniflare({ bundlePath: bundle, credentials });
    delete process.env.MINIFLARE_WORKERD_PATH;
    await seed(mf.baseUrl, credentials, SERVERS);
    const pid = execFileSync("pgrep", ["-f", `callgrind-out-file=${dir}/`])
      .toString()
      .trim()
      .split("\n")[0];
    sides.push({ label, mf, dir, pid, counts: new Map() });
  }
  for (const side of sides) side.etag = await etagOf(`${side.mf.baseUrl}${jwksPath}`);

  for (const name of cases) {
    for (const side of sides)
      await send(CASES[name](side.mf.baseUrl, credentials, side.etag), Number(args.warmup));
  }
  const windows = Number(args.windows);
  for (let w = 0; w < windows; w++) {
    console.log(`window ${w + 1}/${windows}`);
    for (const name of cases) {
      for (const side of w % 2 ? [...sides].reverse() : sides) {
        callgrind("--zero", side.pid);
        await send(CASES[name](side.mf.baseUrl, credentials, side.etag), requests);
        const instructions = dumpedTotal(side);
        side.counts.set(name, [...(side.counts.get(name) ?? []), instructions / requests]);
      }
    }
  }
  const fmt = (n) => `${(n / 1e6).toFixed(3)} M`;
  console.log(
    `\ninstructions per request (min over ${windows} windows of ${requests}; median)\n${"case".padEnd(15)}${sides
      .map((s) => s.label.padEnd(30))
      .join("")}${sides.length > 1 ? "B ÷ A (min, median)" : ""}`,
  );
  for (const name of cases) {
    const figures = sides.map((side) => {
      const counts = side.counts.get(name);
      return { min: Math.min(...counts), median: median(counts) };
    });
    const ratio =
      figures.length > 1
        ? `${(figures[1].min / figures[0].min).toFixed(3)}, ${(figures[1].median / figures[0].median).toFixed(3)}`
        : "";
    console.log(
      name.padEnd(15) + figures.map((f) => `${fmt(f.min)} (${fmt(f.median)})`.padEnd(30)).join("") + ratio,
    );
  }
} finally {
  for (const side of sides) await side.mf.dispose();
  if (worktree)
    execFileSync("git", ["-C", ROOT, "worktree", "remove", "--force", worktree], { stdio: "ignore" });
  removeTempDir(tmp);
}

function callgrind(command, pid) {
  execFileSync("callgrind_control", [command, pid], { stdio: "ignore" });
}

/** Dumps the side's counters and reads the dump's total instruction count. */
function dumpedTotal(side) {
  callgrind("--dump", side.pid);
  const newest = readdirSync(side.dir)
    .filter((name) => name.startsWith(`callgrind.${side.pid}.`))
    .map((name) => join(side.dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  const total = /^(?:summary|totals): (\d+)/m.exec(readFileSync(newest, "utf8"));
  if (!total) throw new Error(`no total in ${newest}`);
  return Number(total[1]);
}

/** `count` requests of one case, `CONCURRENCY` at a time; any other status than expected throws. */
async function send(target, count) {
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent++ < count) {
        const response = await fetch(target.url, {
          method: target.method ?? "GET",
          headers: target.headers,
          body: target.body,
        });
        await response.arrayBuffer();
        if (response.status !== target.expectStatus)
          throw new Error(`${target.url}: ${response.status}, expected ${target.expectStatus}`);
      }
    }),
  );
}
