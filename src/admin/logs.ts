/**
 * `GET /api/v1/logs`, Okta's System Log API: LogEvents from D1 (src/log/store.ts), filtered by
 * `since` / `until` / `filter` / `q`, in `sortOrder`, `limit` at a time, with `Link: rel="self"` and
 * `rel="next"` (always there for a polling query: ASCENDING without `until`). Needs `okta.logs.read`.
 * Events reach D1 through the queue, a few seconds after they happen; counted events (token grants
 * by default) carry `debugContext.debugData.count` and may come back with a higher count.
 */
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { encodeCursor, isPolling, parseLogQuery } from "../log/query";
import { queryEvents } from "../log/store";

export function logsRouter(now: () => number) {
  const router = new Hono<AppEnv>();
  router.get("/", async (c) => {
    const url = new URL(c.req.url);
    const query = parseLogQuery(url.searchParams, now());
    const rows = await queryEvents(c.env.DIRECTORY, query);
    const base = `${c.get("orgUrl")}/api/v1/logs`;
    const self = new URL(base);
    self.search = url.search;
    const links = [`<${self.href}>; rel="self"`];
    const last = rows.at(-1);
    if (last || isPolling(query)) {
      if (last && rows.length === query.limit) links.push(nextLink(self, last.seq));
      else if (isPolling(query)) links.push(last ? nextLink(self, last.seq) : `<${self.href}>; rel="next"`);
    }
    return c.json(
      rows.map((r) => r.event),
      200,
      { Link: links.join(", ") },
    );
  });
  return router;
}

function nextLink(self: URL, seq: number): string {
  const next = new URL(self.href);
  next.searchParams.set("after", encodeCursor(seq));
  return `<${next.href}>; rel="next"`;
}
