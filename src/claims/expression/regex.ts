/**
 * A linear-time regular-expression engine for `matches`, isMemberOfGroupNameRegex and the REGEX
 * groups-claim filter. JavaScript's RegExp backtracks, so a pattern like `(a+)+b` takes exponential
 * time and cannot be interrupted; an admin-supplied pattern must not be able to stall the token path.
 * Here a pattern compiles to a small NFA program run as a Pike VM (Thompson simulation): time is
 * O(pattern × input) and every step is charged to the caller's budget.
 *
 * Syntax is the common subset of Java's java.util.regex (Okta runs Java): literals, `.`, classes
 * `[a-z]` `[^…]`, `\d \D \w \W \s \S`, `\t \n \r \f \xHH \uHHHH`, escaped punctuation, groups `( )`
 * and `(?: )`, `|`, `* + ? {n} {n,} {n,m}` (greedy or lazy), `^ $`, and a leading `(?i)` (ASCII case
 * folding, as Java's CASE_INSENSITIVE). Back-references, lookaround, possessive quantifiers and the
 * other flags are rejected, never misinterpreted. Matching is whole-input, as Java's String.matches.
 */
import { EXPRESSION_LIMITS } from "./limits";

type Instruction =
  | { op: "char"; code: number }
  | { op: "class"; ranges: readonly number[]; negated: boolean }
  | { op: "split"; x: number; y: number }
  | { op: "jmp"; x: number }
  | { op: "start" }
  | { op: "end" }
  | { op: "match" };

export interface SafeRegex {
  readonly source: string;
  readonly ignoreCase: boolean;
  readonly program: readonly Instruction[];
}

export type RegexCompileResult =
  | { ok: true; regex: SafeRegex }
  | { ok: false; message: string; offset: number };

type RegexNode =
  | { t: "char"; code: number }
  | { t: "class"; ranges: number[]; negated: boolean }
  | { t: "start" }
  | { t: "end" }
  | { t: "seq"; items: RegexNode[] }
  | { t: "alt"; options: RegexNode[] }
  | { t: "repeat"; node: RegexNode; min: number; max: number };

const MAX_REPEAT = 1000;
const MAX_GROUP_DEPTH = 32;
const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE = [9, 13, 32, 32]; // \t \n \v \f \r and space: Java's \s
// Java's `.` excludes line terminators: \n \r \u0085 \u2028 \u2029.
const LINE_TERMINATORS = [10, 10, 13, 13, 0x85, 0x85, 0x2028, 0x2029];

class RegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function compileRegex(pattern: string): RegexCompileResult {
  if (pattern.length > EXPRESSION_LIMITS.maxRegexLength) {
    return {
      ok: false,
      message: `Pattern longer than ${EXPRESSION_LIMITS.maxRegexLength} characters`,
      offset: 0,
    };
  }
  try {
    const ignoreCase = pattern.startsWith("(?i)");
    const parser = new RegexParser(pattern, ignoreCase ? 4 : 0);
    const tree = parser.parse();
    const program: Instruction[] = [];
    emit(tree, program);
    program.push({ op: "match" });
    return { ok: true, regex: { source: pattern, ignoreCase, program } };
  } catch (error) {
    if (error instanceof RegexSyntaxError) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}

class RegexParser {
  private depth = 0;

  constructor(
    private readonly src: string,
    private pos: number,
  ) {}

  parse(): RegexNode {
    const node = this.alternation();
    if (this.pos < this.src.length) throw new RegexSyntaxError("Unmatched ')'", this.pos);
    return node;
  }

  private fail(message: string, at = this.pos): never {
    throw new RegexSyntaxError(message, at);
  }

  private alternation(): RegexNode {
    const options = [this.sequence()];
    while (this.src[this.pos] === "|") {
      this.pos++;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as RegexNode) : { t: "alt", options };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== "|" && this.src[this.pos] !== ")") {
      items.push(this.quantified(this.atom()));
    }
    return { t: "seq", items };
  }

