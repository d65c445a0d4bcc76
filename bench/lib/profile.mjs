/**
 * A CPU profile of one load case on workerd, through its V8 inspector (Miniflare's `inspectorPort`):
 * the Worker runs under the same load as in the measured cases while V8's sampling profiler is on.
 * Each sample is attributed to the innermost frame that lies in the bundle — so time in natives
 * (WebCrypto, JSON, streams) counts for the Warden, jose or Hono function that called them — and
 * rolled up by source module, which the bundle marks with esbuild's `// path` comments.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { workerModules } from "./build.mjs";
import { seed } from "./config.mjs";
import { runLoad } from "./load.mjs";
import { startMiniflare } from "./miniflare.mjs";
import { freePort } from "./processes.mjs";

const WORKER_TARGET = "core:user:warden";

/**
 * Bundle line ranges → the source module each came from, for every module of the Worker (the main
 * module and the chunks beside it: scripts/build.mjs splits the Worker at its lazy imports). Returns
 * `(url, line) => module`, undefined for a frame outside the Worker's modules.
 */
export function moduleIndex(bundlePath) {
  const files = new Map();
  for (const path of workerModules(bundlePath)) files.set(basename(path), lineIndex(path));
  return (url, line) => {
    const file = files.get(url.split("/").at(-1) ?? "");
    return file ? file(line) : undefined;
  };
}

function lineIndex(path) {
  const starts = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      // esbuild writes paths relative to the working directory; keep them from `node_modules/` on.
      const match = /^\/\/ (\S+\.(?:ts|js|mjs))$/.exec(line);
      if (match)
        starts.push({
          line: i,
          module: match[1].replace(/^.*?(node_modules\/)/, "$1").replace(/^(\.\.\/)+/, ""),
        });
    });
  return (line) => {
    let found = "(bundle prelude)";
    for (const start of starts) {
      if (start.line > line) break;
      found = start.module;
    }
    return found;
  };
}

/** Minimal Chrome DevTools Protocol client over Node's WebSocket. */
export async function connect(url) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let nextId = 1;
  const pending = new Map();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/**
 * A sample counts for at most this many sampling intervals. V8's `timeDeltas[i]` is the time since the
 * previous sample; on a busy machine the Worker's thread is descheduled for milliseconds at a time, and
 * the whole gap would land on whichever frame runs first afterwards (a request's entry: the router,
 * `withCors`), not on the code that used the CPU.
 */
const MAX_INTERVALS_PER_SAMPLE = 4;

export function summarize(profile, moduleIn, samplingIntervalUs) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const inBundle = (node) => moduleIn(node.callFrame.url, 0) !== undefined;
  const moduleOf = (node) => moduleIn(node.callFrame.url, node.callFrame.lineNumber);

  const byModule = new Map();
  const byFunction = new Map();
  // Inclusive: each sample counts once for every distinct bundled function on its stack.
  const inclusive = new Map();
  let busyUs = 0;
  let idleUs = 0;
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  profile.samples.forEach((id, i) => {
    const us = Math.min(profile.timeDeltas[i] ?? 0, MAX_INTERVALS_PER_SAMPLE * samplingIntervalUs);
    let node = nodes.get(id);
    const name = node.callFrame.functionName;
    if (name === "(idle)") {
      idleUs += us;
      return;
    }
    busyUs += us;
    const seen = new Set();
    for (let frame = node; frame; frame = nodes.get(parents.get(frame.id))) {
      if (!inBundle(frame)) continue;
      const key = `${frame.callFrame.functionName || "(anonymous)"} — ${moduleOf(frame)}:${frame.callFrame.lineNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, us);
    }
    if (name === "(garbage collector)" || name === "(program)") {
      add(byModule, name === "(program)" ? "(runtime: outside JavaScript)" : "(garbage collector)", us);
      return;
    }
    while (node && !inBundle(node)) node = nodes.get(parents.get(node.id));
    if (!node) {
      add(byModule, "(runtime: JavaScript outside the bundle)", us);
      return;
    }
    const module = moduleOf(node);
    add(byModule, module, us);
    add(byFunction, `${node.callFrame.functionName || "(anonymous)"} — ${module}`, us);
  });
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, share: us / busyUs, ms: us / 1000 }));
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    modules: top(byModule, 15),
    functions: top(byFunction, 15),
    inclusive: top(inclusive, 60),
  };
}

/**
 * Profiles `path` (a token-request case) on a fresh Miniflare with the inspector on, seeded with
 * `servers`, under `load`. Returns the summary and the request count, so shares can be read per request.
 * `seedRequest(baseUrl)`, when given, seeds the directory (migrations applied) and returns the request
 * instead (the password grant).
 */
export async function profileCase({
  bundlePath,
  credentials,
  servers,
  request: fixedRequest,
  seedRequest,
  load,
  prewarmMs,
  samplingIntervalUs,
  keepProfile = false,
}) {
  const inspectorPort = await freePort();
  const mf = await startMiniflare({
    bundlePath,
    credentials,
    inspectorPort,
    directory: Boolean(seedRequest),
  });
  try {
    await seed(mf.baseUrl, credentials, servers);
    const request = seedRequest ? await seedRequest(mf.baseUrl) : fixedRequest;
    const target = {
      url: `${mf.baseUrl}${request.path}`,
      ...request.init,
      expectStatus: 200,
      cpuPids: mf.pids,
    };
    await runLoad(target, { ...load, warmupMs: 0, durationMs: prewarmMs }); // warm up before profiling
    const cdp = await connect(`ws://127.0.0.1:${inspectorPort}/${WORKER_TARGET}`);
    try {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
      await cdp.send("Profiler.start");
      const result = await runLoad(target, load);
      const { profile } = await cdp.send("Profiler.stop");
      return {
        requests: result.requests,
        rps: result.rps,
        ...summarize(profile, moduleIndex(bundlePath), samplingIntervalUs),
        ...(keepProfile ? { profile } : {}),
      };
    } finally {
      cdp.close();
    }
  } finally {
    await mf.dispose();
  }
}
