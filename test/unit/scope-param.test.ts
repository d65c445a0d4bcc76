import { describe, expect, it } from "vitest";
import { OAuthError } from "../../src/errors";
import { parseScopeParam } from "../../src/oauth/scope-param";

describe("parseScopeParam (RFC 6749 §3.3)", () => {
  it("returns nothing when no scope was sent", () => {
    expect(parseScopeParam(undefined)).toEqual([]);
  });

  it("splits on single spaces, keeps order and drops repeats", () => {
    expect(parseScopeParam("b a b orders:read")).toEqual(["b", "a", "orders:read"]);
  });

  it.each(["a  b", " a", "a ", 'a "b"', "a\\b", "a\tb", "é"])("rejects %j as invalid_scope", (scope) => {
    expect(() => parseScopeParam(scope)).toThrowError(OAuthError);
    try {
      parseScopeParam(scope);
    } catch (error) {
      expect((error as OAuthError).code).toBe("invalid_scope");
    }
  });

  it("accepts every scope-token character", () => {
    const all = String.fromCharCode(
      0x21,
      ...Array.from({ length: 0x5b - 0x23 + 1 }, (_, i) => 0x23 + i),
      ...Array.from({ length: 0x7e - 0x5d + 1 }, (_, i) => 0x5d + i),
    );
    expect(parseScopeParam(all)).toEqual([all]);
  });
});
