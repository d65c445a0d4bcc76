/**
 * `warden users import`, its pure parts: the CSV parser (RFC 4180 as spreadsheets write it), CSV and
 * JSON rows → Okta create-user bodies, the requests sent, and reading Okta's answers. The command
 * against a running Warden is test/e2e/users-import.test.ts.
 */
import { describe, expect, it } from "vitest";
import { parseInvocation } from "../../src/cli/args";
import { CsvError, parseCsv } from "../../src/cli/csv";
import { CliError } from "../../src/cli/errors";
import {
  createRequest,
  errorLine,
  isLoginTaken,
  UserFileError,
  updateRequest,
  usersFromCsv,
  usersFromJson,
} from "../../src/cli/user-rows";

const fields = (text: string) => parseCsv(text).map((r) => r.fields);
const csvUsers = (text: string) => usersFromCsv(parseCsv(text));

describe("parseCsv", () => {
  it("reads plain records with LF, CRLF or CR line breaks, without a record for the final break", () => {
    expect(fields("a,b\n1,2\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(fields("a,b\r\n1,2\r\n")).toEqual(fields("a,b\n1,2\n"));
    expect(fields("a,b\r1,2")).toEqual(fields("a,b\n1,2\n"));
    expect(fields("a,,c\n")).toEqual([["a", "", "c"]]);
    expect(fields("a,b,\n")).toEqual([["a", "b", ""]]);
    expect(fields("")).toEqual([]);
  });

  it("reads quoted fields with commas, doubled quotes and line breaks, and numbers records by their first line", () => {
    const records = parseCsv(
      'login,note\n"a@x.io","one, two"\n"b@x.io","say ""hi""\r\nnext line"\nc@x.io,plain\n',
    );
    expect(records).toEqual([
      { line: 1, fields: ["login", "note"] },
      { line: 2, fields: ["a@x.io", "one, two"] },
      { line: 3, fields: ["b@x.io", 'say "hi"\r\nnext line'] },
      { line: 5, fields: ["c@x.io", "plain"] },
    ]);
    expect(fields('"",""\n')).toEqual([["", ""]]);
  });

  it("drops the UTF-8 byte-order mark spreadsheets write, and keeps non-ASCII text", () => {
    expect(fields("\uFEFFlogin,firstName\nzoë@x.io,Zoë\n")).toEqual([
      ["login", "firstName"],
      ["zoë@x.io", "Zoë"],
    ]);
  });

  it("keeps a quote inside an unquoted field as a character", () => {
    expect(fields('a,5" floppy\n')).toEqual([["a", '5" floppy']]);
  });

  it("refuses an unclosed quote and text after a closing quote, naming the line", () => {
    expect(() => parseCsv('login\n"a@x.io\nb@x.io\n')).toThrow(
      new CsvError(2, "a quoted field is never closed"),
    );
    expect(() => parseCsv('login,x\nok,1\n"a"b,2\n')).toThrow(/^line 3: text after a closing quote/);
  });

  it("parses a large file in linear time", () => {
    const row = '"user@example.com","Ada, Countess","Lovelace ""AL""",group1;group2\n';
    const text = `login,firstName,lastName,groupIds\n${row.repeat(50_000)}`;
    const started = performance.now();
    expect(parseCsv(text)).toHaveLength(50_001);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("CSV rows → users", () => {
  it("maps the profile columns, custom attributes, password and ;-separated groupIds; empty cells set nothing", () => {
    const rows = csvUsers(
      "login,email,firstName,lastName,department,password,groupIds\n" +
        "ada@x.io,ada@x.io,Ada,Lovelace,Engineering, pa ss ,00g1; 00g2;;00g1\n" +
        "bob@x.io,,Bob,,,,\n",
    );
    expect(rows).toEqual([
      {
        row: 2,
        user: {
          profile: {
            login: "ada@x.io",
            email: "ada@x.io",
            firstName: "Ada",
            lastName: "Lovelace",
            department: "Engineering",
          },
          credentials: { password: { value: " pa ss " } },
          groupIds: ["00g1", "00g2"],
        },
      },
      { row: 3, user: { profile: { login: "bob@x.io", firstName: "Bob" } } },
    ]);
  });

  it("numbers rows as a spreadsheet does, skips blank lines, and fails only the rows that are wrong", () => {
    const rows = csvUsers("login,firstName\n\nada@x.io,Ada\n,NoLogin\nx@x.io,too,many\n");
    expect(rows).toEqual([
      { row: 3, user: { profile: { login: "ada@x.io", firstName: "Ada" } } },
      { row: 4, error: "has no login" },
      { row: 5, error: "has 3 cells, the header 2 (an unquoted comma in a value?)" },
    ]);
  });

  it("refuses a header without login, with an unnamed or repeated column, and an empty file", () => {
    expect(() => csvUsers("email,firstName\na@x.io,A\n")).toThrow(UserFileError);
    expect(() => csvUsers("email,firstName\n")).toThrow(/no 'login' column \(it has: email, firstName\)/);
    expect(() => csvUsers("login,,x\n")).toThrow(/column 2 of the header row has no name/);
    expect(() => csvUsers("login,email,login\n")).toThrow(/names column 'login' twice/);
    expect(() => csvUsers("")).toThrow(/empty/);
  });

  it("keeps hostile values as data: they are JSON strings in a request body, never a path or a query", () => {
    const [row] = csvUsers(`login,firstName\n"../apps?x=1#",'; DROP TABLE users; --\n`);
    expect(row).toEqual({
      row: 2,
      user: { profile: { login: "../apps?x=1#", firstName: "'; DROP TABLE users; --" } },
    });
    if (!row || !("user" in row)) throw new Error("unreachable");
    expect(updateRequest(row.user).path).toBe("/api/v1/users/..%2Fapps%3Fx%3D1%23");
  });
});

describe("JSON rows → users", () => {
  it("takes Okta's create bodies and Okta's user objects, dropping what is read-only", () => {
    const rows = usersFromJson([
      {
        profile: { login: "ada@x.io", firstName: "Ada", lastName: "L", email: "ada@x.io" },
        credentials: { password: { value: "s3cret!!Ab" } },
        groupIds: ["00g1", "00g1"],
      },
      {
        id: "00u1",
        status: "ACTIVE",
        created: "2024-01-01T00:00:00.000Z",
        profile: { login: "bob@x.io", firstName: "Bob", lastName: "B", email: "bob@x.io", costCenter: 7 },
        credentials: { password: {}, provider: { type: "OKTA", name: "OKTA" } },
        _links: { self: { href: "https://example.okta.com/api/v1/users/00u1" } },
      },
    ]);
    expect(rows).toEqual([
      {
        row: 1,
        user: {
          profile: { login: "ada@x.io", firstName: "Ada", lastName: "L", email: "ada@x.io" },
          credentials: { password: { value: "s3cret!!Ab" } },
          groupIds: ["00g1"],
        },
      },
      {
        row: 2,
        user: {
          profile: { login: "bob@x.io", firstName: "Bob", lastName: "B", email: "bob@x.io", costCenter: 7 },
        },
      },
    ]);
  });

  it("fails the items that are not users, and refuses a file that is not an array", () => {
    expect(
      usersFromJson([null, { profile: {} }, { profile: { login: "a@x.io" }, groupIds: "00g1" }, { nope: 1 }]),
    ).toEqual([
      { row: 1, error: "is not an object" },
      { row: 2, error: "has no profile.login" },
      { row: 3, error: "groupIds must be an array of group ids" },
      { row: 4, error: "has no profile object" },
    ]);
    expect(() => usersFromJson({ users: [] })).toThrow(UserFileError);
  });
});

describe("requests and answers", () => {
  const user = {
    profile: { login: "ada@x.io", firstName: "Ada" },
    credentials: { password: { value: "pw" } },
    groupIds: ["00g1"],
  };

  it("creates active users with everything, and updates only the profile of an existing login", () => {
    expect(createRequest(user)).toEqual({ method: "POST", path: "/api/v1/users?activate=true", body: user });
    expect(updateRequest(user)).toEqual({
      method: "POST",
      path: "/api/v1/users/ada%40x.io",
      body: { profile: user.profile },
    });
  });

  it("recognises Okta's answer for a login that is taken, and nothing else", () => {
    const taken = {
      errorCode: "E0000001",
      errorSummary: "Api validation failed: login",
      errorCauses: [
        { errorSummary: "login: An object with this field already exists in the current organization" },
      ],
    };
    expect(isLoginTaken(400, taken)).toBe(true);
    expect(isLoginTaken(409, taken)).toBe(false);
    expect(isLoginTaken(400, { ...taken, errorCauses: [{ errorSummary: "email: must be an email" }] })).toBe(
      false,
    );
    expect(isLoginTaken(400, "not json")).toBe(false);
    expect(errorLine(400, taken)).toBe(
      "E0000001 Api validation failed: login (login: An object with this field already exists in the current organization)",
    );
    expect(errorLine(502, undefined)).toBe("HTTP 502");
  });
});

describe("the command line", () => {
  it("parses users import with its options, and refuses what it does not take", () => {
    expect(
      parseInvocation(["users", "import", "-f", "u.csv", "--concurrency", "4", "--format", "csv"]),
    ).toEqual({
      help: false,
      command: "users",
      options: { file: "u.csv", concurrency: "4", format: "csv", prune: false, yes: false },
    });
    const refusal = (argv: string[]) => {
      try {
        parseInvocation(argv);
      } catch (error) {
        if (error instanceof CliError) return error.message;
        throw error;
      }
      return undefined;
    };
    expect(refusal(["users", "-f", "u.csv"])).toMatch(/needs one of: import/);
    expect(refusal(["users", "export", "-f", "u.csv"])).toMatch(/needs one of: import/);
    expect(refusal(["users", "import"])).toMatch(/needs the file/);
    expect(refusal(["users", "import", "-f", "u.csv", "--prune"])).toMatch(/does not take --prune/);
    expect(refusal(["users", "import", "-f", "u.csv", "--format", "yaml"])).toMatch(/csv or json/);
    expect(refusal(["export", "--format", "csv"])).toMatch(/yaml or json/);
  });
});
