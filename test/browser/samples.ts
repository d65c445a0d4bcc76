/// <reference types="node" />
/**
 * The sample apps of `examples/` as the README runs them (`node examples/<app>/server.mjs`), against
 * the tier's shared Warden, and what `npm start` seeded for them in `local.json`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type LocalJson, ROOT, readLocalJson } from "../e2e/warden";

/** What `npm start` adds to local.json for the sign-in demo (scripts/start.mjs). */
export interface SignInDemo extends LocalJson {
  demoUser: { login: string; password: string; id: string };
  spa: { clientId: string; port: number; origin: string; redirectUri: string };
  web: { clientId: string; clientSecret: string; port: number; origin: string; redirectUri: string };
}

export function readSignInDemo(stateDir: string): SignInDemo {
  return readLocalJson(stateDir) as SignInDemo;
}

export interface RunningSample {
  origin: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `examples/<app>/server.mjs` with `env` on top of the state directory's settings and waits
 * for the line it prints once listening. A port already taken fails here, with the sample's words.
 */
export async function startSample(
  app: "spa" | "web",
  stateDir: string,
  env: Record<string, string> = {},
): Promise<RunningSample> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, "examples", app, "server.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WARDEN_STATE_DIR: stateDir, ...env },
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${app} sample did not start:\n${output}`)), 30_000);
    const check = () => {
      const listening = / on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1] as string);
      }
    };
    child.stdout?.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${app} sample exited with ${code}:\n${output}`));
    });
  });
  return {
    origin,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Fills the hosted sign-in page and submits it with a click (see the keyboard test for the other way). */
export async function signInOnHostedPage(page: Page, username: string, password: string): Promise<void> {
  await page.waitForURL((url) => url.pathname.endsWith("/v1/authorize"));
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
