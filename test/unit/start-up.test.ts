/**
 * DESIGN §10: start-up CPU is paid at every new location, so loading the Worker must not evaluate
 * what the token path does not use: the management API (its routes, OpenAPI document and zod
 * schemas) and the control plane load on first use (src/app.ts, src/control-plane/lazy-control-plane.ts).
 * Nor parse it: V8 parses every module workerd loads, so the build (scripts/build.mjs, what wrangler
 * uploads) puts each lazy part in a module of its own, compiled on its first import (issue 13 item 5).
 *
 * Not a timing: the Worker entry is built by scripts/build.mjs itself, every source module marked so
 * that it records its own evaluation, and the build imported. The test names the modules that ran,
 * and, from esbuild's metafile, the modules that the start-up's modules contain.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { Metafile, Plugin } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorker } from "../../scripts/build.mjs";
import { Client, ServerConfig, type ServerConfigInput } from "../../src/config/schemas";
import type { customServer } from "../../src/oauth/custom-server";
import { policy, rule, SERVER, STANDARD_SCOPES } from "./policy-fixtures";

const ROOT = join(import.meta.dirname, "..", "..");
const RECORD = "__wardenEvaluatedModules";
/** Paths Hono registered (its `#addRoute`), marked by the build below. */
const ROUTES = "__wardenRegisteredRoutes";
/** The head of Hono's `#addRoute` (hono/dist/hono-base.js): the mark goes right after it. */
const ADD_ROUTE = /#addRoute\(method, path, handler[^)]*\) \{/;
const dir = mkdtempSync(join(tmpdir(), "warden-start-up-"));

/** Modules evaluated by loading the Worker entry, as paths from the repository root. */
let evaluated: string[];
/** Source modules inside the output modules workerd loads at start-up (the entry's static imports). */
let parsedAtStartUp: string[];
/** Source modules inside the output modules loaded only on first use (dynamic imports). */
let parsedOnFirstUse: string[];
let output: string;
let worker: { default: { fetch: (request: Request, env: unknown) => Promise<Response> } };
/** Whether the route mark found Hono's `#addRoute` (else the route assertions would prove nothing). */
let routesMarked = false;
/** Routes registered by loading the Worker entry. */
let registeredAtStartUp: string[];

const sourceName = (path: string) => path.replace(/^.*node_modules\//, "node_modules/");

/** Outputs reachable from `entry` by static imports, and the rest. */
function splitOutputs(metafile: Metafile, entry: string): { startUp: string[]; lazy: string[] } {
  const seen = new Set<string>();
  const queue = [entry];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    for (const { path, kind } of metafile.outputs[next]?.imports ?? [])
      if (kind === "import-statement" && path in metafile.outputs) queue.push(path);
  }
  const all = Object.keys(metafile.outputs);
  return { startUp: [...seen], lazy: all.filter((o) => !seen.has(o)) };
}

/** The build's plugins for these tests: `cloudflare:workers` as a plain class, every module marked. */
function markingPlugins(): Plugin[] {
  return [
    {
      name: "cloudflare-workers-stub",
      setup(b) {
        b.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: "stub", namespace: "cf" }));
        b.onLoad({ filter: /.*/, namespace: "cf" }, () => ({
          contents:
            "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }",
          loader: "js",
        }));
      },
    },
    {
      name: "record-evaluation",
      setup(b) {
        b.onLoad({ filter: /\.(ts|js|mjs)$/ }, (args) => {
          const name = sourceName(relative(ROOT, args.path));
          const mark = `(globalThis.${RECORD} ??= []).push(${JSON.stringify(name)});\n`;
          let source = readFileSync(args.path, "utf8");
          if (name === "node_modules/hono/dist/hono-base.js" && ADD_ROUTE.test(source)) {
            routesMarked = true;
            source = source.replace(ADD_ROUTE, (head) => `${head} (globalThis.${ROUTES} ??= []).push(path);`);
          }
          return {
            contents: mark + source,
            loader: args.path.endsWith(".ts") ? "ts" : "js",
            resolveDir: join(args.path, ".."),
          };
        });
      },
    },
  ];
}

