/**
 * What the operators mean, as SpEL defines them for the Java values Okta computes with: `+` adds
 * numbers or concatenates when either side is a string; `-` `*` `/` `%` need numbers. Two integers
 * give an integer (Java's truncating division; dividing by zero is an error, as in Java); anything
 * with a decimal gives a decimal (numbers.ts), so `7 / 2` is 3 and `7 / 2.0` is 3.5. AND, OR, NOT
 * and the ternary condition need booleans (null is an error, as in SpEL); `==` compares values;
 * ordering puts null first.
 */
import type { ArithmeticOperator, ComparisonOperator, UnaryOperator } from "./ast";
import { EvaluationFailure } from "./errors";
import { EXPRESSION_LIMITS } from "./limits";
import { Decimal, numericValue } from "./numbers";
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

function operand(value: Value, operator: string): number | Decimal {
  if (typeof value !== "number" && !(value instanceof Decimal)) {
    throw new EvaluationFailure("type_error", `Operator '${operator}' needs numbers, got ${typeOf(value)}`);
  }
  return value;
}

/** Decimal results must be JSON numbers: no Infinity, no NaN (Java's would-be 1.0 / 0). */
function decimal(value: number): Decimal {
  if (!Number.isFinite(value)) {
    throw new EvaluationFailure("arithmetic_error", "Arithmetic result is not a finite number");
  }
  return new Decimal(value);
}

/**
 * Integer results must stay exact. Java would wrap around at 2^31 or 2^63; like Convert.toInt, we
 * fail instead: a silently wrong number in a token is worse than an omitted claim.
 */
function integer(value: number): number {
  if (!Number.isSafeInteger(value)) throw new EvaluationFailure("arithmetic_error", "Integer overflow");
  return value === 0 ? 0 : value;
}

/** Binary numeric promotion (JLS §5.6.2): two integers stay integers, otherwise both are doubles. */
function arithmetic(operator: Exclude<ArithmeticOperator, "+">, a: Value, b: Value): number | Decimal {
  const left = operand(a, operator);
  const right = operand(b, operator);
  if (typeof left === "number" && typeof right === "number") {
    switch (operator) {
      case "-":
        return integer(left - right);
      case "*":
        return integer(left * right);
      case "/":
        if (right === 0) throw new EvaluationFailure("arithmetic_error", "Division by zero");
        return integer(Math.trunc(left / right));
      case "%":
        if (right === 0) throw new EvaluationFailure("arithmetic_error", "Division by zero");
        // JavaScript's % keeps the dividend's sign, like Java's.
        return integer(left % right);
    }
  }
  const x = numericValue(left) ?? 0;
  const y = numericValue(right) ?? 0;
  switch (operator) {
    case "-":
      return decimal(x - y);
    case "*":
      return decimal(x * y);
    case "/":
      return decimal(x / y);
    case "%":
      return decimal(x % y);
  }
}

function add(a: Value, b: Value, meter: Meter): Value {
  if (typeof a === "string" || typeof b === "string") {
    // Java's string concatenation prints null as "null" and 2.0 as "2.0"; SpEL does the same.
    const left = scalarText(a);
    const right = scalarText(b);
    if (left.length + right.length > EXPRESSION_LIMITS.maxStringLength) throw stringTooLong();
    return boundedString(left + right, meter);
  }
  const x = numericValue(a);
  const y = numericValue(b);
  if (x === undefined || y === undefined) {
    throw new EvaluationFailure("type_error", `Cannot add a ${typeOf(a)} and a ${typeOf(b)}`);
  }
  return typeof a === "number" && typeof b === "number" ? integer(x + y) : decimal(x + y);
}

export function applyUnary(operator: UnaryOperator, value: Value): Value {
  switch (operator) {
    case "!":
      return !truth(value, "The operand of '!'");
    case "-": {
      const n = operand(value, operator);
      return typeof n === "number" ? integer(-n) : decimal(-n.value);
    }
    case "+":
      return operand(value, operator);
  }
}

export function applyArithmetic(operator: ArithmeticOperator, a: Value, b: Value, meter: Meter): Value {
  switch (operator) {
    case "+":
      return add(a, b, meter);
    case "-":
    case "*":
    case "/":
    case "%":
      return arithmetic(operator, a, b);
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
