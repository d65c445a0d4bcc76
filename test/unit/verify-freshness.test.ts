/** The pure Cache-Control reading behind JWKS freshness (RFC 9111 §4.2, §5.2; RFC 5861). */
import { describe, expect, it } from "vitest";
import { freshnessOf, parseCacheControl } from "../../src/verify/freshness";

const T = 1_000_000;
const of = (headers: Record<string, string>) => freshnessOf(new Headers(headers), T);

describe("parseCacheControl", () => {
  it("reads names case-insensitively, unquotes arguments and keeps the first of duplicates", () => {
    const cc = parseCacheControl('Public, MAX-AGE=60, max-age=5, stale-if-error="120", no-transform');
    expect([...cc]).toEqual([
      ["public", undefined],
      ["max-age", "60"],
      ["stale-if-error", "120"],
      ["no-transform", undefined],
    ]);
    expect(parseCacheControl(null).size).toBe(0);
  });
});

describe("freshnessOf", () => {
  it("max-age, stale-while-revalidate and stale-if-error become absolute windows", () => {
    expect(
      of({ "Cache-Control": "public, max-age=300, stale-while-revalidate=60, stale-if-error=86400" }),
    ).toEqual({
      asOf: T,
      freshUntil: T + 300_000,
      revalidateUntil: T + 360_000,
      usableUntil: T + 86_700_000,
      storable: true,
    });
  });

  it("Age moves the whole window back", () => {
    const f = of({ "Cache-Control": "max-age=300", Age: "120" });
    expect(f.asOf).toBe(T - 120_000);
    expect(f.freshUntil).toBe(T + 180_000);
  });

  it("without max-age: 300 s; with no-cache, no-store or an invalid value: stale at once", () => {
    expect(of({}).freshUntil).toBe(T + 300_000);
    expect(of({ "Cache-Control": "no-cache" }).freshUntil).toBe(T);
    expect(of({ "Cache-Control": "max-age=abc" }).freshUntil).toBe(T);
    expect(of({ "Cache-Control": "max-age=-5" }).freshUntil).toBe(T);
    const noStore = of({ "Cache-Control": "no-store, max-age=300" });
    expect(noStore.freshUntil).toBe(T);
    expect(noStore.storable).toBe(false);
  });

  it("defaults stale-if-error to 24 h, caps max-age at 24 h, and the ceiling is configurable", () => {
    expect(of({ "Cache-Control": "max-age=0" }).usableUntil).toBe(T + 86_400_000);
    expect(of({ "Cache-Control": "max-age=999999999" }).freshUntil).toBe(T + 86_400_000);
    expect(
      freshnessOf(new Headers({ "Cache-Control": "max-age=600" }), T, { maxAgeCeilingSeconds: 60 })
        .freshUntil,
    ).toBe(T + 60_000);
  });
});
