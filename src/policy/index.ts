export { evaluate, POLICY_DENIED_DESCRIPTION, type PolicyDecision, type PolicyRequest } from "./evaluate";
export { describeSkip, type PolicySkipReason, type RuleSkipReason, type TraceEntry } from "./trace";
