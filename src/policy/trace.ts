/**
 * The evaluation trace: every policy and rule the engine looked at and why each did not match.
 * Token Preview and the audit log show it; it never reaches an OAuth client (DESIGN §7.2).
 */

export type PolicySkipReason = "inactive" | "client_not_included" | "no_rule_matched";

export type RuleSkipReason =
  | "inactive"
  | "grant_type_not_included"
  | "user_not_included"
  | "scopes_not_covered";

export type TraceEntry =
  | { kind: "policy"; id: string; name: string; outcome: "matched" }
  | { kind: "policy"; id: string; name: string; outcome: "skipped"; reason: PolicySkipReason }
  | { kind: "rule"; policyId: string; id: string; name: string; outcome: "matched" }
  | { kind: "rule"; policyId: string; id: string; name: string; outcome: "skipped"; reason: RuleSkipReason };

/** Human-readable text for each reason, for logs and Token Preview. Exhaustive by construction. */
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
      return "the user is not in the rule's people condition";
    case "scopes_not_covered":
      return "the rule does not grant every requested scope";
  }
}
