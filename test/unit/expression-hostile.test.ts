import { describe, expect, it } from "vitest";
import {
  type CompileErrorCode,
  compile,
  type EvaluationErrorCode,
  EXPRESSION_LIMITS,
  type ExpressionContext,
} from "../../src/claims/expression";
import { compileError, evaluated, evaluationError, run, userContext, withinMs } from "./expression-fixtures";

/** Every hostile case must be rejected well within this (generous, for slow CI machines). */
/**
 * Generous on purpose: what these tests tell apart is bounded work from exponential or unbounded work,
 * which would not end at all on these inputs; a busy machine must not fail them.
 */
const BOUND_MS = 1000;

const nest = (depth: number, open: string, inner: string, close: string) =>
  open.repeat(depth) + inner + close.repeat(depth);

/** Repeated String.replace multiplies the length by 10 at each level: exponential growth. */
const exponential = (levels: number, seed = "aaaaaaaaaa", grow = "aaaaaaaaaa", char = "a") =>
  nest(levels, "String.replace(", `'${seed}'`, `, '${char}', '${grow}')`);

/** Rejected when the claim is saved: [label, source, code]. */
const REJECTED_AT_COMPILE: [string, string, CompileErrorCode][] = [
  ["__proto__ member", "user.__proto__", "forbidden_property"],
  ["constructor member", "user.constructor", "forbidden_property"],
  ["prototype member", "app.prototype", "forbidden_property"],
  ["constructor.prototype walk", "app.profile.constructor.prototype", "forbidden_property"],
  ["safe-navigation __proto__", "user?.__proto__", "forbidden_property"],
  ["upper-case __PROTO__", "user.__PROTO__", "forbidden_property"],
  ["mixed-case Constructor", "user.Constructor", "forbidden_property"],
  ["__defineGetter__", "user.__defineGetter__", "forbidden_property"],
  ["__lookupSetter__", "user.__lookupSetter__", "forbidden_property"],
  ["indexed __proto__ (single quotes)", "user['__proto__']", "forbidden_property"],
  ["indexed constructor (double quotes)", 'user["constructor"]', "forbidden_property"],
  ["indexed prototype", "access['prototype']", "forbidden_property"],
  ["constructor of an array", "access.scope.constructor", "forbidden_property"],
  ["constructor of an array literal", "{}.constructor", "forbidden_property"],
  ["constructor of a string literal", "'x'.constructor", "forbidden_property"],
  ["constructor of a call result", "String.len('x').constructor", "forbidden_property"],
  ["bare constructor", "constructor", "unknown_identifier"],
  ["bare __proto__", "__proto__", "unknown_identifier"],
  ["this", "this", "unknown_identifier"],
  ["globalThis", "globalThis.process", "unknown_identifier"],
  ["process.env", "process.env.SECRET", "unknown_identifier"],
  ["namespace constructor", "String.constructor", "unknown_identifier"],
  ["namespace constructor call", "String.constructor('return process')", "unknown_function"],
  ["namespace constructor call, invoked", "String.constructor('return process')()", "unexpected_token"],
  ["eval", "eval('1')", "unknown_function"],
  ["Object.prototype member as a function", "constructor('x')", "unknown_function"],
  ["toString as a function", "toString('x')", "unknown_function"],
  ["hasOwnProperty as a function", "hasOwnProperty('a')", "unknown_function"],
  ["__proto__ as a function", "__proto__('a')", "unknown_function"],
  ["constructor as an operator", "user.firstName constructor 1", "unexpected_token"],
  ["valueOf as an operator", "1 valueOf 2", "unexpected_token"],
  ["Function", "Function('return this')", "unknown_function"],
  ["require", "require('fs')", "unknown_function"],
  ["import", "import('fs')", "unknown_function"],
  ["method call on a value", "user.toString()", "unsupported_syntax"],
  ["method call through call", "user.constructor.constructor('return 1')()", "forbidden_property"],
  ["SpEL type reference", "T(java.lang.Runtime).getRuntime().exec('id')", "unsupported_syntax"],
  ["SpEL constructor", "new java.io.File('/etc/passwd')", "unsupported_syntax"],
  ["SpEL variable", "#this", "unsupported_syntax"],
  ["SpEL bean", "@systemProperties", "unsupported_syntax"],
  ["assignment", "user.role = 'admin'", "unsupported_syntax"],
  ["too long", "1".padEnd(EXPRESSION_LIMITS.maxSourceLength + 1, " "), "source_too_long"],
  ["deep parentheses", nest(40, "(", "1", ")"), "nesting_too_deep"],
  ["deep array literals", nest(40, "{", "1", "}"), "nesting_too_deep"],
  ["deep negation", `${"!".repeat(200)}true`, "nesting_too_deep"],
  ["deep unary minus", `${"- ".repeat(200)}1`, "nesting_too_deep"],
  ["deep index", nest(40, "access.scope[", "0", "]"), "nesting_too_deep"],
  ["long function chain", nest(40, "String.toUpperCase(", "'x'", ")"), "nesting_too_deep"],
  ["deep ternary", `${"true ? 1 : ".repeat(40)}2`, "nesting_too_deep"],
  ["catastrophic regex, program too large", "'a' matches '((a{1000}){1000}){1000}'", "invalid_regex"],
  ["huge repetition count", "'a' matches 'a{99999}'", "invalid_regex"],
  ["regex back-reference", "'aa' matches '(a)\\1'", "invalid_regex"],
  ["regex lookahead", "'a' matches '(?=a)a'", "invalid_regex"],
  [
    "nested group expression",
    "getFilteredGroups({'x'}, 'getFilteredGroups({}, ''group.id'', 1)', 10)",
    "invalid_group_expression",
  ],
  [
    "group expression prototype walk",
    "getFilteredGroups({'00g1'}, 'group.constructor', 10)",
    "invalid_group_expression",
  ],
];

