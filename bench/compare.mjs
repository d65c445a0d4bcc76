#!/usr/bin/env node
/**
 * `npm run bench:compare -- [--base <git ref>] [--rounds n] [--duration ms] [case …]`: the bench
 * entry of this working tree (B) against the same entry at a git ref (A, default HEAD), each on its
 * own workerd through Miniflare, loaded one after the other in interleaved rounds (the order flips
 * every round), so that drift on the machine falls on both alike. Prints per case the median server
 * CPU per request and requests/s of each, and B ÷ A. For checking one change before a full
 * `npm run bench`; it writes nothing. Cases: floor, ceiling-ES256, ceiling-RS256, token-ES256,
 * token-RS256 (20 rules), body, grant, endpoint (the breakdown's steps), jwks, jwks-304, discovery.
 */
import { execFileSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CASES, SERVERS } from "./lib/ab-cases.mjs";
import { wranglerBundle } from "./lib/build.mjs";
import { jwksPath } from "./lib/cases.mjs";
import { benchCredentials, seed } from "./lib/config.mjs";
import { runLoad } from "./lib/load.mjs";
import { startMiniflare } from "./lib/miniflare.mjs";
import { ROOT } from "./lib/paths.mjs";
import { etagOf } from "./lib/preflight.mjs";
import { makeTempDir, removeTempDir } from "./lib/processes.mjs";
import { median } from "./lib/summary.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: "string", default: "HEAD" },
    rounds: { type: "string", default: "6" },
    duration: { type: "string", default: "1500" },
  },
});

const cases = positionals.length > 0 ? positionals : ["ceiling-ES256", "token-ES256", "token-RS256", "jwks"];
for (const name of cases)
  if (!CASES[name]) throw new Error(`unknown case ${name}; known: ${Object.keys(CASES)}`);

const tmp = makeTempDir("warden-compare-");
const worktree = join(tmp, "base");
const sides = [];
try {
  execFileSync("git", ["-C", ROOT, "worktree", "add", "--detach", worktree, args.base], { stdio: "ignore" });
  symlinkSync(join(ROOT, "node_modules"), join(worktree, "node_modules"));
  const credentials = benchCredentials();
  for (const [label, root] of [
    [`A (${args.base})`, worktree],
    ["B (working tree)", ROOT],
  ]) {
    const [bundle] = await wranglerBundle(join(tmp, label[0]), join(root, "bench", "ceiling-entry.ts"), root);
    const mf = await startMiniflare({ bundlePath: bundle, credentials });
    sides.push({ label, mf, runs: new Map() });
    await seed(mf.baseUrl, credentials, SERVERS);
  }
  for (const side of sides) side.etag = await etagOf(`${side.mf.baseUrl}${jwksPath}`);
  const target = (name, side) => ({
    ...CASES[name](side.mf.baseUrl, credentials, side.etag),
    cpuPids: side.mf.pids,
  });
  const load = { connections: 8, maxRequests: 300_000 };
  for (const name of cases) {
    for (const side of sides) await runLoad(target(name, side), { ...load, warmupMs: 0, durationMs: 500 });
  }
  const rounds = Number(args.rounds);
  for (let round = 0; round < rounds; round++) {
    console.log(`round ${round + 1}/${rounds}`);
    for (const name of cases) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const result = await runLoad(target(name, side), {
          ...load,
          warmupMs: 200,
          durationMs: Number(args.duration),
        });
        if (result.errors > 0) throw new Error(`${name} on ${side.label}: ${result.firstError}`);
        side.runs.set(name, [...(side.runs.get(name) ?? []), result]);
      }
    }
  }
  console.log(`\n${"case".padEnd(15)}${sides.map((s) => s.label.padEnd(34)).join("")}B ÷ A (CPU, req/s)`);
  for (const name of cases) {
    const figures = sides.map((side) => {
      const runs = side.runs.get(name);
      return {
        cpu: median(runs.map((r) => r.serverCpuMsPerRequest)),
        rps: median(runs.map((r) => r.rps)),
      };
    });
    const [a, b] = figures;
    console.log(
      name.padEnd(15) +
        figures
          .map((f) => `${f.cpu.toFixed(3)} ms/req ${f.rps.toFixed(0).padStart(6)} req/s`.padEnd(34))
          .join("") +
        `${(b.cpu / a.cpu).toFixed(2)}, ${(b.rps / a.rps).toFixed(2)}`,
    );
  }
} finally {
  for (const side of sides) await side.mf.dispose();
  execFileSync("git", ["-C", ROOT, "worktree", "remove", "--force", worktree], { stdio: "ignore" });
  removeTempDir(tmp);
}
