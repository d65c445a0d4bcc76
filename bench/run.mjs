#!/usr/bin/env node
/**
 * `npm run bench` (`node bench/run.mjs [--quick]`): builds Warden with wrangler, runs the micro
 * benchmarks and cold starts, starts Warden on workerd through Miniflare, node-oidc-provider and
 * `wrangler dev` on 127.0.0.1, checks every case once, warms each up, measures every case in
 * interleaved rounds, stops everything it started and writes results/latest.{json,md} and
 * results/chart.svg. `--quick` is a smoke test (about 1.5 minutes) and writes to results/tmp/;
 * `--render-only` rewrites latest.md and chart.svg from latest.json.
 * See bench/README.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundleSize, floorBundle, startupCpuMs, wranglerBundle } from "./lib/build.mjs";
import {
  DEV_SERVERS,
  jwksPath,
  MINIFLARE_SERVERS,
  miniflareCases,
  peerCases,
  precomputedJwksPath,
  wranglerDevCases,
} from "./lib/cases.mjs";
import { renderChart } from "./lib/chart.mjs";
import {
  codeExchangeCases,
  codeExchangeSummary,
  peerCodeCase,
  roundTrips,
  seedCodeFlow,
} from "./lib/code-flow.mjs";
import { benchCredentials, seed, serverId, tokenRequest } from "./lib/config.mjs";
import { runLoad } from "./lib/load.mjs";
import { machineInfo, quietWaiter, sourceInfo } from "./lib/machine.mjs";
import { runMicro } from "./lib/micro.mjs";
import { startMiniflare } from "./lib/miniflare.mjs";
import {
  PASSWORD_LOAD,
  passwordCase,
  passwordTokenPath,
  passwordTokenRequest,
  seedPasswordGrant,
} from "./lib/password-grant.mjs";
import { measurePasswords } from "./lib/passwords.mjs";
import { BENCH } from "./lib/paths.mjs";
import { startPeer } from "./lib/peer.mjs";
import { etagOf, preflight } from "./lib/preflight.mjs";
import { cleanUpOnExit, makeTempDir, removeTempDir } from "./lib/processes.mjs";
import { profileCase } from "./lib/profile.mjs";
import {
  refreshCases,
  refreshRequest,
  refreshSummary,
  refreshTokenPath,
  seedPeerRefresh,
  seedRefresh,
} from "./lib/refresh.mjs";
import { renderMarkdown } from "./lib/report.mjs";
import { COLD, coldStarts, FLOOR_ALGS, floorColdStarts } from "./lib/startup.mjs";
import { startupCpuTime } from "./lib/startup-profile.mjs";
import { breakdown, comparisons, median, passwordGrant, summarizeCase, targets } from "./lib/summary.mjs";
import { startWranglerDev } from "./lib/wrangler-dev.mjs";

const PROFILES = {
  full: {
    load: {
      connections: 8,
      rounds: 4,
      warmupMs: 400,
      durationMs: 2000,
      firstWarmupMs: 1000,
      maxRequests: 300_000,
    },
    quiet: { thresholdCores: 0.3, maxWaitMs: 10_000, budgetMs: 60_000 },
    micro: { caseMs: 1500, policyRuleCounts: [1, 20, 200, 2000] },
    profile: { durationMs: 5000, samplingIntervalUs: 100 },
    coldStarts: 5,
    startupProfiles: 3,
    passwords: { runs: 7, perRequest: 5, d1Batches: 7, d1PerBatch: 50, users: 1000, leakPairs: 15 },
    codeFlow: { runs: 100, warmup: 5 },
    // Refresh families per rotation type, each opened by a real code exchange (~16 a second on a
    // busy 2-core machine: two thousand take about two minutes).
    refresh: { families: 1000 },
    outDir: join(BENCH, "results"),
  },
  quick: {
    load: {
      connections: 8,
      rounds: 2,
      warmupMs: 200,
      durationMs: 700,
      firstWarmupMs: 300,
      maxRequests: 100_000,
    },
    quiet: { thresholdCores: 0.3, maxWaitMs: 1000, budgetMs: 3000 },
    micro: { caseMs: 250, policyRuleCounts: [1, 20, 200, 2000] },
    profile: { durationMs: 1000, samplingIntervalUs: 100 },
    coldStarts: 2,
    startupProfiles: 1,
    passwords: { runs: 3, perRequest: 2, d1Batches: 3, d1PerBatch: 20, users: 200, leakPairs: 5 },
    codeFlow: { runs: 20, warmup: 2 },
    refresh: { families: 200 },
    outDir: join(BENCH, "results", "tmp"),
  },
};

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    // Re-renders latest.md and chart.svg from latest.json, measuring nothing (after a report change).
    "render-only": { type: "boolean", default: false },
  },
});
const mode = args.quick ? "quick" : "full";
const profile = PROFILES[mode];
const startedAt = Date.now();
const log = (message) =>
  console.log(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${message}`);

/** Stop functions of what is running, newest first; run on success, failure and Ctrl-C alike. */
const running = [];
async function stopAll() {
  while (running.length > 0) {
    const stop = running.pop();
    await stop().catch((error) => console.error(`stopping failed: ${error.message}`));
  }
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    log(`${signal}: stopping everything`);
    stopAll().finally(() => process.exit(130));
  });
}
process.on("exit", cleanUpOnExit);

