/** Applies migrations/ to the tier's D1 `DIRECTORY` before each test file (vitest.worker.config.ts). */
import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Env } from "../../src/env";

await applyD1Migrations(
  (env as Env).DIRECTORY,
  (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS,
);
