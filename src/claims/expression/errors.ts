/**
 * The two error vocabularies of the expression language: compile errors, reported when an admin saves
 * a claim (with the position and what the parser expected), and evaluation errors, reported when a
 * token is minted (the claim is then omitted and the failure recorded). Both are closed unions.
 */

/** A place in the expression source: `offset` is 0-based (UTF-16 units), line and column 1-based. */
export interface SourcePosition {
  offset: number;
  line: number;
  column: number;
}

export type CompileErrorCode =
  | "source_too_long"
  | "unexpected_character"
  | "unterminated_string"
  | "invalid_number"
  | "unexpected_token"
  | "unexpected_end"
  | "nesting_too_deep"
  | "unknown_identifier"
  | "unknown_function"
  /** Okta's language has it, Warden does not: a function, a variable or a method, named as Okta names it. */
  | "not_supported"
  | "wrong_argument_count"
  | "forbidden_property"
  | "unsupported_syntax"
  | "type_mismatch"
  | "chained_comparison"
  | "invalid_regex"
  | "invalid_group_expression"
  | "internal_error";

export interface CompileError {
  code: CompileErrorCode;
  /** Human-readable, ends with the line and column. */
  message: string;
  position: SourcePosition;
  /** What the parser would have accepted here, e.g. `["')'", "','"]`; empty when not applicable. */
  expected: readonly string[];
  /** The text found instead, when there was any. */
  found?: string;
}

export type EvaluationErrorCode =
  | "type_error"
  | "invalid_argument"
  | "arithmetic_error"
  | "forbidden_property"
  | "unsupported_value"
  | "budget_exhausted"
  | "string_too_long"
  | "array_too_long"
  | "value_too_deep"
  | "too_many_groups"
  | "internal_error";

export interface EvaluationError {
  code: EvaluationErrorCode;
  message: string;
  /** Start of the sub-expression that failed. */
  position: SourcePosition;
}

/** Short title per code, for Token Preview and the audit log. Exhaustive by construction. */
export function describeCompileErrorCode(code: CompileErrorCode): string {
  switch (code) {
    case "source_too_long":
      return "expression too long";
    case "unexpected_character":
      return "unexpected character";
    case "unterminated_string":
      return "unterminated string literal";
    case "invalid_number":
      return "invalid number literal";
    case "unexpected_token":
      return "syntax error";
    case "unexpected_end":
      return "unexpected end of expression";
    case "nesting_too_deep":
      return "expression nested too deeply";
    case "unknown_identifier":
      return "unknown identifier";
    case "unknown_function":
      return "unknown function";
    case "not_supported":
      return "Okta feature not supported by Warden";
    case "wrong_argument_count":
      return "wrong number of arguments";
    case "forbidden_property":
      return "forbidden property name";
    case "unsupported_syntax":
      return "unsupported syntax";
    case "type_mismatch":
      return "argument of the wrong type";
    case "chained_comparison":
      return "chained comparison";
    case "invalid_regex":
      return "invalid regular expression";
    case "invalid_group_expression":
      return "invalid group expression";
    case "internal_error":
      return "internal error";
  }
}

/** Short title per code, for Token Preview and the audit log. Exhaustive by construction. */
export function describeEvaluationErrorCode(code: EvaluationErrorCode): string {
  switch (code) {
    case "type_error":
      return "value of the wrong type";
    case "invalid_argument":
      return "invalid argument";
    case "arithmetic_error":
      return "arithmetic error";
    case "forbidden_property":
      return "forbidden property name";
    case "unsupported_value":
      return "unsupported value in the context";
    case "budget_exhausted":
      return "evaluation budget exhausted";
    case "string_too_long":
      return "string too long";
    case "array_too_long":
      return "array too long";
    case "value_too_deep":
      return "value nested too deeply";
    case "too_many_groups":
      return "too many groups";
    case "internal_error":
      return "internal error";
  }
}

export function positionAt(source: string, offset: number): SourcePosition {
  const clamped = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: clamped, line, column: clamped - lineStart + 1 };
}

/**
 * Thrown inside the tokenizer, parser and compiler; `compile` catches it and returns a typed result,
 * so it never reaches a caller. Offsets are relative to the source being compiled.
 */
export class CompileFailure extends Error {
  constructor(
    readonly code: CompileErrorCode,
    readonly offset: number,
    readonly detail: string,
    readonly expected: readonly string[] = [],
    readonly found?: string,
  ) {
    super(detail);
  }
}

/**
 * Thrown while evaluating; `evaluate` catches it and returns a typed result. `offset` is filled in by
 * the innermost node that knows where it is.
 */
export class EvaluationFailure extends Error {
  constructor(
    readonly code: EvaluationErrorCode,
    readonly detail: string,
    public offset?: number,
  ) {
    super(detail);
  }
}

export function toCompileError(source: string, failure: CompileFailure): CompileError {
  const position = positionAt(source, failure.offset);
  const error: CompileError = {
    code: failure.code,
    message: `${failure.detail} (line ${position.line}, column ${position.column})`,
    position,
    expected: failure.expected,
  };
  if (failure.found !== undefined) error.found = failure.found;
  return error;
}

export function toEvaluationError(source: string, failure: EvaluationFailure): EvaluationError {
  const position = positionAt(source, failure.offset ?? 0);
  return {
    code: failure.code,
    message: `${failure.detail} (line ${position.line}, column ${position.column})`,
    position,
  };
}