async function measureStartup(deployBundle, tmp) {
  log(
    `cold starts (${profile.coldStarts}), the floor's beside them, and start-up profiles (${profile.startupProfiles})`,
  );
  const floorPath = await floorBundle(join(tmp, "floor"));
  const credentials = benchCredentials();
  // Warden's cold starts and the floor's (bench/floor-entry.ts) in alternation, so both see the same
  // machine; the floor is the runtime's own first ÷ next for a token, Warden's ratio read against it.
  const samples = [];
  const floorSamples = Object.fromEntries(FLOOR_ALGS.map((alg) => [alg, []]));
  let server;
  for (let i = 0; i < profile.coldStarts; i++) {
    const cold = await coldStarts({ bundlePath: deployBundle, credentials, runs: 1 });
    server = cold.server;
    samples.push(...cold.samples);
    const floorRun = await floorColdStarts({ bundlePath: floorPath, credentials, runs: 1 });
    for (const alg of FLOOR_ALGS) floorSamples[alg].push(...floorRun[alg]);
  }
  const cpu = [];
  const cpuTime = [];
  for (let i = 0; i < profile.startupProfiles; i++) {
    cpu.push(await startupCpuMs(join(tmp, "startup.cpuprofile")));
    cpuTime.push(await startupCpuTime(deployBundle));
  }
  const ratio = (s) => s.firstTokenCpuMs / s.warmTokenCpuMs;
  return {
    server,
    readyMs: median(samples.map((s) => s.readyMs)),
    firstTokenMs: median(samples.map((s) => s.firstTokenMs)),
    warmTokenMs: median(samples.map((s) => s.warmTokenMs)),
    firstTokenCpuMs: median(samples.map((s) => s.firstTokenCpuMs)),
    warmTokenCpuMs: median(samples.map((s) => s.warmTokenCpuMs)),
    firstOverNextCpu: median(samples.map(ratio)),
    otherServerFirstCpuMs: median(samples.map((s) => s.otherServerFirstCpuMs)),
    rawFirstTokenCpuMs: median(samples.map((s) => s.rawFirstTokenCpuMs)),
    floor: Object.fromEntries(
      FLOOR_ALGS.map((alg) => [
        alg,
        {
          firstTokenCpuMs: median(floorSamples[alg].map((s) => s.firstTokenCpuMs)),
          warmTokenCpuMs: median(floorSamples[alg].map((s) => s.warmTokenCpuMs)),
          firstOverNextCpu: median(floorSamples[alg].map(ratio)),
          samples: floorSamples[alg],
        },
      ]),
    ),
    // Paired within each alternation: Warden's first token, less the floor's of the same algorithm.
    firstTokenAboveFloorCpuMs: median(
      samples.map((s, i) => s.firstTokenCpuMs - floorSamples[COLD.alg][i].firstTokenCpuMs),
    ),
    floorAlg: COLD.alg,
    startupCpuMs: median(cpu),
    startupCpuTimeMs: median(cpuTime),
    samples,
    startupCpuSamplesMs: cpu,
    startupCpuTimeSamplesMs: cpuTime,
  };
}

