/**
 * Okta's Arrays functions. Arrays are values: every function returns a new array and never changes
 * its input. Null handling, from Okta's documentation where it says (size(NULL) is 0, isEmpty(NULL)
 * is true) and by the same rule elsewhere: predicates and counts treat null as empty, transformations
 * of null give null.
 */
import { EvaluationFailure } from "../errors";
import { EXPRESSION_LIMITS } from "../limits";
import { isDecimal } from "../numbers";
import {
  arrayTooLong,
  boundedArray,
  boundedString,
  elementsOf,
  isArray,
  numberText,
  stringTooLong,
  typeOf,
  type Value,
  valuesEqual,
} from "../values";
import { arg, arrayArg, type FunctionTable, type Invocation, integerArg } from "./types";

const A = "array" as const;

function add(call: Invocation): Value {
  const items = arrayArg(call, 0);
  return items === null ? null : boundedArray([...items, arg(call, 1)], call.rt);
}

/** Removes the first element equal to the value, as Java's List.remove(Object). */
function remove(call: Invocation): Value {
  const items = arrayArg(call, 0);
  if (items === null) return null;
  const value = arg(call, 1);
  const at = items.findIndex((item) => valuesEqual(item, value, call.rt));
  return at < 0 ? items : items.filter((_, i) => i !== at);
}

function clear(call: Invocation): Value {
  return arrayArg(call, 0) === null ? null : [];
}

/** Out-of-range positions give null rather than an error, so a claim is omitted, not failed. */
function get(call: Invocation): Value {
  const items = arrayArg(call, 0);
  const position = integerArg(call, 1);
  if (items === null || position === null) return null;
  return items[position] ?? null;
}

/** Arrays.flatten(10, {20, 30}, 40) is {10, 20, 30, 40}; nested arrays flatten fully; null arguments are skipped. */
function flatten(call: Invocation): Value {
  const out: Value[] = [];
  const visit = (value: Value, depth: number): void => {
    if (depth > EXPRESSION_LIMITS.maxValueDepth) {
      throw new EvaluationFailure("value_too_deep", "Arrays.flatten: arrays nested too deeply");
    }
    if (isArray(value)) {
      for (const item of elementsOf(value, call.rt)) visit(item, depth + 1);
      return;
    }
    out.push(value);
    if (out.length > EXPRESSION_LIMITS.maxArrayLength) throw arrayTooLong();
  };
  for (const value of call.args) if (value !== null) visit(value, 0);
  return boundedArray(out, call.rt);
}

function contains(call: Invocation): Value {
  const items = arrayArg(call, 0);
  if (items === null) return false;
  const value = arg(call, 1);
  return items.some((item) => valuesEqual(item, value, call.rt));
}

function size(call: Invocation): Value {
  return arrayArg(call, 0)?.length ?? 0;
}

function isEmpty(call: Invocation): Value {
  return (arrayArg(call, 0)?.length ?? 0) === 0;
}

/**
 * Elements joined with "," and no spaces (Okta's example keeps the elements' own spaces); null is
 * empty; numbers print as Java prints them (2.0 stays "2.0").
 */
function toCsvString(call: Invocation): Value {
  const items = arrayArg(call, 0);
  if (items === null) return null;
  const parts = items.map((item) => {
    if (item === null) return "";
    if (typeof item === "string") return item;
    if (typeof item === "number" || isDecimal(item)) return numberText(item);
    if (typeof item === "boolean") return String(item);
    throw new EvaluationFailure("type_error", `Arrays.toCsvString cannot render a ${typeOf(item)} element`);
  });
  const total = parts.reduce((sum, part) => sum + part.length + 1, 0);
  if (total > EXPRESSION_LIMITS.maxStringLength + 1) throw stringTooLong();
  return boundedString(parts.join(","), call.rt);
}

export const ARRAY_FUNCTIONS: FunctionTable = {
  "Arrays.add": { params: [A, "any"], invoke: add },
  "Arrays.remove": { params: [A, "any"], invoke: remove },
  "Arrays.clear": { params: [A], invoke: clear },
  "Arrays.get": { params: [A, "integer"], invoke: get },
  "Arrays.flatten": { params: [], rest: "any", invoke: flatten },
  "Arrays.contains": { params: [A, "any"], invoke: contains },
  "Arrays.size": { params: [A], invoke: size },
  "Arrays.isEmpty": { params: [A], invoke: isEmpty },
  "Arrays.toCsvString": { params: [A], invoke: toCsvString },
};
