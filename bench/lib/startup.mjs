/**
 * Cold starts of the deployable bundle on Miniflare: a workerd process with state already seeded
 * (persisted between instances), then the first token request on its fresh isolate, which reads the
 * snapshot, client and keyset from KV, unseals and imports the key before it signs.
 *
 * What the first token's CPU counts. workerd runs more than Warden's isolate here, and two of those
 * costs are not an edge isolate's in production (bench/results/cold-start.md has the numbers):
 * - Miniflare's KV and Cache API are Workers of Miniflare's own in the same process, cold too: their
 *   first reads compile and run Miniflare's code (~5–10 ms of workerd CPU). In production KV and the
 *   cache are services elsewhere. So each measured instance first reads one absent KV key and one
 *   absent cache entry from Node, through Miniflare's own bindings (Warden's isolate does not run):
 *   `simulatorWarmupCpuMs`. `firstTokenCpuMs` is the first token after that; `rawFirstTokenCpuMs`, on
 *   another instance without it, is the figure as earlier results took it.
 * - The revocation pulse (src/config/revocation-pulse.ts): a new isolate adopts the colo's Cache API
 *   copy when it is younger than PULSE_COLO_FRESH_MS (3 s), else it calls the ControlPlane Durable
 *   Object, which on Miniflare runs in the same workerd and, cold, compiles the control plane (~20 ms
 *   of CPU). Earlier results took either at random, by how long the previous step lasted. Here each
 *   measured instance follows a "location" instance that waited out the copy's freshness and sent
 *   one token, so its control-plane read put a fresh copy: the measured isolate is a new one at a
 *   location where traffic already runs (`pulseCopyAgeMs` says how old the copy was), and the
 *   control plane's CPU — another object, elsewhere in production — is not counted.
 *
 * Every token's CPU is read SETTLE_MS after its answer, so what it left running (`waitUntil`) is its
 * own; "the next token" is the median of the WARM_TOKENS after the first.
 *
 * `otherServerFirstCpuMs`: then, on the same (now warm) isolate, the first token of another server
 * that shares the client: its snapshot and keyset read from KV, unsealed and imported, its policy
 * walked for the first time, but no code compiled for the first time. What the first token pays
 * beyond that is the isolate's first run of the token path's code.
 *
 * `floorColdStarts`: the same first and next tokens of the floor (bench/floor-entry.ts: the smallest
 * Worker that answers a client_credentials token with jose), a fresh workerd per run, Miniflare's KV
 * and Cache Workers run first as before Warden's: the runtime's own first ÷ next for a token, the
 * baseline Warden's ratio is read against in the same run.
 */
import { generateKeyPairSync } from "node:crypto";
import { seed, serverId, tokenRequest } from "./config.mjs";
import { startFloor, startMiniflare } from "./miniflare.mjs";
import { makeTempDir, removeTempDir, sleep } from "./processes.mjs";
import { runNs } from "./startup-profile.mjs";
import { median } from "./summary.mjs";

export const COLD = { alg: "RS256", rules: 20 };
/** The floor's algorithms: RS256 as `COLD`, ES256 beside it. */
export const FLOOR_ALGS = ["RS256", "ES256"];
/** The other server of `otherServerFirstCpuMs`: same algorithm and client, its own snapshot and keyset. */
export const OTHER = { alg: "RS256", rules: 1 };
/** src/config/defaults.ts PULSE_COLO_FRESH_MS, and a margin: the location instance's copy is stale by then. */
const PULSE_COLO_STALE_AFTER_MS = 3000 + 300;

/**
 * What a token request leaves running after its answer (`waitUntil`: the system log's queue send, a
 * pulse refresh) is its own cost: the CPU is read this long after the answer, not charged to the next
 * request (which, sent at once, would find the first one's background work still running).
 */
const SETTLE_MS = 250;
/** How many tokens after the first make "the next token" (their median). */
const WARM_TOKENS = 5;

/** Wall ms from Node to the answer, and the CPU ms workerd's threads (`pids`) used for it, settled. */
function timedToken(baseUrl, credentials, pids, server = COLD) {
  return timedTokenAt(`${baseUrl}/oauth2/${serverId(server.alg, server.rules)}/v1/token`, credentials, pids);
}

/** `timedToken` for any token endpoint's URL: Warden's servers and the floor are read alike. */
async function timedTokenAt(tokenUrl, credentials, pids) {
  const cpuStart = runNs(pids);
  const started = performance.now();
  const res = await fetch(tokenUrl, tokenRequest(credentials));
  await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`cold token request answered ${res.status}`);
  await sleep(SETTLE_MS);
  return { ms, cpuMs: (runNs(pids) - cpuStart) / 1e6 };
}

/**
 * A location where traffic runs: an instance that waits until the colo's pulse copy is stale, sends
 * one token (its control-plane read puts a fresh copy), and stops. Resolves with when that was.
 */
export async function warmLocation(bundlePath, credentials, persistTo) {
  const mf = await startMiniflare({ bundlePath, credentials, persistTo });
  try {
    await sleep(PULSE_COLO_STALE_AFTER_MS);
    const at = performance.now();
    await timedToken(mf.baseUrl, credentials, mf.pids, OTHER);
    return at;
  } finally {
    await mf.dispose();
  }
}

/** Miniflare's own KV and Cache API Workers, run once from Node: an absent key, an absent entry. */
async function warmSimulator(mf) {
  const cpuStart = runNs(mf.pids);
  const kv = await mf.miniflare.getKVNamespace("CONFIG");
  await kv.get("bench/simulator-warm-up");
  const caches = await mf.miniflare.getCaches();
  await caches.default.match("https://simulator-warm-up.bench.internal/");
  return (runNs(mf.pids) - cpuStart) / 1e6;
}

