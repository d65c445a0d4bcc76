import { defineConfig } from "vitest/config";

// Tier 4: Chromium (from @sparticuz/chromium, driven by playwright-core) against `npm start` on
// 127.0.0.1. Warden is started by the e2e tier's globalSetup (shared, not copied); Chromium is
// unpacked by test/browser/global-setup.ts. See test/browser/chromium.ts.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/e2e/global-setup.ts", "test/browser/global-setup.ts"],
    testTimeout: 30_000,
    // wrangler dev needs a few seconds to start (up to ~20 s on a cold machine); Chromium ~3 s to unpack.
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
