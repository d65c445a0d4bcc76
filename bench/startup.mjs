#!/usr/bin/env node
/**
 * `npm run bench:startup -- [--base <git ref>] [--runs n]`: start-up and cold starts of the deployable
 * Worker of this working tree (B) against a git ref (A, default HEAD), measured in one run, the sides
 * interleaved. Per side, medians of `runs`:
 * - `wrangler check startup` (the profile's non-idle time: wall time, 1 ms samples);
 * - start-up CPU time: workerd's threads' CPU for the import of the bundle (bench/lib/startup-profile.mjs),
 *   which a busy machine does not inflate;
 * - the first token on a new isolate and the next one (bench/lib/startup.mjs), wall and CPU; another
 *   server's first token on the warm isolate (data cold, code warm); the first token with Miniflare's
 *   own KV and Cache Workers cold too (the figure earlier results took; see bench/lib/startup.mjs);
 * - the floor's first and next tokens, RS256 and ES256 (bench/floor-entry.ts: the smallest Worker that
 *   does a token endpoint's job, built once from this working tree), measured beside each side's cold
 *   starts in the same round: the same on both sides but for noise, the runtime's own first ÷ next;
 *   and Warden's first token above the floor's RS256 one (same algorithm), paired within a round;
 * then the modules with the most self time in a 50 µs profile of B's start-up. Writes nothing.
 */
import { execFileSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { floorBundle, startupCpuMs, wranglerBundle } from "./lib/build.mjs";
import { benchCredentials } from "./lib/config.mjs";
import { ROOT } from "./lib/paths.mjs";
import { makeTempDir, removeTempDir } from "./lib/processes.mjs";
import { COLD, coldStarts, FLOOR_ALGS, floorColdStarts } from "./lib/startup.mjs";
import { profileStartup, startupCpuTime } from "./lib/startup-profile.mjs";
import { median } from "./lib/summary.mjs";

const { values: args } = parseArgs({
  options: {
    base: { type: "string", default: "HEAD" },
    runs: { type: "string", default: "5" },
  },
});
const runs = Number(args.runs);

const tmp = makeTempDir("warden-startup-");
const worktree = join(tmp, "base");
try {
  execFileSync("git", ["-C", ROOT, "worktree", "add", "--detach", worktree, args.base], { stdio: "ignore" });
  symlinkSync(join(ROOT, "node_modules"), join(worktree, "node_modules"));
  const sides = [];
  for (const [label, root] of [
    [`A (${args.base})`, worktree],
    ["B (working tree)", ROOT],
  ]) {
    const [bundle] = await wranglerBundle(join(tmp, label[0]), undefined, root);
    sides.push({ label, root, bundle, wrangler: [], cpu: [], cold: [], floor: [] });
  }
  const floor = await floorBundle(join(tmp, "floor"));
  const credentials = benchCredentials();
  for (let i = 0; i < runs; i++) {
    for (const side of i % 2 ? [...sides].reverse() : sides) {
      side.wrangler.push(await startupCpuMs(join(tmp, `${side.label[0]}.cpuprofile`), side.root));
      side.cpu.push(await startupCpuTime(side.bundle));
      side.cold.push(...(await coldStarts({ bundlePath: side.bundle, credentials, runs: 1 })).samples);
      // One floor sample per algorithm in the same round, so each side's floor saw its noise.
      const floorRun = await floorColdStarts({ bundlePath: floor, credentials, runs: 1 });
      side.floor.push(Object.fromEntries(FLOOR_ALGS.map((alg) => [alg, floorRun[alg][0]])));
    }
    process.stdout.write(`round ${i + 1}/${runs}\n`);
  }
  const f = (v) => (v == null ? "–" : v.toFixed(1));
  const rows = [
    ["start-up, wrangler check startup (ms)", (s) => median(s.wrangler)],
    ["start-up CPU time (ms)", (s) => median(s.cpu)],
    ["first token, wall (ms)", (s) => median(s.cold.map((c) => c.firstTokenMs))],
    ["next token, wall (ms)", (s) => median(s.cold.map((c) => c.warmTokenMs))],
    ["first ÷ next, wall", (s) => median(s.cold.map((c) => c.firstTokenMs / c.warmTokenMs))],
    ["first token, workerd CPU (ms)", (s) => median(s.cold.map((c) => c.firstTokenCpuMs))],
    ["next token, workerd CPU (ms)", (s) => median(s.cold.map((c) => c.warmTokenCpuMs))],
    ["first ÷ next, CPU", (s) => median(s.cold.map((c) => c.firstTokenCpuMs / c.warmTokenCpuMs))],
    ["another server's first token, CPU (ms)", (s) => median(s.cold.map((c) => c.otherServerFirstCpuMs))],
    ["first token, simulator cold too, CPU (ms)", (s) => median(s.cold.map((c) => c.rawFirstTokenCpuMs))],
    ["  Miniflare's KV/Cache warm-up, CPU (ms)", (s) => median(s.cold.map((c) => c.simulatorWarmupCpuMs))],
    ...FLOOR_ALGS.flatMap((alg) => [
      [
        `token floor ${alg}: first token, CPU (ms)`,
        (s) => median(s.floor.map((f) => f[alg].firstTokenCpuMs)),
      ],
      [`token floor ${alg}: next token, CPU (ms)`, (s) => median(s.floor.map((f) => f[alg].warmTokenCpuMs))],
      [
        `token floor ${alg}: first ÷ next, CPU`,
        (s) => median(s.floor.map((f) => f[alg].firstTokenCpuMs / f[alg].warmTokenCpuMs)),
      ],
    ]),
    [
      `first token above the token floor's (${COLD.alg}), CPU (ms)`,
      (s) => median(s.cold.map((c, i) => c.firstTokenCpuMs - s.floor[i][COLD.alg].firstTokenCpuMs)),
    ],
  ];
  console.log(`\n${runs} runs each, interleaved; medians\n`);
  console.log(`${"".padEnd(54)}${sides.map((s) => s.label.padStart(20)).join("")}${"B ÷ A".padStart(8)}`);
  for (const [name, get] of rows) {
    const [a, b] = sides.map(get);
    console.log(
      `${name.padEnd(54)}${f(a).padStart(20)}${f(b).padStart(20)}${(a && b ? (b / a).toFixed(2) : "–").padStart(8)}`,
    );
  }
  for (const side of sides) {
    const profiles = [];
    for (let i = 0; i < 3; i++) profiles.push(await profileStartup(side.bundle));
    const modules = new Map();
    for (const p of profiles)
      for (const [k, v] of p.modules) modules.set(k, (modules.get(k) ?? 0) + v / profiles.length);
    const total = profiles.reduce((sum, p) => sum + p.activeMs, 0) / profiles.length;
    console.log(
      `\n${side.label}: start-up profile, 50 µs samples, 3 runs (mean active ${f(total)} ms, profiler on); self time by module:`,
    );
    for (const [k, v] of [...modules].sort((x, y) => y[1] - x[1]).slice(0, 12))
      console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
  }
} finally {
  try {
    execFileSync("git", ["-C", ROOT, "worktree", "remove", "--force", worktree], { stdio: "ignore" });
  } catch {
    // already gone
  }
  removeTempDir(tmp);
}
