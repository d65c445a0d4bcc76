/**
 * The evaluation trace: every policy and rule of the server, in evaluation order, each with what
 * became of it and why: matched, skipped (looked at, a condition failed), or not evaluated (never
 * looked at: the request was refused first, its policy was skipped, or an earlier one matched).
 * Token Preview and the audit log show it; it never reaches an OAuth client (DESIGN §7.2).
 */

export type PolicySkipReason = "inactive" | "client_not_included" | "no_rule_matched";

export type RuleSkipReason =
  | "inactive"
  | "grant_type_not_included"
  | "user_not_included"
  | "user_excluded"
  | "group_excluded"
  | "scopes_not_covered";

export type PolicyNotEvaluatedReason =
  /** The request was refused before any policy (unknown scopes, no default scopes). */
  | "request_refused"
  /** A policy of higher priority matched: Okta stops at the first match. */
  | "earlier_match";

export type RuleNotEvaluatedReason =
  | PolicyNotEvaluatedReason
  /** Its policy was skipped (inactive, or not for this client), so none of its rules were looked at. */
  | "policy_skipped";

export type TraceEntry =
  | { kind: "policy"; id: string; name: string; outcome: "matched" }
  | { kind: "policy"; id: string; name: string; outcome: "skipped"; reason: PolicySkipReason }
  | {
      kind: "policy";
      id: string;
      name: string;
      outcome: "not_evaluated";
      reason: PolicyNotEvaluatedReason;
    }
  | { kind: "rule"; policyId: string; id: string; name: string; outcome: "matched" }
  | { kind: "rule"; policyId: string; id: string; name: string; outcome: "skipped"; reason: RuleSkipReason }
  | {
      kind: "rule";
      policyId: string;
      id: string;
      name: string;
      outcome: "not_evaluated";
      reason: RuleNotEvaluatedReason;
    };

/** Human-readable text for each skip reason, for logs and Token Preview. Exhaustive by construction. */
export function describeSkip(reason: PolicySkipReason | RuleSkipReason): string {
  switch (reason) {
    case "inactive":
      return "inactive";
    case "client_not_included":
      return "the client is not in the policy's client condition";
    case "no_rule_matched":
      return "no rule of the policy matched";
    case "grant_type_not_included":
      return "the grant type is not in the rule's grant-type condition";
    case "user_not_included":
      return "the user is neither named in the rule's people condition nor in a group it names";
    case "user_excluded":
      return "the rule's people condition excludes the user";
    case "group_excluded":
      return "the rule's people condition excludes a group the user is in";
    case "scopes_not_covered":
      return "the rule does not grant every requested scope";
  }
}

/** Human-readable text for why a policy or rule was never looked at. Exhaustive by construction. */
export function describeNotEvaluated(reason: RuleNotEvaluatedReason): string {
  switch (reason) {
    case "request_refused":
      return "the request was refused before any policy was evaluated";
    case "earlier_match":
      return "an earlier policy and rule matched";
    case "policy_skipped":
      return "its policy was skipped";
  }
}
