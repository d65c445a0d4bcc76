/**
 * Okta's String functions, with Okta's names and argument orders. Okta implements them on Apache
 * commons-lang StringUtils, whose null-safe semantics we follow: transformations of null give null,
 * predicates on null give false, String.len(null) is 0, and substring indexes are clamped rather than
 * thrown on. Every string built is bounded (values.ts), and every input is paid for by its length
 * before it is read (text-cost.ts), so a huge attribute exhausts the budget instead of the CPU.
 */
import { EXPRESSION_LIMITS } from "../limits";
import { chargeText, type TextWork } from "../text-cost";
import { boundedString, elementsOf, isArray, stringTooLong, type Value } from "../values";
import { type FunctionTable, type Invocation, integerArg, stringArg, typeError } from "./types";

const S = "string" as const;

/** A string argument, its reading already paid for. */
function paidString(call: Invocation, index: number, work: TextWork): string | null {
  const input = stringArg(call, index);
  if (input !== null) chargeText(call.rt, input, work);
  return input;
}

function upper(call: Invocation): Value {
  const input = paidString(call, 0, "transform");
  return input === null ? null : boundedString(input.toUpperCase(), call.rt);
}

function lower(call: Invocation): Value {
  const input = paidString(call, 0, "transform");
  return input === null ? null : boundedString(input.toLowerCase(), call.rt);
}

/** StringUtils.substring: negative indexes count from the end; out-of-range indexes are clamped. */
function substring(call: Invocation): Value {
  const input = stringArg(call, 0);
  if (input === null) return null;
  const length = input.length;
  let start = integerArg(call, 1) ?? 0;
  let end = integerArg(call, 2) ?? length;
  if (start < 0) start += length;
  if (end < 0) end += length;
  start = Math.max(0, Math.min(start, length));
  end = Math.max(0, Math.min(end, length));
  return start >= end ? "" : boundedString(input.slice(start, end), call.rt);
}

/** StringUtils.substringBefore: the whole input when the separator is absent. */
function substringBefore(call: Invocation): Value {
  const input = paidString(call, 0, "scan");
  const separator = stringArg(call, 1);
  if (input === null || input === "" || separator === null) return input;
  if (separator === "") return "";
  const at = input.indexOf(separator);
  return boundedString(at < 0 ? input : input.slice(0, at), call.rt);
}

/** StringUtils.substringAfter: empty when the separator is absent. */
function substringAfter(call: Invocation): Value {
  const input = paidString(call, 0, "scan");
  const separator = stringArg(call, 1);
  if (input === null || input === "") return input;
  if (separator === null) return "";
  const at = input.indexOf(separator);
  return at < 0 ? "" : boundedString(input.slice(at + separator.length), call.rt);
}

/** Literal (not regex) replacement, as Okta's example shows; bounded as it is built. */
function replaceLiteral(call: Invocation, firstOnly: boolean): Value {
  const input = paidString(call, 0, "scan");
  const search = stringArg(call, 1);
  const replacement = stringArg(call, 2);
  // StringUtils.replace returns the input unchanged for an empty search or a null replacement.
  if (input === null || search === null || search === "" || replacement === null) return input;
  let out = "";
  let from = 0;
  for (;;) {
    const at = input.indexOf(search, from);
    if (at < 0) break;
    out += input.slice(from, at) + replacement;
    from = at + search.length;
    // Checked per occurrence so a growing result is stopped before it is built, not after.
    call.rt.charge(1);
    if (out.length > EXPRESSION_LIMITS.maxStringLength) throw stringTooLong();
    if (firstOnly) break;
  }
  return boundedString(out + input.slice(from), call.rt);
}

/** Concatenation treats null as empty, as StringUtils.join does. */
function textOrEmpty(value: string | null): string {
  return value ?? "";
}