/** A 5 MB profile attribute, words and spaces; and one long run of digits with a bad last character. */
const HUGE = "lorem ipsum ".repeat(437_000).slice(0, 5_000_000);
const huge = userContext({ user: { big: HUGE, digits: `${"1".repeat(5_000_000)}x` } });

/** Compile, then rejected at evaluation: [label, source, code, context?]. */
const REJECTED_AT_RUNTIME: [string, string, EvaluationErrorCode, ExpressionContext?][] = [
  ["computed __proto__", "user['__pro' + 'to__']", "forbidden_property"],
  ["computed constructor", "user['constr' + 'uctor']", "forbidden_property"],
  ["lower-cased __PROTO__", "user[String.toLowerCase('__PROTO__')]", "forbidden_property"],
  ["substring prototype", "app.profile[String.substringAfter('x.prototype', '.')]", "forbidden_property"],
  ["array-held key", "user[Arrays.get({'constructor'}, 0)]", "forbidden_property"],
  ["key from data", "user[user.key]", "forbidden_property", userContext({ user: { key: "__proto__" } })],
  ["replace-built key", "user[String.replace('xxprotoxx', 'xx', '__')]", "forbidden_property"],
  [
    "group expression computed key",
    "getFilteredGroups({'00g1'}, user.k, 10)",
    "invalid_argument",
    userContext({
      user: { k: "group['__proto__']" },
    }),
  ],
  ["exponential String.replace", exponential(4), "string_too_long"],
  [
    "doubling String.replace, 30 levels",
    nest(30, "String.replace(", "'a'", ", 'a', 'aa')"),
    "string_too_long",
  ],
  ["join with a huge separator", `String.join(${exponential(3)}, 'a', 'b', 'c')`, "string_too_long"],
  [
    "stringSwitch picking a huge value",
    `String.stringSwitch('k', 'd', 'k', ${exponential(3)}) + ${exponential(3)}`,
    "string_too_long",
  ],
  ["huge upper-casing", `String.toUpperCase(${exponential(3)} + ${exponential(3)})`, "string_too_long"],
  ["huge concatenation", `${exponential(3)} + ${exponential(3)}`, "string_too_long"],
  ["Object.prototype member as a time zone", "Time.now('constructor')", "invalid_argument"],
  ["toString as a time zone", "Time.now('toString')", "invalid_argument"],
  ["huge CSV to array", `Arrays.size(${exponential(3, ",,,,,,,,,,", ",,,,,,,,,,", ",")})`, "array_too_long"],
  [
    "huge flatten",
    "Arrays.flatten(user.big, user.big)",
    "array_too_long",
    userContext({ user: { big: Array.from({ length: 900 }, (_, i) => i) } }),
  ],
  [
    "huge context array",
    "Arrays.contains(user.huge, 'x')",
    "budget_exhausted",
    userContext({ user: { huge: Array.from({ length: 200_000 }, () => "y") } }),
  ],
  [
    "many passes over many groups",
    `{${Array.from({ length: 12 }, () => "Groups.contains('OKTA', 'x', 100)").join(", ")}}`,
    "budget_exhausted",
    userContext({ groups: Array.from({ length: 10_000 }, (_, i) => ({ id: `g${i}`, name: `group ${i}` })) }),
  ],
  [
    "regex with a large NFA over a long name",
    "user.s matches '(a?){300}a{300}'",
    "budget_exhausted",
    userContext({ user: { s: "a".repeat(300) } }),
  ],
  [
    "deeply nested context data compared",
    "user.deep == user.deep",
    "value_too_deep",
    userContext({ user: { deep: deeplyNested(10_000) } }),
  ],
  [
    "deeply nested context data returned",
    "user.deep",
    "value_too_deep",
    userContext({ user: { deep: deeplyNested(10_000) } }),
  ],
  ["cyclic context data returned", "user.self", "value_too_deep", userContext({ user: cyclic() })],
  ["huge attribute returned as a claim", "user.big", "string_too_long", huge],
  ["huge attribute inside a returned array", "{user.big}", "string_too_long", huge],
  ["huge attribute: removeSpaces", "String.removeSpaces(user.big)", "budget_exhausted", huge],
  ["huge attribute: toUpperCase", "String.toUpperCase(user.big)", "budget_exhausted", huge],
  ["huge attribute: toLowerCase", "String.toLowerCase(user.big)", "budget_exhausted", huge],
  ["huge attribute: substringBefore", "String.substringBefore(user.big, '@')", "string_too_long", huge],
  ["huge attribute: substring", "String.substring(user.big, 0, 5000000)", "string_too_long", huge],
  [
    "huge attribute searched by many stringSwitch keys",
    "String.stringSwitch(user.big, 'd', 'x1', 'a', 'x2', 'b', 'x3', 'c')",
    "budget_exhausted",
    huge,
  ],
  [
    "huge attribute searched again and again",
    `{${Array.from({ length: 4 }, () => "String.stringContains(user.big, '@')").join(", ")}}`,
    "budget_exhausted",
    huge,
  ],
  ["huge attribute: replace", "String.replace(user.big, 'lorem', 'x')", "string_too_long", huge],
  ["huge attribute as a number", "Convert.toNum(user.digits)", "budget_exhausted", huge],
  ["huge attribute as a timestamp", "Time.fromUnixToIso8601(user.digits)", "budget_exhausted", huge],
  ["huge attribute as a time", "Time.fromIso8601ToUnix(user.big)", "budget_exhausted", huge],
  ["huge attribute as a time zone", "Time.now(user.big)", "budget_exhausted", huge],
  ["huge attribute concatenated", "user.big + ''", "string_too_long", huge],
  [
    "long run of digits that used to backtrack quadratically",
    "Convert.toNum(user.digits)",
    "invalid_argument",
    userContext({ user: { digits: `${"1".repeat(20_000)}x` } }),
  ],
  [
    "deeply nested data flattened",
    "Arrays.flatten(user.deep)",
    "value_too_deep",
    userContext({ user: { deep: deeplyNested(500) } }),
  ],
  [
    "getter in the context",
    "user.secret",
    "unsupported_value",
    userContext({
      user: Object.defineProperty({}, "secret", {
        get() {
          throw new Error("getter must never run");
        },
        enumerable: true,
      }),
    }),
  ],
  ["function in the context", "user.fn", "unsupported_value", userContext({ user: { fn: () => 1 } })],
  [
    "class instance in the context",
    "user.created.time",
    "unsupported_value",
    userContext({ user: { created: new Date(0) } }),
  ],
  ["Map in the context", "user.m", "unsupported_value", userContext({ user: { m: new Map([["a", 1]]) } })],
  [
    "prototype-carrying profile returned",
    "user",
    "forbidden_property",
    userContext({ user: JSON.parse('{"__proto__": {"x": 1}}') }),
  ],
];

