/**
 * Okta's Time functions. The current time comes only from the evaluation context (one reading per
 * evaluation); zones and patterns follow Joda-Time, which Okta uses (see time-zones.ts,
 * time-pattern.ts). ISO 8601 output is Joda's: milliseconds always, "Z" for UTC. Null gives null.
 */

import { integerText, integerValue } from "../numbers";
import { chargeText } from "../text-cost";
import { formatTime, type PatternToken, parsePattern, parseTime } from "../time-pattern";
import {
  epochOfWallClock,
  formatIso,
  resolveZone,
  utcZone,
  wallClockMillis,
  type Zone,
  zonedTime,
} from "../time-zones";
import { boundedString, type Value } from "../values";
import { arg, type FunctionTable, type Invocation, invalidArgument, stringArg } from "./types";

/** Milliseconds between 1601-01-01 (the Windows FILETIME epoch) and 1970-01-01. */
const WINDOWS_EPOCH_OFFSET_MS = 11_644_473_600_000n;
/** Years 1 through 9999: what ISO 8601 without expanded years can write. */
const MIN_EPOCH_MS = -62_135_596_800_000;
const MAX_EPOCH_MS = 253_402_300_799_999;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Work units for building a zone's rules: about 0.1 ms, so at most a few hundred per evaluation. */
const ZONE_COST = 500;

function zoneArg(call: Invocation, index: number): Zone {
  const id = stringArg(call, index);
  if (id === null) return utcZone();
  const zone = cachedZone(call, id);
  if (zone === undefined) throw invalidArgument(call, `unknown time zone '${id.slice(0, 64)}'`);
  return zone;
}

function cachedZone(call: Invocation, id: string): Zone | undefined {
  const cache = call.rt.zoneCache;
  if (!cache.has(id)) {
    chargeText(call.rt, id, "transform");
    call.rt.charge(ZONE_COST);
    cache.set(id, resolveZone(id));
  }
  return cache.get(id);
}

function patternArg(call: Invocation, index: number): PatternToken[] | null {
  const pattern = stringArg(call, index);
  if (pattern === null) return null;
  call.rt.charge(pattern.length);
  const tokens = parsePattern(pattern);
  if ("error" in tokens) throw invalidArgument(call, tokens.error);
  return tokens;
}

function checkRange(call: Invocation, epochMs: number): number {
  if (!Number.isFinite(epochMs) || epochMs < MIN_EPOCH_MS || epochMs > MAX_EPOCH_MS) {
    throw invalidArgument(call, "time outside the years 1 through 9999");
  }
  return epochMs;
}

function iso(call: Invocation, epochMs: number): string {
  return formatIso(zonedTime(checkRange(call, epochMs), utcZone()));
}

function format(call: Invocation, epochMs: number, zone: Zone, tokens: PatternToken[]): string {
  return boundedString(formatTime(tokens, zonedTime(checkRange(call, epochMs), zone)), call.rt);
}

/** A whole number given as an integer or a string of digits (timestamps arrive both ways). */
function timestampInteger(call: Invocation, index: number): bigint | null {
  const value = arg(call, index);
  if (value === null) return null;
  const whole = integerValue(value);
  if (whole === undefined) chargeText(call.rt, String(value), "transform");
  const text = whole !== undefined ? integerText(whole) : String(value).trim();
  if (!/^-?\d{1,20}$/.test(text))
    throw invalidArgument(call, `'${text.slice(0, 40)}' is not an integer timestamp`);
  return BigInt(text);
}

function parseIso(call: Invocation, index: number): number | null {
  const text = stringArg(call, index);
  if (text === null) return null;
  chargeText(call.rt, text, "transform");
  const m = ISO_8601.exec(text.trim());
  if (m === null) throw invalidArgument(call, `'${text.slice(0, 40)}' is not an ISO 8601 time`);
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) =>
    Number(part ?? 0),
  ) as [number, number, number, number, number, number];
  const millis = Math.floor(Number(`0.${m[7] ?? "0"}`) * 1000);
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    throw invalidArgument(call, `'${text.slice(0, 40)}' is not a valid date and time`);
  }
  const zone = m[8] === undefined ? utcZone() : resolveZone(m[8] === "Z" ? "UTC" : m[8]);
  if (zone === undefined) throw invalidArgument(call, `invalid offset in '${text.slice(0, 40)}'`);
  return epochOfWallClock(wallClockMillis(year, month, day, hour, minute, second, millis), zone);
}

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const last = new Date(wallClockMillis(year, month, 1));
  last.setUTCMonth(month, 0);
  return day <= last.getUTCDate();
}

