/** What a command may touch of the outside world, passed in so commands stay testable. */
export interface Io {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  /** Asks a yes/no question; absent when there is no terminal to ask on. */
  confirm?: ((question: string) => Promise<boolean>) | undefined;
  fetch: typeof fetch;
  /** Whether stderr is a terminal: progress is then rewritten in place (`\r`). */
  stderrIsTTY?: boolean;
}
