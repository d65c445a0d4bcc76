/// <reference types="node" />
/**
 * `warden users import` end to end: the real CLI (bin/warden.mjs, a child process) against the
 * shared `npm start`, through Okta's Users API. A CSV file as a spreadsheet saves it (BOM, CRLF,
 * quoted commas and line breaks, a custom attribute, passwords, a group that does not exist) is loaded, the users are read
 * back; a second run updates the profiles of the logins that exist; JSON comes in on stdin; and files
 * or tokens that must be refused change nothing.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "./warden";

const warden = inject("warden");
let workDir: string;
/** Logins unique to this run: the shared instance keeps its users. */
const run = `imp${Date.now().toString(36)}`;
const login = (n: number) => `${run}.user${n}@example.com`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, "bin", "warden.mjs"), ...args],
      {
        cwd: workDir,
        env: { ...process.env, WARDEN_URL: warden.baseUrl, WARDEN_TOKEN: warden.adminToken, ...options.env },
        timeout: 120_000,
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

// biome-ignore lint/suspicious/noExplicitAny: tests read Okta's JSON shapes field by field.
async function getUser(idOrLogin: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${warden.baseUrl}/api/v1/users/${encodeURIComponent(idOrLogin)}`, {
    headers: { Authorization: `SSWS ${warden.adminToken}` },
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), "warden-users-import-"));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe("warden users import", () => {
  it("loads a spreadsheet's CSV, reports each failed row with Okta's errorSummary, and exits 1", async () => {
    const rows = [
      "\uFEFFlogin,email,firstName,lastName,department,password,groupIds",
      ...Array.from(
        { length: 20 },
        (_, i) => `${login(i)},${login(i)},User${i},"Last, ${i}",Engineering,Correct-Horse-${i}-Battery,`,
      ),
      `${login(20)},${login(20)},Multi,Line,"R&D\r\nLab 2",,`,
      // Row 23: not an email; row 24: a group that does not exist; row 25: a ragged row.
      `${run}-not-an-email,${run}-not-an-email,Bad,Login,,,`,
      `${login(21)},${login(21)},No,Group,,,00gdoesnotexist0000000`,
      `${login(22)},only,three`,
    ];
    writeFileSync(join(workDir, "users.csv"), `${rows.join("\r\n")}\r\n`);

    const result = await cli(["users", "import", "-f", "users.csv"]);
    expect(result.stdout, result.stderr).toBe("created 21, updated 0, failed 3\n");
    expect(result.code).toBe(1);
    const failures = result.stderr.split("\n").filter((line) => line.startsWith("row "));
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatch(/^row 23: E0000001 Api validation failed: login/);
    expect(failures[1]).toMatch(/^row 24: E0000001 .*groupIds/);
    expect(failures[2]).toBe("row 25: has 3 cells, the header 7 (an unquoted comma in a value?)");
    // Not a terminal: progress lines, at most one per tenth of the way.
    expect(result.stderr).toMatch(/^users \d+\/24: created \d+, updated 0, failed \d+$/m);

    const ada = await getUser(login(3));
    expect(ada.status).toBe(200);
    expect(ada.body).toMatchObject({
      status: "ACTIVE",
      profile: { login: login(3), firstName: "User3", lastName: "Last, 3", department: "Engineering" },
    });
    expect(JSON.stringify(ada.body)).not.toContain("Correct-Horse");
    expect((await getUser(login(20))).body.profile.department).toBe("R&D\r\nLab 2");
    expect((await getUser(login(21))).status).toBe(404);
  });

  it("updates the profile of logins that exist on a second run, and exits 0 when every row loads", async () => {
    const rows = ["login,email,firstName,lastName,department"];
    for (let i = 0; i < 5; i++) rows.push(`${login(i)},${login(i)},Renamed${i},Last,Sales`);
    rows.push(`${login(30)},${login(30)},Fresh,User,Sales`);
    writeFileSync(join(workDir, "again.csv"), `${rows.join("\n")}\n`);
    const result = await cli(["users", "import", "-f", "again.csv", "--concurrency", "3"]);
    expect(result).toMatchObject({ code: 0, stdout: "created 1, updated 5, failed 0\n" });
    expect((await getUser(login(2))).body.profile).toMatchObject({
      firstName: "Renamed2",
      department: "Sales",
    });
  });

  it("reads a JSON array of Okta user bodies from stdin", async () => {
    const users = [
      {
        profile: { login: login(40), email: login(40), firstName: "Json", lastName: "One", level: 3 },
        credentials: { password: { value: "Another-Correct-Horse-40" } },
      },
      // As Okta's GET returns a user: read-only members are dropped.
      {
        id: "00uFromAnotherOrg",
        status: "ACTIVE",
        profile: { login: login(41), email: login(41), firstName: "Json", lastName: "Two" },
        credentials: { password: {}, provider: { type: "OKTA", name: "OKTA" } },
        _links: {},
      },
    ];
    const result = await cli(["users", "import", "-f", "-"], { stdin: JSON.stringify(users) });
    expect(result).toMatchObject({ code: 0, stdout: "created 2, updated 0, failed 0\n" });
    const one = await getUser(login(40));
    expect(one.body.profile.level).toBe(3);
    expect((await getUser(login(41))).body.id).not.toBe("00uFromAnotherOrg");
  });

  it("refuses a file that is not UTF-8, one without a login column, and a wrong token, creating nobody", async () => {
    writeFileSync(
      join(workDir, "latin1.csv"),
      Buffer.concat([
        Buffer.from(`login,email,firstName,lastName\n${login(50)},${login(50)},Zo`),
        Buffer.from([0xeb]),
        Buffer.from(",X\n"),
      ]),
    );
    const latin1 = await cli(["users", "import", "-f", "latin1.csv"]);
    expect(latin1).toMatchObject({ code: 1, stdout: "" });
    expect(latin1.stderr).toContain("latin1.csv is not UTF-8");

    writeFileSync(join(workDir, "nologin.csv"), `email,firstName\n${login(51)},X\n`);
    const nologin = await cli(["users", "import", "-f", "nologin.csv"]);
    expect(nologin).toMatchObject({ code: 1, stdout: "" });
    expect(nologin.stderr).toContain("no 'login' column");

    writeFileSync(
      join(workDir, "one.csv"),
      `login,email,firstName,lastName\n${login(52)},${login(52)},A,B\n`,
    );
    const refused = await cli(["users", "import", "-f", "one.csv"], { env: { WARDEN_TOKEN: "00nope" } });
    expect(refused).toMatchObject({ code: 1, stdout: "" });
    expect(refused.stderr).toContain("Warden refused the admin token");

    for (const n of [50, 51, 52]) expect((await getUser(login(n))).status).toBe(404);
  });
});
