/// <reference types="node" />
/**
 * Config as code end to end: the real `warden` CLI (bin/warden.mjs, a child process) against a real
 * `npm start`, on an instance of its own because apply --prune deletes whatever the file lacks.
 * export → plan (no changes) → edit → plan (the exact diff) → apply → plan (no changes), the change
 * seen by the token endpoint, a pruning apply, and files Warden must refuse without changing anything.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import {
  basicAuth,
  freePort,
  makeStateDir,
  ROOT,
  removeStateDir,
  startWarden,
  type WardenProcess,
} from "./warden";

let warden: WardenProcess | undefined;
let stateDir: string;
let workDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `warden …` as a user runs it: node_modules/.bin first on the PATH, URL and token from the environment. */
function cli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<Run> {
  const local = warden?.local;
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, "bin", "warden.mjs"), ...args],
      {
        cwd: options.cwd ?? workDir,
        env: {
          ...process.env,
          PATH: `${join(ROOT, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
          WARDEN_URL: local?.baseUrl ?? "",
          WARDEN_TOKEN: local?.adminToken ?? "",
          ...options.env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : undefined;
        if (code === undefined) reject(error);
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin ?? "");
  });
}

/** What `plan`, and `apply` with nothing to do, answer for a file Warden already matches. */
const NO_CHANGES: Run = { code: 0, stdout: "No changes.\n", stderr: "" };

const path = (name: string) => join(workDir, name);
const read = (name: string) => readFileSync(path(name), "utf8");
/** The 1-based line of the file's first line containing `text`. */
const lineOf = (name: string, text: string) =>
  read(name)
    .split("\n")
    .findIndex((line) => line.includes(text)) + 1;
/** A Warden URL nothing listens on. */
const closedUrl = async () => `http://127.0.0.1:${await freePort()}`;

/** Edits a YAML file the way a person would, keeping its comment and layout. */
function editYaml(from: string, to: string, edit: (doc: ReturnType<typeof parseDocument>) => void): void {
  const doc = parseDocument(read(from));
  edit(doc);
  writeFileSync(path(to), doc.toString({ lineWidth: 0 }));
}

async function liveExport(): Promise<unknown> {
  const local = warden?.local;
  const res = await fetch(`${local?.baseUrl}/api/v1/warden/export`, {
    headers: { Authorization: `SSWS ${local?.adminToken}` },
  });
  expect(res.status).toBe(200);
  return res.json();
}

async function demoToken(scope: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const local = warden?.local;
  if (!local) throw new Error("no warden");
  const res = await fetch(`${local.issuer}/v1/token`, {
    method: "POST",
    headers: {
      Authorization: basicAuth(local.clientId, local.clientSecret),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  stateDir = makeStateDir();
  workDir = mkdtempSync(join(tmpdir(), "warden-cli-e2e-"));
  warden = await startWarden({ stateDir, port: await freePort() });
});

afterAll(async () => {
  await warden?.stop();
  removeStateDir(stateDir);
  rmSync(workDir, { recursive: true, force: true });
});

describe("warden export → plan → edit → plan → apply → plan", () => {
  it("exports the live configuration, without secrets, pointing editors at the schema", async () => {
    const run = await cli(["export", "-o", "warden.yaml"]);
    expect(run).toMatchObject({ code: 0, stdout: "" });
    // npm start's demo: the service client, the sample SPA and web app, the admin console's client
    // (README "Admin console"), and the SPA's trusted origin.
    expect(run.stderr).toBe(
      "Wrote 1 authorization server, 4 clients, 0 inline hooks and 1 trusted origin to warden.yaml\n",
    );
    const text = read("warden.yaml");
    const schema = relative(workDir, join(ROOT, "schema", "warden.schema.json"));
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=${schema}`);
    expect(text).toContain(`client_id: ${warden?.local.clientId}`);
    expect(text).not.toContain(warden?.local.clientSecret);
    expect(text).not.toMatch(/secret/i);
  });

  it("plans no changes for the file it just exported (exit 0)", async () => {
    expect(await cli(["plan", "-f", "warden.yaml"])).toEqual(NO_CHANGES);
  });

  it("plans exactly the edit: a new scope, a rule granting it with a shorter lifetime (exit 2)", async () => {
    editYaml("warden.yaml", "edited.yaml", (doc) => {
      doc.addIn(["authorizationServers", 0, "scopes"], {
        id: "scp-orders-admin",
        name: "orders:admin",
        description: "Administer orders",
      });
      doc.addIn(
        ["authorizationServers", 0, "policies", 0, "rules", 0, "conditions", "scopes", "include"],
        "orders:admin",
      );
      doc.setIn(["authorizationServers", 0, "policies", 0, "rules", 0, "actions"], {
        token: { accessTokenLifetimeMinutes: 30 },
      });
    });
    const run = await cli(["plan", "-f", "edited.yaml"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      [
        '+ create scope "orders:admin" (authorization server "default")',
        '    id: "scp-orders-admin"',
        '    name: "orders:admin"',
        '    description: "Administer orders"',
        '~ update rule "rul-client-credentials" (authorization server "default", policy "pol-demo-services")',
        '    conditions.scopes.include: ["orders:read", "orders:write"] → ["orders:admin", "orders:read", "orders:write"]',
        "    actions.token.accessTokenLifetimeMinutes: 60 → 30",
        "",
        "Plan: 1 to create, 1 to update, 0 to delete.",
        "",
      ].join("\n"),
    );
    expect(run.code).toBe(2);
  });

  it("applies it, after which the plan is empty again (idempotent)", async () => {
    const run = await cli(["apply", "-f", "edited.yaml", "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Plan: 1 to create, 1 to update, 0 to delete.\n\nApplied.\n");
    expect(run.stdout).toMatch(/^ {2}authorization server "default": version \d+$/m);
    // Only what changed is sent: the client was not touched.
    expect(run.stdout).not.toContain("client ");
    expect(await cli(["plan", "-f", "edited.yaml"])).toEqual(NO_CHANGES);
    expect(await cli(["apply", "-f", "edited.yaml", "--yes"])).toEqual(NO_CHANGES);
  });

  it("shows the applied change in a real token request", async () => {
    // The token path reads the snapshot through the isolate cache (CONFIG_CACHE_TTL_SECONDS = 30).
    const deadline = Date.now() + 45_000;
    let token = await demoToken("orders:admin");
    while (token.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      token = await demoToken("orders:admin");
    }
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ scope: "orders:admin", expires_in: 1800, token_type: "Bearer" });
  }, 60_000);
});

describe("warden apply --prune", () => {
  it("creates a client from the file and prints its generated secret once", async () => {
    editYaml("edited.yaml", "with-extra.yaml", (doc) => {
      doc.addIn(["clients"], { client_id: "cli-e2e-reports", client_name: "Reports" });
    });
    const run = await cli(["apply", "-f", "with-extra.yaml", "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '+ create client "cli-e2e-reports"\n    client_id: "cli-e2e-reports"\n    client_name: "Reports"\n',
    );
    expect(run.stdout).toContain('  client "cli-e2e-reports": created\n');
    expect(run.stdout).toMatch(
      /\nNew client secrets, shown this once \(Warden keeps only their hashes\):\n {2}cli-e2e-reports: [A-Za-z0-9_-]{43}\n$/,
    );
    expect(JSON.stringify(await liveExport())).toContain("cli-e2e-reports");
  });

  it("keeps what the file no longer has unless --prune, then deletes it", async () => {
    const kept = await cli(["plan", "-f", "edited.yaml"]);
    expect(kept).toEqual({
      code: 0,
      stdout:
        '= keep client "cli-e2e-reports": not in file, kept (--prune deletes it)\n\nNo changes. 1 not in the file, kept.\n',
      stderr: "",
    });
    const planned = await cli(["plan", "-f", "edited.yaml", "--prune"]);
    expect(planned).toEqual({
      code: 2,
      stdout: '- delete client "cli-e2e-reports"\n\nPlan: 0 to create, 0 to update, 1 to delete.\n',
      stderr: "",
    });
    const applied = await cli(["apply", "-f", "edited.yaml", "--prune", "--yes"]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('  client "cli-e2e-reports": deleted\n');
    expect(JSON.stringify(await liveExport())).not.toContain("cli-e2e-reports");
    expect(await cli(["plan", "-f", "edited.yaml", "--prune"])).toEqual(NO_CHANGES);
  });
});

describe("files Warden must refuse, changing nothing", () => {
  it("stops an invalid file before any request, naming file, line, field and rule", async () => {
    editYaml("edited.yaml", "invalid.yaml", (doc) => {
      doc.setIn(
        [
          "authorizationServers",
          0,
          "policies",
          0,
          "rules",
          0,
          "actions",
          "token",
          "accessTokenLifetimeMinutes",
        ],
        2000,
      );
      doc.setIn(["authorizationServers", 0, "tokenProfile"], "jwt");
    });
    const before = await liveExport();
    // A URL nothing listens on proves the file is refused before any request is made.
    const run = await cli(["apply", "-f", "invalid.yaml", "--yes"], {
      env: { WARDEN_URL: await closedUrl() },
    });
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: [
        "warden: invalid.yaml is invalid (2 problems)",
        `  invalid.yaml:${lineOf("invalid.yaml", "tokenProfile: jwt")}:5 authorizationServers[0].tokenProfile: Invalid option: expected one of "okta"|"rfc9068"`,
        `  invalid.yaml:${lineOf("invalid.yaml", "accessTokenLifetimeMinutes: 2000")}:17 authorizationServers[0].policies[0].rules[0].actions.token.accessTokenLifetimeMinutes: Too big: expected number to be <=1440`,
        "  Nothing was sent to Warden.",
        "",
      ].join("\n"),
    });
    expect(await liveExport()).toEqual(before);
  });

  it("fails the plan when Warden's dry run refuses a reference, at the file's line", async () => {
    editYaml("edited.yaml", "dangling.yaml", (doc) => {
      doc.setIn(
        ["authorizationServers", 0, "policies", 0, "conditions", "clients", "include"],
        ["0oa-no-such-client"],
      );
    });
    const before = await liveExport();
    const run = await cli(["plan", "-f", "dangling.yaml"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('~ update policy "pol-demo-services" (authorization server "default")\n');
    expect(run.stderr).toMatch(/^warden: Warden refused the configuration \(E0000001 .*\)\n/);
    expect(run.stderr).toContain(
      `  dangling.yaml:${lineOf("dangling.yaml", "0oa-no-such-client")}:17 authorizationServers[0].policies[0].conditions.clients.include[0]: client '0oa-no-such-client' does not exist\n`,
    );
    const applied = await cli(["apply", "-f", "dangling.yaml", "--yes"]);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(/\n {2}Nothing was changed\.\n$/);
    expect(await liveExport()).toEqual(before);
  });

  it("reads JSON from stdin, and answers a bad token and an unreachable Warden with exit 1", async () => {
    const json = await cli(["export", "--format", "json"]);
    expect(json.code).toBe(0);
    expect(await cli(["plan", "-f", "-"], { stdin: json.stdout })).toEqual(NO_CHANGES);

    const badToken = await cli(["plan", "-f", "edited.yaml"], { env: { WARDEN_TOKEN: "not-a-token" } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(
      /^warden: Warden refused the admin token \(401 E0000011 .*\); check --token or WARDEN_TOKEN\n$/,
    );

    const closed = await closedUrl();
    const down = await cli(["plan", "-f", "edited.yaml", "--url", closed]);
    expect(down).toEqual({
      code: 1,
      stdout: "",
      stderr: `warden: cannot reach Warden at ${closed} (ECONNREFUSED); check --url or WARDEN_URL\n`,
    });
  });
});
