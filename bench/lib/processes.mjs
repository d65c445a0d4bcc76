/**
 * Child processes the bench starts: each leads its own process group, so stopping it reaches every
 * process it spawned (npm, wrangler, workerd) and nothing else; stopping waits until none is left.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const started = new Set();

/** Spawns a detached child (its own process group) and collects its output. */
export function spawnGroup(command, args, options = {}) {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    output += chunk;
  });
  started.add(child.pid);
  return { child, pgid: child.pid, output: () => output };
}

/** Resolves with the first match of `pattern` in the child's output; rejects on exit or timeout. */
export async function waitForOutput(group, pattern, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(group.output());
    if (match) return match;
    if (group.child.exitCode !== null || group.child.signalCode !== null) {
      throw new Error(
        `process exited (${group.child.exitCode ?? group.child.signalCode}):\n${group.output()}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms:\n${group.output()}`);
    await sleep(100);
  }
}

/** Live (non-zombie) pids in process group `pgid`, from /proc. */
export function groupPids(pgid) {
  const pids = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat && stat.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") pids.push(Number(name));
  }
  return pids;
}

/**
 * SIGTERM to the group's leader first (so it can stop and reap its own children), then to the whole
 * group, then SIGKILL; resolves once no process of the group is left.
 */
export async function stopGroup(pgid) {
  for (const [signal, waitMs, target] of [
    ["SIGTERM", 10_000, pgid],
    ["SIGTERM", 5_000, -pgid],
    ["SIGKILL", 10_000, -pgid],
  ]) {
    signalPid(target, signal);
    const deadline = Date.now() + waitMs;
    while (groupPids(pgid).length > 0 && Date.now() < deadline) await sleep(100);
    if (groupPids(pgid).length === 0) {
      started.delete(pgid);
      return;
    }
  }
  throw new Error(`process group ${pgid} survived SIGKILL`);
}

const tempDirs = new Set();

/** A fresh directory under the OS temp dir, removed by removeTempDir or, at the latest, on exit. */
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/**
 * Last resort, synchronous, for the process's "exit" event (Miniflare exits the process on Ctrl-C
 * before asynchronous stops can finish): kill every group still running and remove every temp dir.
 */
export function cleanUpOnExit() {
  for (const pgid of started) signalPid(-pgid, "SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

/** A negative pid signals the process group. */
function signalPid(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/** proc(5) `/proc/<pid>/stat`: state, parent, group and CPU (utime + stime, all threads, in clock ticks). */
export function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      state: fields[0],
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return undefined; // gone
  }
}

/** Busy clock ticks of the whole machine (proc(5) /proc/stat: all but idle and iowait). */
export function machineBusyTicks() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return user + nice + system + irq + softirq + steal;
}

/** Direct children of `parent`. */
export function childPids(parent) {
  const out = [];
  for (const name of readdirSync("/proc")) {
    if (/^\d+$/.test(name) && procStat(Number(name))?.ppid === parent) out.push(Number(name));
  }
  return out;
}

export function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** A port nothing listens on right now, from the kernel. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
