/// <reference types="node" />
/**
 * Runs Warden the way the README says — `npm start` — as a black box: on 127.0.0.1, a free port and
 * a fresh state directory. The child is spawned detached, so it leads its own process group, and
 * stopping it signals the whole group (npm, node, wrangler, workerd) and waits until none is left.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** What `npm start` writes to `$WARDEN_STATE_DIR/local.json`. */
export interface LocalJson {
  baseUrl: string;
  issuer: string;
  adminToken: string;
  clientId: string;
  clientSecret: string;
  keyEncryptionKey: string;
  /** The SUPER_ADMIN directory user start.mjs seeds (README "Admin roles"). */
  demoAdmin: { id: string; login: string; password: string };
}

/** The instance globalSetup starts and shares with every test file (through `inject("warden")`). */
export interface SharedWarden extends LocalJson {
  port: number;
  stateDir: string;
  /** Everything `npm start` printed on its first start, banner included. */
  output: string;
  /** See {@link WardenProcess.firstTokenResponse}. */
  firstTokenResponse: { status: number; body: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    warden: SharedWarden;
  }
}

export interface WardenProcess {
  readonly port: number;
  readonly stateDir: string;
  readonly local: LocalJson;
  /**
   * The answer to a token request for the demo client sent the moment `npm start` reported ready,
   * before {@link startWarden} waited for the demo server to be served (see there).
   */
  readonly firstTokenResponse: { status: number; body: string };
  /** stdout and stderr so far. */
  output(): string;
  /** Terminates the whole process tree; resolves once no process of the group is left. */
  stop(): Promise<void>;
}

export interface StartOptions {
  stateDir: string;
  port: number;
  /** WARDEN_QUIET=1: `warden ready <url>` instead of the banner. */
  quiet?: boolean;
  timeoutMs?: number;
}

export function makeStateDir(): string {
  return mkdtempSync(join(tmpdir(), "warden-e2e-"));
}

export function removeStateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A port nothing listens on right now, from the kernel. */
/**
 * A port for `npm start` whose next four are free too (scripts/start.mjs puts the sample apps at
 * port + 3 and + 4), below Linux's ephemeral range (32768–60999): a port the kernel may hand to any
 * outgoing connection could be taken between this check and a sample's `listen` (EADDRINUSE, seen in CI).
 */
export async function freeWardenPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = [0, 1, 2, 3, 4].map((offset) => base + offset);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error("no run of five free ports below the ephemeral range");
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolveFree(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolveFree(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("no port"));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

export function readLocalJson(stateDir: string): LocalJson {
  return JSON.parse(readFileSync(join(stateDir, "local.json"), "utf8")) as LocalJson;
}

export async function startWarden(options: StartOptions): Promise<WardenProcess> {
  const { stateDir, port, quiet = true, timeoutMs = 90_000 } = options;
  const child = spawn("npm", ["start"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      WARDEN_STATE_DIR: stateDir,
      WARDEN_QUIET: quiet ? "1" : "0",
      WRANGLER_SEND_METRICS: "false",
      // No update checks or other chatter from npm.
      NO_UPDATE_NOTIFIER: "1",
      npm_config_update_notifier: "false",
    },
  });
  let output = "";
  child.on("error", (error) => {
    output += `\n[spawn error] ${error.message}\n`;
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error("could not spawn npm start: is npm on the PATH?");

  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });

  // If vitest itself goes away, do not leave wrangler or workerd behind.
  const killOnExit = () => signalGroup(pgid, "SIGKILL");
  process.once("exit", killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= stopGroup(child, pgid).finally(() => process.removeListener("exit", killOnExit));
    return stopped;
  };

  // start.mjs prints its last line only after seeding and writing local.json.
  const ready = quiet ? /warden ready http:\S+\n/ : /discovery: http:\S+\n/;
  try {
    await waitFor(() => {
      if (ready.test(output)) return true;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`npm start exited (${child.exitCode ?? child.signalCode}) before it was ready`);
      }
      return false;
    }, timeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- npm start output ---\n${output}`);
  }

  const local = readLocalJson(stateDir);
  try {
    const first = await requestDemoToken(local);
    const firstTokenResponse = { status: first.status, body: await first.text() };
    return { port, stateDir, local, firstTokenResponse, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`Warden never served a token: ${(error as Error).message}\n${output}`);
  }
}

function requestDemoToken(local: LocalJson): Promise<Response> {
  return fetch(`${local.issuer}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: basicAuth(local.clientId, local.clientSecret),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials&scope=orders%3Aread",
  });
}

async function stopGroup(child: ChildProcess, pgid: number): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  if (await waitFor(() => !groupAlive(pgid), 15_000).catch(() => false)) return;
  signalGroup(pgid, "SIGKILL");
  if (await waitFor(() => !groupAlive(pgid), 10_000).catch(() => false)) return;
  throw new Error(`process group ${pgid} (npm start, pid ${child.pid}) survived SIGKILL`);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Whether any live (non-zombie) process is still in the group. */
function groupAlive(pgid: number): boolean {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    // No procfs: ask the kernel (zombies count as alive here).
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
  }
  return false;
}

/** Polls `check` every 100 ms; resolves true once it holds, rejects after `timeoutMs`. */
async function waitFor(check: () => boolean, timeoutMs: number): Promise<true> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `Authorization: Basic` for a client, as RFC 6749 §2.3.1 encodes it. */
export function basicAuth(clientId: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString("base64")}`;
}
