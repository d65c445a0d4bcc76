import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { quietEventLines } from "./test/quiet-log";

// Tier 2: inside workerd, with real KV and Durable Objects from wrangler.toml. Fixed secrets, so runs
// are reproducible; they are test values, never used outside this tier.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      // The source, not wrangler.toml's `main` (dist/, built by scripts/build.mjs for wrangler dev and
      // deploy): the plugin bundles the Worker itself, so tests and the Worker share src/ modules.
      main: "./src/index.ts",
      miniflare: {
        bindings: {
          KEY_ENCRYPTION_KEY: "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM",
          ADMIN_API_TOKEN: "test-admin-token-0123456789abcdefghijklmnopqrstuvwxyz",
          // The hook service and jwks_uri servers of this tier listen on 127.0.0.1.
          LOCAL_DEVELOPMENT: "true",
          // Requests go to https://warden.test (test/worker/helpers.ts ORIGIN): the issuer is pinned
          // as in a deployment; test/worker/org-url.test.ts unsets it to see the fail-closed paths.
          ORG_URL: "https://warden.test",
          // The directory and the system log: migrations/ applied to DIRECTORY by test/worker/apply-migrations.ts.
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
        },
      },
    }),
  ],
  test: {
    include: ["test/worker/**/*.test.ts"],
    // Tests that sign users in run the deliberately slow password hash (~70 ms of CPU each, README
    // "Passwords") while other files share the cores: 5 s is too tight on a busy CI machine.
    testTimeout: 30_000,
    // System-log event lines are dropped from the output (test/quiet-log.ts; WARDEN_TEST_LOGS=1 keeps them).
    onConsoleLog: quietEventLines,
    // A real token inline hook service on 127.0.0.1 (test/hook-server); tests `inject("hookServer")`.
    globalSetup: ["test/hook-server/global-setup.ts"],
    // The D1 schema (directory, system log), before every test file.
    setupFiles: ["test/worker/apply-migrations.ts"],
  },
});
