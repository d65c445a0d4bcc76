/**
 * The console's reordering arithmetic (console/src/reorder.ts): which `priority` a move means,
 * where a drag lands, where a key sends a row — checked against the server's own placement
 * (src/control-plane/priorities.ts `placeAt`), so one write of that priority gives the order the
 * admin asked for.
 */
import { describe, expect, it } from "vitest";
import {
  dropIndex,
  inPriorityOrder,
  isMoveKey,
  keyTarget,
  movedMessage,
  priorityForMove,
} from "../../console/src/reorder";
import { placeAt } from "../../src/control-plane/priorities";

const items = (ids: string[]) => ids.map((id, i) => ({ id, priority: i + 1 }));

describe("priorityForMove", () => {
  it("is the 1-based target position", () => {
    expect(priorityForMove(3, 2, 0)).toBe(1);
    expect(priorityForMove(3, 0, 2)).toBe(3);
    expect(priorityForMove(3, 0, 1)).toBe(2);
    expect(priorityForMove(3, 1, 0)).toBe(1);
  });

  it("is no move for the same place, an index out of the list, or a fraction", () => {
    expect(priorityForMove(3, 1, 1)).toBeUndefined();
    expect(priorityForMove(3, 0, -1)).toBeUndefined();
    expect(priorityForMove(3, 2, 3)).toBeUndefined();
    expect(priorityForMove(3, 5, 0)).toBeUndefined();
    expect(priorityForMove(3, 0, 1.5)).toBeUndefined();
    expect(priorityForMove(0, 0, 0)).toBeUndefined();
  });

  it("written as the moved item's priority, gives every order the admin can ask for (server's placeAt)", () => {
    const ids = ["a", "b", "c", "d", "e"];
    for (let from = 0; from < ids.length; from++) {
      for (let to = 0; to < ids.length; to++) {
        const priority = priorityForMove(ids.length, from, to);
        if (priority === undefined) continue;
        const moved = items(ids)[from] as { id: string; priority: number };
        const after = placeAt(items(ids), { ...moved, priority }, priority).map((i) => i.id);
        const expected = ids.filter((id) => id !== moved.id);
        expected.splice(to, 0, moved.id);
        expect(after, `${from} → ${to}`).toEqual(expected);
      }
    }
  });
});

describe("keyTarget", () => {
  it("moves one up or down, or to either end", () => {
    expect(keyTarget("ArrowUp", 2, 4)).toBe(1);
    expect(keyTarget("ArrowDown", 2, 4)).toBe(3);
    expect(keyTarget("Home", 2, 4)).toBe(0);
    expect(keyTarget("End", 1, 4)).toBe(3);
  });

  it("is nothing past either end (no write for a key that cannot move)", () => {
    expect(keyTarget("ArrowUp", 0, 4)).toBeUndefined();
    expect(keyTarget("Home", 0, 4)).toBeUndefined();
    expect(keyTarget("ArrowDown", 3, 4)).toBeUndefined();
    expect(keyTarget("End", 3, 4)).toBeUndefined();
    expect(keyTarget("ArrowDown", 0, 1)).toBeUndefined();
  });

  it("takes only its four keys", () => {
    expect(["ArrowUp", "ArrowDown", "Home", "End"].every(isMoveKey)).toBe(true);
    expect(["ArrowLeft", "Enter", " ", "PageUp", "arrowup"].some(isMoveKey)).toBe(false);
  });
});

describe("dropIndex", () => {
  // Rows 40 px high: middles at 20, 60, 100, 140.
  const middles = [20, 60, 100, 140];

  it("counts the other rows whose middle the pointer has passed", () => {
    expect(dropIndex(middles, 0, 10)).toBe(0);
    expect(dropIndex(middles, 0, 70)).toBe(1);
    expect(dropIndex(middles, 0, 139)).toBe(2);
    expect(dropIndex(middles, 0, 500)).toBe(3);
    expect(dropIndex(middles, 3, 0)).toBe(0);
    expect(dropIndex(middles, 3, 61)).toBe(2);
    expect(dropIndex(middles, 2, 90)).toBe(2);
  });

  it("stays in place when released over its own row", () => {
    for (const [from, y] of [
      [0, 20],
      [1, 55],
      [2, 105],
      [3, 140],
    ] as const) {
      expect(dropIndex(middles, from, y)).toBe(from);
    }
  });

  it("is an index in the list for a pointer anywhere, even far outside", () => {
    expect(dropIndex(middles, 1, -1e6)).toBe(0);
    expect(dropIndex(middles, 1, 1e6)).toBe(3);
    expect(dropIndex(middles, 1, Number.NaN)).toBe(0);
  });
});

describe("inPriorityOrder", () => {
  it("sorts by priority, keeping the server's order for equal ones, without changing the input", () => {
    const given = [
      { id: "c", priority: 3 },
      { id: "a", priority: 1 },
      { id: "b1", priority: 2 },
      { id: "b2", priority: 2 },
    ];
    expect(inPriorityOrder(given).map((i) => i.id)).toEqual(["a", "b1", "b2", "c"]);
    expect(given[0]?.id).toBe("c");
  });
});

describe("movedMessage", () => {
  it("says where the server put it", () => {
    expect(movedMessage("Rule", "Partners", 2, 3)).toBe("Rule Partners moved to position 2 of 3.");
    expect(movedMessage("Policy", "Mobile apps", 1, 4)).toBe("Policy Mobile apps moved to position 1 of 4.");
  });
});
