#!/usr/bin/env node
/**
 * `npm start`: runs Warden under `wrangler dev` on 127.0.0.1 with local persistence. On first start it
 * creates the local secrets and demo credentials, seeds the demo configuration through the admin API,
 * writes them to `.warden/local.json` and prints a curl for a first token. Later starts reuse them.
 *
 * It also seeds a demo admin (README, "Admin roles": a SUPER_ADMIN directory user, for the admin
 * console's sign-in), a demo user and the two sample apps of `examples/` (README, "Sample apps"): the SPA
 * on PORT+3 and the web app on PORT+4 (8790, 8791: 8788 is the orders-api example's) unless SPA_PORT / WEB_PORT say otherwise. A state directory
 * from before the sign-in demo gets it on its next start; what it already held is kept.
 *
 * Environment: PORT (default 8787), WARDEN_STATE_DIR (default .warden), WARDEN_QUIET=1 (no banner),
 * SPA_PORT, WEB_PORT (first start only: the sample apps' redirect URIs are registered with them).
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
// Okta-style client id: "0oa" and 17 more characters.
const oktaClientId = () => `0oa${randomBytes(16).toString("hex").slice(0, 17)}`;

const DEMO_LOGIN = "demo.user@example.com";
const DEMO_ADMIN_LOGIN = "admin@example.com";

/**
 * A password the default policy takes (src/directory/password-policy.ts: 8+ characters, lower,
 * upper, digit, no part of the username): 16 random base64url characters between fixed ones that
 * supply each class, drawn again in the unlikely case they spell a part of a demo login.
 */
function demoPassword() {
  for (;;) {
    const password = `Wd${random(12)}7k`;
    if (!/demo|user|admin/i.test(password)) return password;
  }
}

/** The sign-in demo's values: the apps' ids, the web app's secret, where the samples listen. */
function signInValues(saved) {
  if (saved) return saved;
  const spaPort = Number(process.env.SPA_PORT ?? port + 3);
  const webPort = Number(process.env.WEB_PORT ?? port + 4);
  const spaOrigin = `http://127.0.0.1:${spaPort}`;
  const webOrigin = `http://127.0.0.1:${webPort}`;
  return {
    demoUser: { login: DEMO_LOGIN, password: demoPassword() },
    spa: {
      clientId: oktaClientId(),
      port: spaPort,
      origin: spaOrigin,
      redirectUri: `${spaOrigin}/login/callback`,
    },
    web: {
      clientId: oktaClientId(),
      clientSecret: random(32),
      port: webPort,
      origin: webOrigin,
      redirectUri: `${webOrigin}/authorization-code/callback`,
    },
  };
}