/** One measured cold start after a location instance; `simulatorWarm`: Miniflare's services run first. */
async function coldStart(bundlePath, credentials, persistTo, simulatorWarm) {
  const pulsePutAt = await warmLocation(bundlePath, credentials, persistTo);
  const mf = await startMiniflare({ bundlePath, credentials, persistTo });
  try {
    const simulatorWarmupCpuMs = simulatorWarm ? await warmSimulator(mf) : undefined;
    const pulseCopyAgeMs = performance.now() - pulsePutAt;
    const { first, warm } = await firstAndNext(() => timedToken(mf.baseUrl, credentials, mf.pids));
    const other = await timedToken(mf.baseUrl, credentials, mf.pids, OTHER);
    return { readyMs: mf.readyMs, simulatorWarmupCpuMs, pulseCopyAgeMs, first, warm, other };
  } finally {
    await mf.dispose();
  }
}

/** The first token of an isolate and the next one; `token` sends one and measures it. */
async function firstAndNext(token) {
  const first = await token();
  // A warm token: the median of the next WARM_TOKENS. The second alone moved by ±2 ms of workerd CPU
  // outside the isolate's JavaScript (its profile stays ~1.1 ms), one-time work of the runtime that
  // lands on one request or another: it is the isolate's first-use cost, not a warm token's.
  const next = [];
  for (let i = 0; i < WARM_TOKENS; i++) next.push(await token());
  return { first, warm: { ms: median(next.map((t) => t.ms)), cpuMs: median(next.map((t) => t.cpuMs)) } };
}

/**
 * `runs` cold starts; per start: Miniflare ready, first token (cold isolate), second token (warm),
 * each as wall time from Node and as the CPU time of workerd's threads (robust to a busy machine),
 * another server's first token on the warm isolate, and the first token as earlier results took it
 * (Miniflare's services cold too). See the header for what each counts.
 */
export async function coldStarts({ bundlePath, credentials, runs }) {
  const persistTo = makeTempDir("warden-bench-cold-");
  try {
    const seeding = await startMiniflare({ bundlePath, credentials, persistTo });
    try {
      await seed(seeding.baseUrl, credentials, [COLD, OTHER]);
    } finally {
      await seeding.dispose();
    }
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const raw = await coldStart(bundlePath, credentials, persistTo, false);
      const edge = await coldStart(bundlePath, credentials, persistTo, true);
      for (const s of [raw, edge])
        if (s.pulseCopyAgeMs >= 3000)
          console.warn(
            `cold start: the pulse copy was ${s.pulseCopyAgeMs.toFixed(0)} ms old (a control-plane read)`,
          );
      samples.push({
        readyMs: edge.readyMs,
        firstTokenMs: edge.first.ms,
        warmTokenMs: edge.warm.ms,
        firstTokenCpuMs: edge.first.cpuMs,
        warmTokenCpuMs: edge.warm.cpuMs,
        otherServerFirstCpuMs: edge.other.cpuMs,
        simulatorWarmupCpuMs: edge.simulatorWarmupCpuMs,
        rawFirstTokenMs: raw.first.ms,
        rawFirstTokenCpuMs: raw.first.cpuMs,
        pulseCopyAgeMs: Math.max(raw.pulseCopyAgeMs, edge.pulseCopyAgeMs),
      });
    }
    return { server: serverId(COLD.alg, COLD.rules), samples };
  } finally {
    removeTempDir(persistTo);
  }
}

/** A private JWK for `alg` (RS256: 2048-bit RSA, Warden's RSA_MODULUS_LENGTH; ES256: P-256), new per run. */
function floorJwk(alg) {
  const { privateKey } =
    alg === "RS256"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { ...privateKey.export({ format: "jwk" }), alg, kid: `floor-${alg.toLowerCase()}`, use: "sig" };
}

/**
 * `runs` cold starts of the floor per algorithm in `algs` (bench/floor-entry.ts built by
 * `floorBundle`), measured as `coldStarts` measures Warden's edge instance: a fresh workerd,
 * Miniflare's KV and Cache Workers run once from Node, then the first token and the median of the
 * next WARM_TOKENS, each read SETTLE_MS after its answer. No location instance: the floor keeps no
 * state and has no pulse. Resolves with `{ [alg]: samples }`, each sample `{ readyMs, firstTokenMs,
 * warmTokenMs, firstTokenCpuMs, warmTokenCpuMs }`.
 */
export async function floorColdStarts({ bundlePath, credentials, runs, algs = FLOOR_ALGS }) {
  const samples = Object.fromEntries(algs.map((alg) => [alg, []]));
  for (let i = 0; i < runs; i++)
    for (const alg of algs) {
      const mf = await startFloor({ bundlePath, credentials, signingJwk: floorJwk(alg) });
      try {
        await warmSimulator(mf);
        const { first, warm } = await firstAndNext(() =>
          timedTokenAt(`${mf.baseUrl}/oauth2/floor/v1/token`, credentials, mf.pids),
        );
        samples[alg].push({
          readyMs: mf.readyMs,
          firstTokenMs: first.ms,
          warmTokenMs: warm.ms,
          firstTokenCpuMs: first.cpuMs,
          warmTokenCpuMs: warm.cpuMs,
        });
      } finally {
        await mf.dispose();
      }
    }
  return samples;
}
