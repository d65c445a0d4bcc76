import { describe, expect, it } from "vitest";
import {
  type CompileErrorCode,
  compile,
  describeCompileErrorCode,
  describeEvaluationErrorCode,
  type EvaluationErrorCode,
} from "../../src/claims/expression";
import { clientContext, compileError, evaluationError, userContext } from "./expression-fixtures";

/** [source, code, offset of the error, one of the expected tokens (when the parser expected something)] */
const COMPILE_ERRORS: [string, CompileErrorCode, number, string?][] = [
  ["", "unexpected_end", 0, "an expression"],
  ["user.", "unexpected_end", 5, "a property name"],
  ['String.len("a"', "unexpected_end", 14, "')'"],
  ["(1 + 2", "unexpected_end", 6, "')'"],
  ["1 +", "unexpected_end", 3, "an expression"],
  ["{1, 2", "unexpected_end", 5, "'}'"],
  ["true ? 1", "unexpected_end", 8, "':'"],
  ["user.favoriteColors[0", "unexpected_end", 21, "']'"],
  ["user.firstName user.lastName", "unexpected_token", 15, "end of expression"],
  ["String.len(,)", "unexpected_token", 11, "an expression"],
  ["user.1", "unexpected_token", 5, "a property name"],
  [")", "unexpected_token", 0, "an expression"],
  ["'abc", "unterminated_string", 0, "'"],
  ['"abc', "unterminated_string", 0, '"'],
  ["1 = 1", "unsupported_syntax", 2],
  ["#root", "unsupported_syntax", 0],
  ["@bean", "unsupported_syntax", 0],
  ["true & false", "unsupported_syntax", 5],
  ["2 ^ 3", "unsupported_syntax", 2],
  ["1 instanceof 2", "unsupported_syntax", 2],
  ["user.salary between {1, 2}", "unsupported_syntax", 12],
  ["0x1F", "invalid_number", 0],
  ["10L", "invalid_number", 0],
  ["99999999999999999999", "invalid_number", 0],
  ["user.name ~ 1", "unexpected_character", 10],
  ["org.name", "not_supported", 0],
  ["idpuser.email", "not_supported", 0],
  ["user.getGroups({'group.profile.name': 'Admin-.*'})", "not_supported", 5],
  ["user.isMemberOf({'group.id': '00g1'})", "not_supported", 5],
  ["user.getInternalProperty('id')", "not_supported", 5],
  ["appuser.getGroups()", "unsupported_syntax", 8],
  ["user.manager.getGroups()", "unsupported_syntax", 13],
  ["group.name", "unknown_identifier", 0, "'user'"],
  ["firstName", "unknown_identifier", 0],
  ["String.size('a')", "unknown_function", 0],
  ["String.Len('a')", "unknown_function", 0],
  ["eval('1')", "unknown_function", 0],
  ["Iso3166Convert.toAlpha2('IND')", "not_supported", 0],
  ["hasWorkdayUser() ? findWorkdayUser().employeeID : null", "not_supported", 0],
  ["String.len('a', 'b')", "wrong_argument_count", 0, "1 argument"],
  ["String.len()", "wrong_argument_count", 0, "1 argument"],
  ["Time.now('UTC', 'yyyy', 'x')", "wrong_argument_count", 0, "0 to 2 arguments"],
  ["String.stringSwitch('a', 'd', 'k')", "wrong_argument_count", 0],
  ["String.join()", "wrong_argument_count", 0, "at least 1 argument"],
  ["Groups.startsWith('OKTA', 'IT')", "wrong_argument_count", 0, "3 arguments"],
  ["String.len(5)", "type_mismatch", 11, "a string"],
  ["String.len({'a'})", "type_mismatch", 11, "a string"],
  ["String.substring('abc', '1', 2)", "type_mismatch", 24, "an integer"],
  ["Arrays.get({1}, 'x')", "type_mismatch", 16, "an integer"],
  ["String.substring('abc', 1.5, 2)", "type_mismatch", 24, "an integer"],
  ["Arrays.get({1}, 1e-1)", "type_mismatch", 16, "an integer"],
  ["Arrays.size(5)", "type_mismatch", 12, "an array"],
  ["Convert.toInt(true)", "type_mismatch", 14],
  ["1 < 2 < 3", "chained_comparison", 6],
  ["1 == 1 != false", "chained_comparison", 7],
  ["user.firstName.toUpperCase()", "unsupported_syntax", 15],
  ["user.getLinkedObject('manager').lastName", "not_supported", 5],
  ["user.getGroups().![name]", "not_supported", 5],
  ["access.scope.![toUpperCase()]", "unsupported_syntax", 13],
  ["access.scope.?[length() > 1]", "unsupported_syntax", 13],
  ["T(java.lang.Runtime).getRuntime()", "unsupported_syntax", 0],
  ["new java.lang.String('x')", "unsupported_syntax", 0],
  ["{'a': 1}", "unsupported_syntax", 4],
  ["'a' matches '(a'", "invalid_regex", 13],
  ["'a' matches 'a**'", "invalid_regex", 15],
  ["isMemberOfGroupNameRegex('a{2,1}')", "invalid_regex", 27],
  ["isMemberOfGroupNameRegex('(?=x)')", "invalid_regex", 26],
  ["isMemberOfGroupNameRegex('(a)\\1')", "invalid_regex", 29],
  ["getFilteredGroups({'x'}, 'group.', 10)", "invalid_group_expression", 32, "a property name"],
  ["getFilteredGroups({'x'}, 'group.name + ''x', 10)", "invalid_group_expression", 39],
  ["getFilteredGroups({'x'}, \"getFilteredGroups({}, 'group.id', 1)\", 10)", "invalid_group_expression", 26],
  ["Arrays.get(user.intArray, 1.5)", "type_mismatch", 26, "an integer"],
];

