/**
 * The edge's side of the system log: every event is one structured console line at once (Workers
 * Logs / Logpush keep it) and, later, a message on the `LOG_QUEUE` the consumer writes to D1
 * (src/log/consumer.ts). Nothing here waits on the queue:
 *
 * - token grants are counted in isolate memory per server × client × grant type × minute
 *   (`count`), unless the server opted into full grant logging;
 * - individual events (admin writes, denials with their trace, hook failures) are buffered;
 * - denials and failed client authentications are attacker-triggerable, so only the first few per
 *   key and window are kept in full (`sampleKey`); the rest are counted;
 * - `flush()` hands back the one `sendBatch` that is due — at most one per
 *   `LOG_FLUSH_INTERVAL_SECONDS` per isolate, or at once after an urgent (admin) event — for the
 *   caller to give to `waitUntil`. On the warm token path it usually returns undefined: no binding call.
 *
 * Counts are exact across isolates: each flushed counter carries a random contribution id, and the
 * consumer adds it to the one row of its minute once (at-least-once delivery, exactly-once counting).
 */
import {
  LOG_AGGREGATE_WINDOW_SECONDS,
  LOG_DENIAL_SAMPLES_PER_WINDOW,
  LOG_EVENT_MAX_BYTES,
  LOG_FLUSH_INTERVAL_SECONDS,
  LOG_MAX_AGGREGATES,
  LOG_MAX_PENDING_EVENTS,
  LOG_QUEUE_BATCH_BYTES,
  LOG_QUEUE_BATCH_MESSAGES,
} from "../config/defaults";
import {
  buildEvent,
  clientActor,
  EVENT_TYPES,
  type EventInput,
  type EventType,
  type LogEvent,
  type OutcomeResult,
  SYSTEM_ACTOR,
  serverTarget,
} from "./event";

/** A queue message: one event, or one isolate's contribution to a counted row. */
export interface LogMessage {
  v: 1;
  event: LogEvent;
  /** Set for counted events: the row key (one row per key) and this contribution's count and id. */
  aggregate?: { key: string; count: number; contribution: string };
}

/** The part of a Queue binding the log uses. */
export interface LogQueue {
  sendBatch(messages: Iterable<{ body: LogMessage }>): Promise<unknown>;
}

/** What a counter counts: its row is one per distinct spec per window. */
export interface CountSpec {
  eventType: EventType;
  result: OutcomeResult;
  reason?: string;
  serverId: string;
  clientId: string;
  grantType?: string;
  displayMessage: string;
  /** The actor when it is not the client (`clientId` then only keys the counter). */
  actor?: { id: string; type: string; alternateId?: string | null; displayName?: string | null };
}

export interface RecordOptions {
  /** Sent with the next flush regardless of the interval (admin writes: rare and worth seeing at once). */
  urgent?: boolean;
  /** Attacker-triggerable events: only the first few per key and window are kept in full, the rest counted. */
  sample?: { key: string; count: CountSpec };
  /** The structured line to write instead of the event itself (kept where Workers Logs queries read an older shape). */
  line?: Record<string, unknown>;
}

/** The port protocol and admin code log through (src/context.ts `Ports.log`). */
export interface EventLog {
  record(input: EventInput, options?: RecordOptions): void;
  count(spec: CountSpec): void;
  /** The send that is due now, if any, for `waitUntil`; `force` sends whatever is held. */
  flush(force?: boolean): Promise<void> | undefined;
  /**
   * Unless one is armed already, a timer that sends whatever is held once the flush interval has
   * passed (no binding call before then, none at all if nothing is held by then), for `waitUntil`.
   */
  armTimer(): Promise<void> | undefined;
}

/** An event log that only writes lines: where no queue is bound. */
export const LINE_ONLY_LOG: EventLog = {
  record: (input, options) => writeLine(options?.line ?? buildEvent(input, Date.now(), crypto.randomUUID())),
  count: () => {},
  flush: () => undefined,
  armTimer: () => undefined,
};

/** Writes one structured line, at the console level of its severity. */
export function writeLine(line: Record<string, unknown> | LogEvent): void {
  const text = JSON.stringify(line);
  const severity = (line as { severity?: string }).severity;
  if (severity === "ERROR") console.error(text);
  else if (severity === "WARN" || (line as { event?: unknown }).event !== undefined) console.warn(text);
  else console.info(text);
}

