/**
 * Okta's Convert functions. toInt rounds to the nearest integer (Okta: 123.4 → 123, 123.6 → 124,
 * Java's Math.round) and returns a Java int; toNum returns a double, a decimal here (numbers.ts), so
 * `Convert.toNum('7') / 2` is 3.5 as in Okta. Where Java would wrap around on overflow we fail
 * instead: a silently wrapped number in a token is worse than an omitted claim.
 */
import { EvaluationFailure } from "../errors";
import { Decimal, numericValue } from "../numbers";
import { chargeText } from "../text-cost";
import { arg, type FunctionTable, type Invocation, invalidArgument } from "./types";

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
/**
 * Java's Double.parseDouble grammar for plain decimals (no hex, no NaN/Infinity: not JSON). Written
 * without ambiguity (`\d+(\.\d*)?`, not `\d+\.?\d*`): the ambiguous form backtracks quadratically, a
 * second on a 20,000-digit attribute.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseDecimal(call: Invocation, text: string): number {
  chargeText(call.rt, text, "transform");
  const trimmed = text.trim();
  const value = DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(value)) throw invalidArgument(call, `'${text.slice(0, 40)}' is not a number`);
  return value;
}

function numberArg(call: Invocation): number | null {
  const value = arg(call, 0);
  if (value === null) return null;
  return numericValue(value) ?? parseDecimal(call, String(value));
}

function toNum(call: Invocation): Decimal | null {
  const value = numberArg(call);
  return value === null ? null : new Decimal(value);
}

function toInt(call: Invocation): number | null {
  const value = numberArg(call);
  if (value === null) return null;
  const rounded = Math.round(value);
  if (rounded < INT_MIN || rounded > INT_MAX) {
    throw new EvaluationFailure("arithmetic_error", `${call.name}: ${value} is outside the integer range`);
  }
  return rounded === 0 ? 0 : rounded;
}

export const CONVERT_FUNCTIONS: FunctionTable = {
  "Convert.toInt": { params: ["numeric"], invoke: toInt },
  "Convert.toNum": { params: ["numeric"], invoke: toNum },
};
