/**
 * Hard bounds of the expression language. They are properties of the language, not tunables: an
 * expression that compiles and evaluates under them does so everywhere, so Token Preview and real
 * token requests can never disagree because of a limit. Every bound exists so that a hostile or
 * careless expression is rejected in bounded time and memory on the token path.
 */
export const EXPRESSION_LIMITS = Object.freeze({
  /** Same bound as the claim `value` in the configuration schema (src/config/schemas.ts). */
  maxSourceLength: 1024,
  /** Syntactic nesting (parentheses, calls, array literals, unary chains); real claims nest < 10. */
  maxNestingDepth: 32,
  /**
   * Work units per evaluation: one per AST node, plus a charge proportional to the work a function
   * does (characters read or copied, text-cost.ts; elements visited; regex threads stepped), paid
   * before the work. ~100k units run in a few ms.
   */
  maxSteps: 100_000,
  /** Longest string an evaluation may build (UTF-16 code units); a JWT claim has no use for more. */
  maxStringLength: 16_384,
  /** Longest array an evaluation may build. */
  maxArrayLength: 1_000,
  /** Deepest nested value compared, flattened or returned: guards recursion against hostile data. */
  maxValueDepth: 32,
  /** Longest regular-expression pattern and largest compiled regex program. */
  maxRegexLength: 1024,
  maxRegexProgram: 4_000,
  /** Okta: the limit of Groups.startsWith/endsWith/contains must be 1 through 100. */
  maxGroupFunctionLimit: 100,
  /** Okta accepts any positive Java int as the limit of getFilteredGroups. */
  maxFilteredGroupsLimit: 2_147_483_647,
});
