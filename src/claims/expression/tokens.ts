/**
 * The tokenizer. Okta's expression language is a subset of Spring's SpEL, so literals follow SpEL:
 * strings in single or double quotes with the quote doubled to escape it and no backslash escapes
 * (Okta's own examples write `"\"` for a lone backslash); decimal numbers only.
 */
import { CompileFailure } from "./errors";

export type Punctuator =
  | "("
  | ")"
  | "{"
  | "}"
  | "["
  | "]"
  | ","
  | "."
  | "?."
  | "?"
  | "?:"
  | ":"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "!"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "&&"
  | "||";

interface TokenBase {
  start: number;
  end: number;
}

export type Token =
  | (TokenBase & { kind: "identifier"; text: string })
  /**
   * `numeric` carries Java's literal kinds: digits alone are an integer, a fraction or an exponent
   * makes a decimal (a double: `2.0`, `1e3`), which is what decides `7 / 2` against `7 / 2.0`.
   */
  | (TokenBase & { kind: "number"; value: number; numeric: "integer" | "decimal"; text: string })
  | (TokenBase & { kind: "string"; value: string })
  | (TokenBase & { kind: "punct"; text: Punctuator })
  | (TokenBase & { kind: "end" });

// Longest first, so "==" wins over a lone "=" and "?." over "?".
const PUNCTUATORS: readonly Punctuator[] = [
  "?.",
  "?:",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  ",",
  ".",
  "?",
  ":",
  "+",
  "-",
  "*",
  "/",
  "%",
  "!",
  "<",
  ">",
];

/** Characters SpEL gives a meaning Warden deliberately does not support, with the reason. */
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ["=", "assignment '=' is not supported; compare with '=='"],
  ["#", "variables and '#' references are not supported"],
  ["@", "bean references are not supported"],
  ["&", "use '&&' or AND for logical and"],
  ["|", "use '||' or OR for logical or"],
  ["^", "the power operator is not supported"],
]);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentifierStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentifierPart = (c: number): boolean => isIdentifierStart(c) || isDigit(c) || c === 36;
const isWhitespace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (isWhitespace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isIdentifierStart(c)) {
      while (i < source.length && isIdentifierPart(source.charCodeAt(i))) i++;
      tokens.push({ kind: "identifier", text: source.slice(start, i), start, end: i });
      continue;
    }
    if (isDigit(c) || c === 39 || c === 34) {
      const token = isDigit(c) ? readNumber(source, start) : readString(source, start);
      tokens.push(token);
      i = token.end;
      continue;
    }
    const punct = PUNCTUATORS.find((p) => source.startsWith(p, i));
    if (punct !== undefined) {
      tokens.push({ kind: "punct", text: punct, start, end: i + punct.length });
      i += punct.length;
      continue;
    }
    const ch = source[i] ?? "";
    const why = UNSUPPORTED.get(ch);
    if (why) throw new CompileFailure("unsupported_syntax", start, why, [], ch);
    throw new CompileFailure(
      "unexpected_character",
      start,
      `Unexpected character ${JSON.stringify(String.fromCodePoint(source.codePointAt(i) ?? 0))}`,
      [],
      ch,
    );
  }
  tokens.push({ kind: "end", start: source.length, end: source.length });
  return tokens;
}

function readNumber(source: string, start: number): Token {
  let i = start;
  while (i < source.length && isDigit(source.charCodeAt(i))) i++;
  // A '.' continues the number only when a digit follows; otherwise it is member access.
  if (source.charCodeAt(i) === 46 && isDigit(source.charCodeAt(i + 1))) {
    i++;
    while (i < source.length && isDigit(source.charCodeAt(i))) i++;
  }
  const e = source.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = source.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (isDigit(source.charCodeAt(j))) {
      while (j < source.length && isDigit(source.charCodeAt(j))) j++;
      i = j;
    }
  }
  const text = source.slice(start, i);
  if (i < source.length && isIdentifierPart(source.charCodeAt(i))) {
    // 0x1F, 10L, 1.5f, 12abc: SpEL suffixes and radixes are not part of Okta's documented subset.
    let j = i;
    while (j < source.length && isIdentifierPart(source.charCodeAt(j))) j++;
    throw new CompileFailure(
      "invalid_number",
      start,
      `Invalid number literal '${source.slice(start, j)}': only decimal numbers are supported`,
      [],
      source.slice(start, j),
    );
  }
  const value = Number(text);
  const numeric = /[.eE]/.test(text) ? "decimal" : "integer";
  if (!Number.isFinite(value) || (numeric === "integer" && !Number.isSafeInteger(value))) {
    throw new CompileFailure("invalid_number", start, `Number literal '${text}' is out of range`, [], text);
  }
  return { kind: "number", value, numeric, text, start, end: i };
}

function readString(source: string, start: number): Token {
  const quote = source[start] ?? "'";
  let value = "";
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === quote) {
      // SpEL escapes a quote by doubling it: 'It''s'.
      if (source[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { kind: "string", value, start, end: i + 1 };
    }
    value += ch;
    i++;
  }
  throw new CompileFailure(
    "unterminated_string",
    start,
    `Unterminated string literal: missing closing ${quote}`,
    [quote],
  );
}

/** Maps an offset inside a string literal's value back to the source (doubled quotes shift it). */
export function literalOffsetToSource(source: string, literalStart: number, valueOffset: number): number {
  const quote = source[literalStart];
  let i = literalStart + 1;
  let k = 0;
  while (k < valueOffset && i < source.length) {
    i += source[i] === quote ? 2 : 1;
    k++;
  }
  return i;
}
