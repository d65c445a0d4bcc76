/// <reference types="node" />
/**
 * `warden users import -f users.csv|users.json`: loads users in bulk through Okta's Users API
 * (src/cli/user-rows.ts has the file format and the requests), a bounded number of requests at a
 * time, with a progress line on stderr and a summary at the end: `created N, updated N, failed N`,
 * each failure with its row and Okta's errorSummary. Exit 1 when any row failed.
 *
 * A refused token (401, or 403: it lacks okta.users.manage) stops the import: every other row would
 * fail the same way. A 429 (Warden's management-API rate limit) waits its `Retry-After` and tries
 * again, so a large file loads at the rate Warden allows instead of failing past it.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  USERS_IMPORT_CONCURRENCY,
  USERS_IMPORT_MAX_CONCURRENCY,
  USERS_IMPORT_MAX_RETRIES,
  USERS_IMPORT_MAX_RETRY_WAIT_SECONDS,
} from "../../config/defaults";
import { ApiFailure, WardenApi } from "../api";
import type { Options } from "../args";
import { connectionFrom } from "../connection";
import { CsvError, parseCsv } from "../csv";
import { CliError, EXIT } from "../errors";
import type { Io } from "../io";
import {
  createRequest,
  errorLine,
  isLoginTaken,
  type UserBody,
  UserFileError,
  type UserRequest,
  type UserRow,
  updateRequest,
  usersFromCsv,
  usersFromJson,
} from "../user-rows";

type Outcome = "created" | "updated" | { failed: string };

export async function usersImportCommand(options: Options & { file: string }, io: Io): Promise<number> {
  const concurrency = concurrencyOf(options.concurrency);
  const rows = await readRows(options, io);
  const api = new WardenApi(connectionFrom(options, io.env), io.fetch);

  const counts = { created: 0, updated: 0, failed: 0 };
  const failures: { row: number; reason: string }[] = [];
  const progress = progressLine(io, rows.length);
  const record = (row: number, outcome: Outcome) => {
    if (typeof outcome === "string") counts[outcome] += 1;
    else {
      counts.failed += 1;
      failures.push({ row, reason: outcome.failed });
    }
    progress.update(counts);
  };

  const queue = rows.filter((r): r is { row: number; user: UserBody } => {
    if ("error" in r) record(r.row, { failed: r.error });
    return !("error" in r);
  });
  let stop: unknown;
  let next = 0;
  const worker = async () => {
    while (stop === undefined && next < queue.length) {
      const item = queue[next++] as { row: number; user: UserBody };
      try {
        record(item.row, await loadUser(api, item.user));
      } catch (error) {
        stop ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  progress.done();
  if (stop !== undefined) throw stop;

  failures.sort((a, b) => a.row - b.row);
  for (const { row, reason } of failures) io.stderr(`row ${row}: ${reason}\n`);
  io.stdout(`created ${counts.created}, updated ${counts.updated}, failed ${counts.failed}\n`);
  return counts.failed > 0 ? EXIT.error : EXIT.ok;
}

/** Create; when the login exists, update its profile. Throws only what stops the whole import. */
async function loadUser(api: WardenApi, user: UserBody): Promise<Outcome> {
  const created = await send(api, createRequest(user));
  if (created.status === 200 || created.status === 201) return "created";
  if (!isLoginTaken(created.status, created.body)) return { failed: errorLine(created.status, created.body) };
  const updated = await send(api, updateRequest(user));
  if (updated.status === 200) return "updated";
  return { failed: errorLine(updated.status, updated.body) };
}

/** One request, retried after a 429 for as long as Warden asks (bounded); a refused token throws. */
async function send(api: WardenApi, request: UserRequest): Promise<{ status: number; body: unknown }> {
  for (let attempt = 0; ; attempt++) {
    const answer = await api.send(request.method, request.path, request.body);
    if (answer.status === 401 || answer.status === 403) {
      throw new ApiFailure(
        "unauthorized",
        `Warden refused the admin token (${errorLine(answer.status, answer.body)}); it needs okta.users.manage: check --token or WARDEN_TOKEN`,
      );
    }
    if (answer.status !== 429 || attempt >= USERS_IMPORT_MAX_RETRIES) return answer;
    const wait = Math.min(answer.retryAfterSeconds ?? 1, USERS_IMPORT_MAX_RETRY_WAIT_SECONDS);
    await new Promise((done) => setTimeout(done, wait * 1000));
  }
}

/** The file's rows, or a CliError for a file that cannot be read as a whole. Nothing is sent before. */
async function readRows(options: Options & { file: string }, io: Io): Promise<UserRow[]> {
  const fromStdin = options.file === "-";
  const bytes = fromStdin
    ? new TextEncoder().encode(await io.readStdin())
    : await readFile(resolve(io.cwd, options.file)).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${options.file}: ${error.code ?? error.message}`);
      });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CliError(`${options.file} is not UTF-8: save it as UTF-8 (CSV UTF-8 in a spreadsheet)`);
  }
  const format = formatOf(options, text);
  try {
    if (format === "json") {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new CliError(`${options.file} is not JSON: ${(error as Error).message}`);
      }
      return usersFromJson(value);
    }
    return usersFromCsv(parseCsv(text));
  } catch (error) {
    if (error instanceof CsvError || error instanceof UserFileError) {
      throw new CliError(`${options.file}: ${error.message}`);
    }
    throw error;
  }
}

/** `--format`, else the extension, else (stdin) what the text starts with. */
function formatOf(options: Options & { file: string }, text: string): "csv" | "json" {
  if (options.format === "csv" || options.format === "json") return options.format;
  const name = options.file.toLowerCase();
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".csv")) return "csv";
  return /^\uFEFF?\s*[[{]/.test(text) ? "json" : "csv";
}

function concurrencyOf(value: string | undefined): number {
  if (value === undefined) return USERS_IMPORT_CONCURRENCY;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > USERS_IMPORT_MAX_CONCURRENCY) {
    throw new CliError(`--concurrency must be a whole number from 1 to ${USERS_IMPORT_MAX_CONCURRENCY}`);
  }
  return n;
}

/**
 * `users 120/1000: created 100, updated 15, failed 5` on stderr: rewritten in place (`\r`) on a
 * terminal; elsewhere (CI logs) a line at each tenth of the way, so a log is not one line per user.
 */
function progressLine(io: Io, total: number) {
  const tty = io.stderrIsTTY === true;
  let shown = 0;
  let lastTenth = 0;
  let text = "";
  return {
    update(counts: { created: number; updated: number; failed: number }) {
      shown = counts.created + counts.updated + counts.failed;
      text = `users ${shown}/${total}: created ${counts.created}, updated ${counts.updated}, failed ${counts.failed}`;
      if (tty) io.stderr(`\r${text}`);
      else {
        const tenth = Math.floor((shown * 10) / Math.max(total, 1));
        if (tenth > lastTenth) {
          lastTenth = tenth;
          io.stderr(`${text}\n`);
        }
      }
    },
    done() {
      if (tty && text !== "") io.stderr("\n");
    },
  };
}
