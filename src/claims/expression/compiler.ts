/**
 * Compiles a syntax tree once into a tree of closures, resolving functions and checking what can be
 * checked statically (unknown functions, argument counts, literal argument types, literal regexes and
 * group expressions), so configuration errors surface when the claim is saved, not at token time.
 * Each closure charges the step budget and records its source position on failures from below it.
 */
import type { Node, RootName } from "./ast";
import { CompileFailure, EvaluationFailure } from "./errors";
import { lookupFunction } from "./functions/registry";
import {
  accepts,
  describeKind,
  type FunctionSpec,
  type ParamKind,
  type Prepared,
  paramKind,
} from "./functions/types";
import { EXPRESSION_LIMITS } from "./limits";
import { applyArithmetic, applyComparison, applyUnary, truth } from "./operators";
import { parse } from "./parser";
import { compileRegex, regexMatches, type SafeRegex } from "./regex";
import type { Evaluator, Runtime } from "./runtime";
import { literalOffsetToSource, tokenize } from "./tokens";
import { boundedArray, readIndex, readProperty, typeOf, type Value } from "./values";

/** Claim expressions see the context; getFilteredGroups group expressions also see `group`. */
export type Scope = "claim" | "group";

const ROOTS: Readonly<Record<Scope, readonly RootName[]>> = {
  claim: ["user", "app", "access", "appuser"],
  group: ["user", "app", "access", "appuser", "group"],
};

/** Source text to evaluator; throws CompileFailure (caught by `compile`). */
export function compileSource(source: string, scope: Scope): Evaluator {
  if (source.length > EXPRESSION_LIMITS.maxSourceLength) {
    throw new CompileFailure(
      "source_too_long",
      EXPRESSION_LIMITS.maxSourceLength,
      `Expression longer than ${EXPRESSION_LIMITS.maxSourceLength} characters`,
    );
  }
  const tree = parse(tokenize(source), ROOTS[scope]);
  return new Compiler(source, scope).compile(tree);
}

/** Attaches a position to failures raised below this node that do not have one yet. */
function located(start: number, run: Evaluator): Evaluator {
  return (rt) => {
    try {
      return run(rt);
    } catch (error) {
      if (error instanceof EvaluationFailure && error.offset === undefined) error.offset = start;
      throw error;
    }
  };
}

function regexAtRuntime(rt: Runtime, pattern: string): SafeRegex {
  const cached = rt.regexCache.get(pattern);
  if (cached !== undefined) return cached;
  rt.charge(pattern.length);
  const result = compileRegex(pattern);
  if (!result.ok)
    throw new EvaluationFailure("invalid_argument", `Invalid regular expression: ${result.message}`);
  rt.regexCache.set(pattern, result.regex);
  return result.regex;
}

class Compiler {
  constructor(
    private readonly source: string,
    private readonly scope: Scope,
  ) {}

  compile(node: Node): Evaluator {
    return located(node.span.start, this.build(node));
  }

