/**
 * The value of a GROUPS claim (Okta's groups claim filter): the names of the user's groups that
 * pass `group_filter_type` over the claim's `value`, in the user's group order.
 * - STARTS_WITH, EQUALS, CONTAINS compare plain text, case-sensitively: Okta documents no case
 *   folding for these filters, and its expression language and group rules compare group names
 *   exactly; a REGEX filter can fold case with `(?i)`.
 * - REGEX must match the whole name, as Java's String.matches (Okta's `.*` means every group).
 * - At most 100 names: Okta caps a groups claim at 100 groups.
 * One step budget covers all of a claim's groups, so a user in thousands of groups and a costly
 * pattern cannot multiply into unbounded work on the token path.
 */
import { EXPRESSION_LIMITS, type ExpressionGroup, regexMatches, type SafeRegex } from "./expression";

/** Okta caps a groups claim at 100 groups. */
export const MAX_GROUPS_IN_CLAIM = 100;

export type GroupFilter =
  | { type: "STARTS_WITH" | "EQUALS" | "CONTAINS"; value: string }
  | { type: "REGEX"; regex: SafeRegex };

export type GroupFilterResult = { ok: true; names: string[] } | { ok: false; reason: "budget_exhausted" };

class OutOfBudget extends Error {}

export function filterGroupNames(
  filter: GroupFilter,
  groups: readonly ExpressionGroup[],
  maxSteps: number = EXPRESSION_LIMITS.maxSteps,
): GroupFilterResult {
  let used = 0;
  const charge = (steps: number): void => {
    used += steps;
    if (used > maxSteps) throw new OutOfBudget();
  };
  const names: string[] = [];
  try {
    for (const group of groups) {
      if (names.length === MAX_GROUPS_IN_CLAIM) break;
      const name = group.name;
      // One step per group, and the name's length for reading it (64 characters a step, as scans).
      charge(1 + Math.ceil(name.length / 64));
      if (passes(filter, name, charge)) names.push(name);
    }
  } catch (error) {
    if (error instanceof OutOfBudget) return { ok: false, reason: "budget_exhausted" };
    throw error;
  }
  return { ok: true, names };
}

function passes(filter: GroupFilter, name: string, charge: (steps: number) => void): boolean {
  switch (filter.type) {
    case "STARTS_WITH":
      return name.startsWith(filter.value);
    case "EQUALS":
      return name === filter.value;
    case "CONTAINS":
      return name.includes(filter.value);
    case "REGEX":
      return regexMatches(filter.regex, name, charge);
  }
}
