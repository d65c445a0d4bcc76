/**
 * `warden`: Warden's configuration as code (Node only; the Worker never imports src/cli). Runs one
 * command and answers with its exit code; every failure is one readable message on stderr.
 */
import { ApiFailure } from "./api";
import { HELP, type Invocation, parseInvocation } from "./args";
import { applyCommand } from "./commands/apply";
import { exportCommand } from "./commands/export";
import { planCommand } from "./commands/plan";
import { schemaCommand } from "./commands/schema";
import { usersImportCommand } from "./commands/users-import";
import { CliError, EXIT } from "./errors";
import type { Io } from "./io";

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    if (invocation.help) {
      io.stdout(HELP);
      return EXIT.ok;
    }
    return await run(invocation, io);
  } catch (error) {
    io.stderr(describeFailure(error));
    return EXIT.error;
  }
}

function run(invocation: Invocation & { help: false }, io: Io): Promise<number> {
  const { command, options } = invocation;
  switch (command) {
    case "export":
      return exportCommand(options, io);
    case "plan":
      return planCommand(options, io);
    case "apply":
      return applyCommand(options, io);
    case "schema":
      return schemaCommand(options, io);
    case "users":
      return usersImportCommand(options, io);
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof CliError) {
    return [`warden: ${error.message}`, ...error.details.map((line) => `  ${line}`), ""].join("\n");
  }
  if (error instanceof ApiFailure) {
    return [`warden: ${error.message}`, ...error.causes.map((line) => `  ${line}`), ""].join("\n");
  }
  // A bug, not a user error: keep the stack so it can be reported.
  return `warden: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
}
