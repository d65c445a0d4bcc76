/**
 * Time zones and calendar fields for the Time functions. Zone rules come from the runtime's ICU data
 * through Intl (present in workerd and Node), never from the host's local zone. Okta resolves zone
 * IDs with Joda-Time, which maps the old three-letter IDs to regions, which is why Okta documents
 * Time.now("EST") in July as -04:00. The same map is applied here.
 */

export type Zone =
  | { kind: "fixed"; id: string; offsetMinutes: number }
  | { kind: "region"; id: string; formatter: Intl.DateTimeFormat };

/** A moment as read on a wall clock in some zone. Month 1–12, weekday 1 (Monday)–7, as Joda. */
export interface ZonedTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  weekday: number;
  dayOfYear: number;
  offsetMinutes: number;
  zoneId: string;
}

/** Joda-Time's map of old-style IDs (DateTimeZone's "old zone id" table). */
const JODA_OLD_IDS: ReadonlyMap<string, string> = new Map([
  ["GMT", "UTC"],
  ["UTC", "UTC"],
  ["WET", "WET"],
  ["CET", "CET"],
  ["MET", "CET"],
  ["ECT", "CET"],
  ["EET", "EET"],
  ["MIT", "Pacific/Apia"],
  ["HST", "Pacific/Honolulu"],
  ["AST", "America/Anchorage"],
  ["PST", "America/Los_Angeles"],
  ["MST", "America/Denver"],
  ["PNT", "America/Phoenix"],
  ["CST", "America/Chicago"],
  ["EST", "America/New_York"],
  ["IET", "America/Indiana/Indianapolis"],
  ["PRT", "America/Puerto_Rico"],
  ["CNT", "America/St_Johns"],
  ["AGT", "America/Argentina/Buenos_Aires"],
  ["BET", "America/Sao_Paulo"],
  ["ART", "Africa/Cairo"],
  ["CAT", "Africa/Harare"],
  ["EAT", "Africa/Addis_Ababa"],
  ["NET", "Asia/Yerevan"],
  ["PLT", "Asia/Karachi"],
  ["IST", "Asia/Kolkata"],
  ["BST", "Asia/Dhaka"],
  ["VST", "Asia/Ho_Chi_Minh"],
  ["CTT", "Asia/Shanghai"],
  ["JST", "Asia/Tokyo"],
  ["ACT", "Australia/Darwin"],
  ["AET", "Australia/Sydney"],
  ["SST", "Pacific/Guadalcanal"],
  ["NST", "Pacific/Auckland"],
]);

const UTC_ZONE: Zone = { kind: "fixed", id: "UTC", offsetMinutes: 0 };
const OFFSET_ID = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;
const REGION_ID = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

export function resolveZone(rawId: string): Zone | undefined {
  const id = JODA_OLD_IDS.get(rawId) ?? rawId;
  if (id === "UTC" || id === "Z" || id === "UT") return UTC_ZONE;
  const offset = OFFSET_ID.exec(id);
  if (offset !== null) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? 0);
    if (hours > 18 || minutes > 59) return undefined;
    const total = (hours * 60 + minutes) * (offset[1] === "-" ? -1 : 1);
    return { kind: "fixed", id: formatOffset(total, true), offsetMinutes: total };
  }
  if (!REGION_ID.test(id)) return undefined;
  try {
    const formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: id,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    return { kind: "region", id: formatter.resolvedOptions().timeZone, formatter };
  } catch {
    // RangeError: not a zone the runtime knows.
    return undefined;
  }
}

export function utcZone(): Zone {
  return UTC_ZONE;
}

/** Epoch milliseconds of a wall-clock time read as UTC; years below 100 are not shifted to 19xx. */
export function wallClockMillis(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millis = 0,
): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

export function offsetAt(epochMs: number, zone: Zone): number {
  if (zone.kind === "fixed") return zone.offsetMinutes;
  const fields: Record<string, number> = {};
  for (const part of zone.formatter.formatToParts(new Date(epochMs))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const wall = wallClockMillis(
    fields.year ?? 1970,
    fields.month ?? 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  const whole = epochMs - (((epochMs % 1000) + 1000) % 1000);
  return Math.round((wall - whole) / 60_000);
}

export function zonedTime(epochMs: number, zone: Zone): ZonedTime {
  const offsetMinutes = offsetAt(epochMs, zone);
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  const startOfYear = wallClockMillis(year, 1, 1);
  const startOfDay = wallClockMillis(year, local.getUTCMonth() + 1, local.getUTCDate());
  return {
    year,
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millis: local.getUTCMilliseconds(),
    weekday: ((local.getUTCDay() + 6) % 7) + 1,
    dayOfYear: Math.round((startOfDay - startOfYear) / 86_400_000) + 1,
    offsetMinutes,
    zoneId: zone.id,
  };
}

/** The epoch time of a wall-clock time in a zone (the earlier instant when a DST change repeats it). */
export function epochOfWallClock(wall: number, zone: Zone): number {
  if (zone.kind === "fixed") return wall - zone.offsetMinutes * 60_000;
  let guess = wall - offsetAt(wall, zone) * 60_000;
  guess = wall - offsetAt(guess, zone) * 60_000;
  return guess;
}

/** "+05:30" / "+0530"; Joda prints a numeric offset for the Z pattern letter, even at zero. */
export function formatOffset(totalMinutes: number, colon: boolean): string {
  const sign = totalMinutes < 0 ? "-" : "+";
  const abs = Math.abs(totalMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${sign}${hh}${colon ? ":" : ""}${mm}`;
}

/** Joda's ISO printer (DateTime.toString): milliseconds always, "Z" for a zero offset. */
export function formatIso(time: ZonedTime): string {
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  const date = `${pad(time.year, 4)}-${pad(time.month, 2)}-${pad(time.day, 2)}`;
  const clock = `${pad(time.hour, 2)}:${pad(time.minute, 2)}:${pad(time.second, 2)}.${pad(time.millis, 3)}`;
  const offset = time.offsetMinutes === 0 ? "Z" : formatOffset(time.offsetMinutes, true);
  return `${date}T${clock}${offset}`;
}
