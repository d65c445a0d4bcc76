import { defineConfig } from "vitest/config";

// Tier 1: pure modules in plain Node, no Workers runtime.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
  },
});
