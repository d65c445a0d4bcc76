/**
 * What the operators mean, as SpEL defines them for the Java values Okta computes with: `+` adds
 * numbers or concatenates when either side is a string; `-` `*` `/` `%` need numbers, with Java's
 * integer division; AND, OR, NOT and the ternary condition need booleans (null is an error, as in
 * SpEL); `==` compares values; ordering puts null first.
 */
import type { ArithmeticOperator, ComparisonOperator, UnaryOperator } from "./ast";
import { EvaluationFailure } from "./errors";
import { EXPRESSION_LIMITS } from "./limits";
import {
  boundedString,
  compareValues,
  type Meter,
  scalarText,
  stringTooLong,
  typeOf,
  type Value,
  valuesEqual,
} from "./values";

export function truth(value: Value, what: string): boolean {
  if (typeof value !== "boolean") {
    throw new EvaluationFailure("type_error", `${what} must be a boolean, got ${typeOf(value)}`);
  }
  return value;
}

function number(value: Value, operator: string): number {
  if (typeof value !== "number") {
    throw new EvaluationFailure("type_error", `Operator '${operator}' needs numbers, got ${typeOf(value)}`);
  }
  return value;
}

/** Results must be JSON numbers: no Infinity, no NaN, no -0. */
function finite(value: number): number {
  if (!Number.isFinite(value)) throw new EvaluationFailure("arithmetic_error", "Arithmetic overflow");
  return value === 0 ? 0 : value;
}

/** Java integer division truncates, and an integer divided by zero is an error, as in Java. */
function divide(a: number, b: number, remainder: boolean): number {
  const integers = Number.isInteger(a) && Number.isInteger(b);
  if (integers && b === 0) throw new EvaluationFailure("arithmetic_error", "Division by zero");
  // JavaScript's % keeps the dividend's sign, like Java's.
  if (remainder) return finite(a % b);
  return finite(integers ? Math.trunc(a / b) : a / b);
}

function add(a: Value, b: Value, meter: Meter): Value {
  if (typeof a === "number" && typeof b === "number") return finite(a + b);
  if (typeof a === "string" || typeof b === "string") {
    // Java's string concatenation prints null as "null"; SpEL does the same.
    const left = scalarText(a);
    const right = scalarText(b);
    if (left.length + right.length > EXPRESSION_LIMITS.maxStringLength) throw stringTooLong();
    return boundedString(left + right, meter);
  }
  throw new EvaluationFailure("type_error", `Cannot add a ${typeOf(a)} and a ${typeOf(b)}`);
}

export function applyUnary(operator: UnaryOperator, value: Value): Value {
  switch (operator) {
    case "!":
      return !truth(value, "The operand of '!'");
    case "-":
      return finite(-number(value, operator));
    case "+":
      return number(value, operator);
  }
}

export function applyArithmetic(operator: ArithmeticOperator, a: Value, b: Value, meter: Meter): Value {
  switch (operator) {
    case "+":
      return add(a, b, meter);
    case "-":
      return finite(number(a, operator) - number(b, operator));
    case "*":
      return finite(number(a, operator) * number(b, operator));
    case "/":
      return divide(number(a, operator), number(b, operator), false);
    case "%":
      return divide(number(a, operator), number(b, operator), true);
  }
}

/** All comparisons but `matches`, which needs a compiled pattern (see the compiler). */
export function applyComparison(
  operator: Exclude<ComparisonOperator, "matches">,
  a: Value,
  b: Value,
  meter: Meter,
): boolean {
  switch (operator) {
    case "==":
      return valuesEqual(a, b, meter);
    case "!=":
      return !valuesEqual(a, b, meter);
    case "<":
      return compareValues(a, b) < 0;
    case "<=":
      return compareValues(a, b) <= 0;
    case ">":
      return compareValues(a, b) > 0;
    case ">=":
      return compareValues(a, b) >= 0;
  }
}
