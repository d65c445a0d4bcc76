import { defineConfig } from "vitest/config";
import { quietEventLines } from "./test/quiet-log";

// Tier 1: pure modules in plain Node, no Workers runtime.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
    // System-log event lines are dropped from the output (test/quiet-log.ts; WARDEN_TEST_LOGS=1 keeps them).
    onConsoleLog: quietEventLines,
  },
});
