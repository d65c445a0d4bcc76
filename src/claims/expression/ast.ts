/**
 * The syntax tree the parser produces and the compiler consumes. Every node keeps its source span so
 * compile and evaluation errors can point at the exact sub-expression.
 */
import type { Decimal } from "./numbers";

export interface Span {
  start: number;
  end: number;
}

/**
 * The variables an expression may name. `group` exists only inside the group expression of
 * getFilteredGroups, where it is bound to each group in turn.
 */
export type RootName = "user" | "app" | "access" | "appuser" | "group";

export type UnaryOperator = "!" | "-" | "+";
export type ArithmeticOperator = "+" | "-" | "*" | "/" | "%";
export type ComparisonOperator = "==" | "!=" | "<" | "<=" | ">" | ">=" | "matches";
export type LogicalOperator = "&&" | "||";

export type Node =
  | { kind: "literal"; value: null | boolean | number | Decimal | string; span: Span }
  | { kind: "array"; elements: Node[]; span: Span }
  | { kind: "root"; name: RootName; span: Span }
  | { kind: "member"; object: Node; property: string; span: Span }
  | { kind: "index"; object: Node; index: Node; span: Span }
  | { kind: "call"; name: string; args: Node[]; span: Span; nameSpan: Span }
  | { kind: "unary"; operator: UnaryOperator; operand: Node; span: Span }
  | { kind: "arithmetic"; operator: ArithmeticOperator; left: Node; right: Node; span: Span }
  | { kind: "comparison"; operator: ComparisonOperator; left: Node; right: Node; span: Span }
  | { kind: "logical"; operator: LogicalOperator; left: Node; right: Node; span: Span }
  | { kind: "ternary"; test: Node; consequent: Node; alternate: Node; span: Span }
  | { kind: "elvis"; left: Node; right: Node; span: Span };

/**
 * Property names that lead into JavaScript internals. Rejected at parse time when written literally
 * and again at run time for computed keys, compared case-insensitively so no spelling slips through.
 */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export function isForbiddenProperty(name: string): boolean {
  const lower = name.toLowerCase();
  // Every __dunder__ name is reserved too: __defineGetter__, __lookupSetter__, and whatever comes next.
  return FORBIDDEN.has(lower) || (lower.startsWith("__") && lower.endsWith("__"));
}
