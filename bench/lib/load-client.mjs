/**
 * The load generator, run as its own process so it never shares an event loop with a server under
 * test. Closed loop: `connections` keep-alive connections to 127.0.0.1, each sending the next request
 * as soon as the previous answer has been read. A warm-up phase is sent and discarded; then a window
 * bounded both in time (`durationMs`) and in count (`maxRequests`) is measured. Server CPU is read
 * from /proc for the given pids at the window's two edges, and so is the whole machine's, so that
 * CPU used by anything else during the window (background) shows in the result.
 *
 * Usage: node load-client.mjs '<json spec>' | @<file holding it>; prints one JSON result line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { Pool } from "undici";
import { machineBusyTicks, procStat } from "./processes.mjs";

// `@<file>`: a spec too large for one argument (Linux caps one at 128 KiB; the code cases' codes).
const arg = process.argv[2];
const spec = JSON.parse(arg.startsWith("@") ? readFileSync(arg.slice(1), "utf8") : arg);
const url = new URL(spec.url);
// A request that gets no answer within the timeout counts as an error instead of stalling the run.
const pool = new Pool(url.origin, {
  connections: spec.connections,
  pipelining: 1,
  headersTimeout: spec.requestTimeoutMs,
  bodyTimeout: spec.requestTimeoutMs,
});
const request = {
  path: url.pathname + url.search,
  method: spec.method,
  headers: spec.headers,
  body: spec.body,
};
// `bodies`: requests take them in turn (the password grant's users: one user's sign-ins are rate
// limited per username, README "Rate limits"); otherwise every request sends `body`.
const requests = (spec.bodies ?? [spec.body]).map((body) => ({ ...request, body }));
let nextRequest = 0;

/**
 * `chain` (refresh-token rotation): `{ tokens, prefix, field }`. Each token is one family; a request
 * takes the family that has waited longest, sends `prefix` + its latest token, and puts it back with
 * the answer's `field` (ROTATE hands out a successor; STATIC the same token). A family is never in
 * flight twice, so with at least as many families as connections no request replays a rotated
 * token. The latest tokens go back in the result (`chainTokens`) for the next run.
 */
const chain = spec.chain && { ...spec.chain, queue: spec.chain.tokens.map((token) => ({ token })) };

async function send() {
  if (!chain) {
    const res = await pool.request(requests[nextRequest++ % requests.length]);
    return { status: res.statusCode, body: await res.body.text() };
  }
  const family = chain.queue.shift();
  if (!family) throw new Error("chain: more connections than families");
  try {
    const res = await pool.request({ ...request, body: chain.prefix + encodeURIComponent(family.token) });
    const body = await res.body.text();
    if (res.statusCode === 200) family.token = JSON.parse(body)[chain.field] ?? family.token;
    return { status: res.statusCode, body };
  } finally {
    chain.queue.push(family);
  }
}

/**
 * CPU ticks of the server: the given pids, or every process of the given process group as listed at
 * this moment (wrangler dev may restart its workerd, so its pids are not fixed).
 */
function serverTicks({ pids = [], pgid }) {
  const out = new Map();
  const candidates = pgid
    ? readdirSync("/proc")
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
    : pids;
  for (const pid of candidates) {
    const stat = procStat(pid);
    if (stat && (!pgid || stat.pgrp === pgid)) out.set(pid, stat.ticks);
  }
  return out;
}

/** CPU between two snapshots, over the processes present in both; and whether the set changed. */
function ticksBetween(start, end) {
  let ticks = 0;
  for (const [pid, value] of end) if (start.has(pid)) ticks += value - start.get(pid);
  const changed = start.size !== end.size || [...start.keys()].some((pid) => !end.has(pid));
  return { ticks, changed };
}

const latencies = new Float64Array(spec.maxRequests);
let measured = 0;
let errors = 0;
let errorsOutsideWindow = 0;
let firstError;
let phase = "warmup";
let windowStart = 0;
let windowEnd = 0;
let cpuStart = new Map();
let cpuEnd = new Map();
let machineStart = 0;
let machineEnd = 0;
let clientCpuStart;
let clientCpu;

function closeWindow(now) {
  if (phase !== "measure") return;
  phase = "done";
  windowEnd = now;
  cpuEnd = serverTicks(spec.server);
  machineEnd = machineBusyTicks();
  clientCpu = process.cpuUsage(clientCpuStart);
}

async function connectionLoop() {
  while (phase !== "done") {
    // `bodiesOnce`: each body may be sent once (single-use authorization codes); when they run out
    // the window ends there.
    if (spec.bodiesOnce && nextRequest >= requests.length) {
      closeWindow(performance.now());
      break;
    }
    const started = performance.now();
    let status = 0;
    let body = "";
    try {
      ({ status, body } = await send());
    } catch (error) {
      body = String(error);
    }
    const now = performance.now();
    const failed = status !== spec.expectStatus;
    if (failed) firstError ??= `${status} ${body.slice(0, 200)}`;
    if (phase !== "measure" || started < windowStart) {
      // Warm-up and drain answers are not measured, but a failure there is still a failure.
      if (failed) errorsOutsideWindow += 1;
      continue;
    }
    if (failed) errors += 1;
    latencies[measured++] = now - started;
    if (measured >= spec.maxRequests || now >= windowStart + spec.durationMs) closeWindow(now);
  }
}

const loops = Array.from({ length: spec.connections }, connectionLoop);
await new Promise((resolve) => setTimeout(resolve, spec.warmupMs));
phase = "measure";
cpuStart = serverTicks(spec.server);
machineStart = machineBusyTicks();
clientCpuStart = process.cpuUsage();
windowStart = performance.now();
// The count bound is checked per answer; this one also ends a window whose answers stopped coming.
const timer = setTimeout(() => closeWindow(performance.now()), spec.durationMs + 1000);
await Promise.all(loops);
clearTimeout(timer);
await pool.close();

// Every body spent during the warm-up (`bodiesOnce`): an empty window, not a negative one.
if (phase === "measure") closeWindow(windowStart);
const seconds = (windowEnd - windowStart) / 1000;
const sorted = latencies.subarray(0, measured).sort();
const quantile = (q) => (measured ? sorted[Math.min(measured - 1, Math.floor(q * measured))] : Number.NaN);
const serverCpu = ticksBetween(cpuStart, cpuEnd);
const measuredServer = cpuStart.size > 0;
const serverCpuMs = (serverCpu.ticks * 1000) / spec.clockTicksPerSecond;
const machineCpuMs = ((machineEnd - machineStart) * 1000) / spec.clockTicksPerSecond;
const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;
const result = {
  requests: measured,
  errors,
  errorsOutsideWindow,
  firstError,
  seconds,
  rps: measured / seconds,
  latencyMs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), max: sorted[measured - 1] },
  serverCpuMsPerRequest: measuredServer ? serverCpuMs / measured : null,
  serverCpuCores: measuredServer ? serverCpuMs / 1000 / seconds : null,
  // A server process that started or exited during the window: its CPU is partly missing.
  serverProcessesChanged: serverCpu.changed,
  clientCpuCores: clientCpuMs / 1000 / seconds,
  // Everything else on the machine: other processes, and this bench's idle servers.
  backgroundCpuCores: Math.max(0, machineCpuMs - serverCpuMs - clientCpuMs) / 1000 / seconds,
  ...(chain ? { chainTokens: chain.queue.map((family) => family.token) } : {}),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
