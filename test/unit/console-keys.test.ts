/**
 * The Keys tab's pure rules (console/src/key-timeline.ts): the timeline's order and dates, and what
 * a rotation did, read from the keys before and after keyRotate.
 */
import { describe, expect, it } from "vitest";
import {
  EXPIRED_KEY_RETENTION_SECONDS,
  formatInstant,
  formatPeriod,
  keyTimeline,
  rotationMessage,
  rotationOutcome,
  type SigningKey,
} from "../../console/src/key-timeline";

const key = (kid: string, status: SigningKey["status"], activatesAt: string | null): SigningKey => ({
  kid,
  alg: "RS256",
  status,
  created: "2026-01-01T00:00:00.000Z",
  activatesAt,
});

describe("keyTimeline", () => {
  const keys = [
    key("old", "EXPIRED", "2026-01-01T00:00:00.000Z"),
    key("active", "ACTIVE", "2026-04-01T00:00:00.000Z"),
    key("older", "EXPIRED", "2025-10-01T00:00:00.000Z"),
    key("next", "NEXT", "2026-06-30T00:00:00.000Z"),
  ];

  it("lists NEXT, ACTIVE, then EXPIRED, the most recent first", () => {
    expect(keyTimeline(keys).map((r) => r.key.kid)).toEqual(["next", "active", "old", "older"]);
  });

  it("ends each key's signing where the following key's begins", () => {
    const rows = new Map(keyTimeline(keys).map((r) => [r.key.kid, r]));
    expect(rows.get("active")?.signsUntil?.toISOString()).toBe("2026-06-30T00:00:00.000Z");
    expect(rows.get("old")?.signsUntil?.toISOString()).toBe("2026-04-01T00:00:00.000Z");
    expect(rows.get("older")?.signsUntil?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(rows.get("next")?.signsUntil).toBeUndefined();
  });

  it("keeps an EXPIRED key published for a day plus the JWKS cache lifetime after it stopped signing", () => {
    const old = keyTimeline(keys).find((r) => r.key.kid === "old");
    expect(EXPIRED_KEY_RETENTION_SECONDS).toBe(24 * 3600 + 20 * 60);
    expect(old?.leavesJwks?.toISOString()).toBe("2026-04-02T00:20:00.000Z");
    expect(keyTimeline(keys).find((r) => r.key.kid === "active")?.leavesJwks).toBeUndefined();
  });

  it("shows an undated or unreadable date as unknown, never as 1970 or Invalid Date", () => {
    const rows = keyTimeline([key("m", "NEXT", null), { ...key("x", "ACTIVE", "not a date") }]);
    expect(rows.map((r) => formatInstant(r.signsFrom))).toEqual(["—", "—"]);
    expect(rows.every((r) => r.signsUntil === undefined)).toBe(true);
  });
});

describe("formatInstant", () => {
  it("writes UTC to the minute, whatever the machine's zone", () => {
    expect(formatInstant(new Date("2026-12-07T05:43:54.123Z"))).toBe("2026-12-07 05:43 UTC");
  });
});

describe("rotationOutcome", () => {
  const now = new Date("2026-05-01T00:00:00.000Z");
  const before = [
    key("a", "ACTIVE", "2026-04-01T00:00:00.000Z"),
    key("b", "NEXT", "2026-06-30T00:00:00.000Z"),
  ];

  it("the NEXT key signing at once", () => {
    const after = [
      key("a", "EXPIRED", "2026-04-01T00:00:00.000Z"),
      key("b", "ACTIVE", "2026-05-01T00:00:00.000Z"),
      key("c", "NEXT", "2026-07-30T00:00:00.000Z"),
    ];
    const outcome = rotationOutcome(before, after, now);
    expect(outcome).toEqual({ kind: "now", kid: "b" });
    expect(rotationMessage(outcome)).toContain("b signs from now");
  });

  it("deferred: the same key still signs, the NEXT one takes over at its date", () => {
    const after = [
      key("a", "ACTIVE", "2026-04-01T00:00:00.000Z"),
      key("b", "NEXT", "2026-05-01T00:23:00.000Z"),
    ];
    const outcome = rotationOutcome(before, after, now);
    expect(outcome).toEqual({ kind: "deferred", kid: "b", at: new Date("2026-05-01T00:23:00.000Z") });
    expect(rotationMessage(outcome)).toBe(
      "Rotation scheduled: b signs from 2026-05-01 00:23 UTC. It was published too recently for every cached key set to hold it, so the current key signs until then.",
    );
  });

  it("an answer it cannot read says only that keys rotated", () => {
    expect(rotationMessage(rotationOutcome(before, [], now))).toBe("Keys rotated.");
  });
});

describe("formatPeriod", () => {
  it("says a rotation period in its two largest units", () => {
    expect(formatPeriod(90 * 86_400)).toBe("90 days");
    expect(formatPeriod(86_400 + 6 * 3600 + 5)).toBe("1 day 6 hours");
    expect(formatPeriod(45 * 60)).toBe("45 minutes");
    expect(formatPeriod(1)).toBe("1 second");
    expect(formatPeriod(0)).toBe("—");
    expect(formatPeriod(Number.NaN)).toBe("—");
  });
});
