/// <reference types="node" />
/**
 * Unpacks Chromium once, before any test file starts, so files running in parallel find it ready
 * and a machine that cannot run it fails here with one clear message (see chromium.ts). Warden
 * itself is started by the e2e tier's globalSetup, listed before this one in the config.
 */
import { chromiumExecutable } from "./chromium";

export default function setup(): void {
  const started = Date.now();
  const executable = chromiumExecutable();
  if (process.env.WARDEN_TEST_LOGS === "1") {
    console.log(`chromium ready in ${Date.now() - started} ms: ${executable}`);
  }
}
