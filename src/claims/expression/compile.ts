/**
 * The public entry points: compile once when a claim is configured, evaluate per token. Neither
 * throws: both return typed results, so a bad expression is a configuration error and a failing
 * one an omitted claim, never a 5xx.
 */
import { compileSource } from "./compiler";
import type { ExpressionContext } from "./context";
import {
  type CompileError,
  CompileFailure,
  type EvaluationError,
  EvaluationFailure,
  positionAt,
  toCompileError,
  toEvaluationError,
} from "./errors";
import { type Evaluator, Runtime } from "./runtime";
import { type ExpressionValue, exportValue } from "./values";

export type EvaluationResult = { ok: true; value: ExpressionValue } | { ok: false; error: EvaluationError };

/** A compiled expression: immutable, reusable across evaluations and requests. */
export interface CompiledExpression {
  readonly source: string;
  evaluate(context: ExpressionContext): EvaluationResult;
}

export type CompileResult = { ok: true; expression: CompiledExpression } | { ok: false; error: CompileError };

class Compiled implements CompiledExpression {
  readonly #run: Evaluator;

  constructor(
    readonly source: string,
    run: Evaluator,
  ) {
    this.#run = run;
    Object.freeze(this);
  }

  evaluate(context: ExpressionContext): EvaluationResult {
    const rt = new Runtime(context);
    try {
      const value = this.#run(rt);
      return { ok: true, value: exportValue(value, rt) };
    } catch (error) {
      if (error instanceof EvaluationFailure)
        return { ok: false, error: toEvaluationError(this.source, error) };
      // Anything else is a bug or a throwing `now`; still a typed result, never an exception.
      return {
        ok: false,
        error: {
          code: "internal_error",
          message: "Internal error while evaluating the expression",
          position: positionAt(this.source, 0),
        },
      };
    }
  }
}

export function compile(source: string): CompileResult {
  try {
    return { ok: true, expression: new Compiled(source, compileSource(source, "claim")) };
  } catch (error) {
    if (error instanceof CompileFailure) return { ok: false, error: toCompileError(source, error) };
    return {
      ok: false,
      error: {
        code: "internal_error",
        message: "Internal error while compiling the expression",
        position: positionAt(source, 0),
        expected: [],
      },
    };
  }
}
