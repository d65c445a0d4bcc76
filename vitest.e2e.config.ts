import { defineConfig } from "vitest/config";

// Tier 3: black-box against `npm start` (wrangler dev) on 127.0.0.1; see test/e2e/warden.ts.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/e2e/global-setup.ts"],
    // wrangler dev needs a few seconds to start (up to ~20 s on a cold machine).
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
