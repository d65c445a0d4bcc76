/** Starts and stops the peer, node-oidc-provider (peer-server.mjs), as its own process group. */
import { join } from "node:path";
import { CODE_CLIENT, CODE_REDIRECT_URI } from "./code-flow.mjs";
import { BENCH } from "./paths.mjs";
import { groupPids, spawnGroup, stopGroup, waitForOutput } from "./processes.mjs";
import { REFRESH_CLIENTS } from "./refresh.mjs";

/** The resource indicator (RFC 8707) that selects the peer's JWT format and algorithm. */
export const PEER_RESOURCES = { RS256: "urn:warden-bench:rs256", ES256: "urn:warden-bench:es256" };

export async function startPeer(credentials) {
  const config = {
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    // The code exchange's client (lib/code-flow.mjs), with the same secret.
    codeClient: { clientId: CODE_CLIENT, redirectUri: CODE_REDIRECT_URI },
    // The refresh_token grant's clients (lib/refresh.mjs): Warden's STATIC and ROTATE apps.
    refreshClients: Object.entries(REFRESH_CLIENTS).map(([rotation, clientId]) => ({
      clientId,
      redirectUri: CODE_REDIRECT_URI,
      rotate: rotation === "ROTATE",
    })),
  };
  const group = spawnGroup(
    process.execPath,
    [join(BENCH, "lib", "peer-server.mjs"), JSON.stringify(config)],
    {
      // Koa and node-oidc-provider as they run in production.
      env: { ...process.env, NODE_ENV: "production" },
    },
  );
  try {
    const [, port] = await waitForOutput(group, /^ready (\d+)$/m, 30_000);
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      pids: groupPids(group.pgid),
      stop: () => stopGroup(group.pgid),
    };
  } catch (error) {
    await stopGroup(group.pgid);
    throw error;
  }
}
