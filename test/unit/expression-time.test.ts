import { describe, expect, it } from "vitest";
import { evaluated, userContext } from "./expression-fixtures";

describe("Joda time patterns", () => {
  const winter = userContext({ now: () => Date.UTC(2015, 0, 15, 12, 0, 0, 5) });

  it.each([
    ['Time.now("EST")', "2015-01-15T07:00:00.005-05:00"],
    ['Time.now("America/New_York", "h:mm a ZZ ZZZ")', "7:00 AM -05:00 America/New_York"],
    ['Time.now("UTC", "k K e S SS SSSS")', "12 0 4 0 00 0050"],
    ["Time.now(\"UTC\", \"'at' HH 'o''clock' ''\")", "at 12 o'clock '"],
    ['Time.now("GMT-8", "yyyy-MM-dd HH:mm Z")', "2015-01-15 04:00 -0800"],
    ['Time.now("JST", "EEEE")', "Thursday"],
  ])("%s", (source, expected) => {
    expect(evaluated(source, winter)).toBe(expected);
  });

  it.each([
    [
      'Time.fromStringToIso8601("2015-01-15 07:00 America/New_York", "yyyy-MM-dd HH:mm ZZZ")',
      "2015-01-15T12:00:00.000Z",
    ],
    [
      'Time.fromStringToIso8601("2015-07-15 07:00 America/New_York", "yyyy-MM-dd HH:mm ZZZ")',
      "2015-07-15T11:00:00.000Z",
    ],
    [
      'Time.fromStringToIso8601("Thu, 15 Jan 2015 07:00:00 +0100", "EEE, dd MMM yyyy HH:mm:ss Z")',
      "2015-01-15T06:00:00.000Z",
    ],
    ['Time.fromStringToIso8601("1/2/99", "M/d/yy")', "1999-01-02T00:00:00.000Z"],
    ['Time.fromStringToIso8601("1/2/30", "M/d/yy")', "2030-01-02T00:00:00.000Z"],
    [
      'Time.fromStringToIso8601("2015-01-15T07:00:00.123Z", "yyyy-MM-dd\'T\'HH:mm:ss.SSSZ")',
      "2015-01-15T07:00:00.123Z",
    ],
  ])("%s", (source, expected) => {
    expect(evaluated(source, winter)).toBe(expected);
  });
});
