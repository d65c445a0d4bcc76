import { describe, expect, it } from "vitest";
import { Client, ObjectId } from "../../src/config/schemas";
import { canBeClientId, canBeObjectId } from "../../src/oauth/id-syntax";

/** Strings at and around every edge of both rules, plus a seeded sample of arbitrary ones. */
function candidates(): string[] {
  const edges = [
    "",
    "a",
    "default",
    "v1",
    "aus-1_x",
    "a".repeat(64),
    "a".repeat(65),
    "a".repeat(100),
    "a".repeat(101),
    "a".repeat(600),
    "has space",
    " lead",
    "trail ",
    "tab\there",
    "new\nline",
    "\u0000",
    "\u007f",
    "~!#$%&'()*+,./:;<=>?@[\\]^`{|}",
    "0oa1b2c3.d4e5@example.com",
    "été",
    "ключ",
    "😀",
    "a\u00a0b",
  ];
  // A small linear congruential generator: the same sample on every run.
  let state = 42;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  const sample: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const length = next() % 110;
    let s = "";
    for (let j = 0; j < length; j++) {
      const pick = next() % 20;
      s += String.fromCharCode(
        pick === 0 ? next() % 0x3000 : pick === 1 ? next() % 0x20 : 0x20 + (next() % 0x60),
      );
    }
    sample.push(s);
  }
  return [...edges, ...sample];
}

describe("id syntax checks agree with the schemas", () => {
  const all = candidates();

  it("canBeObjectId is ObjectId.safeParse", () => {
    for (const s of all) expect([s, canBeObjectId(s)]).toEqual([s, ObjectId.safeParse(s).success]);
  });

  it("canBeClientId is the client_id rule", () => {
    const rule = Client.shape.client_id;
    for (const s of all) expect([s, canBeClientId(s)]).toEqual([s, rule.safeParse(s).success]);
  });

  it("covers both answers for both rules", () => {
    expect(all.some(canBeObjectId)).toBe(true);
    expect(all.some((s) => !canBeObjectId(s))).toBe(true);
    expect(all.some(canBeClientId)).toBe(true);
    expect(all.some((s) => !canBeClientId(s))).toBe(true);
  });
});
