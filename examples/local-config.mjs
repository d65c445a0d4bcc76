/**
 * What the sample apps need to know about Warden, from `npm start`'s `.warden/local.json` (or
 * `$WARDEN_STATE_DIR/local.json`), each value overridable from the environment so a sample can
 * point at any Okta-compatible server: WARDEN_ISSUER, and the app's CLIENT_ID, CLIENT_SECRET, PORT.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** `app` is "spa" or "web": the key of its block in local.json. */
export function sampleConfig(app) {
  const stateDir = resolve(root, process.env.WARDEN_STATE_DIR ?? ".warden");
  const file = join(stateDir, "local.json");
  const local = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const seeded = local[app] ?? {};
  const issuer = process.env.WARDEN_ISSUER ?? local.issuer;
  const clientId = process.env.CLIENT_ID ?? seeded.clientId;
  const port = Number(process.env.PORT ?? seeded.port);
  if (!issuer || !clientId || !Number.isInteger(port)) {
    throw new Error(
      `no ${app} sample configuration: run \`npm start\` first (it writes ${file}), ` +
        "or set WARDEN_ISSUER, CLIENT_ID and PORT",
    );
  }
  const origin = `http://127.0.0.1:${port}`;
  return {
    issuer,
    clientId,
    clientSecret: process.env.CLIENT_SECRET ?? seeded.clientSecret,
    port,
    origin,
    // The paths Okta's own samples use; npm start registers them.
    redirectUri: `${origin}${app === "spa" ? "/login/callback" : "/authorization-code/callback"}`,
    postLogoutRedirectUri: `${origin}/`,
  };
}
