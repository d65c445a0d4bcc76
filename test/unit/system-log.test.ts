/**
 * The system log's pure parts: the filter parser and its SQL, the isolate's counters, sampling and
 * flush schedule, the event shape, and the query parameters.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  LOG_DENIAL_SAMPLES_PER_WINDOW,
  LOG_FILTER_MAX_DEPTH,
  LOG_FLUSH_INTERVAL_SECONDS,
  LOG_QUERY_MAX_LIMIT,
} from "../../src/config/defaults";
import { ApiError } from "../../src/errors";
import { buildEvent, EVENT_TYPES } from "../../src/log/event";
import { IsolateEventLog, type LogMessage, type LogQueue } from "../../src/log/event-log";
import { compileFilter, FilterError, parseFilter } from "../../src/log/filter";
import { decodeCursor, encodeCursor, isPolling, parseLogQuery } from "../../src/log/query";

afterEach(() => vi.restoreAllMocks());

describe("filter", () => {
  it("parses Okta's expressions with and binding tighter than or, parentheses and not", () => {
    expect(parseFilter('eventType eq "a" or severity eq "WARN" and outcome.result eq "FAILURE"')).toEqual({
      kind: "or",
      left: { kind: "compare", path: "eventType", op: "eq", value: "a" },
      right: {
        kind: "and",
        left: { kind: "compare", path: "severity", op: "eq", value: "WARN" },
        right: { kind: "compare", path: "outcome.result", op: "eq", value: "FAILURE" },
      },
    });
    expect(parseFilter('not (actor.id eq "x\\"y") AND target.id pr').kind).toBe("and");
  });

  it("compiles to parameterised SQL: columns, JSON paths and any target", () => {
    expect(compileFilter(parseFilter('eventType eq "a" and actor.id ne "b"'))).toEqual({
      sql: "(event_type = ? AND actor_id IS NOT ?)",
      params: ["a", "b"],
    });
    expect(compileFilter(parseFilter('debugContext.debugData.grantType sw "client"'))).toEqual({
      sql: "substr(json_extract(event, ?), 1, length(?)) = ?",
      params: ["$.debugContext.debugData.grantType", "client", "client"],
    });
    const target = compileFilter(parseFilter('target.id eq "aus1"'));
    expect(target.sql).toContain("json_each(event, '$.target')");
    expect(target.params).toEqual(["$.id", "aus1"]);
    expect(compileFilter(parseFilter('published gt "2026-01-01T00:00:00Z"')).params).toEqual([
      Date.parse("2026-01-01T00:00:00Z"),
    ]);
  });

  it("refuses what it cannot take, with a reason", () => {
    for (const bad of [
      "",
      'eventType eq "x" and',
      "eventType eq",
      'eventType like "x"',
      'nosuch eq "x"',
      'actor.id; eq "x"',
      '(eventType eq "x"',
      'eventType eq "x")',
      'eventType eq "x',
      `${"(".repeat(LOG_FILTER_MAX_DEPTH + 2)}eventType eq "x"${")".repeat(LOG_FILTER_MAX_DEPTH + 2)}`,
      Array.from({ length: 40 }, () => 'eventType eq "x"').join(" or "),
      `eventType eq "${"x".repeat(5000)}"`,
      'published gt "yesterday"',
    ]) {
      expect(() => compileFilter(parseFilter(bad)), bad.slice(0, 40)).toThrow(FilterError);
    }
  });
});

describe("the isolate's event log", () => {
  function setup() {
    let now = Date.UTC(2030, 0, 1, 12, 0, 5);
    const sent: LogMessage[][] = [];
    const queue: LogQueue = { sendBatch: async (batch) => void sent.push([...batch].map((m) => m.body)) };
    const log = new IsolateEventLog(() => now);
    return {
      log,
      port: log.port(queue),
      sent,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }
  const grant = (clientId: string) => ({
    eventType: EVENT_TYPES.grantAccessToken,
    result: "SUCCESS" as const,
    serverId: "aus1",
    clientId,
    grantType: "client_credentials",
    displayMessage: "OAuth2 access token is granted",
  });

  it("counts per server × client × minute and sends nothing before the flush interval", async () => {
    const { port, sent, advance } = setup();
    for (let i = 0; i < 5; i++) port.count(grant("a"));
    port.count(grant("b"));
    expect(port.flush()).toBeUndefined();
    advance(60_000); // the next minute: a new row
    port.count(grant("a"));
    await port.flush();
    expect(sent).toHaveLength(1);
    const counts = sent[0]?.map((m) => [m.event.actor.id, m.event.published, m.aggregate?.count]);
    expect(counts).toEqual([
      ["a", "2030-01-01T12:00:00.000Z", 5],
      ["b", "2030-01-01T12:00:00.000Z", 1],
      ["a", "2030-01-01T12:01:00.000Z", 1],
    ]);
    // Each contribution has its own id; the row key is the same for every isolate.
    expect(new Set(sent[0]?.map((m) => m.aggregate?.contribution)).size).toBe(3);
    expect(port.flush(true)).toBeUndefined(); // nothing held
  });

  it("sends at most once per interval, and at once after an urgent event", async () => {
    const { port, sent, advance } = setup();
    vi.spyOn(console, "info").mockImplementation(() => {});
    port.count(grant("a"));
    advance(LOG_FLUSH_INTERVAL_SECONDS * 1000 - 1);
    expect(port.flush()).toBeUndefined();
    advance(1);
    await port.flush();
    port.count(grant("a"));
    expect(port.flush()).toBeUndefined();
    port.record(
      {
        eventType: EVENT_TYPES.scopeCreated,
        displayMessage: "Create scope",
        actor: { id: "bootstrap", type: "SystemPrincipal" },
        outcome: { result: "SUCCESS" },
      },
      { urgent: true },
    );
    await port.flush();
    expect(sent.map((batch) => batch.length)).toEqual([1, 2]);
  });

  it("starts a new isolate's first interval at its first request, not at module evaluation", async () => {
    // workerd's clock reads 0 outside a request, where the log is built (src/index.ts): an interval
    // counted from then made every isolate's second token pay for a queue send.
    let now = 0;
    const sent: LogMessage[][] = [];
    const log = new IsolateEventLog(() => now);
    const port = log.port({ sendBatch: async (batch) => void sent.push([...batch].map((m) => m.body)) });
    now = Date.UTC(2030, 0, 1, 12, 0, 5);
    expect(port.flush()).toBeUndefined(); // the first request
    port.count(grant("a"));
    now += 1;
    expect(port.flush()).toBeUndefined(); // the second
    port.count(grant("a"));
    now += LOG_FLUSH_INTERVAL_SECONDS * 1000;
    vi.spyOn(console, "info").mockImplementation(() => {});
    await port.flush();
    expect(sent.map((batch) => batch.map((m) => m.aggregate?.count))).toEqual([[2]]);
  });

  it("keeps the first denials of a key per window in full and counts the rest", async () => {
    const { port, sent } = setup();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const count = { ...grant("a"), eventType: EVENT_TYPES.grantFailure, result: "FAILURE" as const };
    for (let i = 0; i < LOG_DENIAL_SAMPLES_PER_WINDOW + 4; i++) {
      port.record(
        {
          eventType: EVENT_TYPES.grantFailure,
          displayMessage: "denied",
          actor: { id: "a", type: "PublicClientApp" },
          outcome: { result: "FAILURE", reason: "access_denied" },
        },
        { sample: { key: "aus1/a/access_denied", count } },
      );
    }
    // Every one was a line.
    expect(console.warn).toHaveBeenCalledTimes(LOG_DENIAL_SAMPLES_PER_WINDOW + 4);
    await port.flush(true);
    const messages = sent.flat();
    expect(messages.filter((m) => !m.aggregate)).toHaveLength(LOG_DENIAL_SAMPLES_PER_WINDOW);
    expect(messages.filter((m) => m.aggregate).map((m) => m.aggregate?.count)).toEqual([4]);
  });

  it("splits a flush into batches within the queue's limits", async () => {
    const { port, sent } = setup();
    for (let i = 0; i < 250; i++) port.count(grant(`client-${i}`));
    await port.flush(true);
    expect(sent.map((b) => b.length)).toEqual([100, 100, 50]);
  });
});

describe("events", () => {
  it("have Okta's LogEvent shape", () => {
    const event = buildEvent(
      {
        eventType: EVENT_TYPES.apiTokenCreate,
        displayMessage: "Create API token",
        actor: { id: "bootstrap", type: "SystemPrincipal" },
        outcome: { result: "SUCCESS" },
        target: [{ id: "00T1", type: "ApiToken" }],
        request: { ip: "203.0.113.1", userAgent: "curl/8", requestId: "ray1" },
      },
      Date.UTC(2030, 0, 1),
      "uuid-1",
    );
    expect(event).toMatchObject({
      uuid: "uuid-1",
      published: "2030-01-01T00:00:00.000Z",
      eventType: "system.api_token.create",
      version: "0",
      severity: "INFO",
      actor: { id: "bootstrap", type: "SystemPrincipal", alternateId: null },
      client: { ipAddress: "203.0.113.1", userAgent: { rawUserAgent: "curl/8" } },
      outcome: { result: "SUCCESS", reason: null },
      target: [{ id: "00T1", type: "ApiToken" }],
      transaction: { type: "WEB", id: "ray1" },
      request: { ipChain: [{ ip: "203.0.113.1" }] },
    });
  });
});

describe("query parameters", () => {
  const now = Date.UTC(2030, 0, 8);
  const parse = (q: string) => parseLogQuery(new URLSearchParams(q), now);

  it("default to the last 7 days, ASCENDING, 100 at a time, polling", () => {
    const query = parse("");
    expect(query).toMatchObject({
      sinceMs: Date.UTC(2030, 0, 1),
      untilMs: undefined,
      descending: false,
      limit: 100,
    });
    expect(isPolling(query)).toBe(true);
    expect(isPolling(parse("until=2030-01-02T00:00:00Z"))).toBe(false);
    expect(parse(`limit=${LOG_QUERY_MAX_LIMIT + 5}`).limit).toBe(LOG_QUERY_MAX_LIMIT);
  });

  it("round-trip cursors and refuse forged ones", () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(decodeCursor("bm9wZQ")).toBeNull();
    expect(parse(`after=${encodeCursor(7)}`).after).toBe(7);
  });

  it("refuse bad input as Okta does", () => {
    const code = (q: string) => {
      try {
        parse(q);
        return "accepted";
      } catch (error) {
        return error instanceof ApiError ? error.code : "other";
      }
    };
    expect(code('filter=eventType eq "x" and')).toBe("E0000031");
    expect(code("since=yesterday")).toBe("E0000001");
    // Impossible dates and times, which Date.parse would roll over (2026-02-31 → 3 March).
    for (const t of [
      "2026-02-31T10:00:00Z",
      "2026-02-29T10:00:00Z",
      "2026-13-01T10:00:00Z",
      "2026-00-10T10:00:00Z",
      "2026-04-31T10:00:00Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01T10:60:00Z",
      "2026-01-01T10:00:60Z",
      "2026-01-01T10:00:00+24:00",
      "2026-01-01T10:00:00",
      "2026-01-01T10:00:00.000Zjunk",
    ])
      expect(code(`since=${encodeURIComponent(t)}`), t).toBe("E0000001");
    // …and the forms Okta takes.
    for (const t of [
      "2028-02-29T10:00:00Z",
      "2026-11-20T10:00:00.000Z",
      "2026-11-20T10:00+05:30",
      "2026-11-20t10:00:00z",
    ])
      expect(code(`since=${encodeURIComponent(t)}`), t).toBe("accepted");
    expect(code("sortOrder=up")).toBe("E0000001");
    expect(code("limit=-1")).toBe("E0000001");
    expect(code("limit=1&limit=2")).toBe("E0000001");
    expect(code(`q=${"a ".repeat(20)}`)).toBe("E0000001");
    // Within the term bound but past D1's 100 bound values per statement: a 400, never a 500.
    const many = Array.from({ length: 32 }, () => 'displayMessage sw "a"').join(" or ");
    expect(code(`filter=${encodeURIComponent(many)}&q=a b c d e f g h i j`)).toBe("E0000031");
  });
});