function deeplyNested(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function deeplyNestedNumber(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function cyclic(): Record<string, unknown> {
  const user: Record<string, unknown> = { name: "loop" };
  user.self = user;
  return user;
}

describe("hostile expressions rejected at compile time", () => {
  it.each(REJECTED_AT_COMPILE)("%s", (_label, source, code) => {
    const error = withinMs(BOUND_MS, () => compileError(source));
    expect(error.code).toBe(code);
  });
});

describe("hostile expressions rejected at evaluation", () => {
  it.each(REJECTED_AT_RUNTIME)("%s", (_label, source, code, context) => {
    const error = withinMs(BOUND_MS, () => evaluationError(source, context ?? userContext()));
    expect(error.code).toBe(code);
  });
});

describe("bounded but legitimate work", () => {
  it("runs classic catastrophic-backtracking patterns in bounded time", () => {
    // JavaScript's RegExp takes exponential time on these; the Pike VM answers at once, or runs out
    // of budget (a large NFA over a long input) and says so.
    const input = `${"a".repeat(2000)}!`;
    const context = userContext({ user: { s: input } });
    for (const pattern of ["(a+)+b", "(a|a)*b", "(a|aa)*c", "(\\w+\\s?)*$"]) {
      expect(withinMs(BOUND_MS, () => evaluated(`user.s matches '${pattern}'`, context))).toBe(false);
    }
    const heavy = withinMs(BOUND_MS, () => run("user.s matches '(.*a){12}b'", context));
    expect(heavy).toMatchObject({ ok: false, error: { code: "budget_exhausted" } });
  });

  it("accepts the longest allowed source and a long flat chain", () => {
    const chain = Array.from({ length: 341 }, () => "1").join("+");
    expect(chain.length).toBeLessThanOrEqual(EXPRESSION_LIMITS.maxSourceLength);
    expect(withinMs(BOUND_MS, () => evaluated(chain))).toBe(341);
    const padded = "'x'".padEnd(EXPRESSION_LIMITS.maxSourceLength, " ");
    expect(compile(padded).ok).toBe(true);
  });

  it("accepts nesting up to the limit", () => {
    expect(withinMs(BOUND_MS, () => evaluated(nest(30, "String.toUpperCase(", "'x'", ")")))).toBe("X");
    expect(withinMs(BOUND_MS, () => evaluated(nest(30, "(", "1", ")")))).toBe(1);
    expect(withinMs(BOUND_MS, () => evaluated(nest(30, "{", "1", "}")))).toEqual(deeplyNestedNumber(30));
  });

  it("reads a huge attribute where nothing copies or scans it", () => {
    expect(withinMs(BOUND_MS, () => evaluated("String.len(user.big)", huge))).toBe(5_000_000);
    expect(withinMs(BOUND_MS, () => evaluated("user.big == user.big", huge))).toBe(true);
    expect(withinMs(BOUND_MS, () => evaluated("String.startsWith(user.big, 'lorem')", huge))).toBe(true);
  });

  it("builds strings up to the bound", () => {
    const value = withinMs(BOUND_MS, () => evaluated(exponential(3)));
    expect(value).toHaveLength(10_000);
  });

  it("does not pollute prototypes when reading hostile JSON", () => {
    const user = JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}') as Record<string, unknown>;
    const context = userContext({ user });
    expect(run("user.polluted", context)).toEqual({ ok: true, value: null });
    expect(run("user.name", context)).toEqual({ ok: true, value: "x" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps every evaluation independent: a failed one leaves no state behind", () => {
    const result = compile("getFilteredGroups({'00g1'}, 'group.name', 5)");
    if (!result.ok) throw new Error("expected to compile");
    expect(result.expression.evaluate(userContext())).toEqual({ ok: true, value: ["Everyone"] });
    expect(
      result.expression.evaluate(userContext({ groups: [{ id: "00g1", name: 5 as unknown as string }] })).ok,
    ).toBe(false);
    expect(result.expression.evaluate(userContext())).toEqual({ ok: true, value: ["Everyone"] });
  });
});
