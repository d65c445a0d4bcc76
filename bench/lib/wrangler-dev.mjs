/**
 * Warden the way a developer runs it: `node scripts/start.mjs` (wrangler dev) with its state in a
 * temporary directory. Only for the figures labelled "wrangler dev": its proxy sits in front.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { ROOT } from "./paths.mjs";
import { freePort, makeTempDir, removeTempDir, spawnGroup, stopGroup, waitForOutput } from "./processes.mjs";

export async function startWranglerDev() {
  const stateDir = makeTempDir("warden-bench-dev-");
  // Loads far above a client's per-minute token limit (README "Rate limits"): raised out of reach.
  writeFileSync(join(stateDir, "vars.env"), "TOKEN_RATE_LIMIT_PER_MINUTE=1000000000\n");
  const port = await freePort();
  const group = spawnGroup(process.execPath, [join(ROOT, "scripts", "start.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      // wrangler's bin runs `node` from PATH: make it this Node, as `npm run` would.
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
      PORT: String(port),
      WARDEN_STATE_DIR: stateDir,
      WARDEN_QUIET: "1",
    },
  });
  const stop = async () => {
    await stopGroup(group.pgid);
    removeTempDir(stateDir);
  };
  try {
    await waitForOutput(group, /warden ready http:\S+/, 120_000);
    const local = JSON.parse(readFileSync(join(stateDir, "local.json"), "utf8"));
    // Every process of the group serves requests or proxies them (node for wrangler, workerd), and
    // wrangler may restart workerd: CPU is counted over the group as it is at each measurement.
    return { baseUrl: local.baseUrl, adminToken: local.adminToken, pgid: group.pgid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
