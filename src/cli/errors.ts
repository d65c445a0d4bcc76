/** The CLI's one error: what went wrong, in lines a person can act on. Exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Exit codes, terraform's `plan -detailed-exitcode` meaning by default. */
export const EXIT = {
  ok: 0,
  error: 1,
  /** `plan` only: the file differs from what Warden has. */
  changes: 2,
} as const;
