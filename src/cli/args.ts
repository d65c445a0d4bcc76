/// <reference types="node" />
/** Command-line arguments (node:util's parseArgs) and the help text that documents them. */
import { parseArgs } from "node:util";
import { CliError } from "./errors";

const COMMANDS = ["export", "plan", "apply", "schema", "users"] as const;
export type Command = (typeof COMMANDS)[number];

export interface Options {
  file?: string;
  output?: string;
  /** yaml or json for export; csv or json for users import. */
  format?: "yaml" | "json" | "csv";
  /** users import: requests at a time. */
  concurrency?: string;
  prune: boolean;
  yes: boolean;
  url?: string;
  token?: string;
}

/** plan, apply and users import always have the file. `users` is `users import` (its one subcommand). */
export type Invocation =
  | { help: true }
  | { help: false; command: "plan" | "apply" | "users"; options: Options & { file: string } }
  | { help: false; command: Exclude<Command, "plan" | "apply" | "users">; options: Options };

/** Which options each command takes; any other is an error rather than silently ignored. */
const ALLOWED: Record<Command, readonly (keyof Options)[]> = {
  export: ["output", "format", "url", "token"],
  plan: ["file", "prune", "url", "token"],
  apply: ["file", "prune", "yes", "url", "token"],
  schema: ["output"],
  users: ["file", "format", "concurrency", "url", "token"],
};

/** The subcommands of a command that has them. */
const SUBCOMMANDS: Partial<Record<Command, readonly string[]>> = { users: ["import"] };

export const HELP = `warden — Warden's configuration as code

Usage:
  warden export [-o warden.yaml] [--format yaml|json]   write the live configuration (stdout by default)
  warden plan   -f warden.yaml [--prune]                show what apply would change
  warden apply  -f warden.yaml [--prune] [--yes]        make Warden match the file
  warden schema [-o warden.schema.json]                 print the file's JSON Schema
  warden users import -f users.csv|users.json [--concurrency 8]
                                                        create users (or update the profile of an
                                                        existing login) through Okta's Users API

Options:
  -f, --file <path>      the configuration file, YAML or JSON (by extension; "-" reads stdin)
  -o, --output <path>    write to this file instead of stdout
      --format yaml|json export format (default: json for a .json output, else yaml);
               csv|json  users import format (default: by extension; from stdin, by content)
      --concurrency <n>  users import: requests at a time (default 8)
      --prune            also delete authorization servers, clients and inline hooks the file
                         does not have (without it they are listed as "not in file, kept")
      --yes              apply without asking for confirmation (needed without a terminal)
      --url <url>        Warden's origin, e.g. https://warden.example.com   [env WARDEN_URL]
      --token <token>    an admin API token, sent as "Authorization: SSWS <token>"
                         (prefer the environment: command lines are visible to other users)
                                                                           [env WARDEN_TOKEN]
  -h, --help             this help

Exit codes (plan behaves like terraform's plan -detailed-exitcode, always):
  0  success; for plan: no changes
  1  error: invalid file, authentication failure, Warden unreachable, Warden refused the
     configuration (plan asks Warden to validate it in a dry run), or apply not confirmed
  2  plan only: there are changes to apply
  users import: 0 every row loaded, 1 a row failed (each is listed with its row number) or the
  file or token was refused

Clients in files never carry secrets: apply prints the secret of each client it creates, once.
Editors validate the file with the JSON Schema: start a YAML file with
  # yaml-language-server: $schema=./schema/warden.schema.json
or give a JSON file a "$schema" member; warden export writes either for you.
`;

export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new CliError(`${(error as Error).message}; see warden --help`);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { help: true };
  const [name, ...rest] = positionals;
  const command = COMMANDS.find((c) => c === name);
  if (command === undefined) throw new CliError(`unknown command '${name}'; see warden --help`);
  const subcommands = SUBCOMMANDS[command];
  const extra = subcommands ? rest.slice(1) : rest;
  if (subcommands && !subcommands.includes(rest[0] ?? "")) {
    throw new CliError(`warden ${command} needs one of: ${subcommands.join(", ")}; see warden --help`);
  }
  if (extra.length > 0) throw new CliError(`unexpected argument '${extra[0]}'; see warden --help`);

  const given = (Object.keys(values) as (keyof typeof values)[]).filter(
    (key) => key !== "help" && key !== "detailed-exitcode" && values[key] !== undefined,
  );
  const refused = given.find((key) => !(ALLOWED[command] as readonly string[]).includes(key));
  if (refused !== undefined)
    throw new CliError(`warden ${command} does not take --${refused}; see warden --help`);
  const formats = command === "users" ? ["csv", "json"] : ["yaml", "json"];
  if (values.format !== undefined && !formats.includes(values.format)) {
    throw new CliError(`--format must be ${formats.join(" or ")}, not '${values.format}'`);
  }
  const options: Options = { prune: values.prune ?? false, yes: values.yes ?? false };
  if (values.output !== undefined) options.output = values.output;
  if (values.format !== undefined) options.format = values.format as NonNullable<Options["format"]>;
  if (values.concurrency !== undefined) options.concurrency = values.concurrency;
  if (values.url !== undefined) options.url = values.url;
  if (values.token !== undefined) options.token = values.token;
  if (command === "plan" || command === "apply" || command === "users") {
    const { file } = values;
    const [name, example] = command === "users" ? ["users import", "users.csv"] : [command, "warden.yaml"];
    if (file === undefined)
      throw new CliError(`warden ${name} needs the file: -f ${example} (or -f - for stdin)`);
    return { help: false, command, options: { ...options, file } };
  }
  return { help: false, command, options };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: "string", short: "f" },
      output: { type: "string", short: "o" },
      format: { type: "string" },
      prune: { type: "boolean" },
      yes: { type: "boolean", short: "y" },
      url: { type: "string" },
      token: { type: "string" },
      concurrency: { type: "string" },
      help: { type: "boolean", short: "h" },
      // terraform's flag, accepted for muscle memory: plan's exit codes always mean this.
      "detailed-exitcode": { type: "boolean" },
    },
  });
}