function join(call: Invocation): Value {
  const separator = textOrEmpty(stringArg(call, 0));
  const parts: string[] = [];
  call.args.slice(1).forEach((value, i) => {
    // Java varargs also accept an array of strings, which Okta attributes often are.
    const items: Value[] = isArray(value) ? elementsOf(value, call.rt) : [value];
    for (const item of items) {
      if (item !== null && typeof item !== "string") throw typeError(call, i + 1, "a string", item);
      parts.push(textOrEmpty(item));
    }
  });
  call.rt.charge(parts.length);
  const total = parts.reduce(
    (sum, part) => sum + part.length,
    separator.length * Math.max(0, parts.length - 1),
  );
  if (total > EXPRESSION_LIMITS.maxStringLength) throw stringTooLong();
  return boundedString(parts.join(separator), call.rt);
}

/** First key contained in the input wins; Okta's examples show substring matching ("ring" in "Substrings"). */
function stringSwitch(call: Invocation): Value {
  const input = stringArg(call, 0);
  const fallback = stringArg(call, 1);
  if (input === null) return fallback;
  for (let i = 2; i + 1 < call.args.length; i += 2) {
    const key = stringArg(call, i);
    // Each key searches the whole input again.
    chargeText(call.rt, input, "scan");
    call.rt.charge(1);
    if (key !== null && input.includes(key)) return stringArg(call, i + 1);
  }
  return fallback;
}

function predicate(test: (input: string, other: string) => boolean) {
  return (call: Invocation): Value => {
    const input = stringArg(call, 0);
    const other = stringArg(call, 1);
    if (input === null || other === null) return false;
    chargeText(call.rt, input, "scan");
    return test(input, other);
  };
}

function removeSpaces(call: Invocation): Value {
  const input = paidString(call, 0, "transform");
  // StringUtils.deleteWhitespace: every whitespace character, not just U+0020.
  return input === null ? null : boundedString(input.replace(/\s+/g, ""), call.rt);
}

function len(call: Invocation): Value {
  return stringArg(call, 0)?.length ?? 0;
}

function append(call: Invocation): Value {
  const input = stringArg(call, 0);
  const suffix = stringArg(call, 1);
  if (input === null && suffix === null) return null;
  return boundedString(textOrEmpty(input) + textOrEmpty(suffix), call.rt);
}

export const STRING_FUNCTIONS: FunctionTable = {
  "String.append": { params: [S, S], invoke: append },
  "String.join": { params: [S], rest: "any", invoke: join },
  "String.len": { params: [S], invoke: len },
  "String.removeSpaces": { params: [S], invoke: removeSpaces },
  "String.replace": { params: [S, S, S], invoke: (call) => replaceLiteral(call, false) },
  "String.replaceFirst": { params: [S, S, S], invoke: (call) => replaceLiteral(call, true) },
  "String.stringContains": { params: [S, S], invoke: predicate((input, search) => input.includes(search)) },
  "String.startsWith": { params: [S, S], invoke: predicate((input, prefix) => input.startsWith(prefix)) },
  "String.endsWith": { params: [S, S], invoke: predicate((input, suffix) => input.endsWith(suffix)) },
  "String.stringSwitch": { params: [S, S], rest: S, restMultipleOf: 2, invoke: stringSwitch },
  "String.substring": { params: [S, "integer", "integer"], invoke: substring },
  "String.substringAfter": { params: [S, S], invoke: substringAfter },
  "String.substringBefore": { params: [S, S], invoke: substringBefore },
  "String.toUpperCase": { params: [S], invoke: upper },
  "String.toLowerCase": { params: [S], invoke: lower },
};

/** Okta's deprecated un-namespaced spellings, still accepted by Okta and found in old configurations. */
export const DEPRECATED_STRING_ALIASES: ReadonlyMap<string, string> = new Map([
  ["toUpperCase", "String.toUpperCase"],
  ["toLowerCase", "String.toLowerCase"],
  ["substringBefore", "String.substringBefore"],
  ["substringAfter", "String.substringAfter"],
  ["substring", "String.substring"],
]);
