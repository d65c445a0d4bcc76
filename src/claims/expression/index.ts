export { type CompiledExpression, type CompileResult, compile, type EvaluationResult } from "./compile";
export type { ExpressionContext, ExpressionGroup } from "./context";
export {
  type CompileError,
  type CompileErrorCode,
  describeCompileErrorCode,
  describeEvaluationErrorCode,
  type EvaluationError,
  type EvaluationErrorCode,
  type SourcePosition,
} from "./errors";
export { FUNCTION_NAMES } from "./functions/registry";
export { EXPRESSION_LIMITS } from "./limits";
export {
  compileRegex,
  type RegexCompileResult,
  regexFullMatch,
  regexMatches,
  type SafeRegex,
} from "./regex";
export type { ExpressionValue } from "./values";
