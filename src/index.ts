/** Worker entry: the app's fetch handler, the system log's queue and cron handlers, and the Durable Object classes. */
import { createApp } from "./app";
import type { Env } from "./env";
import { drainUnreadRequestBody } from "./http/bounded-body";
import { consumeLogBatch } from "./log/consumer";
import { runRetention } from "./log/retention";
import { runSessionSweep } from "./signin/session-sweep";

export { RateLimiter } from "./config/rate-limiter";
export { ControlPlane } from "./control-plane/lazy-control-plane";
export { Grant } from "./grants/grant-object";
export { KeyVault } from "./keys/key-vault";
export { AssertionReplay } from "./oauth/assertion-replay";

/** One app per isolate: its caches are what keep the warm token path free of I/O. */
const app = createApp();

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const response = await app.fetch(request, env, ctx);
    // Local development only: a body left unread (refused before reading, or by an endpoint that
    // never reads one) is drained before answering (src/http/bounded-body.ts).
    if (env.LOCAL_DEVELOPMENT === "true") await drainUnreadRequestBody(request);
    return response;
  },
  // --- System log (src/log/): the LOG_QUEUE consumer and the daily retention cron ---
  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    await consumeLogBatch(batch, env.DIRECTORY, Date.now());
  },
  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    await runRetention(env.DIRECTORY, controller.scheduledTime);
    // Sign-in (src/signin/): expired sessions and session tokens, by the same daily cron.
    await runSessionSweep(env.DIRECTORY, controller.scheduledTime);
  },
} satisfies ExportedHandler<Env, unknown>;