async function startTargets(benchBundle, credentials) {
  log("starting Warden on Miniflare");
  const mf = await startMiniflare({ bundlePath: benchBundle, credentials, directory: true });
  running.push(mf.dispose);
  await seed(mf.baseUrl, credentials, MINIFLARE_SERVERS);
  log("seeding the password grant: a group, its users (each one PBKDF2 hash), the app and rules");
  const { logins } = await seedPasswordGrant(mf.baseUrl, credentials);
  log("seeding the code flow: a web app, its server and rule, a group of users");
  const codeSeed = await seedCodeFlow(mf.baseUrl, credentials);
  const refreshLoad = { families: profile.refresh.families, connections: profile.load.connections };
  log(`seeding refresh families: ${refreshLoad.families} STATIC and ROTATE, each through a code exchange`);
  const seededAt = Date.now();
  const refreshSeed = await seedRefresh(mf.baseUrl, credentials, refreshLoad);
  log(`refresh families seeded in ${((Date.now() - seededAt) / 1000).toFixed(0)} s`);

  log("starting node-oidc-provider");
  const peer = await startPeer(credentials);
  running.push(peer.stop);
  const peerRefresh = {
    STATIC: await seedPeerRefresh(peer, "STATIC", refreshLoad.families),
    ROTATE: await seedPeerRefresh(peer, "ROTATE", refreshLoad.families + 1),
  };

  log("starting wrangler dev (node scripts/start.mjs)");
  const dev = await startWranglerDev();
  running.push(dev.stop);
  await seed(dev.baseUrl, { ...credentials, adminToken: dev.adminToken }, DEV_SERVERS);

  const etags = {
    warden: await etagOf(`${mf.baseUrl}${jwksPath}`),
    precomputed: await etagOf(`${mf.baseUrl}${precomputedJwksPath}`),
  };
  const cases = [
    ...miniflareCases(mf, credentials, etags),
    passwordCase(mf, credentials, logins),
    ...codeExchangeCases(mf, credentials, codeSeed),
    ...peerCases(peer, credentials),
    peerCodeCase(peer, credentials),
    ...refreshCases(mf, peer, credentials, refreshSeed, peerRefresh, refreshLoad),
    ...wranglerDevCases(dev, credentials),
  ];
  // Sequential, before any load: the authorize → sign-in → code → token latency on a quiet isolate.
  const codeFlowRoundTrip = () => roundTrips(mf.baseUrl, credentials, codeSeed, profile.codeFlow);
  return { cases, workerLog: mf.workerLog, codeFlowRoundTrip };
}

