/**
 * Okta's Convert functions. toInt rounds to the nearest integer (Okta: 123.4 → 123, 123.6 → 124,
 * Java's Math.round) and returns a Java int; toNum returns a double. Where Java would wrap around on
 * overflow we fail instead: a silently wrapped number in a token is worse than an omitted claim.
 */
import { EvaluationFailure } from "../errors";
import { arg, type FunctionTable, type Invocation, invalidArgument } from "./types";

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
/** Java's Double.parseDouble grammar for plain decimals (no hex, no NaN/Infinity: not JSON). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseDecimal(call: Invocation, text: string): number {
  const trimmed = text.trim();
  const value = DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(value)) throw invalidArgument(call, `'${text.slice(0, 40)}' is not a number`);
  return value;
}

function toNumber(call: Invocation): number | null {
  const value = arg(call, 0);
  if (value === null) return null;
  return typeof value === "number" ? value : parseDecimal(call, String(value));
}

function toInt(call: Invocation): number | null {
  const value = toNumber(call);
  if (value === null) return null;
  const rounded = Math.round(value);
  if (rounded < INT_MIN || rounded > INT_MAX) {
    throw new EvaluationFailure("arithmetic_error", `${call.name}: ${value} is outside the integer range`);
  }
  return rounded === 0 ? 0 : rounded;
}

export const CONVERT_FUNCTIONS: FunctionTable = {
  "Convert.toInt": { params: ["numeric"], invoke: toInt },
  "Convert.toNum": { params: ["numeric"], invoke: toNumber },
};
