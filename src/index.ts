/** Worker entry: the app's fetch handler, the system log's queue and cron handlers, and the Durable Object classes. */
import { type IsolateHandler, isolateHandler } from "./app";
import type { Env } from "./env";
import { drainUnreadRequestBody } from "./http/bounded-body";

export { RateLimiter } from "./config/rate-limiter";
export { ControlPlane } from "./control-plane/lazy-control-plane";
export { Grant } from "./grants/grant-object";
export { KeyVault } from "./keys/key-vault";
export { AssertionReplay } from "./oauth/assertion-replay";

/**
 * One handler per isolate, its caches what keep the warm token path free of I/O; its apps built by
 * their first request, not at module load (src/app.ts `isolateHandler`). `wrangler check startup` times
 * module evaluation, which every new isolate pays at every location (DESIGN §10), and registering the
 * routes was most of it (issue 13 item 5, bench/results/cold-start.md). Construction is synchronous
 * and allocates only: nothing a request could see half built.
 */
let handler: IsolateHandler | undefined;

export default {
  async fetch(request, env, ctx): Promise<Response> {
    handler ??= isolateHandler();
    const response = await handler(request, env, ctx);
    // Local development only: a body left unread (refused before reading, or by an endpoint that
    // never reads one) is drained before answering (src/http/bounded-body.ts).
    if (env.LOCAL_DEVELOPMENT === "true") await drainUnreadRequestBody(request);
    return response;
  },
  // --- System log (src/log/): the LOG_QUEUE consumer and the daily retention cron ---
  // Loaded by their first batch or cron (scripts/build.mjs makes each import a module of its own):
  // an isolate that serves requests never parses the log's D1 writer or the session sweep.
  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    const { consumeLogBatch } = await import("./log/consumer");
    await consumeLogBatch(batch, env.DIRECTORY, Date.now());
  },
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    const [{ runRetention }, { runSessionSweep }] = await Promise.all([
      import("./log/retention"),
      import("./signin/session-sweep"),
    ]);
    await runRetention(env.DIRECTORY, controller.scheduledTime);
    // Sign-in (src/signin/): expired sessions and session tokens, by the same daily cron.
    await runSessionSweep(env.DIRECTORY, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env, unknown>;
