#!/usr/bin/env node
/**
 * `npm run bench:profile -- [--duration ms] [--out file.cpuprofile] [path]`: a V8 CPU profile of one
 * token case (default the ES256 20-rule token endpoint; `--path /__ceiling/ES256` for the ceiling)
 * on a fresh Miniflare, under the bench's load, with both views of it: self time per bundled
 * function (natives counted for their caller, as in the full run) and *inclusive* time (the function
 * and everything it called), which is what a wrapper costs. CPU samples, not wall-clock: usable on a
 * busy machine. Writes nothing unless `--out` is given.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { wranglerBundle } from "./lib/build.mjs";
import { tokenPath } from "./lib/cases.mjs";
import { benchCredentials, tokenRequest } from "./lib/config.mjs";
import { BENCH } from "./lib/paths.mjs";
import { makeTempDir, removeTempDir } from "./lib/processes.mjs";
import { profileCase } from "./lib/profile.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: "string", default: "5000" },
    out: { type: "string" },
    top: { type: "string", default: "30" },
  },
});
const path = positionals[0] ?? tokenPath("ES256", 20);
const tmp = makeTempDir("warden-profile-");
try {
  const [bundle] = await wranglerBundle(join(tmp, "bench"), join(BENCH, "ceiling-entry.ts"));
  const credentials = benchCredentials();
  const result = await profileCase({
    bundlePath: bundle,
    credentials,
    servers: [{ alg: "ES256", rules: 20 }],
    request: { path, init: tokenRequest(credentials) },
    load: { connections: 8, warmupMs: 400, durationMs: Number(args.duration), maxRequests: 300_000 },
    prewarmMs: 1000,
    samplingIntervalUs: 100,
    keepProfile: true,
  });
  const top = Number(args.top);
  const perRequest = (ms) => `${((ms / result.requests) * 1000).toFixed(1)} µs/req`;
  console.log(
    `${path}: ${result.requests} requests, busy ${result.busyMs.toFixed(0)} ms (${perRequest(result.busyMs)})`,
  );
  for (const [title, rows] of [
    ["self (natives count for their bundled caller)", result.functions],
    ["inclusive (bundled functions, callees included)", result.inclusive],
    ["modules", result.modules],
  ]) {
    console.log(`\n${title}`);
    for (const row of rows.slice(0, top))
      console.log(
        `${(row.share * 100).toFixed(1).padStart(6)} %  ${perRequest(row.ms).padStart(14)}  ${row.name}`,
      );
  }
  if (args.out) writeFileSync(args.out, JSON.stringify(result.profile));
} finally {
  removeTempDir(tmp);
}
