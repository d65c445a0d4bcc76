/**
 * Joda-Time date patterns (what Okta's Time.now, fromStringToIso8601 and fromIso8601ToString take,
 * e.g. "YYYY-MM-dd HH:mm:ss"), formatting and parsing. Supported letters: G y Y u M d D E e a H k h K
 * m s S Z, quoted text ('…', '' for a quote) and any non-letter as a literal. Other letters (z, w, x,
 * C, …) are rejected rather than printed wrongly.
 */
import { formatOffset, type Zone, type ZonedTime } from "./time-zones";

export type PatternToken =
  | { kind: "field"; letter: string; count: number }
  | { kind: "literal"; text: string };

const SUPPORTED = new Set("GyYuMdDEeaHkhKmsSZ");
const NUMERIC = new Set("yYuMdDeHkhKmsS");
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export function parsePattern(pattern: string): PatternToken[] | { error: string } {
  const tokens: PatternToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] ?? "";
    if (c === "'") {
      let text = "";
      let j = i + 1;
      if (pattern[j] === "'") {
        tokens.push({ kind: "literal", text: "'" });
        i += 2;
        continue;
      }
      for (;;) {
        if (j >= pattern.length) return { error: "unterminated quote in the pattern" };
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      tokens.push({ kind: "literal", text });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      if (!SUPPORTED.has(c)) return { error: `pattern letter '${c}' is not supported` };
      let j = i;
      while (pattern[j] === c) j++;
      tokens.push({ kind: "field", letter: c, count: j - i });
      i = j;
      continue;
    }
    tokens.push({ kind: "literal", text: c });
    i++;
  }
  return tokens;
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

export function formatTime(tokens: readonly PatternToken[], t: ZonedTime): string {
  let out = "";
  for (const token of tokens) {
    if (token.kind === "literal") {
      out += token.text;
      continue;
    }
    const n = token.count;
    switch (token.letter) {
      case "G":
        out += t.year > 0 ? "AD" : "BC";
        break;
      case "y":
      case "Y":
      case "u":
        // Joda: two letters print the two-digit year of the century, otherwise the year padded.
        out += n === 2 ? pad(t.year % 100, 2) : pad(t.year, n);
        break;
      case "M":
        out += n >= 4 ? MONTHS[t.month - 1] : n === 3 ? MONTHS[t.month - 1]?.slice(0, 3) : pad(t.month, n);
        break;
      case "d":
        out += pad(t.day, n);
        break;
      case "D":
        out += pad(t.dayOfYear, n);
        break;
      case "E":
        out += n >= 4 ? DAYS[t.weekday - 1] : DAYS[t.weekday - 1]?.slice(0, 3);
        break;
      case "e":
        out += pad(t.weekday, n);
        break;
      case "a":
        out += t.hour < 12 ? "AM" : "PM";
        break;
      case "H":
        out += pad(t.hour, n);
        break;
      case "k":
        out += pad(t.hour === 0 ? 24 : t.hour, n);
        break;
      case "h":
        out += pad(t.hour % 12 === 0 ? 12 : t.hour % 12, n);
        break;
      case "K":
        out += pad(t.hour % 12, n);
        break;
      case "m":
        out += pad(t.minute, n);
        break;
      case "s":
        out += pad(t.second, n);
        break;
      case "S":
        // Fraction of second: S tenths, SS hundredths, SSS milliseconds, more digits zero-filled.
        out += pad(t.millis, 3).slice(0, Math.min(n, 3)).padEnd(n, "0");
        break;
      case "Z":
        out +=
          n === 1
            ? formatOffset(t.offsetMinutes, false)
            : n === 2
              ? formatOffset(t.offsetMinutes, true)
              : t.zoneId;
        break;
    }
  }
  return out;
}

export interface ParsedFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offsetMinutes?: number;
  zone?: Zone;
}

const MAX_DIGITS: ReadonlyMap<string, number> = new Map([
  ["y", 9],
  ["Y", 9],
  ["u", 9],
  ["D", 3],
  ["e", 1],
  ["S", 9],
]);

/**
 * Parses `input` against the pattern; returns the fields or an error message. `pivotYear` places
 * two-digit years as Joda does: within 50 years of (the current year − 30). `resolve` looks up zone
 * ids (the caller caches and charges for them).
 */
