import { describe, expect, it } from "vitest";
import { normalisePriorities, placeAt, withoutItem } from "../../src/control-plane/priorities";

const items = (...spec: [string, number][]) => spec.map(([id, priority]) => ({ id, priority }));
const order = (list: { id: string; priority: number }[]) => list.map((i) => `${i.id}:${i.priority}`);

describe("priorities (Okta semantics)", () => {
  it("normalises to 1..n in priority order; ties keep list order", () => {
    expect(order(normalisePriorities(items(["c", 30], ["a", 10], ["b", 10], ["d", 99])))).toEqual([
      "a:1",
      "b:2",
      "c:3",
      "d:4",
    ]);
    expect(normalisePriorities([])).toEqual([]);
  });

  it("puts a new item last when no priority is given", () => {
    expect(order(placeAt(items(["a", 1], ["b", 2]), { id: "n", priority: 0 }, undefined))).toEqual([
      "a:1",
      "b:2",
      "n:3",
    ]);
  });

  it("inserts at a priority and shifts the items at and after it", () => {
    const list = items(["a", 1], ["b", 2], ["c", 3]);
    expect(order(placeAt(list, { id: "n", priority: 0 }, 1))).toEqual(["n:1", "a:2", "b:3", "c:4"]);
    expect(order(placeAt(list, { id: "n", priority: 0 }, 2))).toEqual(["a:1", "n:2", "b:3", "c:4"]);
  });

  it("clamps a priority beyond the end to last, and below 1 to first", () => {
    const list = items(["a", 1], ["b", 2]);
    expect(order(placeAt(list, { id: "n", priority: 0 }, 50))).toEqual(["a:1", "b:2", "n:3"]);
    expect(order(placeAt(list, { id: "n", priority: 0 }, -3))).toEqual(["n:1", "a:2", "b:3"]);
  });

  it("moves an existing item: the others close the gap and shift around it", () => {
    const list = items(["a", 1], ["b", 2], ["c", 3], ["d", 4]);
    expect(order(placeAt(list, { id: "d", priority: 4 }, 1))).toEqual(["d:1", "a:2", "b:3", "c:4"]);
    expect(order(placeAt(list, { id: "a", priority: 1 }, 3))).toEqual(["b:1", "c:2", "a:3", "d:4"]);
    expect(order(placeAt(list, { id: "b", priority: 2 }, 2))).toEqual(["a:1", "b:2", "c:3", "d:4"]);
  });

  it("removes an item and renumbers the rest", () => {
    expect(order(withoutItem(items(["a", 1], ["b", 2], ["c", 3]), "b"))).toEqual(["a:1", "c:2"]);
    expect(order(withoutItem(items(["a", 1]), "nope"))).toEqual(["a:1"]);
  });

  it("never mutates its input", () => {
    const list = items(["a", 1], ["b", 2]);
    const before = JSON.stringify(list);
    placeAt(list, { id: "n", priority: 0 }, 1);
    withoutItem(list, "a");
    normalisePriorities(list);
    expect(JSON.stringify(list)).toBe(before);
  });
});
