/**
 * Cold starts of the deployable bundle on Miniflare: a workerd process with state already seeded
 * (persisted between instances), then the first token request on its fresh isolate, which reads the
 * snapshot, client and keyset from KV, unseals and imports the key before it signs.
 */
import { seed, serverId, tokenRequest } from "./config.mjs";
import { startMiniflare } from "./miniflare.mjs";
import { makeTempDir, removeTempDir } from "./processes.mjs";
import { runNs } from "./startup-profile.mjs";

const COLD = { alg: "RS256", rules: 20 };

/** Wall ms from Node, and the CPU ms workerd's threads (`pids`) used meanwhile. */
async function timedToken(baseUrl, credentials, pids) {
  const cpuStart = runNs(pids);
  const started = performance.now();
  const res = await fetch(
    `${baseUrl}/oauth2/${serverId(COLD.alg, COLD.rules)}/v1/token`,
    tokenRequest(credentials),
  );
  await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`cold token request answered ${res.status}`);
  return { ms, cpuMs: (runNs(pids) - cpuStart) / 1e6 };
}

/**
 * `runs` cold starts; per start: Miniflare ready, first token (cold isolate), second token (warm),
 * each as wall time from Node and as the CPU time of workerd's threads (robust to a busy machine).
 */
export async function coldStarts({ bundlePath, credentials, runs }) {
  const persistTo = makeTempDir("warden-bench-cold-");
  try {
    const seeding = await startMiniflare({ bundlePath, credentials, persistTo });
    try {
      await seed(seeding.baseUrl, credentials, [COLD]);
    } finally {
      await seeding.dispose();
    }
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const mf = await startMiniflare({ bundlePath, credentials, persistTo });
      try {
        const first = await timedToken(mf.baseUrl, credentials, mf.pids);
        const warm = await timedToken(mf.baseUrl, credentials, mf.pids);
        samples.push({
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
    return { server: serverId(COLD.alg, COLD.rules), samples };
  } finally {
    removeTempDir(persistTo);
  }
}
