/** A plan as a person reads it in a terminal or a pull request: one line per object, one per field. */
import type { Change, ObjectKind, ObjectRef, Plan } from "./plan";
import { isPlainObject } from "./values";

const KIND_NAMES: Record<ObjectKind, string> = {
  authorizationServer: "authorization server",
  scope: "scope",
  claim: "claim",
  policy: "policy",
  rule: "rule",
  client: "client",
  inlineHook: "inline hook",
  trustedOrigin: "trusted origin",
};

function describeObject(object: ObjectRef): string {
  const owners = [
    object.server === undefined ? undefined : `authorization server "${object.server}"`,
    object.policy === undefined ? undefined : `policy "${object.policy}"`,
  ].filter((owner) => owner !== undefined);
  const name = `${KIND_NAMES[object.kind]} "${object.key}"`;
  return owners.length > 0 ? `${name} (${owners.join(", ")})` : name;
}

/** `"text"`, `60`, `["a", "b"]`, `{"id": "x"}`; an absent member is `(none)`. */
function showValue(value: unknown): string {
  if (value === undefined) return "(none)";
  if (Array.isArray(value)) return `[${value.map(showValue).join(", ")}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${JSON.stringify(key)}: ${showValue(item)}`)
      .join(", ")}}`;
  }
  return JSON.stringify(value);
}

function renderChange(change: Change): string[] {
  switch (change.action) {
    case "create":
      return [
        `+ create ${describeObject(change.object)}`,
        ...change.fields.map((field) => `    ${field.path}: ${showValue(field.after)}`),
      ];
    case "update":
      return [
        `~ update ${describeObject(change.object)}`,
        ...change.fields.map(
          (field) => `    ${field.path}: ${showValue(field.before)} → ${showValue(field.after)}`,
        ),
      ];
    case "delete":
      return [`- delete ${describeObject(change.object)}`];
  }
}

function summarise(plan: Plan): string {
  const count = (action: Change["action"]) => plan.changes.filter((c) => c.action === action).length;
  const kept = plan.kept.length > 0 ? ` ${plan.kept.length} not in the file, kept.` : "";
  if (plan.changes.length === 0) return `No changes.${kept}`;
  return `Plan: ${count("create")} to create, ${count("update")} to update, ${count("delete")} to delete.${kept}`;
}

export function renderPlan(plan: Plan): string {
  const lines = [
    ...plan.changes.flatMap(renderChange),
    ...plan.kept.map((object) => `= keep ${describeObject(object)}: not in file, kept (--prune deletes it)`),
  ];
  return [...lines, ...(lines.length > 0 ? [""] : []), summarise(plan), ""].join("\n");
}
