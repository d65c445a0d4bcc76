/**
 * Okta's priority semantics for an authorization server's policies and a policy's rules, pure:
 * priorities are always 1..n with no gaps; a new item goes last unless a priority is given;
 * placing an item at a priority shifts the ones at and after it down; order is otherwise stable.
 */

export interface Prioritised {
  id: string;
  priority: number;
}

/** Items in evaluation order, renumbered 1..n; equal priorities keep their list order. */
export function normalisePriorities<T extends Prioritised>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.priority - b.item.priority || a.index - b.index)
    .map(({ item }, index) => ({ ...item, priority: index + 1 }));
}

/**
 * `items` with `item` at `priority` (clamped to 1..n+1; last when undefined), replacing the item
 * with the same id if there is one, renumbered 1..n.
 */
export function placeAt<T extends Prioritised>(
  items: readonly T[],
  item: T,
  priority: number | undefined,
): T[] {
  const others = normalisePriorities(items.filter((i) => i.id !== item.id));
  const position = Math.min(Math.max(priority ?? others.length + 1, 1), others.length + 1) - 1;
  others.splice(position, 0, item);
  return others.map((i, index) => ({ ...i, priority: index + 1 }));
}

/** `items` without the one with `id`, renumbered 1..n. */
export function withoutItem<T extends Prioritised>(items: readonly T[], id: string): T[] {
  return normalisePriorities(items.filter((i) => i.id !== id));
}
