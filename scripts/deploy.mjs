#!/usr/bin/env node
/**
 * `npm run deploy [-- wrangler deploy args]`: the admin console's assets, the system log's queue and
 * D1 schema, then the Worker.
 *
 * 1. `wrangler queues create warden-system-log` (an existing queue is fine);
 * 2. `wrangler d1 migrations apply DIRECTORY --remote`, then `wrangler deploy`. On the very first
 *    deploy the database does not exist yet (wrangler provisions it with the deploy, as it does the KV
 *    namespace): then the Worker is deployed first and the migrations applied right after; until
 *    they are, the queue consumer retries its batches and nothing is lost.
 */
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

function run(args, { quiet = false } = {}) {
  const result = spawnSync(wrangler, args, {
    cwd: root,
    env,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

// The admin console's static assets (wrangler.toml [assets], README "Admin console"), built from the
// checked-out source so the deployed console matches the deployed Worker.
if (
  spawnSync(process.execPath, [join(root, "scripts", "build-console.mjs")], { stdio: "inherit" }).status !== 0
) {
  process.exit(1);
}

const queue = run(["queues", "create", "warden-system-log"], { quiet: true });
if (!queue.ok && !/already exists|already taken|11009/i.test(queue.output)) {
  console.error(queue.output);
  process.exit(1);
}

const migrate = ["d1", "migrations", "apply", "DIRECTORY", "--remote"];
const deploy = ["deploy", ...process.argv.slice(2)];
if (run(migrate).ok) {
  process.exit(run(deploy).ok ? 0 : 1);
}
console.log("The DIRECTORY database is not there yet: deploying (which provisions it), then migrating.");
if (!run(deploy).ok || !run(migrate).ok) process.exit(1);
