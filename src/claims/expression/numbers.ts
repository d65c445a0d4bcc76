/**
 * The two kinds of number Okta's expression language computes with, because Okta evaluates it as
 * SpEL over Java values: integers (Java int/long: literals without a fraction or exponent, lengths
 * and sizes, Convert.toInt, whole numbers in the context) and decimals (Java double: literals such as
 * `2.0` or `1e3`, Convert.toNum, fractional numbers in the context). The kind decides what `/` and
 * `%` do (`7 / 2` is 3, `7 / 2.0` is 3.5) and how a number prints (`'x' + 2.0` is "x2.0").
 *
 * Integers are plain JavaScript numbers, always safe integers; decimals are wrapped in `Decimal`, so
 * the kind survives every path a value takes (arrays, ternaries, function arguments). JSON cannot
 * tell 2 from 2.0, so a decimal leaves an evaluation as a plain number.
 */

/** A Java double. Immutable; -0 is stored as 0, since a JSON claim cannot carry it. */
export class Decimal {
  readonly value: number;

  constructor(value: number) {
    this.value = value === 0 ? 0 : value;
    Object.freeze(this);
  }
}

export function isDecimal(value: unknown): value is Decimal {
  return value instanceof Decimal;
}

/** The numeric value of an integer or a decimal; undefined for anything else. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Decimal) return value.value;
  return undefined;
}

/**
 * The value as an integer, where one is expected (an index, a limit, a substring bound): integers as
 * they are, and decimals with a whole value, as SpEL converts a double argument to an int parameter.
 * A fraction is not silently dropped: undefined.
 */
export function integerValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Decimal && Number.isSafeInteger(value.value)) return value.value;
  return undefined;
}

/** Context data: a safe integer is a Java integer, any other finite number a double. */
export function numberFromData(n: number): number | Decimal {
  return Number.isSafeInteger(n) ? n : new Decimal(n);
}

/** An integer as text, as Java's `Long.toString`. */
export function integerText(n: number): string {
  return Object.is(n, -0) ? "0" : String(n);
}

/**
 * A decimal as text, as Java's `Double.toString`: plain notation with at least one fractional digit
 * from 10^-3 up to 10^7 ("2.0", "0.001", "1234567.0"), otherwise computerized scientific notation
 * ("1.0E7", "1.0E-4", "1.2345E-5"). JavaScript's shortest round-trip digits are the digits Java
 * prints (JDK 19+).
 */
export function decimalText(n: number): string {
  if (n === 0) return "0.0";
  const magnitude = Math.abs(n);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    // JavaScript only switches to exponents below 1e-6 or from 1e21, so this is plain notation.
    const plain = String(n);
    return plain.includes(".") ? plain : `${plain}.0`;
  }
  const [mantissa = "", exponent = ""] = n.toExponential().split("e");
  const digits = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return `${digits}E${exponent.replace("+", "")}`;
}