beforeAll(async () => {
  const outdir = join(dir, "dist");
  const result = await buildWorker({ outdir, plugins: markingPlugins() });
  const { metafile } = result;
  const entry = Object.keys(metafile.outputs).find((o) => o.endsWith("/index.mjs"));
  if (!entry) throw new Error("the build has no index.mjs");
  const { startUp, lazy } = splitOutputs(metafile, entry);
  const inputsOf = (outputs: string[]) =>
    outputs.flatMap((o) => Object.keys(metafile.outputs[o]?.inputs ?? {}).map(sourceName));
  parsedAtStartUp = inputsOf(startUp);
  parsedOnFirstUse = inputsOf(lazy);
  output = startUp.map((o) => readFileSync(join(ROOT, o), "utf8")).join("\n");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
  const record = globalThis as unknown as Record<string, string[] | undefined>;
  record[RECORD] = [];
  record[ROUTES] = [];
  worker = await import(/* @vite-ignore */ pathToFileURL(join(outdir, "index.mjs")).href);
  evaluated = [...(record[RECORD] ?? [])];
  registeredAtStartUp = [...(record[ROUTES] ?? [])];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Worker start-up", () => {
  it("evaluates the token path", () => {
    // The marks work: what a token needs is there.
    for (const module of ["src/index.ts", "src/app.ts", "src/oauth/token.ts", "src/keys/key-store.ts"])
      expect(evaluated).toContain(module);
  });

  it("does not evaluate the management API, the control plane or any zod schema", () => {
    const eager = (pattern: RegExp) => evaluated.filter((m) => pattern.test(m));
    expect(eager(/^src\/admin\//)).toEqual([]);
    expect(eager(/^src\/control-plane\/(?!lazy-control-plane\.ts$)/)).toEqual([]);
    expect(eager(/^src\/config\/(schemas|issues)\.ts$/)).toEqual([]);
    expect(eager(/^node_modules\/zod\//)).toEqual([]);
  });

  it("leaves the management API, the control plane and zod out of the modules loaded at start-up", () => {
    // What is not evaluated is not parsed either: each lazy part is a module of its own.
    const eager = (pattern: RegExp) => parsedAtStartUp.filter((m) => pattern.test(m));
    expect(eager(/^src\/admin\//)).toEqual([]);
    expect(eager(/^src\/control-plane\/(?!lazy-control-plane\.ts$)/)).toEqual([]);
    expect(eager(/^src\/config\/(schemas|issues)\.ts$/)).toEqual([]);
    expect(eager(/^node_modules\/zod\//)).toEqual([]);
    // The hosted pages (src/signin/router.ts loads them on their first request).
    expect(eager(/^src\/signin\/(authorize|activate|authn|logout|consent|pages)\.ts$/)).toEqual([]);
    // …and shipped beside it, loaded on first use.
    expect(parsedOnFirstUse).toContain("src/admin/router.ts");
    expect(parsedOnFirstUse).toContain("src/control-plane/control-plane.ts");
    expect(parsedOnFirstUse).toContain("src/signin/authorize.ts");
    // The marks' own check: the token path is in the start-up modules.
    expect(parsedAtStartUp).toContain("src/oauth/token.ts");
  });

  it("serves a first token request from the token endpoints' own app: two routes registered", async () => {
    // Most new isolates start on a token request: it must not pay for registering every route
    // (src/app.ts isolateHandler). Runs before any other request of this file reaches the Worker.
    expect(registeredAtStartUp).toEqual([]);
    const record = globalThis as unknown as Record<string, string[]>;
    const res = await worker.default.fetch(
      new Request("https://warden.test/oauth2/default/v1/token", { method: "POST" }),
      {},
    );
    // Without bindings the server cannot be looked up: the protocol surface's own 500, not the
    // app's 404 (E0000007), so the token route matched.
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: "server_error" });
    expect(record[ROUTES]).toEqual(["/oauth2/v1/token", "/oauth2/:as/v1/token"]);
  });

  it("registers no route at start-up: the app is built by the first request", async () => {
    // Registering every route (Hono's #addRoute, its path parsing and trie) was most of what module
    // evaluation ran (bench/results/cold-start.md); src/index.ts builds the app on the first request.
    expect(routesMarked).toBe(true);
    expect(registeredAtStartUp).toEqual([]);
    const record = globalThis as unknown as Record<string, string[]>;
    const res = await worker.default.fetch(new Request("https://warden.test/nowhere"), {});
    expect(res.status).toBe(404);
    const registered = record[ROUTES] ?? [];
    // As Hono's #addRoute receives them: below a sub-router's mount point, or the org server's full path.
    expect(registered).toContain("/v1/token");
    expect(registered).toContain("/oauth2/v1/token");
    // Once per isolate: a second request registers nothing more.
    const count = registered.length;
    await (await worker.default.fetch(new Request("https://warden.test/nowhere"), {})).arrayBuffer();
    expect(record[ROUTES]?.length).toBe(count);
  });

  it("leaves introspection, revocation, device authorization and the log's queue consumer out of start-up", () => {
    // Not on the client_credentials path: each loads on its first request, batch or cron.
    const lazy = [
      "src/oauth/introspect.ts",
      "src/oauth/revoke.ts",
      "src/oauth/device-authorize.ts",
      "src/log/consumer.ts",
      "src/log/retention.ts",
      "src/signin/session-sweep.ts",
    ];
    for (const module of lazy) {
      expect(parsedAtStartUp).not.toContain(module);
      expect(evaluated).not.toContain(module);
      expect(parsedOnFirstUse).toContain(module);
    }
  });

  it("leaves the directory adapter and the claims expression language out of start-up", () => {
    // Neither is on the client_credentials path: the directory loads on a user grant's first call
    // (src/directory/lazy-directory.ts), the language on the first token with a claim that applies
    // (src/claims/lazy-resolve.ts). About 150 KB of the start-up modules (bench/results/cold-start.md).
    const lazy = [
      "src/directory/d1-directory.ts",
      "src/directory/users.ts",
      "src/directory/user-query.ts",
      "src/directory/sign-in.ts",
      "src/directory/password-hash.ts",
      "src/claims/resolve.ts",
      "src/claims/expression/parser.ts",
      "src/claims/expression/compiler.ts",
      "src/claims/expression/regex.ts",
    ];
    for (const module of lazy) {
      expect(parsedAtStartUp).not.toContain(module);
      expect(evaluated).not.toContain(module);
      expect(parsedOnFirstUse).toContain(module);
    }
    expect(parsedAtStartUp.filter((m) => m.startsWith("src/claims/expression/"))).toEqual([]);
    // The wrappers themselves are what start-up holds.
    expect(parsedAtStartUp).toContain("src/directory/lazy-directory.ts");
    expect(parsedAtStartUp).toContain("src/claims/lazy-resolve.ts");
  });

  it("is built without a __name() call per function (keepNames off)", () => {
    // esbuild's keepNames, wrangler's default, wraps every function in a `__name(fn, "…")` call at
    // module evaluation: about a quarter of the Worker's start-up CPU (bench:startup, issue 13).
    expect(output).not.toMatch(/\b__name\(/);
  });

  it("is what wrangler uploads (wrangler.toml: the build's modules, not wrangler's bundle)", () => {
    // wrangler's bundler would inline every dynamic import into the one module it uploads.
    const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const topLevel = toml.slice(0, toml.search(/^\[/m));
    expect(topLevel).toMatch(/^main\s*=\s*"dist\/worker\/index\.mjs"\s*$/m);
    expect(topLevel).toMatch(/^no_bundle\s*=\s*true\s*$/m);
    expect(topLevel).toMatch(/^find_additional_modules\s*=\s*true\s*$/m);
    expect(toml).toMatch(/^command\s*=\s*"node scripts\/build\.mjs"\s*$/m);
  });

  it("loads the management API on its first request", async () => {
    const before = new Set(evaluated);
    const res = await worker.default.fetch(new Request("https://warden.test/api/v1/openapi.json"), {});
    await res.arrayBuffer();
    const loaded = ((globalThis as unknown as Record<string, string[]>)[RECORD] ?? []).filter(
      (m) => !before.has(m),
    );
    expect(loaded).toContain("src/admin/router.ts");
    expect(loaded).toContain("src/config/schemas.ts");
  });
});

/**
 * The token path's claims step, built as the Worker is (code splitting, every module marked): what
 * a client_credentials token loads depends on the server's claims, not on the Worker having a
 * language (issue 13 item 5: "a server without expression claims must not pay for it").
 */
type ClaimInput = NonNullable<ServerConfigInput["claims"]>[number];

describe("a token's custom claims, loaded on first use", () => {
  let probe: { customServer: typeof customServer };
  /** Modules evaluated by importing the token path's claims step. */
  let atImport: string[];
  const ISSUER = "https://warden.test/oauth2/aus_test";
  const NOW = 2_000_000_000;
  const client = Client.parse({
    client_id: "client-a",
    client_name: "Client A",
    token_endpoint_auth_method: "client_secret_basic",
    grant_types: ["client_credentials"],
  });

  beforeAll(async () => {
    const entry = join(dir, "probe.ts");
    writeFileSync(
      entry,
      `export { customServer } from ${JSON.stringify(join(ROOT, "src", "oauth", "custom-server.ts"))};\n`,
    );
    const outdir = join(dir, "probe");
    await buildWorker({ entry, outdir, plugins: markingPlugins() });
    const record = globalThis as unknown as Record<string, string[]>;
    const before = record[RECORD]?.length ?? 0;
    probe = await import(/* @vite-ignore */ pathToFileURL(join(outdir, "index.mjs")).href);
    atImport = (record[RECORD] ?? []).slice(before);
  });

  const server = (claims: ClaimInput[]) =>
    ServerConfig.parse({
      server: SERVER,
      scopes: STANDARD_SCOPES,
      policies: [policy("p1", 1, [rule("r1", 1)])],
      claims,
    });
  const claim = (name: string, extra: Partial<ClaimInput> = {}): ClaimInput => ({
    id: `ocl_${name}`,
    name,
    claimType: "RESOURCE",
    valueType: "EXPRESSION",
    value: `"${name}-value"`,
    ...extra,
  });

  /** A client_credentials token's claim set, and the modules evaluated while it was built. */
  async function token(config: ServerConfig, scopes: string[]) {
    const record = globalThis as unknown as Record<string, string[]>;
    const before = record[RECORD]?.length ?? 0;
    const authority = probe.customServer(config, ISSUER);
    const request = { grantType: "client_credentials" as const, client, requestedScopes: scopes };
    const built = await authority.buildClaims(request, authority.decide(request), NOW);
    return {
      payload: built.token.payload as Record<string, unknown>,
      loaded: (record[RECORD] ?? []).slice(before),
    };
  }

  const language = (loaded: string[]) =>
    loaded.filter((m) => m === "src/claims/resolve.ts" || m.startsWith("src/claims/expression/"));

  it("loads no expression language for a server without custom claims", async () => {
    expect(atImport).toContain("src/oauth/custom-server.ts");
    expect(language(atImport)).toEqual([]);
    const { payload, loaded } = await token(server([]), ["read"]);
    expect(payload.cid).toBe("client-a");
    expect(payload.scp).toEqual(["read"]);
    expect(language(loaded)).toEqual([]);
    expect(loaded.filter((m) => m.startsWith("src/directory/"))).toEqual([]);
  });

  it("nor for claims that cannot go into this token (inactive, IDENTITY, another scope)", async () => {
    const config = server([
      claim("off", { status: "INACTIVE" }),
      claim("idonly", { claimType: "IDENTITY" }),
      claim("adminonly", { conditions: { scopes: ["admin"] } }),
    ]);
    const { payload, loaded } = await token(config, ["read"]);
    expect(language(loaded)).toEqual([]);
    expect(payload).not.toHaveProperty("off");
    expect(payload).not.toHaveProperty("idonly");
    expect(payload).not.toHaveProperty("adminonly");
  });

  it("loads it for the first claim that applies, resolves it, and only once per isolate", async () => {
    const config = server([claim("tier"), claim("adminonly", { conditions: { scopes: ["admin"] } })]);
    const first = await token(config, ["read"]);
    expect(first.payload.tier).toBe("tier-value");
    expect(first.payload).not.toHaveProperty("adminonly");
    expect(first.loaded).toContain("src/claims/resolve.ts");
    expect(first.loaded).toContain("src/claims/expression/parser.ts");
    // A scope condition one of the granted scopes meets counts (Okta: any of them).
    const second = await token(config, ["read", "admin"]);
    expect(second.payload).toMatchObject({ tier: "tier-value", adminonly: "adminonly-value" });
    expect(language(second.loaded)).toEqual([]);
  });
});
