/** Runs one measured load against one endpoint, in a separate load-generator process. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLOCK_TICKS_PER_SECOND } from "./machine.mjs";
import { BENCH } from "./paths.mjs";

/**
 * `target`: { url, method, headers, body, bodies?, expectStatus, cpuPids | cpuPgid }; `load`: { connections, warmupMs,
 * durationMs, maxRequests }. Resolves with the load client's result; rejects if it fails or overruns.
 */
export function runLoad(target, load) {
  const spec = {
    url: target.url,
    method: target.method ?? "GET",
    headers: target.headers ?? {},
    body: target.body,
    ...(target.bodies ? { bodies: target.bodies } : {}),
    ...(target.bodiesOnce ? { bodiesOnce: true } : {}),
    ...(target.chain ? { chain: target.chain } : {}),
    expectStatus: target.expectStatus ?? 200,
    server: { pids: target.cpuPids ?? [], pgid: target.cpuPgid },
    clockTicksPerSecond: CLOCK_TICKS_PER_SECOND,
    requestTimeoutMs: 10_000,
    ...load,
  };
  // One argument may hold at most 128 KiB on Linux (MAX_ARG_STRLEN): a larger spec goes in a file.
  let json = JSON.stringify(spec);
  let specDir;
  if (json.length > 64 * 1024) {
    specDir = mkdtempSync(join(tmpdir(), "warden-bench-load-"));
    writeFileSync(join(specDir, "spec.json"), json);
    json = `@${join(specDir, "spec.json")}`;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(BENCH, "lib", "load-client.mjs"), json], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    // Bounded even if the server under test stops answering.
    const deadline = setTimeout(() => child.kill("SIGKILL"), load.warmupMs + load.durationMs + 45_000);
    child.on("exit", (code, signal) => {
      clearTimeout(deadline);
      if (specDir) rmSync(specDir, { recursive: true, force: true });
      if (code !== 0) {
        reject(new Error(`load client for ${target.url} failed (${code ?? signal}): ${stderr.trim()}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split("\n").at(-1)));
    });
  });
}
