/**
 * The `LOG_QUEUE` consumer (exported as the Worker's `queue()` handler): one D1 batch per queue
 * batch. A malformed body is dropped (acknowledged) with a line; a D1 failure retries the batch,
 * which is safe because writes are idempotent (src/log/store.ts).
 */
import type { LogMessage } from "./event-log";
import { isLogMessage, writeMessages } from "./store";

export async function consumeLogBatch(
  batch: MessageBatch<unknown>,
  db: D1Database,
  nowMs: number,
): Promise<void> {
  const valid: LogMessage[] = [];
  for (const message of batch.messages) {
    if (isLogMessage(message.body)) valid.push(message.body);
    else console.error(JSON.stringify({ event: "system_log.malformed_message", id: message.id }));
  }
  try {
    await writeMessages(db, valid, nowMs);
    batch.ackAll();
  } catch (error) {
    console.error(
      JSON.stringify({
        event: "system_log.write_failed",
        messages: valid.length,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    batch.retryAll({ delaySeconds: 30 });
  }
}
