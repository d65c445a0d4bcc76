/**
 * A Pratt (precedence-climbing) parser for Okta's SpEL subset. Precedence, lowest first, as SpEL:
 *   ternary `a ? b : c` and Elvis `a ?: b` (right-associative)
 *   `||` OR                       (left)
 *   `&&` AND                      (left)
 *   `==` `!=` `<` `<=` `>` `>=` `matches` and eq/ne/lt/le/gt/ge (non-associative, as in SpEL)
 *   `+` `-`                       (left)
 *   `*` `/` `%` div mod           (left)
 *   unary `!` NOT `-` `+`
 *   postfix `.name` `?.name` `[index]`
 * Textual operators and the literals true/false/null are case-insensitive, as in SpEL (`AND`, `NULL`).
 */
import {
  type ArithmeticOperator,
  type ComparisonOperator,
  isForbiddenProperty,
  type LogicalOperator,
  type Node,
  type RootName,
  type Span,
} from "./ast";
import { CompileFailure } from "./errors";
import { notSupportedRoot, notSupportedUserMethod } from "./functions/registry";
import { EXPRESSION_LIMITS } from "./limits";
import { Decimal } from "./numbers";
import type { Punctuator, Token } from "./tokens";

const TERNARY = 1;
const OR = 2;
const AND = 3;
const COMPARISON = 4;
const ADDITIVE = 5;
const MULTIPLICATIVE = 6;

type Infix =
  | { kind: "ternary"; bp: number }
  | { kind: "elvis"; bp: number }
  | { kind: "logical"; operator: LogicalOperator; bp: number }
  | { kind: "comparison"; operator: ComparisonOperator; bp: number }
  | { kind: "arithmetic"; operator: ArithmeticOperator; bp: number };

const PUNCT_INFIX: Partial<Record<Punctuator, Infix>> = {
  "?": { kind: "ternary", bp: TERNARY },
  "?:": { kind: "elvis", bp: TERNARY },
  "||": { kind: "logical", operator: "||", bp: OR },
  "&&": { kind: "logical", operator: "&&", bp: AND },
  "==": { kind: "comparison", operator: "==", bp: COMPARISON },
  "!=": { kind: "comparison", operator: "!=", bp: COMPARISON },
  "<": { kind: "comparison", operator: "<", bp: COMPARISON },
  "<=": { kind: "comparison", operator: "<=", bp: COMPARISON },
  ">": { kind: "comparison", operator: ">", bp: COMPARISON },
  ">=": { kind: "comparison", operator: ">=", bp: COMPARISON },
  "+": { kind: "arithmetic", operator: "+", bp: ADDITIVE },
  "-": { kind: "arithmetic", operator: "-", bp: ADDITIVE },
  "*": { kind: "arithmetic", operator: "*", bp: MULTIPLICATIVE },
  "/": { kind: "arithmetic", operator: "/", bp: MULTIPLICATIVE },
  "%": { kind: "arithmetic", operator: "%", bp: MULTIPLICATIVE },
};

/**
 * SpEL's textual operators, matched case-insensitively. A Map, not an object literal: a word such
 * as "constructor" must find nothing, not an Object.prototype member.
 */
const WORD_INFIX: ReadonlyMap<string, Infix> = new Map<string, Infix>([
  ["or", { kind: "logical", operator: "||", bp: OR }],
  ["and", { kind: "logical", operator: "&&", bp: AND }],
  ["eq", { kind: "comparison", operator: "==", bp: COMPARISON }],
  ["ne", { kind: "comparison", operator: "!=", bp: COMPARISON }],
  ["lt", { kind: "comparison", operator: "<", bp: COMPARISON }],
  ["le", { kind: "comparison", operator: "<=", bp: COMPARISON }],
  ["gt", { kind: "comparison", operator: ">", bp: COMPARISON }],
  ["ge", { kind: "comparison", operator: ">=", bp: COMPARISON }],
  ["matches", { kind: "comparison", operator: "matches", bp: COMPARISON }],
  ["div", { kind: "arithmetic", operator: "/", bp: MULTIPLICATIVE }],
  ["mod", { kind: "arithmetic", operator: "%", bp: MULTIPLICATIVE }],
]);

