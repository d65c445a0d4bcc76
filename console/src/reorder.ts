/**
 * Reordering access policies and rules, pure (test/unit/console-reorder.test.ts runs it in Node).
 *
 * Okta numbers an authorization server's policies, and a policy's rules, 1..n without gaps, and
 * writing one item's `priority` k places it at position k among the others and renumbers the rest
 * (Okta's Policies API; Warden's src/control-plane/priorities.ts `placeAt`). So a move is always
 * exactly one write: the moved item's `priority`, its new 1-based position. The list is redrawn
 * from the server's answer, never from this arithmetic (no optimistic UI).
 */

export interface Prioritised {
  id: string;
  priority: number;
}

/** Items in evaluation order (ascending priority; equal priorities keep the server's order). */
export function inPriorityOrder<T extends Prioritised>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.priority - b.item.priority || a.index - b.index)
    .map(({ item }) => item);
}

/**
 * The `priority` to write to move the item at index `from` to index `to` (both 0-based, of
 * `count` items), or undefined when that is no move (same place, or out of the list).
 */
export function priorityForMove(count: number, from: number, to: number): number | undefined {
  const inList = (i: number) => Number.isInteger(i) && i >= 0 && i < count;
  if (!inList(from) || !inList(to) || from === to) return undefined;
  return to + 1;
}

/** Keys a focused drag handle takes (WAI-ARIA APG "rearrangeable listbox" keys). */
export type MoveKey = "ArrowUp" | "ArrowDown" | "Home" | "End";

export function isMoveKey(key: string): key is MoveKey {
  return key === "ArrowUp" || key === "ArrowDown" || key === "Home" || key === "End";
}

/** Where a key sends the item at `from` of `count`; undefined when it cannot go that way. */
export function keyTarget(key: MoveKey, from: number, count: number): number | undefined {
  const to = key === "ArrowUp" ? from - 1 : key === "ArrowDown" ? from + 1 : key === "Home" ? 0 : count - 1;
  return priorityForMove(count, from, to) === undefined ? undefined : to;
}

/**
 * The index a dragged row lands at when the pointer is released at `y`: one past every other row
 * whose vertical middle is above the pointer. `middles` are the rows' middles in the list's
 * current order, the dragged row (`from`) among them.
 */
export function dropIndex(middles: readonly number[], from: number, y: number): number {
  return middles.filter((middle, i) => i !== from && middle < y).length;
}

/** The live region's sentence after the server accepted a move (its answer's priority). */
export function movedMessage(kind: "Policy" | "Rule", name: string, position: number, total: number): string {
  return `${kind} ${name} moved to position ${position} of ${total}.`;
}
