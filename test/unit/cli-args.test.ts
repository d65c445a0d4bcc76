import { describe, expect, it } from "vitest";
import { HELP, parseInvocation } from "../../src/cli/args";
import { connectionFrom } from "../../src/cli/connection";
import { CliError } from "../../src/cli/errors";

const refusal = (argv: string[]) => {
  try {
    parseInvocation(argv);
  } catch (error) {
    if (error instanceof CliError) return error.message;
    throw error;
  }
  return undefined;
};

describe("warden's command line", () => {
  it("parses each command's options", () => {
    expect(parseInvocation(["apply", "-f", "warden.yaml", "--prune", "--yes"])).toEqual({
      help: false,
      command: "apply",
      options: { file: "warden.yaml", prune: true, yes: true },
    });
    expect(parseInvocation(["export", "-o", "out.json", "--url", "http://127.0.0.1:8787"])).toEqual({
      help: false,
      command: "export",
      options: { output: "out.json", url: "http://127.0.0.1:8787", prune: false, yes: false },
    });
    expect(parseInvocation(["plan", "-f", "-", "--detailed-exitcode"])).toMatchObject({
      options: { file: "-" },
    });
    expect(parseInvocation([])).toEqual({ help: true });
    expect(parseInvocation(["plan", "--help"])).toEqual({ help: true });
  });

  it("refuses what a command does not take, rather than ignoring it", () => {
    expect(refusal(["plan"])).toBe("warden plan needs the file: -f warden.yaml (or -f - for stdin)");
    expect(refusal(["export", "--prune"])).toBe("warden export does not take --prune; see warden --help");
    expect(refusal(["plan", "-f", "w.yaml", "--yes"])).toBe(
      "warden plan does not take --yes; see warden --help",
    );
    expect(refusal(["deploy"])).toBe("unknown command 'deploy'; see warden --help");
    expect(refusal(["export", "--format", "toml"])).toBe("--format must be yaml or json, not 'toml'");
    expect(refusal(["plan", "-f", "w.yaml", "--force"])).toMatch(/Unknown option '--force'/);
  });

  it("documents the exit codes", () => {
    expect(HELP).toMatch(/^ {2}0 {2}success; for plan: no changes$/m);
    expect(HELP).toMatch(/^ {2}1 {2}error: /m);
    expect(HELP).toMatch(/^ {2}2 {2}plan only: there are changes to apply$/m);
  });

  it("takes URL and token from flags first, then WARDEN_URL and WARDEN_TOKEN", () => {
    const env = { WARDEN_URL: "https://warden.example.com/", WARDEN_TOKEN: "from-env" };
    expect(connectionFrom({ prune: false, yes: false }, env)).toEqual({
      url: "https://warden.example.com",
      token: "from-env",
    });
    expect(
      connectionFrom({ prune: false, yes: false, url: "http://127.0.0.1:9", token: "flag" }, env),
    ).toEqual({
      url: "http://127.0.0.1:9",
      token: "flag",
    });
    expect(() => connectionFrom({ prune: false, yes: false }, {})).toThrow(/WARDEN_URL/);
    expect(() => connectionFrom({ prune: false, yes: false }, { WARDEN_URL: "ftp://x" })).toThrow(
      /WARDEN_TOKEN/,
    );
  });
});
