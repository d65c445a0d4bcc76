#!/usr/bin/env node
/**
 * `npm run bench:first-token -- [--runs n] [--top n]`: where the first token on a new isolate spends
 * its CPU, against the next one (issue 13 item 5). The deployable Worker (scripts/build.mjs) on a
 * fresh workerd per run, state seeded once, each after a "location" instance put a fresh revocation
 * pulse copy, as bench/lib/startup.mjs's cold starts (so the control plane's cold start, which runs
 * in the same isolate on Miniflare, is not in the profile); V8's
 * sampling profiler (50 µs) on the Worker's isolate — the Durable Objects the first token calls run
 * in it too — over the first token request, then over the second. Summed over `runs`, self and
 * inclusive time per bundled function, and by module. Shares of a profiled run: the profiler slows
 * the isolate down. Writes nothing.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { wranglerBundle } from "./lib/build.mjs";
import { benchCredentials, seed, serverId, tokenRequest } from "./lib/config.mjs";
import { startMiniflare } from "./lib/miniflare.mjs";
import { freePort, makeTempDir, removeTempDir } from "./lib/processes.mjs";
import { connect, moduleIndex, summarize } from "./lib/profile.mjs";
import { COLD, OTHER, warmLocation } from "./lib/startup.mjs";

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "5" }, top: { type: "string", default: "25" } },
});
const INTERVAL_US = 50;

const tmp = makeTempDir("warden-first-token-");
try {
  const [bundle] = await wranglerBundle(join(tmp, "worker"));
  const credentials = benchCredentials();
  const persistTo = join(tmp, "state");
  const seeding = await startMiniflare({ bundlePath: bundle, credentials, persistTo });
  try {
    await seed(seeding.baseUrl, credentials, [COLD, OTHER]);
  } finally {
    await seeding.dispose();
  }
  const profiles = { first: [], next: [] };
  for (let i = 0; i < Number(args.runs); i++) {
    await warmLocation(bundle, credentials, persistTo);
    const inspectorPort = await freePort();
    const mf = await startMiniflare({ bundlePath: bundle, credentials, persistTo, inspectorPort });
    try {
      const cdp = await connect(`ws://127.0.0.1:${inspectorPort}/core:user:warden`);
      try {
        await cdp.send("Profiler.enable");
        await cdp.send("Profiler.setSamplingInterval", { interval: INTERVAL_US });
        for (const which of ["first", "next"]) {
          await cdp.send("Profiler.start");
          const res = await fetch(
            `${mf.baseUrl}/oauth2/${serverId(COLD.alg, COLD.rules)}/v1/token`,
            tokenRequest(credentials),
          );
          await res.text();
          if (res.status !== 200) throw new Error(`token request answered ${res.status}`);
          const { profile } = await cdp.send("Profiler.stop");
          profiles[which].push(profile);
        }
      } finally {
        cdp.close();
      }
    } finally {
      await mf.dispose();
    }
  }
  const index = moduleIndex(bundle);
  const top = Number(args.top);
  for (const which of ["first", "next"]) {
    const merged = new Map();
    let busy = 0;
    const add = (section, rows) => {
      for (const row of rows) {
        const key = `${section}\u0000${row.name}`;
        merged.set(key, (merged.get(key) ?? 0) + row.ms);
      }
    };
    for (const profile of profiles[which]) {
      const s = summarize(profile, index, INTERVAL_US);
      busy += s.busyMs;
      add("self", s.functions);
      add("inclusive", s.inclusive);
      add("modules", s.modules);
    }
    const runs = profiles[which].length;
    console.log(
      `\n${which} token: busy ${(busy / runs).toFixed(2)} ms per request (profiler on), ${runs} runs`,
    );
    for (const section of ["modules", "self", "inclusive"]) {
      console.log(`\n  ${section}`);
      const rows = [...merged]
        .filter(([k]) => k.startsWith(`${section}\u0000`))
        .sort((a, b) => b[1] - a[1])
        .slice(0, top);
      for (const [k, ms] of rows)
        console.log(
          `  ${((100 * ms) / busy).toFixed(1).padStart(5)} %  ${(ms / runs).toFixed(2).padStart(6)} ms  ${k.split("\u0000")[1]}`,
        );
    }
  }
} finally {
  removeTempDir(tmp);
}
