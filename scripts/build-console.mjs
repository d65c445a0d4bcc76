#!/usr/bin/env node
/**
 * Builds the admin console (console/, README "Admin console") into `dist/console/`, the Worker's
 * static assets (`[assets]` in wrangler.toml): `admin/index.html` (also copied to `callback.html` and
 * `signed-out.html`, so /admin/callback and /admin/signed-out are files the asset router serves
 * before the Worker runs), `admin/app.js`, `admin/chunks/*.js` (what a screen loads on demand),
 * `admin/app.css` and `_headers` (the CSP and friends, which Workers static assets apply to every
 * asset under /admin/).
 *
 * `npm install` runs it (`prepare`, so CI's `npm ci` then `npm test` finds the bundle), and so does
 * `npm start` before `wrangler dev`, so an edited console is served on the next start. The Worker's
 * own bundle is untouched: assets are not part of it.
 *
 * `--report` prints the sizes (bytes, and gzip -9 bytes as served compressed).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "console");
const out = join(root, "dist", "console");
const admin = join(out, "admin");

/**
 * No inline script or style anywhere (the bundle and the stylesheet are files of this origin), no
 * external asset, nothing may frame the console (clickjacking of write controls), `connect-src`
 * its own origin only (the management API and /oauth2/v1/token), no referrer (the callback's URL
 * holds the authorization code until the app replaces it).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const HEADERS = `# Written by scripts/build-console.mjs: the admin console's response headers.
/admin/*
  Content-Security-Policy: ${CONSOLE_CSP}
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: no-referrer
  Cross-Origin-Opener-Policy: same-origin
  Cross-Origin-Resource-Policy: same-origin
  Cache-Control: no-cache
`;

rmSync(out, { recursive: true, force: true });
mkdirSync(admin, { recursive: true });
await build({
  entryPoints: [join(source, "src", "main.tsx")],
  // The entry stays `admin/app.js` (index.html names it). `splitting` puts what a screen loads with
  // `import()` in a chunk of its own under admin/chunks/ (the claims screen's expression checker,
  // ~17 kB gzipped, more than the rest of the console), so the first screen does not wait for it.
  // Chunks are files of this origin: `script-src 'self'` allows them, as it does app.js.
  outdir: admin,
  entryNames: "app",
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(join(source, "app.css"), join(admin, "app.css"));
for (const page of ["index.html", "callback.html", "signed-out.html"]) {
  copyFileSync(join(source, "index.html"), join(admin, page));
}
writeFileSync(join(out, "_headers"), HEADERS);

if (process.argv.includes("--report")) {
  const chunks = existsSync(join(admin, "chunks")) ? readdirSync(join(admin, "chunks")).sort() : [];
  for (const file of ["app.js", "app.css", "index.html", ...chunks.map((c) => `chunks/${c}`)]) {
    const bytes = readFileSync(join(admin, file));
    console.log(
      `${file.padEnd(30)} ${String(bytes.length).padStart(7)} B  gzip ${gzipSync(bytes, { level: 9 }).length} B`,
    );
  }
}