export function parseTime(
  tokens: readonly PatternToken[],
  input: string,
  pivotYear: number,
  resolve: (zoneId: string) => Zone | undefined,
): ParsedFields | { error: string } {
  const f: ParsedFields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0 };
  let pm: boolean | undefined;
  let twelveHour = false;
  let pos = 0;
  const fail = (what: string) => ({ error: `cannot parse ${JSON.stringify(input.slice(0, 40))}: ${what}` });

  for (const [index, token] of tokens.entries()) {
    if (token.kind === "literal") {
      if (input.slice(pos, pos + token.text.length).toLowerCase() !== token.text.toLowerCase()) {
        return fail(`expected '${token.text}' at position ${pos}`);
      }
      pos += token.text.length;
      continue;
    }
    const { letter, count } = token;
    if (NUMERIC.has(letter) && !(letter === "M" && count >= 3)) {
      // Adjacent numeric fields ("yyyyMMdd") are read at their exact width, as Joda does.
      const nextToken = tokens[index + 1];
      const adjacent = nextToken?.kind === "field" && NUMERIC.has(nextToken.letter);
      const max = adjacent ? count : Math.max(count, MAX_DIGITS.get(letter) ?? 2);
      let end = pos;
      while (end < input.length && end - pos < max && /\d/.test(input[end] ?? "")) end++;
      if (end === pos) return fail(`expected digits at position ${pos}`);
      const digits = input.slice(pos, end);
      const value = Number(digits);
      pos = end;
      switch (letter) {
        case "y":
        case "Y":
        case "u":
          f.year = count === 2 && digits.length === 2 ? twoDigitYear(value, pivotYear) : value;
          break;
        case "M":
          f.month = value;
          break;
        case "d":
          f.day = value;
          break;
        case "H":
          f.hour = value;
          break;
        case "k":
          f.hour = value === 24 ? 0 : value;
          break;
        case "h":
        case "K":
          twelveHour = true;
          f.hour = value % 12;
          break;
        case "m":
          f.minute = value;
          break;
        case "s":
          f.second = value;
          break;
        case "S":
          f.millis = Math.floor(Number(`0.${digits}`) * 1000);
          break;
        default:
          // D and e: accepted and checked for digits, but the calendar date comes from y/M/d.
          break;
      }
      continue;
    }
    const rest = input.slice(pos);
    switch (letter) {
      case "M": {
        const at = matchName(rest, MONTHS);
        if (at === undefined) return fail(`expected a month name at position ${pos}`);
        f.month = at.index + 1;
        pos += at.length;
        break;
      }
      case "E": {
        const at = matchName(rest, DAYS);
        if (at === undefined) return fail(`expected a day name at position ${pos}`);
        pos += at.length;
        break;
      }
      case "a": {
        const marker = rest.slice(0, 2).toUpperCase();
        if (marker !== "AM" && marker !== "PM") return fail(`expected AM or PM at position ${pos}`);
        pm = marker === "PM";
        pos += 2;
        break;
      }
      case "G":
        if (rest.slice(0, 2).toUpperCase() !== "AD") return fail(`expected AD at position ${pos}`);
        pos += 2;
        break;
      case "Z": {
        if (count >= 3) {
          const id = /^[A-Za-z][A-Za-z0-9_+\-/]*/.exec(rest)?.[0];
          const zone = id === undefined ? undefined : resolve(id);
          if (id === undefined || zone === undefined)
            return fail(`expected a time zone id at position ${pos}`);
          f.zone = zone;
          pos += id.length;
          break;
        }
        if (rest[0] === "Z") {
          f.offsetMinutes = 0;
          pos += 1;
          break;
        }
        const offset = /^([+-])(\d{2}):?(\d{2})/.exec(rest);
        if (offset === null) return fail(`expected an offset at position ${pos}`);
        f.offsetMinutes = (Number(offset[2]) * 60 + Number(offset[3])) * (offset[1] === "-" ? -1 : 1);
        pos += offset[0].length;
        break;
      }
    }
  }
  if (pos !== input.length) return fail(`unexpected text at position ${pos}`);
  if (pm !== undefined && (twelveHour || f.hour < 12)) f.hour = (f.hour % 12) + (pm ? 12 : 0);
  return f;
}

function twoDigitYear(value: number, pivotYear: number): number {
  const low = pivotYear - 50;
  const candidate = Math.floor(low / 100) * 100 + value;
  return candidate < low ? candidate + 100 : candidate;
}

function matchName(text: string, names: readonly string[]): { index: number; length: number } | undefined {
  const lower = text.toLowerCase();
  for (const [index, name] of names.entries()) {
    if (lower.startsWith(name.toLowerCase())) return { index, length: name.length };
  }
  for (const [index, name] of names.entries()) {
    if (lower.startsWith(name.slice(0, 3).toLowerCase())) return { index, length: 3 };
  }
  return undefined;
}