  private build(node: Node): Evaluator {
    switch (node.kind) {
      case "literal": {
        const value = node.value;
        return (rt) => {
          rt.charge(1);
          return value;
        };
      }
      case "array": {
        const elements = node.elements.map((element) => this.compile(element));
        return (rt) => {
          rt.charge(1);
          return boundedArray(
            elements.map((element) => element(rt)),
            rt,
          );
        };
      }
      case "root": {
        const name = node.name;
        return (rt) => {
          rt.charge(1);
          return rt.root(name);
        };
      }
      case "member": {
        const object = this.compile(node.object);
        const property = node.property;
        return (rt) => {
          rt.charge(1);
          return readProperty(object(rt), property);
        };
      }
      case "index": {
        const object = this.compile(node.object);
        const index = this.compile(node.index);
        return (rt) => {
          rt.charge(1);
          return readIndex(object(rt), index(rt));
        };
      }
      case "unary": {
        const operand = this.compile(node.operand);
        const operator = node.operator;
        return (rt) => {
          rt.charge(1);
          return applyUnary(operator, operand(rt));
        };
      }
      case "arithmetic": {
        const left = this.compile(node.left);
        const right = this.compile(node.right);
        const operator = node.operator;
        return (rt) => {
          rt.charge(1);
          const a = left(rt);
          return applyArithmetic(operator, a, right(rt), rt);
        };
      }
      case "comparison":
        return this.comparison(node);
      case "logical": {
        const left = this.compile(node.left);
        const right = this.compile(node.right);
        const isAnd = node.operator === "&&";
        const what = isAnd ? "An operand of AND" : "An operand of OR";
        return (rt) => {
          rt.charge(1);
          const first = truth(left(rt), what);
          // Short-circuit, as SpEL: the right side is not evaluated when the left decides.
          if (first !== isAnd) return first;
          return truth(right(rt), what);
        };
      }
      case "ternary": {
        const test = this.compile(node.test);
        const consequent = this.compile(node.consequent);
        const alternate = this.compile(node.alternate);
        return (rt) => {
          rt.charge(1);
          return truth(test(rt), "The condition of '?:'") ? consequent(rt) : alternate(rt);
        };
      }
      case "elvis": {
        const left = this.compile(node.left);
        const right = this.compile(node.right);
        return (rt) => {
          rt.charge(1);
          const value = left(rt);
          // SpEL's Elvis falls back on null and on the empty string.
          return value === null || value === "" ? right(rt) : value;
        };
      }
      case "call":
        return this.call(node);
    }
  }

  private comparison(node: Node & { kind: "comparison" }): Evaluator {
    const left = this.compile(node.left);
    const operator = node.operator;
    if (operator === "matches") {
      const staticRegex = this.literalRegex(node.right);
      const right = this.compile(node.right);
      return (rt) => {
        rt.charge(1);
        const input = left(rt);
        const pattern = right(rt);
        if (typeof input !== "string" || typeof pattern !== "string") {
          throw new EvaluationFailure(
            "type_error",
            `'matches' needs a string and a pattern string, got ${typeOf(input)} and ${typeOf(pattern)}`,
          );
        }
        const regex = staticRegex ?? regexAtRuntime(rt, pattern);
        return regexMatches(regex, input, (steps) => rt.charge(steps));
      };
    }
    const right = this.compile(node.right);
    return (rt) => {
      rt.charge(1);
      const a = left(rt);
      return applyComparison(operator, a, right(rt), rt);
    };
  }

  private call(node: Node & { kind: "call" }): Evaluator {
    const found = lookupFunction(node.name);
    const at = node.nameSpan.start;
    if (found.kind === "not_supported") {
      throw new CompileFailure(
        "not_supported",
        at,
        `Function '${node.name}' is not supported by Warden`,
        [],
        node.name,
      );
    }
    if (found.kind === "unknown") {
      const hint = found.suggestion === undefined ? "" : `; did you mean '${found.suggestion}'?`;
      throw new CompileFailure(
        "unknown_function",
        at,
        `Unknown function '${node.name}'${hint}`,
        [],
        node.name,
      );
    }
    const { name, spec } = found;
    if (this.scope === "group" && name === "getFilteredGroups") {
      throw new CompileFailure(
        "unsupported_syntax",
        at,
        "getFilteredGroups cannot be used inside a group expression",
      );
    }
    this.checkArity(node, name, spec);
    const kinds = node.args.map((_, i) => paramKind(spec, i));
    const prepared = node.args.map((arg, i) => this.prepareLiteral(name, arg, kinds[i] ?? "any", i));
    const args = node.args.map((arg) => this.compile(arg));
    return (rt) => {
      rt.charge(1);
      const values = args.map((arg) => arg(rt));
      const ready: Prepared[] = values.map((value, i) => {
        const kind = kinds[i] ?? "any";
        if (!accepts(kind, value)) {
          throw new EvaluationFailure(
            "type_error",
            `${name} expects ${describeKind(kind)} as argument ${i + 1}, got ${typeOf(value)}`,
          );
        }
        return prepared[i] ?? this.prepareAtRuntime(rt, kind, value);
      });
      return spec.invoke({ name, args: values, prepared: ready, rt });
    };
  }

