/**
 * One Warden for the whole e2e run, started with the banner (no WARDEN_QUIET) so banner.test.ts can
 * check the printed curl. restart.test.ts starts its own instance, since it stops and restarts it.
 */
import type { TestProject } from "vitest/node";
import { freeWardenPort, makeStateDir, removeStateDir, startWarden } from "./warden";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = makeStateDir();
  const port = await freeWardenPort();
  const warden = await startWarden({ stateDir, port, quiet: false }).catch((error) => {
    removeStateDir(stateDir);
    throw error;
  });
  project.provide("warden", {
    ...warden.local,
    port,
    stateDir,
    output: warden.output(),
    firstTokenResponse: warden.firstTokenResponse,
  });
  return async () => {
    await warden.stop();
    removeStateDir(stateDir);
  };
}
