/**
 * A finer look at start-up than `wrangler check startup`, which samples every 1 ms (a 10 ms start-up
 * is ten samples) and counts wall time, so a busy machine inflates it. Both use its method: a profiler
 * entry on workerd that imports the bundle's main module on a request, so module evaluation runs
 * then and not when workerd starts.
 *
 * - `startupCpuTime`: no profiler; the CPU time workerd's threads spend on the request that imports
 *   the bundle, less that of the same request without the import. Time on a CPU, so waiting for a
 *   core on a shared machine is not counted.
 * - `profileStartup`: V8's sampling profiler at 50 µs over that request, self time rolled up by the
 *   source module esbuild marks in the bundle (shares; the profiler itself slows the isolate down).
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { workerModules } from "./build.mjs";
import { childPids, freePort, processName } from "./processes.mjs";
import { connect, moduleIndex } from "./profile.mjs";

/** workerd with a profiler entry that imports the bundle's main module on a request to `/import`. */
function profilerWorker(bundlePath, extra = {}) {
  const main = basename(bundlePath);
  const entry = `export default {
    async fetch(request) {
      if (new URL(request.url).pathname === "/import") await import(${JSON.stringify(`./${main}`)});
      return new Response("ok");
    },
  };`;
  return new Miniflare(
    convertV4MiniflareOptions({
      log: new Log(LogLevel.NONE),
      compatibilityDate: "2026-11-01",
      modulesRoot: "/",
      // The main module and the chunks beside it (scripts/build.mjs): workerd compiles each on its first import.
      modules: [
        { type: "ESModule", path: "/profiler-entry.mjs", contents: entry },
        ...workerModules(bundlePath).map((path) => ({
          type: "ESModule",
          path: `/${basename(path)}`,
          contents: readFileSync(path, "utf8"),
        })),
      ],
      ...extra,
    }),
  );
}

async function get(mf, path) {
  const res = await mf.dispatchFetch(`http://localhost${path}`);
  await res.text();
  if (!res.ok) throw new Error(`start-up: ${path} answered ${res.status} (module evaluation failed?)`);
}

/** Nanoseconds the threads of `pids` have run on a CPU (proc(5) /proc/<pid>/task/<tid>/schedstat). */
export function runNs(pids) {
  let ns = 0;
  for (const pid of pids)
    for (const tid of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
  return ns;
}

/** CPU ms of one start-up of `bundlePath` on a fresh workerd (see above). */
export async function startupCpuTime(bundlePath) {
  const before = new Set(childPids(process.pid));
  const mf = profilerWorker(bundlePath);
  try {
    await mf.ready;
    const pids = childPids(process.pid).filter((pid) => !before.has(pid) && processName(pid) === "workerd");
    const cpuOf = async (path) => {
      const start = runNs(pids);
      await get(mf, path);
      return (runNs(pids) - start) / 1e6;
    };
    await cpuOf("/noop"); // the entry's own first request
    const plainBefore = await cpuOf("/noop");
    const withImport = await cpuOf("/import");
    const plainAfter = await cpuOf("/noop");
    return withImport - (plainBefore + plainAfter) / 2;
  } finally {
    await mf.dispose();
  }
}

/** One profiled start-up: active ms, and self ms per module and per function. */
export async function profileStartup(bundlePath, { samplingIntervalUs = 50 } = {}) {
  const inspectorPort = await freePort();
  const mf = profilerWorker(bundlePath, { inspectorPort });
  try {
    await mf.ready;
    await get(mf, "/noop");
    const cdp = await connect(`ws://127.0.0.1:${inspectorPort}/core:user:`);
    try {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
      await cdp.send("Profiler.start");
      await get(mf, "/import");
      const { profile } = await cdp.send("Profiler.stop");
      return summarize(profile, moduleIndex(bundlePath));
    } finally {
      cdp.close();
    }
  } finally {
    await mf.dispose();
  }
}

function summarize(profile, moduleIn) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const byModule = new Map();
  const byFunction = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  let activeUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    let node = nodes.get(id);
    const name = node.callFrame.functionName;
    if (name === "(idle)") return;
    activeUs += us;
    if (name === "(garbage collector)" || name === "(program)") {
      add(byModule, name, us);
      return;
    }
    while (node && moduleIn(node.callFrame.url, 0) === undefined) node = nodes.get(parents.get(node.id));
    if (!node) {
      add(byModule, "(outside the bundle)", us);
      return;
    }
    const module = moduleIn(node.callFrame.url, node.callFrame.lineNumber);
    add(byModule, module, us);
    add(byFunction, `${node.callFrame.functionName || "(top level)"} — ${module}`, us);
  });
  const ms = (map) => new Map([...map].map(([k, us]) => [k, us / 1000]));
  return { activeMs: activeUs / 1000, modules: ms(byModule), functions: ms(byFunction) };
}