  private checkArity(node: Node & { kind: "call" }, name: string, spec: FunctionSpec): void {
    const count = node.args.length;
    const min = spec.required ?? spec.params.length;
    const max = spec.rest === undefined ? spec.params.length : Number.POSITIVE_INFINITY;
    const extra = count - spec.params.length;
    const grouped = spec.restMultipleOf === undefined || extra <= 0 || extra % spec.restMultipleOf === 0;
    if (count >= min && count <= max && grouped) return;
    const plural = (n: number) => `${n} argument${n === 1 ? "" : "s"}`;
    const expected =
      max === Number.POSITIVE_INFINITY
        ? `at least ${plural(min)}${spec.restMultipleOf ? ` (then in groups of ${spec.restMultipleOf})` : ""}`
        : min === max
          ? plural(min)
          : `${min} to ${plural(max)}`;
    throw new CompileFailure(
      "wrong_argument_count",
      node.nameSpan.start,
      `${name} takes ${expected}, got ${count}`,
      [expected],
      String(count),
    );
  }

  /** Checks a literal argument's type, and prepares literal regexes and group expressions now. */
  private prepareLiteral(name: string, arg: Node, kind: ParamKind, index: number): Prepared {
    const literal = arg.kind === "literal" ? arg.value : arg.kind === "array" ? [] : undefined;
    if (literal === undefined || literal === null) return undefined;
    if (!accepts(kind, literal)) {
      const got = typeOf(literal);
      throw new CompileFailure(
        "type_mismatch",
        arg.span.start,
        `${name} expects ${describeKind(kind)} as argument ${index + 1}, got ${got}`,
        [describeKind(kind)],
        got,
      );
    }
    if (typeof literal !== "string") return undefined;
    if (kind === "regex") {
      const regex = this.literalRegex(arg);
      return regex === undefined ? undefined : { kind: "regex", regex };
    }
    if (kind === "groupExpression") {
      try {
        return { kind: "groupExpression", evaluate: compileSource(literal, "group") };
      } catch (error) {
        if (!(error instanceof CompileFailure)) throw error;
        throw new CompileFailure(
          "invalid_group_expression",
          literalOffsetToSource(this.source, arg.span.start, error.offset),
          `In the group expression: ${error.detail}`,
          error.expected,
          error.found,
        );
      }
    }
    return undefined;
  }

  private literalRegex(node: Node): SafeRegex | undefined {
    if (node.kind !== "literal" || typeof node.value !== "string") return undefined;
    const result = compileRegex(node.value);
    if (result.ok) return result.regex;
    throw new CompileFailure(
      "invalid_regex",
      literalOffsetToSource(this.source, node.span.start, result.offset),
      `Invalid regular expression: ${result.message}`,
    );
  }

  /** Patterns and group expressions computed at run time are compiled then, once per evaluation. */
  private prepareAtRuntime(rt: Runtime, kind: ParamKind, value: Value): Prepared {
    if (typeof value !== "string") return undefined;
    if (kind === "regex") return { kind: "regex", regex: regexAtRuntime(rt, value) };
    if (kind !== "groupExpression") return undefined;
    const cached = rt.groupExpressionCache.get(value);
    if (cached !== undefined) return { kind: "groupExpression", evaluate: cached };
    rt.charge(value.length);
    try {
      const evaluate = compileSource(value, "group");
      rt.groupExpressionCache.set(value, evaluate);
      return { kind: "groupExpression", evaluate };
    } catch (error) {
      if (!(error instanceof CompileFailure)) throw error;
      throw new EvaluationFailure("invalid_argument", `Invalid group expression: ${error.detail}`);
    }
  }
}