/** Round r runs every case once, starting at a different case each round. */
async function measure(cases) {
  const { load } = profile;
  const runLoadOptions = { connections: load.connections, maxRequests: load.maxRequests };
  // A case with `prepare` (single-use codes) gets a fresh target for every use.
  const fresh = async (c) => (c.prepare ? { ...c.target, ...(await c.prepare(load)) } : c.target);
  log(`checking ${cases.length} cases, then warming each up for ${load.firstWarmupMs} ms`);
  for (const c of cases) await preflight({ ...c, target: await fresh(c) });
  for (const c of cases) {
    const warm = await runLoad(await fresh(c), {
      ...runLoadOptions,
      warmupMs: 0,
      durationMs: load.firstWarmupMs,
      ...(c.load ? { connections: c.load(load).connections } : {}),
    }).catch((error) => ({ requests: 0, errors: 1, firstError: error.message }));
    c.observe?.(warm);
    c.warmup = { requests: warm.requests, errors: warm.errors, firstError: warm.firstError };
  }
  const waitForQuiet = quietWaiter(profile.quiet);
  const shift = Math.ceil(cases.length / load.rounds);
  for (let round = 0; round < load.rounds; round++) {
    log(`round ${round + 1}/${load.rounds}`);
    const order = cases.map((_, i) => cases[(i + round * shift) % cases.length]);
    for (const c of order) {
      const target = await fresh(c);
      const waitedMs = await waitForQuiet();
      const result = await runLoad(target, {
        ...runLoadOptions,
        warmupMs: load.warmupMs,
        durationMs: load.durationMs,
        // A case may change the connections and window (the password grant: see its case).
        ...c.load?.(load),
      });
      c.observe?.(result);
      c.runs.push({ round, waitedMs, ...result });
    }
  }
}

/** CPU profiles of the token endpoint, each on its own Miniflare with the inspector on. */
async function profiles(benchBundle) {
  const credentials = benchCredentials();
  const out = [];
  for (const alg of ["ES256", "RS256"]) {
    log(`profiling the ${alg} token endpoint (20 rules)`);
    const server = { alg, rules: 20 };
    const result = await profileCase({
      bundlePath: benchBundle,
      credentials,
      servers: [server],
      request: { path: `/oauth2/${serverId(alg, 20)}/v1/token`, init: tokenRequest(credentials) },
      load: {
        connections: profile.load.connections,
        warmupMs: profile.load.warmupMs,
        durationMs: profile.profile.durationMs,
        maxRequests: profile.load.maxRequests,
      },
      prewarmMs: profile.load.firstWarmupMs,
      samplingIntervalUs: profile.profile.samplingIntervalUs,
    });
    out.push({ case: `token endpoint ${alg}, 20 rules`, alg, ...result });
  }
  log("profiling the password grant (ES256, 20 rules)");
  const password = await profileCase({
    bundlePath: benchBundle,
    credentials,
    servers: [],
    seedRequest: async (baseUrl) => {
      const { logins } = await seedPasswordGrant(baseUrl, credentials);
      return { path: passwordTokenPath, init: passwordTokenRequest(credentials, logins) };
    },
    load: {
      connections: PASSWORD_LOAD.connections,
      warmupMs: profile.load.warmupMs,
      durationMs: profile.profile.durationMs,
      maxRequests: profile.load.maxRequests,
    },
    prewarmMs: profile.load.firstWarmupMs,
    samplingIntervalUs: profile.profile.samplingIntervalUs,
  });
  out.push({ case: "password grant ES256, 20 rules", alg: "ES256", kind: "token-password", ...password });
  log("profiling the refresh_token grant (ES256, STATIC, one hot family)");
  const refresh = await profileCase({
    bundlePath: benchBundle,
    credentials,
    servers: [],
    seedRequest: async (baseUrl) => {
      const seeded = await seedRefresh(baseUrl, credentials, { families: 1, connections: 0 });
      return { path: refreshTokenPath, init: refreshRequest(credentials, seeded.STATIC[0].refreshToken) };
    },
    load: {
      connections: profile.load.connections,
      warmupMs: profile.load.warmupMs,
      durationMs: profile.profile.durationMs,
      maxRequests: profile.load.maxRequests,
    },
    prewarmMs: profile.load.firstWarmupMs,
    samplingIntervalUs: profile.profile.samplingIntervalUs,
  });
  out.push({
    case: "refresh_token grant ES256, STATIC, one hot family",
    alg: "ES256",
    kind: "token-refresh",
    ...refresh,
  });
  return out;
}