  /** One quantifier per atom, optionally lazy; Java rejects `a**` and so do we. */
  private quantified(atom: RegexNode): RegexNode {
    const start = this.pos;
    const c = this.src[this.pos];
    let min: number;
    let max: number;
    if (c === "*") [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (c === "+") [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") [min, max] = this.braces();
    else return atom;
    if (c !== "{") this.pos++;
    // Lazy and greedy match the same inputs; only the possessive form changes the language.
    if (this.src[this.pos] === "?") this.pos++;
    else if (this.src[this.pos] === "+") this.fail("Possessive quantifiers are not supported");
    if (atom.t === "start" || atom.t === "end") this.fail("Nothing to repeat", start);
    if (/^[*+?{]/.test(this.src.slice(this.pos, this.pos + 1)))
      this.fail("Dangling quantifier: nothing to repeat");
    return { t: "repeat", node: atom, min, max };
  }

  private braces(): [number, number] {
    const match = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.src.slice(this.pos, this.pos + 12));
    if (match === null) this.fail("Illegal repetition: expected {n}, {n,} or {n,m}");
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === "" ? Number.POSITIVE_INFINITY : Number(match[3]);
    if (min > MAX_REPEAT || (Number.isFinite(max) && max > MAX_REPEAT)) {
      this.fail(`Repetition counts above ${MAX_REPEAT} are not supported`);
    }
    if (max < min) this.fail("Illegal repetition range");
    this.pos += match[0].length;
    return [min, max];
  }

  private atom(): RegexNode {
    const at = this.pos;
    const c = this.src[this.pos++] ?? "";
    switch (c) {
      case ".":
        return { t: "class", ranges: LINE_TERMINATORS, negated: true };
      case "^":
        return { t: "start" };
      case "$":
        return { t: "end" };
      case "[":
        return this.charClass();
      case "\\":
        return this.escape(false);
      case "(":
        return this.group(at);
      case "*":
      case "+":
      case "?":
      case "{":
        return this.fail("Dangling quantifier: nothing to repeat", at);
      default:
        // Matching works on UTF-16 code units (as Java does for BMP text); an astral character in
        // a pattern becomes its two surrogates in sequence, which matches the same input.
        return { t: "char", code: c.charCodeAt(0) };
    }
  }

  private group(at: number): RegexNode {
    if (this.src[this.pos] === "?") {
      if (this.src[this.pos + 1] !== ":") {
        this.fail("Only non-capturing groups (?:…) and a leading (?i) are supported", at);
      }
      this.pos += 2;
    }
    this.depth++;
    if (this.depth > MAX_GROUP_DEPTH) this.fail(`Groups nested more than ${MAX_GROUP_DEPTH} deep`, at);
    const inner = this.alternation();
    this.depth--;
    if (this.src[this.pos] !== ")") this.fail("Unclosed group", at);
    this.pos++;
    return inner;
  }

  private escape(inClass: boolean): RegexNode {
    const at = this.pos - 1;
    const c = this.src[this.pos++];
    if (c === undefined) this.fail("Trailing backslash", at);
    switch (c) {
      case "d":
        return { t: "class", ranges: DIGIT, negated: false };
      case "D":
        return { t: "class", ranges: DIGIT, negated: true };
      case "w":
        return { t: "class", ranges: WORD, negated: false };
      case "W":
        return { t: "class", ranges: WORD, negated: true };
      case "s":
        return { t: "class", ranges: SPACE, negated: false };
      case "S":
        return { t: "class", ranges: SPACE, negated: true };
      case "t":
        return { t: "char", code: 9 };
      case "n":
        return { t: "char", code: 10 };
      case "r":
        return { t: "char", code: 13 };
      case "f":
        return { t: "char", code: 12 };
      case "x":
        return { t: "char", code: this.hex(2, at) };
      case "u":
        return { t: "char", code: this.hex(4, at) };
      default:
        if (/[A-Za-z0-9]/.test(c)) {
          return this.fail(`Unsupported escape '\\${c}'${inClass ? " in a character class" : ""}`, at);
        }
        return { t: "char", code: c.charCodeAt(0) };
    }
  }

  private hex(digits: number, at: number): number {
    const text = this.src.slice(this.pos, this.pos + digits);
    if (text.length !== digits || !/^[0-9A-Fa-f]+$/.test(text)) this.fail("Invalid hexadecimal escape", at);
    this.pos += digits;
    return Number.parseInt(text, 16);
  }

  private charClass(): RegexNode {
    const at = this.pos - 1;
    let negated = false;
    if (this.src[this.pos] === "^") {
      negated = true;
      this.pos++;
    }
    const ranges: number[] = [];
    let first = true;
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) this.fail("Unclosed character class", at);
      if (c === "]" && !first) {
        this.pos++;
        break;
      }
      if (c === "[" || (c === "&" && this.src[this.pos + 1] === "&")) {
        this.fail("Nested classes and class intersections are not supported");
      }
      first = false;
      const low = this.classAtom();
      if (typeof low !== "number") {
        ranges.push(...low);
        continue;
      }
      if (
        this.src[this.pos] === "-" &&
        this.src[this.pos + 1] !== "]" &&
        this.src[this.pos + 1] !== undefined
      ) {
        this.pos++;
        const high = this.classAtom();
        if (typeof high !== "number" || high < low) this.fail("Illegal character range", this.pos - 1);
        ranges.push(low, high);
      } else {
        ranges.push(low, low);
      }
    }
    return { t: "class", ranges, negated };
  }