describe("compile errors", () => {
  it.each(COMPILE_ERRORS)("%s → %s at %i", (source, code, offset, expected) => {
    const error = compileError(source);
    expect(error.code).toBe(code);
    expect(error.position.offset).toBe(offset);
    if (expected !== undefined) expect(error.expected).toContain(expected);
    expect(error.message).toMatch(/\(line \d+, column \d+\)$/);
  });

  it("reports an error inside a group expression with the group expression's message", () => {
    const error = compileError("getFilteredGroups({'x'}, \"getFilteredGroups({}, 'group.id', 1)\", 10)");
    expect(error.position.offset).toBe(26);
    expect(error.message).toContain("cannot be used inside a group expression");
  });

  it("gives line and column on multi-line expressions", () => {
    const error = compileError("user.firstName +\n  )");
    expect(error).toMatchObject({
      code: "unexpected_token",
      position: { offset: 19, line: 2, column: 3 },
      expected: ["an expression"],
      found: "')'",
    });
    expect(error.message).toBe("Expected an expression but found ')' (line 2, column 3)");
  });

  it("names the function the author probably meant", () => {
    expect(compileError("String.Len('a')").message).toContain("did you mean 'String.len'?");
    expect(compileError("Iso3166Convert.toAlpha2('IND')").message).toContain("not supported by Warden");
  });

  it("names the allowed variables for an unknown identifier", () => {
    expect(compileError("company.name").message).toBe(
      "Unknown identifier 'company': expected 'user', 'app', 'access' or 'appuser', a literal or a function (line 1, column 1)",
    );
  });

  it("names the Okta features Warden does not support, as Okta names them", () => {
    expect(compileError("org.name").message).toBe(
      "'org' is not supported by Warden: Okta's organization properties (org.name, org.subdomain, …) has no value in Warden's claims (line 1, column 1)",
    );
    expect(compileError("user.getGroups({'group.profile.name': 'Admin-.*'})").message).toBe(
      "'user.getGroups(…)' is not supported by Warden: Okta's user.getGroups(…) group lookup (line 1, column 6)",
    );
    expect(compileError("user.isMemberOf({'group.id': '00g1'})").message).toContain(
      "use isMemberOfGroup or isMemberOfGroupName",
    );
    expect(describeCompileErrorCode("not_supported")).toBe("Okta feature not supported by Warden");
  });

  it("says why an assignment or a method call is refused", () => {
    expect(compileError("user.a = 1").message).toContain("compare with '=='");
    expect(compileError("user.a.trim()").message).toContain("Method calls on values are not supported");
  });

  it("has a title for every code", () => {
    expect(describeCompileErrorCode("chained_comparison")).toBe("chained comparison");
    expect(describeEvaluationErrorCode("budget_exhausted")).toBe("evaluation budget exhausted");
  });
});

