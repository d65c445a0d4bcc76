/// <reference types="node" />
/**
 * The test tiers' console filter (vitest `onConsoleLog`): the system log writes every event as one
 * structured JSON line (src/log/event-log.ts `writeLine`), which is what Workers Logs want and what
 * buries a test run's output — hundreds of lines per file. A line that is one such event is dropped;
 * everything else (assertion output, `console.error("unhandled error", …)`, any other log) is kept,
 * so real failures stay visible. `WARDEN_TEST_LOGS=1` keeps every line, events included.
 */
export function quietEventLines(log: string): false | undefined {
  if (process.env.WARDEN_TEST_LOGS === "1") return undefined;
  return isEventLine(log) ? false : undefined;
}

/**
 * Whether `log` is system-log event lines only: each non-empty line one JSON object with an
 * `eventType` (a LogEvent) or an `event` name. (The Workers pool may hand several lines at once.)
 */
export function isEventLine(log: string): boolean {
  const lines = log.split("\n").filter((line) => line.trim() !== "");
  return lines.length > 0 && lines.every(isOneEvent);
}

function isOneEvent(line: string): boolean {
  const text = line.trim();
  if (!text.startsWith("{") || !text.endsWith("}")) return false;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return typeof value.eventType === "string" || typeof value.event === "string";
  } catch {
    return false;
  }
}
