export { evaluate, POLICY_DENIED_DESCRIPTION, type PolicyDecision, type PolicyRequest } from "./evaluate";
export {
  describeNotEvaluated,
  describeSkip,
  type PolicyNotEvaluatedReason,
  type PolicySkipReason,
  type RuleNotEvaluatedReason,
  type RuleSkipReason,
  type TraceEntry,
} from "./trace";
