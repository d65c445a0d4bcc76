/** Types of `build.mjs` for the tests that import it. */
import type { BuildResult, Plugin } from "esbuild";

export declare function buildWorker(options?: {
  entry?: string;
  outdir?: string;
  plugins?: Plugin[];
}): Promise<BuildResult<{ metafile: true }>>;
