#!/usr/bin/env node
/**
 * `npm run bench:passwords -- [--out file.md]`: the full run's "Passwords" section alone
 * (bench/lib/passwords.mjs) — hash and `checkPassword` CPU, the timing of a wrong password against an
 * unknown login, D1 per statement — in about a minute instead of the whole bench. Prints the
 * section; `--out` also writes it with the run's machine facts.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { measurePasswords } from "./lib/passwords.mjs";
import { makeTempDir, removeTempDir } from "./lib/processes.mjs";
import { passwordSection } from "./lib/report.mjs";

const { values: args } = parseArgs({ options: { out: { type: "string" } } });
const tmp = makeTempDir("warden-passwords-");
try {
  const startedAt = new Date().toISOString();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  const result = await measurePasswords(tmp, {
    runs: 7,
    perRequest: 5,
    d1Batches: 7,
    d1PerBatch: 50,
    users: 1000,
    leakPairs: 15,
  });
  const text = [
    `Run ${startedAt}, load average at the start ${load} (2 cores, shared).`,
    "",
    ...passwordSection(result),
  ].join("\n");
  console.log(text);
  if (args.out) writeFileSync(args.out, `${text}\n`);
} finally {
  removeTempDir(tmp);
}
