/**
 * Hands the system log's pending send to the runtime after the response (`waitUntil`). Called at
 * the start of a request, so what earlier requests recorded goes out when due; an armed timer sends
 * what this request records within one flush interval even if no request follows.
 */
import type { EventLog } from "./event-log";

interface HasExecutionContext {
  readonly executionCtx: Pick<ExecutionContext, "waitUntil">;
}

export function afterResponse(c: HasExecutionContext, log: EventLog): void {
  let ctx: Pick<ExecutionContext, "waitUntil"> | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    // `app.request()` / `app.fetch(request, env)` in tests: no execution context, no timers.
    ctx = undefined;
  }
  const due = log.flush();
  if (!ctx) {
    due?.catch(() => {});
    return;
  }
  if (due) ctx.waitUntil(due);
  else {
    const timer = log.armTimer();
    if (timer) ctx.waitUntil(timer);
  }
}
