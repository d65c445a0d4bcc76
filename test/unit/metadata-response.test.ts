import { describe, expect, it } from "vitest";
import { ifNoneMatchHits } from "../../src/oauth/metadata-response";

describe("ifNoneMatchHits (RFC 9110 §13.1.2, weak comparison §8.8.3.2)", () => {
  const etag = '"abc123"';

  it.each([
    [etag, true],
    ["*", true],
    [" * ", true],
    [`W/${etag}`, true],
    [`"x", ${etag}`, true],
    [`"x",W/${etag} , "y"`, true],
    ['"a,b", "abc123"', true],
    ['"abc1234"', false],
    ['"abc12"', false],
    ["abc123", false],
    ['"x", "y"', false],
    ["", false],
  ])("%j → %s", (header, hit) => {
    expect(ifNoneMatchHits(header, etag)).toBe(hit);
  });

  it("is false without the header, and compares a weak tag of ours by its opaque part", () => {
    expect(ifNoneMatchHits(null, etag)).toBe(false);
    expect(ifNoneMatchHits(etag, `W/${etag}`)).toBe(true);
  });
});
