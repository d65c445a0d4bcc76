/**
 * The values an expression computes with, and the only code that touches caller-supplied data.
 * Reading is restricted to own data properties of plain objects and arrays: no prototype walk, no
 * getters run, no functions called, no class instances (Date, Map, …) looked into. Context data is
 * classified lazily, as it is reached, so a large profile costs nothing until an expression reads it.
 */
import { isForbiddenProperty } from "./ast";
import { EvaluationFailure } from "./errors";
import { EXPRESSION_LIMITS } from "./limits";
import { Decimal, decimalText, integerText, integerValue, numberFromData, numericValue } from "./numbers";
import { chargeText } from "./text-cost";

/** `number` is always a safe integer (a Java int/long); a Java double is a `Decimal` (numbers.ts). */
export type Scalar = null | boolean | number | Decimal | string;
/** A plain object (prototype Object.prototype or null); its members are classified when read. */
export type ValueRecord = { readonly [key: string]: unknown };
/** An array; its elements are classified when read (they may come straight from the context). */
export type ValueArray = readonly unknown[];
export type Value = Scalar | ValueArray | ValueRecord;

/** What an evaluation returns: plain JSON, freshly built, sharing nothing with the context. */
export type ExpressionValue =
  | null
  | boolean
  | number
  | string
  | ExpressionValue[]
  | { [key: string]: ExpressionValue };

export type ValueType = "null" | "boolean" | "number" | "string" | "array" | "object";

/** Anything that can be charged for work: the per-evaluation step budget. */
export interface Meter {
  charge(steps: number): void;
}

export function isArray(value: Value): value is ValueArray {
  return Array.isArray(value);
}

export function isRecord(value: Value): value is ValueRecord {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Decimal);
}

export function typeOf(value: Value): ValueType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Decimal) return "number";
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    default:
      return "object";
  }
}

/** Turns raw caller data into a Value, refusing anything that is not plain JSON-like data. */
export function classify(raw: unknown): Value {
  switch (typeof raw) {
    case "undefined":
      return null;
    case "boolean":
    case "string":
      return raw;
    case "number":
      if (!Number.isFinite(raw))
        throw new EvaluationFailure("unsupported_value", "Non-finite number in the context");
      return numberFromData(raw);
    case "object": {
      if (raw === null) return null;
      // Decimals an evaluation built, read back out of an array it built.
      if (raw instanceof Decimal) return raw;
      const proto: unknown = Object.getPrototypeOf(raw);
      if (Array.isArray(raw) && proto === Array.prototype) return raw as ValueArray;
      if (proto === Object.prototype || proto === null) return raw as ValueRecord;
      throw new EvaluationFailure("unsupported_value", "Only plain objects and arrays can be read");
    }
    default:
      throw new EvaluationFailure("unsupported_value", `Values of type ${typeof raw} cannot be read`);
  }
}

function forbidden(name: string): EvaluationFailure {
  return new EvaluationFailure("forbidden_property", `Property '${name}' is not accessible`);
}

/** Reads an own data property, or null when absent: Okta's missing attributes evaluate to null. */
function ownData(target: object, key: string): Value {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined) return null;
  if (!("value" in descriptor)) {
    throw new EvaluationFailure("unsupported_value", `Property '${key}' is not a data property`);
  }
  return classify(descriptor.value);
}

/** `target.name`. Reading through null yields null, so `user.email` is null without a user. */
export function readProperty(target: Value, name: string): Value {
  if (isForbiddenProperty(name)) throw forbidden(name);
  if (target === null) return null;
  if (isRecord(target)) return ownData(target, name);
  throw new EvaluationFailure("type_error", `Cannot read property '${name}' of a ${typeOf(target)}`);
}

/** `target[index]`: arrays by integer position (null when out of range), objects by string key. */
export function readIndex(target: Value, index: Value): Value {
  if (typeof index === "string" && isForbiddenProperty(index)) throw forbidden(index);
  if (target === null) return null;
  if (isArray(target)) {
    const position = integerValue(index);
    if (position === undefined) {
      throw new EvaluationFailure("type_error", `An array index must be an integer, got ${typeOf(index)}`);
    }
    if (position < 0 || position >= target.length) return null;
    return ownData(target, String(position));
  }
  if (isRecord(target)) {
    if (typeof index !== "string") {
      throw new EvaluationFailure("type_error", `An object key must be a string, got ${typeOf(index)}`);
    }
    return ownData(target, index);
  }
  throw new EvaluationFailure("type_error", `Cannot index a ${typeOf(target)}`);
}