/** [source, code, offset of the failing sub-expression] */
const EVALUATION_ERRORS: [string, EvaluationErrorCode, number][] = [
  ["String.len(user.salary)", "type_error", 0],
  ["String.len(app.profile.maxLimit)", "type_error", 0],
  ["String.toUpperCase(user.favoriteColors)", "type_error", 0],
  ["Arrays.toCsvString({{1}})", "type_error", 0],
  ["String.join(',', 1)", "type_error", 0],
  ["user.firstName.length", "type_error", 0],
  ["access.scope.first", "type_error", 0],
  ["user.favoriteColors['x']", "type_error", 0],
  ["user.favoriteColors[1.5]", "type_error", 0],
  ["user[1]", "type_error", 0],
  ["'abc'[0]", "type_error", 0],
  ["true AND user.nothing", "type_error", 0],
  ["1 + (true AND user.nothing)", "type_error", 4],
  ["user.nothing OR false", "type_error", 0],
  ["!user.nothing", "type_error", 0],
  ["!'yes'", "type_error", 0],
  ["user.nothing ? 1 : 2", "type_error", 0],
  ["'yes' ? 1 : 2", "type_error", 0],
  ["user.nothing + user.nothing", "type_error", 0],
  ["{1} + 'a'", "type_error", 0],
  ["-'a'", "type_error", 0],
  ["'a' - 1", "type_error", 0],
  ["'a' < 1", "type_error", 0],
  ["user.manager < user.manager", "type_error", 0],
  ["user.nothing matches 'a'", "type_error", 0],
  ["1 / 0", "arithmetic_error", 0],
  ["1 % 0", "arithmetic_error", 0],
  ["1.5 / 0", "arithmetic_error", 0],
  ["1.0 / 0", "arithmetic_error", 0],
  ["0.0 / 0", "arithmetic_error", 0],
  ["7 % 0.0", "arithmetic_error", 0],
  ["1e308 * 10", "arithmetic_error", 0],
  ["9007199254740991 + 1", "arithmetic_error", 0],
  ["-9007199254740991 - 1", "arithmetic_error", 0],
  ["9007199254740991 * 2", "arithmetic_error", 0],
  ["String.substring('abc', user.rating, 2)", "type_error", 0],
  ["Arrays.get({1}, Convert.toNum('0.5'))", "type_error", 0],
  ["Convert.toInt('abc')", "invalid_argument", 0],
  ["Convert.toNum('NaN')", "invalid_argument", 0],
  ["Convert.toNum('0x10')", "invalid_argument", 0],
  ["Convert.toInt(3000000000)", "arithmetic_error", 0],
  ["Time.now('Mars/Olympus')", "invalid_argument", 0],
  ["Time.now('UTC', 'yyyy zzz')", "invalid_argument", 0],
  ["Time.now('UTC', 'yyyy ''open')", "invalid_argument", 0],
  ["Time.fromIso8601ToUnix('yesterday')", "invalid_argument", 0],
  ["Time.fromIso8601ToUnix('2015-02-30T00:00:00Z')", "invalid_argument", 0],
  ["Time.fromUnixToIso8601('12ab')", "invalid_argument", 0],
  ["Time.fromUnixToIso8601('999999999999999')", "invalid_argument", 0],
  ["Time.fromStringToIso8601('2015-13-01', 'yyyy-MM-dd')", "invalid_argument", 0],
  ["Time.fromStringToIso8601('2015-01-01 extra', 'yyyy-MM-dd')", "invalid_argument", 0],
  ["Groups.startsWith('OKTA', 'IT', 101)", "invalid_argument", 0],
  ["Groups.startsWith('OKTA', 'IT', 0)", "invalid_argument", 0],
  ["Groups.startsWith(null, 'IT', 10)", "invalid_argument", 0],
  ["getFilteredGroups(app.profile.groupallowlist, 'group.name', 1)", "too_many_groups", 0],
  ["getFilteredGroups(user.nothing, 'group.name', 10)", "invalid_argument", 0],
  ["getFilteredGroups({1}, 'group.name', 10)", "type_error", 0],
  ["getFilteredGroups({'00g1'}, user.firstName + '.', 10)", "invalid_argument", 0],
  ["getFilteredGroups({'00g1'}, 'String.len(group.profile)', 10)", "type_error", 0],
  ["getFilteredGroups({'00g1'}, 'group.name.first', 10)", "type_error", 0],
  ["user.department matches user.firstName + '('", "invalid_argument", 0],
  ["isMemberOfGroupNameRegex(user.firstName + '[')", "invalid_argument", 0],
  ["'ok' + String.len(user.salary)", "type_error", 7],
];

describe("evaluation errors", () => {
  it.each(EVALUATION_ERRORS)("%s → %s", (source, code, offset) => {
    const error = evaluationError(source);
    expect(error.code).toBe(code);
    expect(error.position.offset).toBe(offset);
    expect(error.message).toMatch(/\(line \d+, column \d+\)$/);
  });

  it("explains a type error with the function, the argument and the type found", () => {
    expect(evaluationError("String.len(user.salary)").message).toBe(
      "String.len expects a string as argument 1, got number (line 1, column 1)",
    );
  });

  it("fails a group expression without a user only where Okta's arguments are not nullable", () => {
    expect(evaluationError("Groups.contains('OKTA', null, 10)", clientContext()).code).toBe(
      "invalid_argument",
    );
  });

  it("never throws to the caller, even when the context's clock does", () => {
    const context = userContext({
      now: () => {
        throw new Error("clock broken");
      },
    });
    const result = compile("Time.now()");
    if (!result.ok) throw new Error("expected to compile");
    expect(result.expression.evaluate(context)).toMatchObject({
      ok: false,
      error: { code: "internal_error" },
    });
    expect(result.expression.evaluate(userContext({ now: () => Number.NaN }))).toMatchObject({
      ok: false,
      error: { code: "invalid_argument" },
    });
  });
});