function now(call: Invocation): Value {
  const at = call.rt.now();
  if (call.args.length === 0 || arg(call, 0) === null) {
    const tokens = patternArg(call, 1);
    return tokens === null ? iso(call, at) : format(call, at, utcZone(), tokens);
  }
  const zone = zoneArg(call, 0);
  const tokens = patternArg(call, 1);
  if (tokens === null) return formatIso(zonedTime(checkRange(call, at), zone));
  return format(call, at, zone, tokens);
}

function fromWindowsToIso8601(call: Invocation): Value {
  const ticks = timestampInteger(call, 0);
  if (ticks === null) return null;
  // FILETIME counts 100-nanosecond intervals; BigInt because it exceeds 2^53.
  return iso(call, Number(ticks / 10_000n - WINDOWS_EPOCH_OFFSET_MS));
}

function fromUnixToIso8601(call: Invocation): Value {
  const seconds = timestampInteger(call, 0);
  if (seconds === null) return null;
  return iso(call, Number(seconds) * 1000);
}

function fromStringToIso8601(call: Invocation): Value {
  const text = stringArg(call, 0);
  const tokens = patternArg(call, 1);
  if (text === null || tokens === null) return null;
  call.rt.charge(Math.ceil(text.length / 8));
  const pivotYear = new Date(call.rt.now()).getUTCFullYear() - 30;
  const parsed = parseTime(tokens, text, pivotYear, (id) => cachedZone(call, id));
  if ("error" in parsed) throw invalidArgument(call, parsed.error);
  const { year, month, day, hour, minute, second, millis } = parsed;
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    throw invalidArgument(call, `'${text.slice(0, 40)}' is not a valid date and time`);
  }
  const wall = wallClockMillis(year, month, day, hour, minute, second, millis);
  const zone =
    parsed.offsetMinutes !== undefined
      ? ({ kind: "fixed", id: "offset", offsetMinutes: parsed.offsetMinutes } as const)
      : (parsed.zone ?? utcZone());
  return iso(call, epochOfWallClock(wall, zone));
}

function fromIso8601ToWindows(call: Invocation): Value {
  const at = parseIso(call, 0);
  if (at === null) return null;
  return ((BigInt(checkRange(call, at)) + WINDOWS_EPOCH_OFFSET_MS) * 10_000n).toString();
}

function fromIso8601ToUnix(call: Invocation): Value {
  const at = parseIso(call, 0);
  if (at === null) return null;
  return integerText(Math.floor(checkRange(call, at) / 1000));
}

function fromIso8601ToString(call: Invocation): Value {
  const at = parseIso(call, 0);
  const tokens = patternArg(call, 1);
  if (at === null || tokens === null) return null;
  return format(call, at, utcZone(), tokens);
}

const S = "string" as const;

export const TIME_FUNCTIONS: FunctionTable = {
  "Time.now": { params: [S, S], required: 0, invoke: now },
  "Time.fromWindowsToIso8601": { params: ["timestamp"], invoke: fromWindowsToIso8601 },
  "Time.fromUnixToIso8601": { params: ["timestamp"], invoke: fromUnixToIso8601 },
  "Time.fromStringToIso8601": { params: [S, S], invoke: fromStringToIso8601 },
  "Time.fromIso8601ToWindows": { params: [S], invoke: fromIso8601ToWindows },
  "Time.fromIso8601ToUnix": { params: [S], invoke: fromIso8601ToUnix },
  "Time.fromIso8601ToString": { params: [S, S], invoke: fromIso8601ToString },
};
