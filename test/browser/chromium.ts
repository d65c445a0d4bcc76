/// <reference types="node" />
/**
 * The browser tier's Chromium: the build `@sparticuz/chromium` ships inside its npm package (so
 * `npm install` brings it, with no download step of its own), driven by `playwright-core`.
 *
 * - {@link chromiumExecutable} unpacks the package's brotli-compressed binary once into
 *   `node_modules/.cache/warden-chromium/<version>/`: unpacked into a staging folder by a child
 *   process (the package writes to `os.tmpdir()`, so the child gets TMPDIR = the staging folder and
 *   nothing else in this process sees the change), then renamed into place in one step, so a run
 *   killed half-way or two files racing never leave a truncated binary behind. The package's own
 *   cache (`/tmp/chromium`, reused whatever version put it there) is never used.
 * - {@link launchChromium} starts it headless with our own flags, not the package's: its list is
 *   for AWS Lambda and includes `--disable-web-security`, which turns CORS and mixed-content checks
 *   off — the very things this tier is here to prove.
 * - {@link guardedContext} opens a browser context that can reach 127.0.0.1 / localhost / [::1]
 *   and nothing else: every request and WebSocket goes through a route handler that aborts the
 *   rest and records it, and service workers (which could fetch around the handler) are blocked.
 *   The launch flags add a second wall, which also stops what the handler never sees (Playwright
 *   routes only the first request of a redirect chain): nothing resolves but localhost, 127.0.0.1
 *   and [::1] — IP literals go through the same rules (a redirect to 127.0.0.2 is tested to fail).
 * - {@link watchPage} collects what a page must never produce: console errors, uncaught
 *   exceptions, and CSP violations (the `securitypolicyviolation` event, reported by a binding).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
import { ROOT } from "../e2e/warden";

const require = createRequire(import.meta.url);

/** `@sparticuz/chromium`'s installed version (its `exports` do not expose package.json). */
function sparticuzVersion(): string {
  const dir = join(dirname(require.resolve("@sparticuz/chromium")), "..");
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** Where this version's Chromium is unpacked; a new version gets a new folder. */
export function chromiumCacheDir(): string {
  return join(ROOT, "node_modules", ".cache", "warden-chromium", sparticuzVersion());
}

/**
 * The unpacked Chromium binary, unpacking it on first use (3–7 s). Throws a clear error when the
 * machine lacks a shared library the binary links against (see {@link missingLibraries}).
 */
export function chromiumExecutable(): string {
  const dir = chromiumCacheDir();
  const executable = join(dir, "chromium");
  if (!existsSync(executable)) unpack(dir);
  const missing = missingLibraries(executable);
  if (missing.length > 0) {
    throw new Error(
      `Chromium (${executable}) needs shared libraries this machine lacks: ${missing.join(", ")}. ` +
        "On Debian or Ubuntu: apt-get install libnss3 (it brings libnspr4); see README, Tests.",
    );
  }
  return executable;
}

function unpack(dir: string): void {
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    // It also unpacks its fonts and SwiftShader (software WebGL, 7 MB; unused under --disable-gpu).
    const script = `const { default: c } = await import("@sparticuz/chromium");
process.stdout.write(await c.executablePath());`;
    const printed = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: staging },
      encoding: "utf8",
    });
    if (printed !== join(staging, "chromium")) {
      throw new Error(`@sparticuz/chromium unpacked to ${printed}, not into ${staging}`);
    }
    writeFileSync(join(staging, "fonts.conf"), fontsConf(staging, dir));
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another file won the race: its folder is complete (it was renamed whole), use it.
      if (!existsSync(join(dir, "chromium"))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The machine's own fonts (if it has fontconfig's config) plus the Open Sans the package ships, so
 * text renders on a machine with no fonts installed. Paths are those after the rename.
 */
function fontsConf(staging: string, dir: string): string {
  const fonts = join(dir, "fonts");
  if (!existsSync(join(staging, "fonts"))) throw new Error("@sparticuz/chromium unpacked no fonts");
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${fonts}</dir>
  <cachedir>${join(dir, "fontconfig-cache")}</cachedir>
</fontconfig>
`;
}

/**
 * Shared libraries `ldd` cannot find for the binary. The package bundles all but the system's NSS
 * (libnss3, libnspr4) and libexpat; Debian's node image has them. No `ldd`: assume all is there
 * and let the launch say otherwise.
 */
export function missingLibraries(executable: string): string[] {
  let output: string;
  try {
    output = execFileSync("ldd", [executable], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    return [];
  }
  return [...output.matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1] as string);
}

/**
 * Our flags (Playwright adds `--headless`, `--no-sandbox` and its automation flags itself):
 * - no GPU on these machines;
 * - nothing Chromium does on its own behalf (update checks, sync, metrics, pings, QUIC probes)
 *   reaches for the network, which this machine refuses loudly;
 * - nothing resolves except localhost, 127.0.0.1 and [::1] (the rules apply to IP literals too),
 *   so a request no route handler sees (a redirect's next hop, Chromium's own) cannot leave.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-domain-reliability",
  "--disable-sync",
  "--disable-quic",
  "--no-pings",
  "--no-first-run",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]",
];

/** Launches Chromium headless; call once per test file (beforeAll) and close it in afterAll. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumExecutable();
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS],
    headless: true,
    timeout: 30_000,
    env: { ...process.env, FONTCONFIG_FILE: join(dirname(executablePath), "fonts.conf") },
  });
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether a URL may be fetched by the browser: http(s) or ws(s) to this machine's loopback. */
export function isLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return ["http:", "https:", "ws:", "wss:"].includes(parsed.protocol) && LOOPBACK_HOSTS.has(parsed.hostname);
}

export interface GuardedContext {
  context: BrowserContext;
  /** Every URL the guard refused, in order. */
  blocked: string[];
}

/** A context whose pages reach loopback only (see the module comment). */
export async function guardedContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<GuardedContext> {
  const context = await browser.newContext({ ...options, serviceWorkers: "block" });
  const blocked: string[] = [];
  await context.route(
    () => true,
    (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.fallback();
      blocked.push(url);
      return route.abort("blockedbyclient");
    },
  );
  await context.routeWebSocket(
    () => true,
    (ws) => {
      if (isLoopback(ws.url())) {
        ws.connectToServer();
        return;
      }
      blocked.push(ws.url());
      ws.close({ code: 1008, reason: "blocked by the test's network guard" });
    },
  );
  return { context, blocked };
}

/** A CSP violation as the page's `securitypolicyviolation` event reported it. */
export interface CspViolation {
  effectiveDirective: string;
  blockedURI: string;
  disposition: string;
}

export interface WatchedPage {
  page: Page;
  /** Console messages of type error (Chromium also logs each CSP refusal here). */
  consoleErrors: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  cspViolations: CspViolation[];
}

/** A new page in `context` that records console errors, uncaught exceptions and CSP violations. */
export async function watchPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const watched: WatchedPage = { page, consoleErrors: [], pageErrors: [], cspViolations: [] };
  page.on("console", (message) => {
    if (message.type() === "error") watched.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => watched.pageErrors.push(error.message));
  // Bindings and init scripts are injected by the DevTools protocol, which a page's CSP does not
  // govern, so they report even on a page that allows no script at all.
  await page.exposeBinding("__wardenCspViolation", (_source, violation: CspViolation) => {
    watched.cspViolations.push(violation);
  });
  await page.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (event) => {
  window.__wardenCspViolation({
    effectiveDirective: event.effectiveDirective,
    blockedURI: event.blockedURI,
    disposition: event.disposition,
  });
});`,
  });
  return watched;
}