interface Counter {
  spec: CountSpec;
  window: number;
  count: number;
}

/**
 * Isolate-scoped: holds counters and buffered events between flushes. One per isolate (`Deps`);
 * `port(queue)` binds it to an `env`'s queue.
 */
export class IsolateEventLog {
  readonly #now: () => number;
  readonly #flushIntervalMs: number;
  #counters = new Map<string, Counter>();
  #samples = new Map<string, number>();
  #samplesWindow = 0;
  #pending: LogMessage[] = [];
  #urgent = false;
  /** Unset until the isolate's first request: see the constructor. */
  #lastFlush: number | undefined;
  #overflow = 0;
  #timerArmed = false;

  constructor(now: () => number, options: { flushIntervalSeconds?: number } = {}) {
    this.#now = now;
    this.#flushIntervalMs = (options.flushIntervalSeconds ?? LOG_FLUSH_INTERVAL_SECONDS) * 1000;
    // A new isolate waits a full interval before its first send, so its first requests pay for no
    // queue call. The interval starts at the first use, not here: the log is built at module
    // evaluation, where workerd's clock reads 0 (time stands still outside a request), which made
    // every isolate's second token send at once (measured: ~5 ms of workerd CPU on that token).
  }

  /** The port over one queue (undefined: lines only, counters dropped). */
  port(queue: LogQueue | undefined): EventLog {
    if (!queue) return LINE_ONLY_LOG;
    return {
      record: (input, options) => this.record(input, options),
      count: (spec) => this.count(spec),
      flush: (force) => this.flush(queue, force),
      armTimer: () => this.armTimer(queue),
    };
  }

  record(input: EventInput, options: RecordOptions = {}): void {
    const now = this.#now();
    this.#lastFlush ??= now;
    const event = bounded(buildEvent(input, now, crypto.randomUUID()));
    // The line is written for every event, sampled out or not: Workers Logs see them all.
    writeLine(options.line ?? event);
    if (options.sample && !this.#takeSample(options.sample.key, now)) {
      this.count(options.sample.count);
      return;
    }
    if (this.#pending.length >= LOG_MAX_PENDING_EVENTS) {
      if (options.sample) this.count(options.sample.count);
      else this.#overflow += 1;
      return;
    }
    this.#pending.push({ v: 1, event });
    if (options.urgent) this.#urgent = true;
  }

  /** Whether one more event under `key` is kept in full this window. */
  #takeSample(key: string, now: number): boolean {
    const window = windowStart(now);
    if (window !== this.#samplesWindow) {
      this.#samples.clear();
      this.#samplesWindow = window;
    }
    const seen = this.#samples.get(key) ?? 0;
    if (seen >= LOG_DENIAL_SAMPLES_PER_WINDOW) return false;
    // Past the bound on distinct keys, keys are not remembered: each is then counted from its first.
    if (this.#samples.size >= LOG_MAX_AGGREGATES && seen === 0) return false;
    this.#samples.set(key, seen + 1);
    return true;
  }