/** All elements of an array as Values, charging one step per element. */
export function elementsOf(array: ValueArray, meter: Meter): Value[] {
  meter.charge(array.length);
  const out: Value[] = [];
  for (let i = 0; i < array.length; i++) out.push(ownData(array, String(i)));
  return out;
}

function checkDepth(depth: number): void {
  if (depth > EXPRESSION_LIMITS.maxValueDepth) {
    throw new EvaluationFailure(
      "value_too_deep",
      `Value nested more than ${EXPRESSION_LIMITS.maxValueDepth} levels`,
    );
  }
}

/** Value equality as SpEL's `==` on Java values: numbers by value, lists and maps element-wise. */
export function valuesEqual(a: Value, b: Value, meter: Meter, depth = 0): boolean {
  checkDepth(depth);
  if (isArray(a)) {
    if (!isArray(b) || a.length !== b.length) return false;
    const left = elementsOf(a, meter);
    const right = elementsOf(b, meter);
    return left.every((item, i) => valuesEqual(item, right[i] ?? null, meter, depth + 1));
  }
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const keys = Object.keys(a);
    meter.charge(keys.length);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => {
      if (isForbiddenProperty(key) || !Object.hasOwn(b, key)) return false;
      return valuesEqual(ownData(a, key), ownData(b, key), meter, depth + 1);
    });
  }
  // SpEL compares numbers by value across kinds: 1 == 1.0.
  const x = numericValue(a);
  const y = numericValue(b);
  if (x !== undefined || y !== undefined) return x === y;
  return a === b;
}

/**
 * Ordering for `<` `<=` `>` `>=`, as SpEL's standard comparator: null sorts before everything,
 * numbers by value, strings by UTF-16 code units (Java's compareTo), false before true.
 */
export function compareValues(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const x = numericValue(a);
  const y = numericValue(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  throw new EvaluationFailure("type_error", `Cannot compare a ${typeOf(a)} with a ${typeOf(b)}`);
}

/** An integer or a decimal as text, as Java prints it: 5 is "5", 5.0 is "5.0". */
export function numberText(value: number | Decimal): string {
  return value instanceof Decimal ? decimalText(value.value) : integerText(value);
}

/** A scalar as text, for string concatenation: null prints "null", as Java's string `+` does. */
export function scalarText(value: Value): string {
  if (value === null) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number" || value instanceof Decimal) return numberText(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  throw new EvaluationFailure("type_error", `Cannot convert a ${typeOf(value)} to a string`);
}

/** Every string an evaluation builds passes through here, so none can outgrow the bound. */
export function boundedString(text: string, meter: Meter): string {
  if (text.length > EXPRESSION_LIMITS.maxStringLength) throw stringTooLong();
  chargeText(meter, text, "scan");
  return text;
}

export function stringTooLong(): EvaluationFailure {
  return new EvaluationFailure(
    "string_too_long",
    `String result longer than ${EXPRESSION_LIMITS.maxStringLength} characters`,
  );
}

export function arrayTooLong(): EvaluationFailure {
  return new EvaluationFailure(
    "array_too_long",
    `Array longer than ${EXPRESSION_LIMITS.maxArrayLength} elements`,
  );
}

/** Every array an evaluation builds passes through here. */
export function boundedArray<T extends Value>(items: T[], meter: Meter): T[] {
  if (items.length > EXPRESSION_LIMITS.maxArrayLength) throw arrayTooLong();
  meter.charge(items.length);
  return items;
}

/**
 * The final result as fresh plain JSON, so the caller never holds a reference into its own context.
 * Strings are bounded here too: a value read straight from the context (a 5 MB profile attribute)
 * never passed through `boundedString` on its way, and must not reach a token either.
 */
export function exportValue(value: Value, meter: Meter, depth = 0): ExpressionValue {
  checkDepth(depth);
  if (isArray(value)) return elementsOf(value, meter).map((item) => exportValue(item, meter, depth + 1));
  if (value instanceof Decimal) return value.value;
  if (isRecord(value)) {
    const out: { [key: string]: ExpressionValue } = {};
    const keys = Object.keys(value);
    meter.charge(keys.length);
    for (const key of keys) {
      // Also keeps `out[key] =` below from ever being a prototype assignment.
      if (isForbiddenProperty(key)) throw forbidden(key);
      out[boundedString(key, meter)] = exportValue(ownData(value, key), meter, depth + 1);
    }
    return out;
  }
  if (typeof value === "string") return boundedString(value, meter);
  return value;
}
