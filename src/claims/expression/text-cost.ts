/**
 * What reading a string costs, in steps of the evaluation budget (limits.ts). Functions charge it
 * *before* they touch their input, so a string of any length, such as a 5 MB profile attribute in
 * the context, is refused in constant time instead of being processed first and bounded after.
 */
import type { Meter } from "./values";

export type TextWork =
  /** Native search and copying (indexOf, includes, startsWith, split, slicing): memchr-fast. */
  | "scan"
  /** Per-character work (regex replacement, case mapping, trimming, number and date parsing). */
  | "transform";

/**
 * Characters per step, measured so that a full budget stays within a few milliseconds: native
 * search runs at well under a nanosecond per character, a global regex replacement at ~90 ns.
 */
function charactersPerStep(work: TextWork): number {
  switch (work) {
    case "scan":
      return 64;
    case "transform":
      return 1;
  }
}

export function chargeText(meter: Meter, text: string, work: TextWork): void {
  meter.charge(Math.ceil(text.length / charactersPerStep(work)));
}