function loadOrCreateLocal() {
  mkdirSync(stateDir, { recursive: true });
  const saved = existsSync(localFile) ? JSON.parse(readFileSync(localFile, "utf8")) : {};
  const local = {
    adminToken: saved.adminToken ?? random(32),
    clientId: saved.clientId ?? oktaClientId(),
    clientSecret: saved.clientSecret ?? random(32),
    keyEncryptionKey: saved.keyEncryptionKey ?? random(32),
    ...signInValues(
      saved.demoUser?.id ? { demoUser: saved.demoUser, spa: saved.spa, web: saved.web } : undefined,
    ),
    // A state from before admin roles gets its demo admin on its next start.
    demoAdmin: saved.demoAdmin ?? { login: DEMO_ADMIN_LOGIN, password: demoPassword() },
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

async function admin(local, method, path, body) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { Authorization: `SSWS ${local.adminToken}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * A demo directory user, ACTIVE with the saved password: created, or (a state directory whose
 * local.json was lost) found by login and given the password again.
 */
async function seedDemoUser(local, { login, password }, names = { firstName: "Demo", lastName: "User" }) {
  const profile = { login, email: login, ...names };
  const created = await admin(local, "POST", "/users?activate=true", {
    profile,
    credentials: { password: { value: password } },
  });
  if (created.status === 200) return created.body.id;
  const existing = await admin(local, "GET", `/users/${encodeURIComponent(login)}`);
  if (existing.status !== 200) {
    throw new Error(`creating the demo user failed: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const updated = await admin(local, "POST", `/users/${existing.body.id}`, {
    profile,
    credentials: { password: { value: password } },
  });
  if (updated.status !== 200) {
    throw new Error(`resetting the demo user failed: ${updated.status} ${JSON.stringify(updated.body)}`);
  }
  return existing.body.id;
}

/**
 * The user first (the demo rule names it, and a rule may only name users that exist), then one
 * import (an upsert: a state seeded before the sign-in demo keeps its service client), then the
 * assignments (an app must exist before users are assigned to it).
 */
async function seed(local) {
  local.demoUser = { ...local.demoUser, id: await seedDemoUser(local, local.demoUser) };
  const imported = await admin(local, "POST", "/warden/import", demoConfig({ ...local, signIn: local }));
  if (imported.status !== 200) {
    throw new Error(
      `seeding the demo configuration failed: ${imported.status} ${JSON.stringify(imported.body)}`,
    );
  }
  for (const app of [local.spa, local.web]) {
    const assigned = await admin(local, "POST", `/apps/${app.clientId}/users`, {
      id: local.demoUser.id,
      scope: "USER",
    });
    if (assigned.status !== 200) {
      throw new Error(`assigning the demo user failed: ${assigned.status} ${JSON.stringify(assigned.body)}`);
    }
  }
}

/**
 * The demo admin: a directory user holding SUPER_ADMIN (Okta's Role Assignment API), the account
 * the admin console signs in with. A role it holds already (409 E0000090) is as good as a new one.
 */
async function seedDemoAdmin(local) {
  const id = await seedDemoUser(local, local.demoAdmin, { firstName: "Demo", lastName: "Admin" });
  const assigned = await admin(local, "POST", `/users/${id}/roles`, { type: "SUPER_ADMIN" });
  if (assigned.status !== 201 && assigned.body?.errorCode !== "E0000090") {
    throw new Error(
      `making the demo admin SUPER_ADMIN failed: ${assigned.status} ${JSON.stringify(assigned.body)}`,
    );
  }
  local.demoAdmin = { ...local.demoAdmin, id };
}

// --- Admin console (console/, README "Admin console") ---
/** The console's client id: fixed, because the static bundle is built before any deployment exists. */
const CONSOLE_CLIENT_ID = "warden-admin-console";
/** The okta.* scopes the console asks for (console/src/config.ts): its screens' resources. */
const CONSOLE_GRANTS = ["authorizationServers", "apps", "users", "groups", "inlineHooks"]
  .flatMap((resource) => [`okta.${resource}.manage`, `okta.${resource}.read`])
  .concat("okta.logs.read", "okta.roles.read");

/**
 * The admin console's OAuth client at the org server: public (PKCE, no secret), its callback and
 * sign-out pages on this origin (127.0.0.1 and localhost: a browser may use either name), granted
 * the okta.* scopes its screens need; the demo admin is assigned to it (the org server signs in
 * assigned users only). An upsert, run at every start: PORT may differ from the last one.
 */
async function seedConsole(local) {
  const origins = [baseUrl, `http://localhost:${port}`];
  const imported = await admin(local, "POST", "/warden/import", {
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        client_name: "Warden Admin Console",
        application_type: "browser",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        redirect_uris: origins.map((o) => `${o}/admin/callback`),
        post_logout_redirect_uris: origins.map((o) => `${o}/admin/signed-out`),
        grants: CONSOLE_GRANTS.map((scopeId) => ({ scopeId })),
      },
    ],
  });
  if (imported.status !== 200) {
    throw new Error(`seeding the admin console failed: ${imported.status} ${JSON.stringify(imported.body)}`);
  }
  const assigned = await admin(local, "POST", `/apps/${CONSOLE_CLIENT_ID}/users`, {
    id: local.demoAdmin.id,
    scope: "USER",
  });
  if (assigned.status !== 200) {
    throw new Error(`assigning the demo admin failed: ${assigned.status} ${JSON.stringify(assigned.body)}`);
  }
  local.console = { clientId: CONSOLE_CLIENT_ID, url: `${baseUrl}/admin/` };
}
// --- end admin console ---

/** An authorization request for the web app (Okta requires `state`; PKCE is optional for it). */
function authorizeUrl(issuer, web) {
  const query = new URLSearchParams({
    client_id: web.clientId,
    response_type: "code",
    scope: "openid profile email",
    redirect_uri: web.redirectUri,
    state: "demo",
  });
  return `${issuer}/v1/authorize?${query}`;
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

  Demo admin (SUPER_ADMIN, README "Admin roles"): open the admin console and sign in with it

  admin console  ${baseUrl}/admin/
  admin login    ${local.demoAdmin.login}
  admin password ${local.demoAdmin.password}

  Sign in as the demo user (README, "Sample apps"):

  username       ${local.demoUser.login}
  password       ${local.demoUser.password}

  npm run example:spa    then open ${local.spa.origin}/    (okta-auth-js, PKCE)
  npm run example:web    then open ${local.web.origin}/    (openid-client, PKCE + secret)

  or open the hosted sign-in page directly (the web app's redirect; nothing listens there unless
  the sample runs, but the address bar shows the code):

  ${authorizeUrl(issuer, local.web)}

  or through the org authorization server (issuer ${baseUrl}; the admin console's sign-in):

  ${authorizeUrl(`${baseUrl}/oauth2`, local.web)}
`);
}

const local = loadOrCreateLocal();
const wrangler = join(root, "node_modules", ".bin", "wrangler");

// The admin console's static assets (wrangler.toml [assets]): built again so an edited console is served.
const built = spawnSync(process.execPath, [join(root, "scripts", "build-console.mjs")], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
});
if (built.status !== 0) {
  console.error("building the admin console failed");
  process.exit(1);
}

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
  const serverExists = await waitUntilReady(child, local);
  // A new state, or one seeded before the sign-in demo existed (its local.json has no demo user id).
  if (!serverExists || !local.demoUser.id) await seed(local);
  if (!serverExists || !local.demoAdmin.id) await seedDemoAdmin(local);
  await seedConsole(local);
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
