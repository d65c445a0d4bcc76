/**
 * Okta's group functions, over the user's groups in the context. Without a user (client_credentials)
 * the membership tests are false and the group lists are null, so a claim built from them is omitted.
 *
 * Limits, as Okta documents them: Groups.startsWith/endsWith/contains take a limit of 1 through 100
 * and return at most that many groups; getFilteredGroups fails when more allowed groups match than
 * its limit ("If there are more groups returned than the specified limit, an error is returned").
 */
import type { ExpressionGroup } from "../context";
import { EvaluationFailure } from "../errors";
import { EXPRESSION_LIMITS } from "../limits";
import { regexMatches } from "../regex";
import type { Runtime } from "../runtime";
import { boundedArray, elementsOf, isArray, type Value, type ValueRecord } from "../values";
import {
  arrayArg,
  type FunctionTable,
  type Invocation,
  integerArg,
  invalidArgument,
  required,
  stringArg,
  typeError,
} from "./types";

/** Okta's source name for groups mastered in Okta itself; Warden's own groups. */
const OKTA_SOURCE = "OKTA";

function groupsOf(rt: Runtime): readonly ExpressionGroup[] | null {
  const groups = rt.context.groups;
  if (groups === null) return null;
  rt.charge(groups.length);
  for (const group of groups) {
    if (typeof group?.id !== "string" || typeof group.name !== "string") {
      throw new EvaluationFailure("unsupported_value", "Every group needs a string id and name");
    }
  }
  return groups;
}

function memberWhere(test: (group: ExpressionGroup, value: string) => boolean) {
  return (call: Invocation): Value => {
    const value = stringArg(call, 0);
    const groups = groupsOf(call.rt);
    if (groups === null || value === null) return false;
    return groups.some((group) => test(group, value));
  };
}

function isMemberOfAnyGroup(call: Invocation): Value {
  const groups = groupsOf(call.rt);
  if (groups === null) return false;
  const ids = new Set<string>();
  call.args.forEach((value, i) => {
    // Ids may come one per argument or as an array attribute (app.profile.allowedGroups).
    for (const id of isArray(value) ? elementsOf(value, call.rt) : [value]) {
      if (id === null) continue;
      if (typeof id !== "string") throw typeError(call, i, "a group id", id);
      ids.add(id);
    }
  });
  return groups.some((group) => ids.has(group.id));
}

function isMemberOfGroupNameRegex(call: Invocation): Value {
  const groups = groupsOf(call.rt);
  const prepared = call.prepared[0];
  if (groups === null || prepared?.kind !== "regex") return false;
  const charge = (steps: number) => call.rt.charge(steps);
  return groups.some((group) => regexMatches(prepared.regex, group.name, charge));
}

/** What a getFilteredGroups group expression sees as `group`: Okta's group object shape. */
function groupBinding(group: ExpressionGroup): ValueRecord {
  return {
    id: group.id,
    name: group.name,
    source: group.source ?? OKTA_SOURCE,
    profile: group.profile ?? { name: group.name },
  };
}

function getFilteredGroups(call: Invocation): Value {
  const allowlist = required(call, 0, arrayArg(call, 0));
  const limit = required(call, 2, integerArg(call, 2));
  const prepared = call.prepared[1];
  if (prepared?.kind !== "groupExpression") throw invalidArgument(call, "argument 2 must not be null");
  if (limit < 1 || limit > EXPRESSION_LIMITS.maxFilteredGroupsLimit) {
    throw invalidArgument(
      call,
      `the limit must be from 1 through ${EXPRESSION_LIMITS.maxFilteredGroupsLimit}`,
    );
  }
  const groups = groupsOf(call.rt);
  if (groups === null) return null;
  const allowed = new Set<string>();
  allowlist.forEach((id) => {
    if (typeof id !== "string") throw typeError(call, 0, "an array of group ids", id);
    allowed.add(id);
  });
  const members = groups.filter((group) => allowed.has(group.id));
  if (members.length > limit) {
    throw new EvaluationFailure(
      "too_many_groups",
      `getFilteredGroups matched ${members.length} groups, more than its limit of ${limit}`,
    );
  }
  const previous = call.rt.group;
  const out: Value[] = [];
  try {
    for (const group of members) {
      call.rt.group = groupBinding(group);
      const value = prepared.evaluate(call.rt);
      if (value !== null) out.push(value);
    }
  } finally {
    call.rt.group = previous;
  }
  return boundedArray(out, call.rt);
}

/** Groups.startsWith("OKTA", "IT", 10): names of the user's groups from a source, matching a pattern. */
function groupsMatching(test: (name: string, pattern: string) => boolean) {
  return (call: Invocation): Value => {
    const source = required(call, 0, stringArg(call, 0));
    const pattern = required(call, 1, stringArg(call, 1));
    const limit = required(call, 2, integerArg(call, 2));
    if (limit < 1 || limit > EXPRESSION_LIMITS.maxGroupFunctionLimit) {
      throw invalidArgument(
        call,
        `the limit must be from 1 through ${EXPRESSION_LIMITS.maxGroupFunctionLimit}`,
      );
    }
    const groups = groupsOf(call.rt);
    if (groups === null) return null;
    const names = groups
      .filter((group) => (group.source ?? OKTA_SOURCE) === source && test(group.name, pattern))
      .map((group) => group.name);
    return names.slice(0, limit);
  };
}

export const GROUP_FUNCTIONS: FunctionTable = {
  isMemberOfGroupName: { params: ["string"], invoke: memberWhere((group, name) => group.name === name) },
  isMemberOfGroup: { params: ["string"], invoke: memberWhere((group, id) => group.id === id) },
  isMemberOfAnyGroup: { params: [], rest: "any", invoke: isMemberOfAnyGroup },
  isMemberOfGroupNameStartsWith: {
    params: ["string"],
    invoke: memberWhere((group, prefix) => group.name.startsWith(prefix)),
  },
  isMemberOfGroupNameContains: {
    params: ["string"],
    invoke: memberWhere((group, part) => group.name.includes(part)),
  },
  isMemberOfGroupNameRegex: { params: ["regex"], invoke: isMemberOfGroupNameRegex },
  getFilteredGroups: { params: ["array", "groupExpression", "integer"], invoke: getFilteredGroups },
  "Groups.startsWith": {
    params: ["string", "string", "integer"],
    invoke: groupsMatching((n, p) => n.startsWith(p)),
  },
  "Groups.endsWith": {
    params: ["string", "string", "integer"],
    invoke: groupsMatching((n, p) => n.endsWith(p)),
  },
  "Groups.contains": {
    params: ["string", "string", "integer"],
    invoke: groupsMatching((n, p) => n.includes(p)),
  },
};
