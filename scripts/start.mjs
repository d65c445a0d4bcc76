#!/usr/bin/env node
/**
 * `npm start`: runs Warden under `wrangler dev` on 127.0.0.1 with local persistence. On first start it
 * creates the local secrets and demo credentials, seeds the demo configuration through the admin API,
 * writes them to `.warden/local.json` and prints a curl for a first token. Later starts reuse them.
 *
 * Environment: PORT (default 8787), WARDEN_STATE_DIR (default .warden), WARDEN_QUIET=1 (no banner).
 * Optional Worker vars for local runs (e.g. `KEYSET_CACHE_TTL_SECONDS=1`) go in `$WARDEN_STATE_DIR/vars.env`.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { demoConfig } from "./demo-config.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const stateDir = resolve(root, process.env.WARDEN_STATE_DIR ?? ".warden");
const port = Number(process.env.PORT ?? 8787);
const baseUrl = `http://127.0.0.1:${port}`;
const localFile = join(stateDir, "local.json");
const secretsFile = join(stateDir, "secrets.env");
const varsFile = join(stateDir, "vars.env");

const random = (bytes) => randomBytes(bytes).toString("base64url");

function loadOrCreateLocal() {
  mkdirSync(stateDir, { recursive: true });
  const saved = existsSync(localFile) ? JSON.parse(readFileSync(localFile, "utf8")) : {};
  const local = {
    adminToken: saved.adminToken ?? random(32),
    // Okta-style client id: "0oa" and 17 more characters.
    clientId: saved.clientId ?? `0oa${randomBytes(16).toString("hex").slice(0, 17)}`,
    clientSecret: saved.clientSecret ?? random(32),
    keyEncryptionKey: saved.keyEncryptionKey ?? random(32),
  };
  writeFileSync(
    secretsFile,
    `ADMIN_API_TOKEN=${local.adminToken}\nKEY_ENCRYPTION_KEY=${local.keyEncryptionKey}\n`,
    { mode: 0o600 },
  );
  return local;
}

/**
 * Waits for the Worker and tells whether the demo server exists. It asks the admin API, which reads
 * the control plane: probing `/oauth2/default` instead would leave a cached "not found" in the
 * isolate for a few seconds after seeding.
 */
async function waitUntilReady(child, local) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${baseUrl}/api/v1/authorizationServers/default/credentials/keys`, {
        headers: { Authorization: `SSWS ${local.adminToken}` },
      });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 404) return res.status === 200;
      throw new Error(`unexpected ${res.status} from the admin API`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("unexpected")) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Warden did not answer on ${baseUrl} within 60 s`);
}

async function seed(local) {
  const res = await fetch(`${baseUrl}/api/v1/warden/import`, {
    method: "POST",
    headers: { Authorization: `SSWS ${local.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(demoConfig(local)),
  });
  if (!res.ok) throw new Error(`seeding the demo configuration failed: ${res.status} ${await res.text()}`);
}

function banner(local) {
  const issuer = `${baseUrl}/oauth2/default`;
  const basic = Buffer.from(`${local.clientId}:${local.clientSecret}`).toString("base64");
  console.log(`
  Warden is running at ${baseUrl}

  issuer         ${issuer}
  client id      ${local.clientId}
  client secret  ${local.clientSecret}
  admin token    ${local.adminToken}   (Authorization: SSWS <token>)
  saved to       ${localFile}

  Get a first token:

  curl -s ${issuer}/v1/token \\
    -H 'Authorization: Basic ${basic}' \\
    -d grant_type=client_credentials -d scope=orders:read

  JWKS: ${issuer}/v1/keys    discovery: ${issuer}/.well-known/openid-configuration
`);
}

const local = loadOrCreateLocal();
const wrangler = join(root, "node_modules", ".bin", "wrangler");

// System log: the D1 schema (migrations/) in the same local state `wrangler dev` persists to.
const migrated = spawnSync(
  wrangler,
  ["d1", "migrations", "apply", "DIRECTORY", "--local", "--persist-to", join(stateDir, "state")],
  {
    cwd: root,
    stdio: ["ignore", process.env.WARDEN_QUIET === "1" ? "ignore" : "inherit", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  },
);
if (migrated.status !== 0) {
  console.error("applying the D1 migrations failed");
  process.exit(1);
}
const child = spawn(
  wrangler,
  [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    join(stateDir, "state"),
    "--env-file",
    secretsFile,
    // Local development: loopback hook and jwks_uri targets, loopback issuer host names (DESIGN §8).
    "--var",
    "LOCAL_DEVELOPMENT:true",
    ...(existsSync(varsFile) ? ["--env-file", varsFile] : []),
    "--inspector-port",
    "0",
    "--show-interactive-dev-session=false",
    "--log-level",
    process.env.WARDEN_LOG_LEVEL ?? "warn",
  ],
  {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

try {
  const seeded = await waitUntilReady(child, local);
  if (!seeded) await seed(local);
  // The key-encryption key must survive restarts too: the persisted keysets are sealed under it.
  const saved = { baseUrl, issuer: `${baseUrl}/oauth2/default`, ...local };
  writeFileSync(localFile, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  if (process.env.WARDEN_QUIET !== "1") banner(local);
  else console.log(`warden ready ${baseUrl}`);
} catch (error) {
  console.error(String(error));
  child.kill("SIGTERM");
  process.exitCode = 1;
}
