/** Types of `miniflare.mjs` for the tests that import it (test/unit/bench-floor.test.ts). */
import type { JsonWebKey } from "node:crypto";
import type { Miniflare } from "miniflare";

export interface StartedWorker {
  /** The direct socket's origin: straight into the Worker. */
  baseUrl: string;
  entryUrl: string;
  /** workerd's processes, for CPU accounting. */
  pids: number[];
  readyMs: number;
  miniflare: Miniflare;
  dispose(): Promise<void>;
}

export declare function startFloor(options: {
  bundlePath: string;
  credentials: { clientId: string; clientSecret: string };
  signingJwk: JsonWebKey & { alg: string; kid: string };
}): Promise<StartedWorker>;