  /** One class member: a code point, or the ranges of an escape such as \d (complemented for \D). */
  private classAtom(): number | number[] {
    const c = this.src[this.pos++] ?? "";
    if (c !== "\\") return c.charCodeAt(0);
    const node = this.escape(true);
    if (node.t === "char") return node.code;
    if (node.t === "class") return node.negated ? complement(node.ranges) : node.ranges;
    return this.fail("Unsupported escape in a character class");
  }
}

function complement(ranges: readonly number[]): number[] {
  const sorted: [number, number][] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) sorted.push([ranges[i] ?? 0, ranges[i + 1] ?? 0]);
  sorted.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let next = 0;
  for (const [low, high] of sorted) {
    if (low > next) out.push(next, low - 1);
    next = Math.max(next, high + 1);
  }
  if (next <= 0xffff) out.push(next, 0xffff);
  return out;
}

function emit(node: RegexNode, program: Instruction[]): void {
  if (program.length > EXPRESSION_LIMITS.maxRegexProgram) {
    throw new RegexSyntaxError("Pattern too complex", 0);
  }
  switch (node.t) {
    case "char":
      program.push({ op: "char", code: node.code });
      return;
    case "class":
      program.push({ op: "class", ranges: node.ranges, negated: node.negated });
      return;
    case "start":
      program.push({ op: "start" });
      return;
    case "end":
      program.push({ op: "end" });
      return;
    case "seq":
      for (const item of node.items) emit(item, program);
      return;
    case "alt": {
      // Each option but the last: split(option, next option); option; jmp(end). Patched once known.
      const jumps: { op: "jmp"; x: number }[] = [];
      node.options.forEach((option, i) => {
        if (i === node.options.length - 1) {
          emit(option, program);
          return;
        }
        const split = { op: "split" as const, x: program.length + 1, y: 0 };
        program.push(split);
        emit(option, program);
        const jump = { op: "jmp" as const, x: 0 };
        program.push(jump);
        jumps.push(jump);
        split.y = program.length;
      });
      for (const jump of jumps) jump.x = program.length;
      return;
    }
    case "repeat": {
      for (let i = 0; i < node.min; i++) emit(node.node, program);
      if (node.max === Number.POSITIVE_INFINITY) {
        const loop = program.length;
        const split = { op: "split" as const, x: loop + 1, y: 0 };
        program.push(split);
        emit(node.node, program);
        program.push({ op: "jmp", x: loop });
        split.y = program.length;
        return;
      }
      // Each optional copy may be skipped straight to the end.
      const splits: { op: "split"; x: number; y: number }[] = [];
      for (let i = node.min; i < node.max; i++) {
        const split = { op: "split" as const, x: program.length + 1, y: 0 };
        program.push(split);
        splits.push(split);
        emit(node.node, program);
      }
      for (const split of splits) split.y = program.length;
      return;
    }
  }
}

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
const upper = (c: number): number => (c >= 97 && c <= 122 ? c - 32 : c);

