/**
 * Warden's Worker on workerd through Miniflare's API, without wrangler dev's proxy in front: the
 * bindings come from wrangler.toml (through wrangler's own reader), the code from a bundle built by
 * `wrangler deploy --dry-run`, and the secrets are generated per run. And the floor
 * (bench/floor-entry.ts) the same way, with Warden's compatibility settings and socket.
 */
import { dirname } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { workerModules } from "./build.mjs";
import { applyMigrations } from "./migrations.mjs";
import { ROOT } from "./paths.mjs";
import { childPids, processName } from "./processes.mjs";

/**
 * What the Worker logged, counted by first line instead of printed: errors under load are a finding
 * of the bench (see the report), not noise in its output. Stack lines are dropped.
 */
class WorkerLog {
  counts = new Map();

  add({ level, message }) {
    if (level !== "error" && level !== "warn") return;
    const firstLine = String(message).split("\n", 1)[0].slice(0, 300);
    if (/^\s*at /.test(firstLine)) return;
    const key = `${level}: ${firstLine}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  summary() {
    return [...this.counts.entries()].map(([message, count]) => ({ message, count }));
  }
}

/**
 * Starts workerd with `bundlePath` as the Worker. Returns the direct URL, Miniflare's entry URL, the
 * workerd pids (for CPU accounting), how long Miniflare took to be ready, and `dispose`. `persistTo`
 * keeps KV and Durable Object state between instances. `directory: true` applies migrations/ to the
 * D1 `DIRECTORY` before returning (the password grant's users); without it the binding is there,
 * empty, as client_credentials never reads it.
 */
export async function startMiniflare({
  bundlePath,
  credentials,
  persistTo,
  inspectorPort,
  directory = false,
}) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(`${ROOT}/wrangler.toml`);
  const started = await startWorker({
    persistTo,
    inspectorPort,
    worker: {
      name: "warden",
      bundlePath,
      compatibilityDate: workerOptions.compatibilityDate,
      compatibilityFlags: workerOptions.compatibilityFlags,
      kvNamespaces: workerOptions.kvNamespaces,
      durableObjects: workerOptions.durableObjects,
      // System log (src/log/): the queue the token path counts into, so its cost is measured; no
      // consumer (its D1 writes are off the measured path).
      ...(workerOptions.queueProducers ? { queueProducers: workerOptions.queueProducers } : {}),
      // The directory (users, groups, assignments): read by the password grant, never by client_credentials.
      ...(workerOptions.d1Databases ? { d1Databases: workerOptions.d1Databases } : {}),
      bindings: {
        ...workerOptions.bindings,
        KEY_ENCRYPTION_KEY: credentials.keyEncryptionKey,
        ADMIN_API_TOKEN: credentials.adminToken,
        // Issuers follow the request's origin (127.0.0.1 and a port chosen at start) only in local
        // development; a deployment pins them with ORG_URL (src/oauth/org-url.ts).
        LOCAL_DEVELOPMENT: "true",
        // The bench sends far more than a client's 1,000 tokens a minute (README "Rate limits"): the
        // per-client limit is raised out of reach, so the isolate's limiter runs and never refuses.
        // Without `[[ratelimits]]` here the binding is absent (Miniflare's emulation of it is a
        // Durable Object fetch; production's counter lives on the Worker's machine).
        TOKEN_RATE_LIMIT_PER_MINUTE: "1000000000",
      },
    },
  });
  if (directory) await applyMigrations(await started.miniflare.getD1Database("DIRECTORY"));
  return started;
}

/**
 * The floor (bench/floor-entry.ts, `floorColdStarts` in ./startup.mjs): the minimal token Worker on
 * workerd exactly as Warden runs here — the same compatibility date and flags, the same direct
 * socket, a fresh process — with its client and signing key (a private JWK, JSON) as bindings, and
 * Warden's `CONFIG` KV namespace bound but never read by it, so that the bench can run Miniflare's
 * own KV and Cache Workers first, as it does before Warden's measured first token.
 */
export async function startFloor({ bundlePath, credentials, signingJwk }) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(`${ROOT}/wrangler.toml`);
  return startWorker({
    worker: {
      name: "floor",
      bundlePath,
      compatibilityDate: workerOptions.compatibilityDate,
      compatibilityFlags: workerOptions.compatibilityFlags,
      kvNamespaces: workerOptions.kvNamespaces,
      bindings: {
        CLIENT_ID: credentials.clientId,
        CLIENT_SECRET: credentials.clientSecret,
        SIGNING_JWK: JSON.stringify(signingJwk),
      },
    },
  });
}

/**
 * One Worker (`worker`: Miniflare v4 worker options, with `bundlePath` for its modules) on a new
 * workerd process, reached through a direct socket. What `startMiniflare` and `startFloor` share.
 */
async function startWorker({ worker: { bundlePath, ...worker }, persistTo, inspectorPort }) {
  const before = new Set(childPids(process.pid));
  // Miniflare 5 takes a new options shape; wrangler reads wrangler.toml into the v4 one and converts
  // it exactly like this.
  const workerLog = new WorkerLog();
  const options = convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    enableDevRegistry: false,
    // A placeholder `request.cf`: the real one is fetched from Cloudflare, and this machine is offline.
    cf: false,
    log: new Log(LogLevel.WARN),
    logRequests: false,
    ...(persistTo ? { resourcePersistencePath: persistTo } : {}),
    ...(inspectorPort !== undefined ? { inspectorPort } : {}),
    workers: [
      {
        ...worker,
        // The main module and the chunks beside it (scripts/build.mjs), all ES modules.
        modulesRoot: dirname(bundlePath),
        modules: workerModules(bundlePath).map((path) => ({ type: "ESModule", path })),
        // A socket straight into the Worker, as production's front line hands requests to an isolate;
        // Miniflare's own entry socket first runs its router Worker (see bench/README.md).
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      },
    ],
  });
  const started = performance.now();
  const mf = new Miniflare({ ...options, handleStructuredLogs: (entry) => workerLog.add(entry) });
  const entryUrl = await mf.ready;
  const readyMs = performance.now() - started;
  const directUrl = await mf.unsafeGetDirectURL(worker.name);
  const pids = childPids(process.pid).filter((pid) => !before.has(pid) && processName(pid) === "workerd");
  return {
    baseUrl: directUrl.origin,
    entryUrl: entryUrl.origin,
    pids,
    readyMs,
    workerLog,
    miniflare: mf,
    dispose: () => mf.dispose(),
  };
}