/** SpEL operators outside Okta's subset, named so the error says why rather than "syntax error". */
const UNSUPPORTED_WORDS: ReadonlyMap<string, string> = new Map([
  ["instanceof", "the instanceof operator is not supported"],
  ["between", "the between operator is not supported"],
]);

const INFIX_EXPECTED = ["an operator", "end of expression"];

export function parse(tokens: readonly Token[], roots: readonly RootName[]): Node {
  return new Parser(tokens, roots).parseAll();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly roots: readonly RootName[],
  ) {}

  parseAll(): Node {
    const node = this.parseExpression(0);
    const next = this.peek();
    if (next.kind !== "end") this.fail(next, INFIX_EXPECTED);
    return node;
  }

  // ---- token helpers ----

  private peek(ahead = 0): Token {
    const last = this.tokens[this.tokens.length - 1];
    const token = this.tokens[this.pos + ahead] ?? last;
    if (token === undefined) throw new CompileFailure("unexpected_end", 0, "Empty token stream");
    return token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.pos++;
    return token;
  }

  private isPunct(token: Token, text: Punctuator): boolean {
    return token.kind === "punct" && token.text === text;
  }

  private expectPunct(text: Punctuator, also: readonly string[] = []): Token {
    const token = this.peek();
    if (!this.isPunct(token, text)) this.fail(token, [`'${text}'`, ...also]);
    return this.next();
  }

  private fail(token: Token, expected: readonly string[]): never {
    const wanted = expected.length > 0 ? joinAlternatives(expected) : undefined;
    if (token.kind === "end") {
      const detail = wanted
        ? `Unexpected end of expression: expected ${wanted}`
        : "Unexpected end of expression";
      throw new CompileFailure("unexpected_end", token.start, detail, expected);
    }
    const found = describe(token);
    const detail = wanted ? `Expected ${wanted} but found ${found}` : `Unexpected ${found}`;
    throw new CompileFailure("unexpected_token", token.start, detail, expected, found);
  }

  /** Every recursive descent goes through here, so no input can exhaust the stack. */
  private enter(token: Token): void {
    this.depth++;
    if (this.depth > EXPRESSION_LIMITS.maxNestingDepth) {
      throw new CompileFailure(
        "nesting_too_deep",
        token.start,
        `Expression is nested more than ${EXPRESSION_LIMITS.maxNestingDepth} levels deep`,
      );
    }
  }

  private leave(): void {
    this.depth--;
  }

  // ---- grammar ----

  private parseExpression(minBp: number): Node {
    this.enter(this.peek());
    let left = this.parseUnary();
    let comparedAt: number | undefined;
    for (;;) {
      const token = this.peek();
      const infix = this.infixAt(token);
      if (infix === undefined || infix.bp < minBp) break;
      this.next();
      switch (infix.kind) {
        case "ternary": {
          const consequent = this.parseExpression(TERNARY);
          this.expectPunct(":");
          const alternate = this.parseExpression(TERNARY);
          left = { kind: "ternary", test: left, consequent, alternate, span: spanOf(left, alternate) };
          break;
        }
        case "elvis": {
          const right = this.parseExpression(TERNARY);
          left = { kind: "elvis", left, right, span: spanOf(left, right) };
          break;
        }
        case "logical": {
          const right = this.parseExpression(infix.bp + 1);
          left = { kind: "logical", operator: infix.operator, left, right, span: spanOf(left, right) };
          break;
        }
        case "comparison": {
          // SpEL's relational operators do not chain: `a == b == c` is an error there, so here too.
          if (comparedAt !== undefined) {
            throw new CompileFailure(
              "chained_comparison",
              token.start,
              "Comparisons cannot be chained; use parentheses or AND",
              [],
              describe(token),
            );
          }
          comparedAt = token.start;
          const right = this.parseExpression(infix.bp + 1);
          left = { kind: "comparison", operator: infix.operator, left, right, span: spanOf(left, right) };
          break;
        }
        case "arithmetic": {
          const right = this.parseExpression(infix.bp + 1);
          left = { kind: "arithmetic", operator: infix.operator, left, right, span: spanOf(left, right) };
          break;
        }
      }
      if (infix.kind !== "comparison") comparedAt = undefined;
    }
    this.leave();
    return left;
  }

  private infixAt(token: Token): Infix | undefined {
    if (token.kind === "punct") return PUNCT_INFIX[token.text];
    if (token.kind === "identifier") {
      const word = token.text.toLowerCase();
      const infix = WORD_INFIX.get(word);
      if (infix !== undefined) return infix;
      const why = UNSUPPORTED_WORDS.get(word);
      if (why !== undefined) throw new CompileFailure("unsupported_syntax", token.start, why, [], token.text);
    }
    return undefined;
  }

  private parseUnary(): Node {
    const token = this.peek();
    const isNot =
      this.isPunct(token, "!") || (token.kind === "identifier" && token.text.toLowerCase() === "not");
    if (isNot || this.isPunct(token, "-") || this.isPunct(token, "+")) {
      this.next();
      this.enter(token);
      const operand = this.parseUnary();
      this.leave();
      const operator = isNot ? "!" : token.kind === "punct" && token.text === "-" ? "-" : "+";
      return { kind: "unary", operator, operand, span: { start: token.start, end: operand.span.end } };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Node {
    const token = this.next();
    const span = { start: token.start, end: token.end };
    switch (token.kind) {
      case "number":
        return {
          kind: "literal",
          value: token.numeric === "decimal" ? new Decimal(token.value) : token.value,
          span,
        };
      case "string":
        return { kind: "literal", value: token.value, span };
      case "identifier":
        return this.parseIdentifier(token);
      case "punct":
        if (token.text === "(") {
          const inner = this.parseExpression(0);
          const close = this.expectPunct(")", ["an operator"]);
          return widen(inner, token.start, close.end);
        }
        if (token.text === "{") return this.parseArray(token);
        return this.fail(token, ["an expression"]);
      case "end":
        return this.fail(token, ["an expression"]);
    }
  }

  private parseIdentifier(token: Token & { kind: "identifier" }): Node {
    const span = { start: token.start, end: token.end };
    const lower = token.text.toLowerCase();
    if (lower === "true") return { kind: "literal", value: true, span };
    if (lower === "false") return { kind: "literal", value: false, span };
    if (lower === "null") return { kind: "literal", value: null, span };
    if (lower === "new" || (token.text === "T" && this.isPunct(this.peek(), "("))) {
      throw new CompileFailure(
        "unsupported_syntax",
        token.start,
        "Type and constructor references are not supported",
        [],
        token.text,
      );
    }
    // Bare function: isMemberOfGroupName("x"), or a deprecated alias such as substringBefore(a, b).
    if (this.isPunct(this.peek(), "(")) return this.parseCall(token.text, span);
    const root = this.roots.find((r) => r === token.text);
    if (root !== undefined) return { kind: "root", name: root, span };
    // Namespaced function: String.len("x"). The compiler decides whether the function exists.
    if (
      this.isPunct(this.peek(), ".") &&
      this.peek(1).kind === "identifier" &&
      this.isPunct(this.peek(2), "(")
    ) {
      this.next();
      const member = this.next();
      const name = `${token.text}.${member.kind === "identifier" ? member.text : ""}`;
      return this.parseCall(name, { start: token.start, end: member.end });
    }
    const okta = notSupportedRoot(token.text);
    if (okta !== undefined) {
      throw new CompileFailure(
        "not_supported",
        token.start,
        `'${token.text}' is not supported by Warden: ${okta} has no value in Warden's claims`,
        [],
        token.text,
      );
    }
    throw new CompileFailure(
      "unknown_identifier",
      token.start,
      `Unknown identifier '${token.text}': expected ${joinAlternatives(this.roots.map((r) => `'${r}'`))}, a literal or a function`,
      this.roots.map((r) => `'${r}'`),
      token.text,
    );
  }

  private parseCall(name: string, nameSpan: Span): Node {
    this.expectPunct("(");
    // No enter() here: each argument is a parseExpression, which counts one level per call nesting.
    const args: Node[] = [];
    if (!this.isPunct(this.peek(), ")")) {
      for (;;) {
        args.push(this.parseExpression(0));
        if (!this.isPunct(this.peek(), ",")) break;
        this.next();
      }
    }
    const close = this.expectPunct(")", ["','", "an operator"]);
    return { kind: "call", name, args, nameSpan, span: { start: nameSpan.start, end: close.end } };
  }

  private parseArray(open: Token): Node {
    const elements: Node[] = [];
    if (!this.isPunct(this.peek(), "}")) {
      for (;;) {
        elements.push(this.parseExpression(0));
        const sep = this.peek();
        if (this.isPunct(sep, ":")) {
          throw new CompileFailure(
            "unsupported_syntax",
            sep.start,
            "Inline maps are not supported",
            [],
            "':'",
          );
        }
        if (!this.isPunct(sep, ",")) break;
        this.next();
      }
    }
    const close = this.expectPunct("}", ["','", "an operator"]);
    return { kind: "array", elements, span: { start: open.start, end: close.end } };
  }

  private parsePostfix(node: Node): Node {
    let current = node;
    for (;;) {
      const token = this.peek();
      if (this.isPunct(token, ".") || this.isPunct(token, "?.")) {
        this.next();
        const name = this.peek();
        if (name.kind === "punct" && (name.text === "!" || name.text === "?" || name.text === "[")) {
          throw new CompileFailure(
            "unsupported_syntax",
            name.start,
            "Collection projection and selection are not supported",
            [],
            describe(name),
          );
        }
        if (name.kind !== "identifier") this.fail(name, ["a property name"]);
        this.next();
        if (isForbiddenProperty(name.text)) {
          throw new CompileFailure(
            "forbidden_property",
            name.start,
            `Property '${name.text}' is not accessible`,
            [],
            name.text,
          );
        }
        if (this.isPunct(this.peek(), "(")) {
          const okta =
            current.kind === "root" && current.name === "user"
              ? notSupportedUserMethod(name.text)
              : undefined;
          if (okta !== undefined) {
            throw new CompileFailure(
              "not_supported",
              name.start,
              `'user.${name.text}(…)' is not supported by Warden: ${okta}`,
              [],
              name.text,
            );
          }
          throw new CompileFailure(
            "unsupported_syntax",
            name.start,
            `Method calls on values are not supported ('${name.text}(…)'); use the String, Arrays, Convert, Time and group functions`,
            [],
            name.text,
          );
        }
        // `?.` and `.` behave alike: reading through null already yields null (Okta's missing attributes).
        current = { kind: "member", object: current, property: name.text, span: spanTo(current, name.end) };
        continue;
      }
      if (this.isPunct(token, "[")) {
        this.next();
        const index = this.parseExpression(0);
        const close = this.expectPunct("]", ["an operator"]);
        if (index.kind === "literal" && typeof index.value === "string" && isForbiddenProperty(index.value)) {
          throw new CompileFailure(
            "forbidden_property",
            index.span.start,
            `Property '${index.value}' is not accessible`,
            [],
            index.value,
          );
        }
        current = { kind: "index", object: current, index, span: spanTo(current, close.end) };
        continue;
      }
      return current;
    }
  }
}

function spanOf(a: Node, b: Node): Span {
  return { start: a.span.start, end: b.span.end };
}

function spanTo(a: Node, end: number): Span {
  return { start: a.span.start, end };
}

/** A parenthesised expression keeps its node but reports the span including the parentheses. */
function widen(node: Node, start: number, end: number): Node {
  return { ...node, span: { start, end } };
}

function describe(token: Token): string {
  switch (token.kind) {
    case "identifier":
      return `'${token.text}'`;
    case "number":
      return `number ${token.text}`;
    case "string":
      return "a string literal";
    case "punct":
      return `'${token.text}'`;
    case "end":
      return "end of expression";
  }
}

function joinAlternatives(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
