import { defineConfig } from "vitest/config";
import { quietEventLines } from "./test/quiet-log";

// Tier 1: pure modules in plain Node, no Workers runtime.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
    // The password tests run the deliberately slow hash (600,000 PBKDF2 iterations) several times
    // over, while other files share the cores: 5 s is too tight on a busy CI machine.
    testTimeout: 30_000,
    // System-log event lines are dropped from the output (test/quiet-log.ts; WARDEN_TEST_LOGS=1 keeps them).
    onConsoleLog: quietEventLines,
  },
});
