#!/usr/bin/env node
/**
 * Serves the sample SPA on 127.0.0.1 (`npm run example:spa`): bundles src/app.ts with
 * okta-auth-js once at start (esbuild, into memory), then answers the page, its script, its style
 * and /config.json — nothing from anywhere else. Every other path is the page (a client-side
 * route such as /login/callback). The CSP lets the page talk to the issuer's origin only.
 *
 * Configuration: ../local-config.mjs (npm start's local.json, or WARDEN_ISSUER, CLIENT_ID, PORT).
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { sampleConfig } from "../local-config.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const config = sampleConfig("spa");

const bundle = await build({
  entryPoints: [join(here, "src", "app.ts")],
  bundle: true,
  write: false,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  logLevel: "warning",
});
const files = {
  "/": { type: "text/html; charset=utf-8", body: readFileSync(join(here, "index.html")) },
  "/app.js": { type: "text/javascript; charset=utf-8", body: bundle.outputFiles[0].contents },
  "/app.css": { type: "text/css; charset=utf-8", body: readFileSync(join(here, "app.css")) },
  "/config.json": {
    type: "application/json",
    body: JSON.stringify({
      issuer: config.issuer,
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      postLogoutRedirectUri: config.postLogoutRedirectUri,
      scopes: ["openid", "profile", "email"],
    }),
  },
};

/**
 * Only this origin's own files run or load; fetches go to itself and the issuer (discovery, token,
 * JWKS, userinfo); navigation to the issuer is a top-level redirect, which CSP does not govern.
 */
const csp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  `connect-src 'self' ${new URL(config.issuer).origin}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", config.origin).pathname;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end();
    return;
  }
  // Browsers ask for it on their own; an empty answer keeps a 404 out of the console.
  if (path === "/favicon.ico") {
    res.writeHead(204).end();
    return;
  }
  const file = files[path] ?? files["/"];
  res.writeHead(200, {
    "Content-Type": file.type,
    "Content-Security-Policy": csp,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    // The callback URL carries the code: it must not leak to anyone in a Referer.
    "Referrer-Policy": "no-referrer",
  });
  res.end(req.method === "HEAD" ? undefined : file.body);
});
server.listen(config.port, "127.0.0.1", () => {
  console.log(`sample SPA on ${config.origin}/ (client ${config.clientId}, issuer ${config.issuer})`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