function writeResults(result) {
  mkdirSync(profile.outDir, { recursive: true });
  writeFileSync(join(profile.outDir, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(profile.outDir, "latest.md"), renderMarkdown(result));
  writeFileSync(join(profile.outDir, "chart.svg"), renderChart(result));
  log(`wrote ${join(profile.outDir, "latest.{json,md}")} and chart.svg`);
}

async function main() {
  const tmp = makeTempDir("warden-bench-");
  try {
    await benchmark(tmp);
  } finally {
    removeTempDir(tmp);
  }
}

async function benchmark(tmp) {
  const machine = machineInfo();

  log("bundling with wrangler (deployable, and the bench entry with the ceiling)");
  const deployModules = await wranglerBundle(join(tmp, "deploy"));
  const [deployBundle] = deployModules;
  const [benchBundle] = await wranglerBundle(join(tmp, "bench"), join(BENCH, "ceiling-entry.ts"));
  // Every module uploaded (the main one and its chunks, scripts/build.mjs).
  const size = bundleSize(deployModules);

  log("micro benchmarks (plain Node)");
  const micro = await runMicro(tmp, profile.micro);
  log("passwords on workerd: hash and checkPassword CPU, D1 statements");
  const passwords = await measurePasswords(tmp, profile.passwords);
  const startup = await measureStartup(deployBundle, tmp);

  const credentials = benchCredentials();
  const servers = await startTargets(benchBundle, credentials);
  const cases = servers.cases.map((c) => ({ ...c, runs: [] }));
  log(`code flow round trips: ${profile.codeFlow.runs} sequential (authorize → sign-in → code → token)`);
  const codeFlowRoundTrip = await servers.codeFlowRoundTrip();
  await measure(cases);
  log("stopping the servers");
  await stopAll();
  const cpuProfiles = await profiles(benchBundle);

  const summaries = cases.map(summarizeCase);
  const cmp = comparisons(summaries);
  const steps = breakdown(summaries);
  const runs = summaries.flatMap((c) => c.runs);
  const warmupErrors = cases.reduce((sum, c) => sum + (c.warmup?.errors ?? 0), 0);
  const result = {
    meta: {
      mode,
      finishedAt: new Date().toISOString(),
      elapsedSeconds: (Date.now() - startedAt) / 1000,
      source: sourceInfo(),
      machine,
      load: profile.load,
      noise: {
        medianBackgroundCores: median(runs.map((r) => r.backgroundCpuCores)),
        maxBackgroundCores: Math.max(...runs.map((r) => r.backgroundCpuCores)),
        medianClientCores: median(runs.map((r) => r.clientCpuCores)),
        errors: summaries.reduce((sum, c) => sum + c.errors, 0),
        warmupErrors: warmupErrors + summaries.reduce((sum, c) => sum + c.errorsOutsideWindows, 0),
        failedRuns: summaries.reduce((sum, c) => sum + c.failedRuns.length, 0),
        quietWaitMs: runs.reduce((sum, r) => sum + r.waitedMs, 0),
      },
    },
    targets: targets({ comparisons: cmp, micro, size, breakdown: steps }),
    comparisons: cmp,
    breakdown: steps,
    size,
    startup,
    micro,
    passwords,
    passwordGrant: passwordGrant(summaries, passwords, cpuProfiles),
    codeFlow: { roundTrip: codeFlowRoundTrip, ...codeExchangeSummary(summaries) },
    refresh: refreshSummary(summaries),
    profiles: cpuProfiles,
    // Errors and warnings the Worker logged on Miniflare during the whole load phase, by first line.
    workerLog: servers.workerLog.summary(),
    cases: summaries,
  };
  writeResults(result);
  const pw = result.passwordGrant;
  if (pw) {
    const es = pw.clientCredentials.find((c) => c.alg === "ES256");
    log(
      `password grant: ${pw.rps?.toFixed(1)} req/s, ${pw.cpuMsPerRequest?.toFixed(1)} ms CPU per token ` +
        `(client_credentials ES256: ${es?.rps?.toFixed(0)} req/s, ${es?.cpuMsPerRequest?.toFixed(3)} ms); ` +
        `hashPassword alone ${pw.hashAloneCpuMs} ms (${((pw.hashShare ?? 0) * 100).toFixed(0)} %); ` +
        `PBKDF2 ${((pw.profileHashShare ?? 0) * 100).toFixed(0)} % of the isolate's profile`,
    );
  }
  const cf = result.codeFlow;
  log(
    `code flow: round trip p50 ${cf.roundTrip.total.p50?.toFixed(1)} ms, p99 ${cf.roundTrip.total.p99?.toFixed(1)} ms ` +
      `(sign-in p50 ${cf.roundTrip.signIn.p50?.toFixed(1)} ms, token p50 ${cf.roundTrip.token.p50?.toFixed(1)} ms); ` +
      `code exchange ${cf.exchange?.rps?.toFixed(0)} req/s, ${cf.exchange?.cpuMsPerRequest?.toFixed(3)} ms CPU; ` +
      `ceiling ${cf.ceiling?.rps?.toFixed(0)} req/s, ${cf.ceiling?.cpuMsPerRequest?.toFixed(3)} ms CPU; ` +
      `${((cf.ofCeilingByThroughput ?? 0) * 100).toFixed(0)} % of the ceiling by req/s, ` +
      `${((cf.ofCeilingByCpu ?? 0) * 100).toFixed(0)} % by CPU; ` +
      `node-oidc-provider ${cf.peer?.rps?.toFixed(0)} req/s, ${cf.peer?.cpuMsPerRequest?.toFixed(3)} ms CPU ` +
      `(Warden ${cf.vsPeerByThroughput?.toFixed(2)}× by req/s, ${cf.vsPeerByCpu?.toFixed(2)}× by CPU)`,
  );
  for (const r of result.refresh?.refresh ?? []) {
    log(
      `refresh ${r.case}: ${r.warden.rps?.toFixed(0)} req/s, p50 ${r.warden.p50?.toFixed(1)} ms, p99 ${r.warden.p99?.toFixed(1)} ms, ` +
        `${r.warden.cpuMsPerRequest?.toFixed(3)} ms CPU` +
        (r.ceiling
          ? `; ceiling ${r.ceiling.rps?.toFixed(0)} req/s (${((r.ofCeilingByThroughput ?? 0) * 100).toFixed(0)} %)`
          : "") +
        (r.peer
          ? `; node-oidc-provider ${r.peer.rps?.toFixed(0)} req/s (Warden ${r.vsPeerByThroughput?.toFixed(2)}×)`
          : ""),
    );
  }
  for (const r of result.refresh?.introspection ?? []) {
    log(
      `introspection ${r.case}: ${r.warden.rps?.toFixed(0)} req/s, ${r.warden.cpuMsPerRequest?.toFixed(3)} ms CPU; ` +
        `ceiling ${r.ceiling?.rps?.toFixed(0)} req/s (${((r.ofCeilingByThroughput ?? 0) * 100).toFixed(0)} %)`,
    );
  }
  for (const t of result.targets) {
    log(
      `${t.met == null ? "  " : t.met ? "ok" : "NO"} ${t.target}: ${t.value == null ? "–" : t.value.toFixed(3)}`,
    );
  }
}

try {
  if (args["render-only"]) {
    const result = JSON.parse(readFileSync(join(profile.outDir, "latest.json"), "utf8"));
    writeFileSync(join(profile.outDir, "latest.md"), renderMarkdown(result));
    writeFileSync(join(profile.outDir, "chart.svg"), renderChart(result));
    log(`re-rendered ${join(profile.outDir, "latest.md")} and chart.svg`);
  } else {
    await main();
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await stopAll();
}
