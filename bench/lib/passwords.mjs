/**
 * Passwords on workerd (bench/password-entry.ts through Miniflare's API, a local D1 with
 * migrations/ applied): the CPU of one `hashPassword` and of whole `checkPassword` calls, read from
 * the workerd processes' /proc times around each request (one request at a time, so nothing else
 * runs in them), medians of several runs; and the wall time of each of `checkPassword`'s D1
 * statements against the local D1 (SQLite in workerd's process), medians of batches.
 * Reported against Workers' CPU limits (bench/README.md, README "Passwords").
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { CLOCK_TICKS_PER_SECOND } from "./machine.mjs";
import { applyMigrations } from "./migrations.mjs";
import { BENCH, ROOT } from "./paths.mjs";
import { childPids, processName, procStat } from "./processes.mjs";

/** Workers' CPU time per request: free plan 10 ms; paid plan 30 s by default (configurable up to 5 min). */
export const WORKERS_CPU_LIMITS_MS = { free: 10, paidDefault: 30_000 };

function compatibilityDate() {
  return /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(ROOT, "wrangler.toml"), "utf8"))[1];
}

function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = procStat(pid);
    if (stat) ticks += stat.ticks;
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function measurePasswords(
  tmpDir,
  { runs = 7, perRequest = 5, d1Batches = 7, d1PerBatch = 50, users = 1000, leakPairs = 15 } = {},
) {
  const outfile = join(tmpDir, "password-entry.mjs");
  await build({
    entryPoints: [join(BENCH, "password-entry.ts")],
    bundle: true,
    platform: "neutral",
    format: "esm",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    outfile,
    logLevel: "warning",
  });
  const before = new Set(childPids(process.pid));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      cf: false,
      log: new Log(LogLevel.WARN),
      workers: [
        {
          name: "passwords",
          modules: true,
          modulesRoot: tmpDir,
          scriptPath: outfile,
          compatibilityDate: compatibilityDate(),
          d1Databases: ["DIRECTORY"],
        },
      ],
    }),
  );
  try {
    const url = (await mf.ready).origin;
    const pids = childPids(process.pid).filter((pid) => !before.has(pid) && processName(pid) === "workerd");
    const db = await mf.getD1Database("DIRECTORY");
    await applyMigrations(db);
    await call(url, `/seed?users=${users}`);

    // `perRequest` calls in each request: CPU time is read in clock ticks (10 ms here), so a request
    // of several calls divides that granularity between them.
    const cpuCase = async (route) => {
      const path = `${route}?n=${perRequest}`;
      await call(url, path); // warm: the isolate, the module, the statement cache
      const cpu = [];
      const wall = [];
      for (let i = 0; i < runs; i++) {
        const c0 = cpuMs(pids);
        const w0 = performance.now();
        await call(url, path);
        wall.push((performance.now() - w0) / perRequest);
        cpu.push((cpuMs(pids) - c0) / perRequest);
      }
      return {
        cpuMs: median(cpu),
        cpuMinMs: Math.min(...cpu),
        cpuMaxMs: Math.max(...cpu),
        wallMs: median(wall),
        runs,
        perRequest,
      };
    };
    const cpu = {
      hash: await cpuCase("/hash"),
      checkRight: await cpuCase("/check/right"),
      checkWrong: await cpuCase("/check/wrong"),
      checkUnknown: await cpuCase("/check/unknown"),
    };
    const leak = await timingLeak(url, leakPairs);
    const d1 = {};
    for (const statement of ["lookup", "count-failure", "count-unattributed", "signed-in"]) {
      const means = [];
      for (let i = 0; i < d1Batches; i++) {
        const body = await call(url, `/d1/${statement}?n=${d1PerBatch}`);
        means.push(body.meanMs);
      }
      d1[statement] = {
        meanMs: median(means),
        minMs: Math.min(...means),
        maxMs: Math.max(...means),
        batches: d1Batches,
        perBatch: d1PerBatch,
      };
    }
    return {
      function: "PBKDF2-HMAC-SHA-256, 600,000 iterations (WebCrypto)",
      clockTickMs: 1000 / CLOCK_TICKS_PER_SECOND,
      users,
      limitsMs: WORKERS_CPU_LIMITS_MS,
      cpu,
      leak,
      d1,
    };
  } finally {
    await mf.dispose();
  }
}

/**
 * What an attacker measures: the wall time of one refusal, a wrong password of a real user against a
 * login nobody has, one call per request, in pairs whose order alternates (drift on the machine falls
 * on both alike). Medians of each, and the median of the pairs' differences (wrong − unknown).
 */
async function timingLeak(url, pairs) {
  const wallOf = async (path) => {
    const started = performance.now();
    await call(url, path);
    return performance.now() - started;
  };
  await wallOf("/check/wrong?n=1");
  await wallOf("/check/unknown?n=1");
  const wrong = [];
  const unknown = [];
  const differences = [];
  for (let i = 0; i < pairs; i++) {
    let w;
    let u;
    if (i % 2) {
      u = await wallOf("/check/unknown?n=1");
      w = await wallOf("/check/wrong?n=1");
    } else {
      w = await wallOf("/check/wrong?n=1");
      u = await wallOf("/check/unknown?n=1");
    }
    wrong.push(w);
    unknown.push(u);
    differences.push(w - u);
  }
  return {
    pairs,
    wrongWallMs: median(wrong),
    unknownWallMs: median(unknown),
    differenceMs: median(differences),
    differenceMinMs: Math.min(...differences),
    differenceMaxMs: Math.max(...differences),
  };
}

async function call(url, path) {
  const response = await fetch(`${url}${path}`, { method: "POST" });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}
