import { describe, expect, it } from "vitest";
import { compileRegex, regexFullMatch, type SafeRegex } from "../../src/claims/expression";

function regex(pattern: string): SafeRegex {
  const result = compileRegex(pattern);
  if (!result.ok) throw new Error(`expected ${pattern} to compile: ${result.message}`);
  return result.regex;
}

function matches(pattern: string, input: string): boolean {
  const result = regexFullMatch(regex(pattern), input);
  if (!result.ok) throw new Error("budget exhausted");
  return result.matched;
}

/** Patterns whose meaning is the same in Java and JavaScript, checked against JS RegExp (whole-input). */
const AGREES_WITH_REGEXP: [string, string[]][] = [
  ["abc", ["abc", "ab", "abcd", ""]],
  ["a.c", ["abc", "a\nc", "ac", "a.c"]],
  ["a*", ["", "a", "aaaa", "ab"]],
  ["a+b?", ["a", "ab", "abb", "b"]],
  ["(ab|cd)+", ["ab", "abcd", "abc", "cdab"]],
  ["(?:x|y){2,3}", ["x", "xy", "xyx", "xyxy"]],
  ["a{3}", ["aa", "aaa", "aaaa"]],
  ["a{2,}", ["a", "aa", "aaaaa"]],
  ["[a-c]+", ["abc", "abd", "cab"]],
  ["[^a-c]+", ["xyz", "xaz"]],
  ["[-a]+", ["-a-", "b"]],
  ["[a\\-z]+", ["a-z", "b"]],
  ["\\d{3}-\\d{4}", ["555-1234", "55-1234", "abc-defg"]],
  ["\\w+@\\w+\\.com", ["a_b@example.com", "a@b.org"]],
  ["\\s*x\\s*", ["  x\t", "x", "y"]],
  ["[\\d\\s]+", ["1 2 3", "1a"]],
  ["[^\\d]+", ["abc", "a1"]],
  ["\\D\\W\\S", ["a!b", "1!b"]],
  ["^IT-.*$", ["IT-Admins", "XIT-"]],
  ["a|", ["a", "", "b"]],
  ["(a*)*b", ["aaab", "b", "aaa"]],
  ["(a|ab)(c|bcd)(d*)", ["abcd", "abcdd", "acd"]],
  ["\\x41\\u0042", ["AB", "ab"]],
  ["\\.\\*\\?\\(\\)", [".*?()", "abcd"]],
  [".*admin.*", ["sysadmins", "Admin"]],
  ["a*?b+?", ["aab", "b"]],
];

describe("safe regex engine", () => {
  for (const [pattern, inputs] of AGREES_WITH_REGEXP) {
    it(`agrees with RegExp on /${pattern}/`, () => {
      const reference = new RegExp(`^(?:${pattern})$`);
      for (const input of inputs)
        expect([input, matches(pattern, input)]).toEqual([input, reference.test(input)]);
    });
  }

  it("folds ASCII case with a leading (?i), as Java's CASE_INSENSITIVE", () => {
    expect(matches("(?i)it-[a-z]+", "IT-Admins")).toBe(true);
    expect(matches("(?i)[^a]", "A")).toBe(false);
    expect(matches("it-.*", "IT-Admins")).toBe(false);
  });

  it.each([
    ["(a", "Unclosed group", 0],
    ["a)", "Unmatched ')'", 1],
    ["[a", "Unclosed character class", 0],
    ["[z-a]", "Illegal character range", 3],
    ["*a", "Dangling quantifier: nothing to repeat", 0],
    ["a{x}", "Illegal repetition", 1],
    ["a{5,2}", "Illegal repetition range", 1],
    ["a*+", "Possessive quantifiers are not supported", 2],
    ["(?<n>a)", "Only non-capturing groups", 0],
    ["a(?i)", "Only non-capturing groups", 1],
    ["\\bword", "Unsupported escape '\\b'", 0],
    ["\\p{L}", "Unsupported escape '\\p'", 0],
    ["[a&&b]", "Nested classes and class intersections are not supported", 2],
    ["a\\", "Trailing backslash", 1],
    ["^*", "Nothing to repeat", 1],
  ])("rejects %s", (pattern, message, offset) => {
    const result = compileRegex(pattern);
    expect(result).toMatchObject({ ok: false, offset });
    if (!result.ok) expect(result.message).toContain(message);
  });

  it("bounds pattern length, nesting and program size", () => {
    expect(compileRegex("a".repeat(1025))).toMatchObject({ ok: false });
    expect(compileRegex(`${"(".repeat(40)}a${")".repeat(40)}`)).toMatchObject({ ok: false });
    expect(compileRegex("(a{1000}){5}")).toMatchObject({ ok: false, message: "Pattern too complex" });
  });

  it("reports budget exhaustion instead of running on", () => {
    expect(regexFullMatch(regex("(a?){50}a{50}"), "a".repeat(50), 100)).toEqual({
      ok: false,
      error: "budget_exhausted",
    });
    expect(regexFullMatch(regex("(a?){50}a{50}"), "a".repeat(50))).toEqual({ ok: true, matched: true });
  });
});
