/**
 * The claim value check the console runs as the admin types: the server's own compiler
 * (src/claims/expression, pure: no Worker binding, no I/O), with the messages the server puts in a
 * refused save's `errorCauses` (src/config/schemas.ts `Claim`), so what shows under the field while
 * typing is what the save would answer. test/unit/console-claim-check.test.ts holds the two to the
 * same words, input by input.
 *
 * The compiler is about 17 kB gzipped, more than the rest of the console: this module is loaded as
 * its own chunk when the claims screen opens (console/src/screens/claims.tsx, `import()`).
 */
import { compile, compileRegex, type SourcePosition } from "../../src/claims/expression";
import type { Claim } from "./types";

export type ValueCheck =
  | { ok: true }
  /** `message`: the server's words; `position`: where in the value, when the compiler says. */
  | { ok: false; message: string; position?: SourcePosition };

/** The schema's bound on `value` (src/config/schemas.ts `Claim`), checked before any compiler runs. */
export const CLAIM_VALUE_MAX = 1024;

export function checkClaimValue(claim: Pick<Claim, "valueType" | "value" | "group_filter_type">): ValueCheck {
  if (claim.value.length > CLAIM_VALUE_MAX) {
    // zod's words, as the server's errorCauses carry them (the unit test holds them equal).
    return { ok: false, message: `Too big: expected string to have <=${CLAIM_VALUE_MAX} characters` };
  }
  switch (claim.valueType) {
    case "EXPRESSION": {
      const compiled = compile(claim.value);
      if (compiled.ok) return { ok: true };
      const { message, expected, position } = compiled.error;
      const wanted = expected.length ? ` (expected ${expected.join(" or ")})` : "";
      return { ok: false, message: `${message}${wanted}`, position };
    }
    case "GROUPS":
      return checkGroupFilter(claim.value, claim.group_filter_type);
    case "SYSTEM":
      // The server refuses SYSTEM on `valueType`, not on the value: nothing to say here.
      return { ok: true };
  }
}

function checkGroupFilter(value: string, type: Claim["group_filter_type"]): ValueCheck {
  if (value === "") {
    return { ok: false, message: "must not be empty for a GROUPS claim (use REGEX '.*' for every group)" };
  }
  if (type !== "REGEX") return { ok: true };
  const regex = compileRegex(value);
  if (regex.ok) return { ok: true };
  return {
    ok: false,
    message: `${regex.message} at offset ${regex.offset}`,
    position: positionOf(value, regex.offset),
  };
}

/** Line and column (1-based) of a 0-based offset, as the expression compiler counts them. */
export function positionOf(source: string, offset: number): SourcePosition {
  const clamped = Math.max(0, Math.min(offset, source.length));
  const before = source.slice(0, clamped);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { offset: clamped, line: before.split("\n").length, column: clamped - lineStart + 1 };
}
