import { describe, expect, it } from "vitest";
import { isEventLine } from "../quiet-log";

describe("the test tiers' console filter", () => {
  it("drops system-log event lines and keeps everything else", () => {
    expect(isEventLine('{"uuid":"u","eventType":"system.api_token.create","severity":"INFO"}')).toBe(true);
    expect(isEventLine('{"event":"pulse.refresh_failed","heldVersion":3}\n')).toBe(true);
    expect(isEventLine("unhandled error Error: boom")).toBe(false);
    expect(isEventLine('{"eventType":')).toBe(false);
    expect(isEventLine('{"status":500}')).toBe(false);
    expect(isEventLine("[1,2]")).toBe(false);
    expect(isEventLine('{"eventType":"a"}\n{"event":"b"}\n')).toBe(true);
    expect(isEventLine('{"eventType":"a"}\nAssertionError: expected 1 to be 2')).toBe(false);
    expect(isEventLine("")).toBe(false);
  });
});
