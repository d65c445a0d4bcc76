/**
 * The claim form's pure rules (console/src/screens/claims.tsx; test/unit/console-claims.test.ts):
 * the form's draft from a stored claim, and the body a save sends (Okta's OAuth2Claim).
 */
import type { Claim } from "./types";

export type GroupFilterType = NonNullable<Claim["group_filter_type"]>;

export interface ClaimDraft {
  name: string;
  claimType: Claim["claimType"];
  valueType: "EXPRESSION" | "GROUPS";
  value: string;
  group_filter_type: GroupFilterType;
  alwaysIncludeInToken: boolean;
  status: Claim["status"];
  /** Empty: the claim goes into tokens whatever scopes are granted (Okta's "Any scope"). */
  scopes: string[];
}

export const EMPTY_CLAIM: ClaimDraft = {
  name: "",
  claimType: "RESOURCE",
  valueType: "EXPRESSION",
  value: "",
  group_filter_type: "STARTS_WITH",
  alwaysIncludeInToken: true,
  status: "ACTIVE",
  scopes: [],
};

/** A stored claim as the form edits it (a SYSTEM claim is never edited: the screen disables it). */
export function claimDraftOf(claim: Claim): ClaimDraft {
  return {
    name: claim.name,
    claimType: claim.claimType,
    valueType: claim.valueType === "GROUPS" ? "GROUPS" : "EXPRESSION",
    value: claim.value,
    group_filter_type: claim.group_filter_type ?? "STARTS_WITH",
    alwaysIncludeInToken: claim.alwaysIncludeInToken,
    status: claim.status,
    scopes: [...claim.conditions.scopes],
  };
}

/**
 * What a save sends. `group_filter_type` only with GROUPS (Okta's shape: an expression claim has
 * none); RESOURCE claims are always in the access token, so the server stores true whatever is
 * sent (src/config/schemas.ts) and the form sends true.
 */
export function claimBodyOf(draft: ClaimDraft): Record<string, unknown> {
  return {
    name: draft.name,
    status: draft.status,
    claimType: draft.claimType,
    valueType: draft.valueType,
    value: draft.value,
    ...(draft.valueType === "GROUPS" ? { group_filter_type: draft.group_filter_type } : {}),
    alwaysIncludeInToken: draft.claimType === "RESOURCE" ? true : draft.alwaysIncludeInToken,
    conditions: { scopes: draft.scopes },
  };
}

/** Which token a claim type goes into, as Okta's console names it. */
export const TOKEN_TYPE_LABEL: Record<Claim["claimType"], string> = {
  RESOURCE: "Access token",
  IDENTITY: "ID token",
};

/** Okta's groups filter names. */
export const GROUP_FILTER_LABEL: Record<GroupFilterType, string> = {
  STARTS_WITH: "Starts with",
  EQUALS: "Equals",
  CONTAINS: "Contains",
  REGEX: "Matches regex",
};

/**
 * The line of `value` holding `offset`, cut where the compiler stopped: the text before it, the
 * character at it (empty at the end of the line or value) and the rest, for a highlight that wraps
 * at 360 px instead of a caret that needs the line unwrapped.
 */
export function faultOf(value: string, offset: number): { before: string; at: string; after: string } {
  const at = Math.max(0, Math.min(offset, value.length));
  const start = at === 0 ? 0 : value.lastIndexOf("\n", at - 1) + 1;
  const newline = value.indexOf("\n", at);
  const end = newline === -1 ? value.length : newline;
  // A character is one code point: a surrogate pair is not split in two.
  const char = at < end ? String.fromCodePoint(value.codePointAt(at) as number) : "";
  return { before: value.slice(start, at), at: char, after: value.slice(at + char.length, end) };
}