  count(spec: CountSpec): void {
    const now = this.#now();
    this.#lastFlush ??= now;
    const window = windowStart(now);
    const key = counterKey(spec, window);
    const counter = this.#counters.get(key);
    if (counter) counter.count += 1;
    else if (this.#counters.size < LOG_MAX_AGGREGATES) this.#counters.set(key, { spec, window, count: 1 });
    else this.#overflow += 1;
  }

  flush(queue: LogQueue, force = false): Promise<void> | undefined {
    const now = this.#now();
    this.#lastFlush ??= now;
    if (!force && !this.#urgent && now - this.#lastFlush < this.#flushIntervalMs) return undefined;
    if (this.#pending.length === 0 && this.#counters.size === 0 && this.#overflow === 0) return undefined;
    const messages = this.#take(now);
    this.#lastFlush = now;
    return send(queue, messages);
  }

  armTimer(queue: LogQueue): Promise<void> | undefined {
    if (this.#timerArmed) return undefined;
    this.#timerArmed = true;
    // A full interval: what the arming request records (after this call) is held by then.
    return new Promise<void>((resolve) => setTimeout(resolve, this.#flushIntervalMs)).then(() => {
      this.#timerArmed = false;
      return this.flush(queue, true);
    });
  }

  /** Everything held, as messages; the isolate starts over empty. */
  #take(now: number): LogMessage[] {
    const messages = this.#pending;
    this.#pending = [];
    this.#urgent = false;
    for (const [key, counter] of this.#counters) {
      const message = counterMessage(key, counter, crypto.randomUUID());
      // A counted event is a line too, once per flush with this isolate's count (not once per grant).
      writeLine({
        ...message.event,
        debugContext: { debugData: { ...message.event.debugContext.debugData, count: counter.count } },
      });
      messages.push(message);
    }
    this.#counters.clear();
    if (this.#overflow > 0) {
      const window = windowStart(now);
      const spec: CountSpec = {
        eventType: EVENT_TYPES.logOverflow,
        result: "FAILURE",
        reason: "isolate_buffer_full",
        serverId: "",
        clientId: "",
        displayMessage: "System log events counted instead of stored: an isolate's buffer was full",
      };
      messages.push(
        counterMessage(
          counterKey(spec, window),
          { spec, window, count: this.#overflow },
          crypto.randomUUID(),
        ),
      );
      this.#overflow = 0;
    }
    return messages;
  }
}

/** Sends now, in batches within the queue's limits; a failure is logged, never thrown at a request. */
export async function send(queue: LogQueue, messages: readonly LogMessage[]): Promise<void> {
  let batch: { body: LogMessage }[] = [];
  let bytes = 0;
  const batches: { body: LogMessage }[][] = [];
  for (const body of messages) {
    const size = JSON.stringify(body).length;
    if (
      batch.length >= LOG_QUEUE_BATCH_MESSAGES ||
      (batch.length > 0 && bytes + size > LOG_QUEUE_BATCH_BYTES)
    ) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ body });
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  for (const b of batches) {
    try {
      await queue.sendBatch(b);
    } catch (error) {
      console.error(
        JSON.stringify({
          event: "system_log.send_failed",
          messages: b.length,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }
  }
}

/** Sends one event now (Durable Objects and crons: rare events, their own env). */
export async function sendEvent(
  queue: LogQueue | undefined,
  input: EventInput,
  nowMs: number,
): Promise<void> {
  const event = bounded(buildEvent(input, nowMs, crypto.randomUUID()));
  writeLine(event);
  if (queue) await send(queue, [{ v: 1, event }]);
}

export function windowStart(nowMs: number): number {
  const size = LOG_AGGREGATE_WINDOW_SECONDS * 1000;
  return Math.floor(nowMs / size) * size;
}

function counterKey(spec: CountSpec, window: number): string {
  return [
    spec.eventType,
    spec.result,
    spec.reason ?? "",
    spec.serverId,
    spec.clientId,
    spec.grantType ?? "",
    window,
  ].join("\u001f");
}

function counterMessage(key: string, counter: Counter, contribution: string): LogMessage {
  const { spec, window } = counter;
  const event = buildEvent(
    {
      eventType: spec.eventType,
      displayMessage: spec.displayMessage,
      actor: spec.actor ?? (spec.clientId ? clientActor(spec.clientId) : SYSTEM_ACTOR),
      outcome: { result: spec.result, reason: spec.reason ?? null },
      target: spec.serverId ? [serverTarget(spec.serverId)] : [],
      debugData: {
        aggregated: true,
        windowStart: new Date(window).toISOString(),
        windowSeconds: LOG_AGGREGATE_WINDOW_SECONDS,
        ...(spec.grantType ? { grantType: spec.grantType } : {}),
      },
    },
    window,
    crypto.randomUUID(),
  );
  return { v: 1, event, aggregate: { key, count: counter.count, contribution } };
}

/** An event over the size bound keeps its fields but loses its debug data's largest entries. */
function bounded(event: LogEvent): LogEvent {
  if (JSON.stringify(event).length <= LOG_EVENT_MAX_BYTES) return event;
  const debugData: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event.debugContext.debugData)) {
    const text = typeof v === "string" ? v : JSON.stringify(v);
    debugData[k] = text.length > 1024 ? `${text.slice(0, 1024)}…` : v;
  }
  debugData.truncated = true;
  return { ...event, debugContext: { debugData } };
}