function inRanges(ranges: readonly number[], c: number): boolean {
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    if (c >= (ranges[i] ?? 0) && c <= (ranges[i + 1] ?? -1)) return true;
  }
  return false;
}

function consumes(instruction: Instruction, c: number, ignoreCase: boolean): boolean {
  switch (instruction.op) {
    case "char":
      return c === instruction.code || (ignoreCase && lower(c) === lower(instruction.code));
    case "class": {
      const hit =
        inRanges(instruction.ranges, c) ||
        (ignoreCase && (inRanges(instruction.ranges, lower(c)) || inRanges(instruction.ranges, upper(c))));
      return hit !== instruction.negated;
    }
    default:
      return false;
  }
}

/**
 * Whole-input match. `charge` is called with the work done (threads stepped) and may throw to stop
 * the run; nothing here allocates per step beyond two fixed-size thread lists.
 */
export function regexMatches(regex: SafeRegex, input: string, charge: (steps: number) => void): boolean {
  const program = regex.program;
  const size = program.length;
  let current = new ThreadList(size);
  let next = new ThreadList(size);
  const stack: number[] = [];

  // Follows jumps, splits and assertions from `pc` at input position `pos` (the ε-closure).
  // Returns the number of states visited, which is what a step really costs.
  const add = (list: ThreadList, pc: number, pos: number): number => {
    let visited = 0;
    stack.push(pc);
    while (stack.length > 0) {
      const at = stack.pop() ?? 0;
      if (list.has(at)) continue;
      list.add(at);
      visited++;
      const instruction = program[at];
      if (instruction === undefined) continue;
      switch (instruction.op) {
        case "jmp":
          stack.push(instruction.x);
          break;
        case "split":
          stack.push(instruction.y, instruction.x);
          break;
        case "start":
          if (pos === 0) stack.push(at + 1);
          break;
        case "end":
          if (pos === input.length) stack.push(at + 1);
          break;
        default:
          break;
      }
    }
    return visited;
  };

  charge(add(current, 0, 0));
  for (let pos = 0; pos < input.length; pos++) {
    if (current.count === 0) return false;
    const c = input.charCodeAt(pos);
    next.clear();
    let work = current.count;
    for (let i = 0; i < current.count; i++) {
      const pc = current.at(i);
      const instruction = program[pc];
      if (instruction !== undefined && consumes(instruction, c, regex.ignoreCase))
        work += add(next, pc + 1, pos + 1);
    }
    charge(work);
    [current, next] = [next, current];
  }
  for (let i = 0; i < current.count; i++) if (program[current.at(i)]?.op === "match") return true;
  return false;
}

/** A sparse set of program counters: O(1) add, membership and clear. */
class ThreadList {
  private readonly dense: Int32Array;
  private readonly sparse: Int32Array;
  count = 0;

  constructor(size: number) {
    this.dense = new Int32Array(size + 1);
    this.sparse = new Int32Array(size + 1);
  }

  has(pc: number): boolean {
    const i = this.sparse[pc] ?? 0;
    return i < this.count && this.dense[i] === pc;
  }

  add(pc: number): void {
    this.dense[this.count] = pc;
    this.sparse[pc] = this.count;
    this.count++;
  }

  at(i: number): number {
    return this.dense[i] ?? 0;
  }

  clear(): void {
    this.count = 0;
  }
}

class BudgetExhausted extends Error {}

/** Convenience for callers outside the expression language (the REGEX groups-claim filter). */
export function regexFullMatch(
  regex: SafeRegex,
  input: string,
  maxSteps: number = EXPRESSION_LIMITS.maxSteps,
): { ok: true; matched: boolean } | { ok: false; error: "budget_exhausted" } {
  let used = 0;
  try {
    const matched = regexMatches(regex, input, (steps) => {
      used += steps;
      if (used > maxSteps) throw new BudgetExhausted();
    });
    return { ok: true, matched };
  } catch (error) {
    if (error instanceof BudgetExhausted) return { ok: false, error: "budget_exhausted" };
    throw error;
  }
}
