/**
 * How a built-in function is declared: parameter kinds (checked at compile time for literals and at
 * run time for everything), arity, and the implementation. Functions are the only way an expression
 * does anything beyond reading data and applying operators, so this table is the whole attack surface.
 */
import { EvaluationFailure } from "../errors";
import { integerValue, isDecimal } from "../numbers";
import type { SafeRegex } from "../regex";
import type { Evaluator, Runtime } from "../runtime";
import { chargeText } from "../text-cost";
import { boundedArray, elementsOf, isArray, typeOf, type Value } from "../values";

export type ParamKind =
  | "any"
  | "string"
  | "integer"
  | "boolean"
  /** An array, or a comma-separated string: Okta converts CSV strings for the Arrays functions. */
  | "array"
  /** A string or a number (Convert). */
  | "numeric"
  /** A string or an integer (timestamps for the Time functions). */
  | "timestamp"
  /** A pattern string, compiled by the compiler to a linear-time regex (see regex.ts). */
  | "regex"
  /** A string holding an expression over `group`, compiled by the compiler (getFilteredGroups). */
  | "groupExpression";

/** What the compiler prepares for `regex` and `groupExpression` arguments. */
export type Prepared =
  | { kind: "regex"; regex: SafeRegex }
  | { kind: "groupExpression"; evaluate: Evaluator }
  | undefined;

export interface Invocation {
  readonly name: string;
  readonly args: readonly Value[];
  readonly prepared: readonly Prepared[];
  readonly rt: Runtime;
}

export interface FunctionSpec {
  readonly params: readonly ParamKind[];
  /** How many leading params are required; the rest of `params` are optional. Defaults to all. */
  readonly required?: number;
  /** Kind of any further arguments (varargs). */
  readonly rest?: ParamKind;
  /** Varargs must come in groups of this size (String.stringSwitch's key/value pairs). */
  readonly restMultipleOf?: number;
  readonly invoke: (call: Invocation) => Value;
}

export type FunctionTable = Readonly<Record<string, FunctionSpec>>;

export function paramKind(spec: FunctionSpec, index: number): ParamKind {
  return spec.params[index] ?? spec.rest ?? "any";
}

/** Whether a value fits a parameter kind. Null fits every kind: each function decides what null means. */
export function accepts(kind: ParamKind, value: Value): boolean {
  if (value === null) return true;
  switch (kind) {
    case "any":
      return true;
    case "string":
    case "regex":
    case "groupExpression":
      return typeof value === "string";
    case "integer":
      return integerValue(value) !== undefined;
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return isArray(value) || typeof value === "string";
    case "numeric":
      return typeof value === "number" || isDecimal(value) || typeof value === "string";
    case "timestamp":
      return typeof value === "string" || integerValue(value) !== undefined;
  }
}

export function describeKind(kind: ParamKind): string {
  switch (kind) {
    case "any":
      return "a value";
    case "string":
      return "a string";
    case "integer":
      return "an integer";
    case "boolean":
      return "a boolean";
    case "array":
      return "an array";
    case "numeric":
      return "a number or a numeric string";
    case "timestamp":
      return "a timestamp string or integer";
    case "regex":
      return "a regular expression string";
    case "groupExpression":
      return "a group expression string";
  }
}

export function typeError(
  call: Invocation,
  index: number,
  expected: string,
  value: Value,
): EvaluationFailure {
  return new EvaluationFailure(
    "type_error",
    `${call.name} expects ${expected} as argument ${index + 1}, got ${typeOf(value)}`,
  );
}

export function invalidArgument(call: Invocation, detail: string): EvaluationFailure {
  return new EvaluationFailure("invalid_argument", `${call.name}: ${detail}`);
}

// ---- typed argument readers (the compiler has already checked kinds) ----

export function arg(call: Invocation, index: number): Value {
  return call.args[index] ?? null;
}

export function stringArg(call: Invocation, index: number): string | null {
  const value = arg(call, index);
  return typeof value === "string" ? value : null;
}

/** An `integer` argument: an integer, or a decimal with a whole value (see numbers.ts). */
export function integerArg(call: Invocation, index: number): number | null {
  return integerValue(arg(call, index)) ?? null;
}

/** A required argument: Okta documents some parameters as not nullable. */
export function required<T>(call: Invocation, index: number, value: T | null): T {
  if (value === null) throw invalidArgument(call, `argument ${index + 1} must not be null`);
  return value;
}

/** An `array` argument as elements; a string is split on commas, as Okta does; null stays null. */
export function arrayArg(call: Invocation, index: number): Value[] | null {
  const value = arg(call, index);
  if (value === null) return null;
  if (typeof value === "string") {
    chargeText(call.rt, value, "scan");
    return boundedArray(value === "" ? [] : value.split(","), call.rt);
  }
  if (isArray(value)) return elementsOf(value, call.rt);
  throw typeError(call, index, "an array", value);
}
