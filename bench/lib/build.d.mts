/** Types of `build.mjs` for the tests that import it (test/unit/bench-floor.test.ts). */
export declare function floorBundle(outdir: string): Promise<string>;
