/// <reference types="node" />
/** The real process behind {@link Io}: stdio, the environment, a terminal prompt when there is one. */
import { createInterface } from "node:readline/promises";
import type { Io } from "./io";

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    confirm: process.stdin.isTTY && process.stdout.isTTY ? askOnTerminal : undefined,
    fetch,
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

async function askOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await terminal.question(question)).trim() === "yes";
  } finally {
    terminal.close();
  }
}
