/** Types of `startup.mjs` for the tests that import it (test/unit/bench-floor.test.ts). */
export interface FloorSample {
  readyMs: number;
  firstTokenMs: number;
  warmTokenMs: number;
  firstTokenCpuMs: number;
  warmTokenCpuMs: number;
}

export declare const FLOOR_ALGS: string[];

export declare function floorColdStarts(options: {
  bundlePath: string;
  credentials: { clientId: string; clientSecret: string };
  runs: number;
  algs?: string[];
}): Promise<Record<string, FloorSample[]>>;
