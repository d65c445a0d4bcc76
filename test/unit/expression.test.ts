import { describe, expect, it } from "vitest";
import { type ExpressionContext, type ExpressionValue, FUNCTION_NAMES } from "../../src/claims/expression";
import { clientContext, compiled, evaluated, FIXED_NOW, run, userContext } from "./expression-fixtures";

type Row = [source: string, expected: ExpressionValue];

/** Okta's documented examples first in each group, then edge cases. Context: userContext(). */
const VALUES: Record<string, Row[]> = {
  "attributes and literals": [
    ["user.firstName", "Winston"],
    ["user.login", "winston.churchill@gmail.com"],
    ["user.salary", 1_200_000],
    ["user.isContractor", false],
    ["user.favoriteColors", ["blue", "green"]],
    ["user.manager", { name: "Clem" }],
    ["user.manager.name", "Clem"],
    ["user?.manager?.name", "Clem"],
    ["user.missing", null],
    ["user.missing.deeper", null],
    ["user.nothing", null],
    ["user['firstName']", "Winston"],
    ["user.favoriteColors[1]", "green"],
    ["user.favoriteColors[5]", null],
    ["user.favoriteColors[-1]", null],
    ["user.toString", null],
    ["user.hasOwnProperty", null],
    ["app.clientId", "0oaclient"],
    ["app.profile.label", "Warden Test"],
    ["app.profile.groupallowlist", ["00g1", "00g3"]],
    ["access.scope", ["openid", "profile", "groups"]],
    ["appuser.role", "admin"],
    ["'Hello world'", "Hello world"],
    ['"double quoted"', "double quoted"],
    ["'It''s'", "It's"],
    ['"say ""hi"""', 'say "hi"'],
    ['"\\"', "\\"],
    ["''", ""],
    ["1234", 1234],
    ["1.234", 1.234],
    ["1e3", 1000],
    ["2.5E-1", 0.25],
    ["-5", -5],
    ["true", true],
    ["TRUE", true],
    ["False", false],
    ["null", null],
    ["NULL", null],
    ["{'a', \"b\"}", ["a", "b"]],
    ["{}", []],
    ["{1, {2, 3}, null}", [1, [2, 3], null]],
    ["{1, 2, 3}[0]", 1],
  ],
  "operators, precedence and associativity": [
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["10 - 4 - 3", 3],
    ["100 / 10 / 5", 2],
    ["7 / 2", 3],
    ["-7 / 2", -3],
    ["7.5 / 2", 3.75],
    ["7 % 3", 1],
    ["-7 % 3", -1],
    ["2 * -3", -6],
    ["- -4", 4],
    ["+4", 4],
    ["7 div 2 + 7 MOD 2", 4],
    ["String.len(user.firstName) - 2", 5],
    ['"a" + 1 + 2', "a12"],
    ['1 + 2 + "a"', "3a"],
    ['"v" + 1.5 + true', "v1.5true"],
    ["user.firstName + user.lastName", "WinstonChurchill"],
    ['user.firstName + " " + user.lastName', "Winston Churchill"],
    ['user.firstName + "." + user.lastName', "Winston.Churchill"],
    ["user.firstName + user.nothing", "Winstonnull"],
    ["true && false || true", true],
    ["true || false && false", true],
    ["(true || false) && false", false],
    ["!true || true", true],
    ["!(true || true)", false],
    ["not false", true],
    ["!!true", true],
    ["false && user.nothing", false],
    ["true || user.nothing", true],
    ["user.salary > 1000000 AND !user.isContractor", true],
    ["user.salary gt 1000000 and not user.isContractor", true],
    ["user.salary >= 1000000 OR user.isContractor", true],
    ["1 eq 1 And 2 ne 3 and 1 lt 2 AND 2 le 2 AND 3 ge 2", true],
    ["(1 < 2) == true", true],
    ["1 == 1.0", true],
    ['"1" == 1', false],
    ['"abc" < "abd"', true],
    ['"Z" < "a"', true],
    ["false < true", true],
    ["null == null", true],
    ["NULL == user.nothing", true],
    ["user.nothing != null", false],
    ["user.nothing < 1", true],
    ["user.nothing >= 1", false],
    ["{1, 2} == {1, 2}", true],
    ["{1, 2} == {2, 1}", false],
    ["user.manager == user.manager", true],
    ['user.department matches "(?i)eng.*"', true],
    ['user.department matches "eng.*"', false],
    ["user.email matches '[a-z.]+@gmail\\.com'", true],
    ["user.groupCode == 123 ? 'Sales' : 'Other'", "Sales"],
    ["user.groupCode == 124 ? 'Sales' : 'Other'", "Other"],
    ["false ? 1 : true ? 2 : 3", 2],
    ["true ? false ? 1 : 2 : 3", 2],
    ["1 > 2 ? 'a' : 'b' + 'c'", "bc"],
    ['user.nothing ?: "default"', "default"],
    ['user.middleInitial ?: "none"', "none"],
    ['user.firstName ?: "none"', "Winston"],
    ["user.nothing ?: user.missing ?: 'last'", "last"],
    [
      'user.firstName + " " + (String.len(user.middleInitial) == 0 ? "" : (String.substring(user.middleInitial, 0, 1) + ". ")) + user.lastName',
      "Winston Churchill",
    ],
  ],
  "integers and decimals (Java's int and double)": [
    ["7 / 2.0", 3.5],
    ["7.0 / 2", 3.5],
    ["7 / 2", 3],
    ["Convert.toNum('7') / 2", 3.5],
    ["Convert.toNum(7) / 2", 3.5],
    ["Convert.toInt('7') / 2", 3],
    ["Convert.toInt(7 / 2.0)", 4],
    ["'x' + 2.0", "x2.0"],
    ["'x' + 2", "x2"],
    ["'x' + Convert.toNum('7')", "x7.0"],
    ["'x' + 1e3", "x1000.0"],
    ["'x' + 1.0E7", "x1.0E7"],
    ["'x' + 12345678.9", "x1.23456789E7"],
    ["'x' + 0.001", "x0.001"],
    ["'x' + 0.0001", "x1.0E-4"],
    ["'x' + (0.1 + 0.2)", "x0.30000000000000004"],
    ["'x' + -2.0", "x-2.0"],
    ["'x' + (2.0 - 2)", "x0.0"],
    ["'x' + (2 * 1.5)", "x3.0"],
    ["1 + 1.0 + 'x'", "2.0x"],
    ["{2.0}[0] / 4", 0.5],
    ["(true ? 5.0 : 1) / 2", 2.5],
    ["-(2.0) / 4", -0.5],
    ["7 % 2.5", 2],
    ["7.5 % 2", 1.5],
    ["4.0 / 2 == 2", true],
    ["2.5 > 2", true],
    ["user.rating / 2", 2.25],
    ["user.salary / 7", 171428],
    ["user.rating + 'x'", "4.5x"],
    ["Arrays.toCsvString({1, 2.0, 2.5, 1e7})", "1,2.0,2.5,1.0E7"],
    ["Arrays.get({'a', 'b'}, 1.0)", "b"],
    ["String.substring('abc', 1.0, 2)", "b"],
    ["Arrays.contains({1, 2}, 2.0)", true],
  ],
  "String functions": [
    ['String.append("This is", " a test")', "This is a test"],
    ['String.append(null, "x")', "x"],
    ["String.append(null, null)", null],
    ['String.join(",", "This", "is", "a", "test")', "This,is,a,test"],
    ['String.join("", "This", "is", "a", "test")', "Thisisatest"],
    ['String.join("-", user.favoriteColors, "red")', "blue-green-red"],
    ['String.join(",", "a", null, "b")', "a,,b"],
    ['String.len("This")', 4],
    ["String.len(user.nothing)", 0],
    ['String.removeSpaces("This is a test")', "Thisisatest"],
    ['String.removeSpaces(" tab\tand\nnewline ")', "tabandnewline"],
    ['String.replace("This is a test", "is", "at")', "That at a test"],
    ['String.replaceFirst("This is a test", "is", "at")', "That is a test"],
    ['String.replace("a.b.c", ".", "-")', "a-b-c"],
    ['String.replace("abc", "", "-")', "abc"],
    ['String.replace(user.nothing, "a", "b")', null],
    ['String.stringContains("This is a test", "test")', true],
    ['String.stringContains("This is a test", "doesn\'tExist")', false],
    ['String.stringContains(user.nothing, "x")', false],
    ['String.stringSwitch("This is a test", "default", "key1", "value1")', "default"],
    ['String.stringSwitch("This is a test", "default", "test", "value1")', "value1"],
    [
      'String.stringSwitch("First match wins", "default", "absent", "value1", "wins", "value2", "match", "value3")',
      "value2",
    ],
    ['String.stringSwitch("Substrings count", "default", "ring", "value1")', "value1"],
    ['String.stringSwitch(user.nothing, "default", "a", "b")', "default"],
    ['String.substring("This is a test", 2, 9)', "is is a"],
    ['String.substring("abc", 1, 10)', "bc"],
    ['String.substring("abc", -2, 3)', "bc"],
    ['String.substring("abc", 2, 1)', ""],
    ['String.substringAfter("abc@okta.com", "@")', "okta.com"],
    ['String.substringAfter("abc", "@")', ""],
    ['String.substringBefore("abc@okta.com", "@")', "abc"],
    ['String.substringBefore("abc", "@")', "abc"],
    ['String.toUpperCase("This")', "THIS"],
    ['String.toLowerCase("ThiS")', "this"],
    ["String.toUpperCase(user.nothing)", null],
    ['String.startsWith("Kiss", "K")', true],
    ['String.startsWith("Kiss", "k")', false],
    ['String.endsWith(user.email, "@gmail.com")', true],
    ['String.endsWith(user.nothing, "x")', false],
    ["substring(user.firstName, 0, 1) + user.lastName", "WChurchill"],
    ["substring(user.firstName, 0, 1) + substring(user.lastName, 0, 6)", "WChurch"],
    ['toLowerCase(substring(user.firstName, 0, 1)) + "." + toLowerCase(user.lastName)', "w.churchill"],
    [
      'toUpperCase(substringBefore(substringAfter(user.email, "@"), ".")) + "\\" + substringBefore(user.email, "@")',
      "GMAIL\\winston.churchill",
    ],
    ["substringAfter(user.email, '@')", "gmail.com"],
  ],
  "Arrays functions": [
    ["Arrays.add({10, 20, 30}, 40)", [10, 20, 30, 40]],
    ["Arrays.add(user.intArray, 40)", [10, 20, 30, 40]],
    ["Arrays.add(user.nothing, 1)", null],
    ["Arrays.remove({10, 20, 30}, 20)", [10, 30]],
    ["Arrays.remove({1, 2, 1}, 1)", [2, 1]],
    ["Arrays.remove({1, 2}, 3)", [1, 2]],
    ["Arrays.clear({10, 20, 30})", []],
    ["Arrays.get({0, 1, 2}, 0)", 0],
    ["Arrays.get({0, 1, 2}, 5)", null],
    ["Arrays.flatten(10, {20, 30}, 40)", [10, 20, 30, 40]],
    ["Arrays.flatten(user.nested, null, 4)", [1, 2, 3, 4]],
    ["Arrays.flatten()", []],
    ["Arrays.contains({10, 20, 30}, 10)", true],
    ["Arrays.contains({10, 20, 30}, 50)", false],
    ['Arrays.contains(access.scope, "groups")', true],
    ['Arrays.contains(user.nothing, "x")', false],
    ["Arrays.contains({{1, 2}}, {1, 2})", true],
    ["Arrays.size({10, 20, 30})", 3],
    ["Arrays.size(NULL)", 0],
    ['Arrays.size("a,b,c")', 3],
    ['Arrays.size("")', 0],
    ["Arrays.isEmpty({10, 20})", false],
    ["Arrays.isEmpty(NULL)", true],
    ["Arrays.isEmpty({})", true],
    ['Arrays.toCsvString({"This", "is", " a ", "test"})', "This,is, a ,test"],
    ["Arrays.toCsvString({1, true, null, 2.5})", "1,true,,2.5"],
    ["Arrays.toCsvString(user.nothing)", null],
  ],
  "Convert functions": [
    ["Convert.toInt('1234')", 1234],
    ["Convert.toInt(123.4)", 123],
    ["Convert.toInt(123.6)", 124],
    ["Convert.toInt(-1.5)", -1],
    ["Convert.toInt('2018') == 2018", true],
    ["Convert.toInt(user.nothing)", null],
    ["Convert.toNum('1.234')", 1.234],
    ["Convert.toNum(' 2.5e3 ')", 2500],
    ["Convert.toNum(7)", 7],
    ["Convert.toNum(user.nothing)", null],
  ],
  "Time functions (clock fixed at 2015-07-31T17:18:37.979Z)": [
    ["Time.now()", "2015-07-31T17:18:37.979Z"],
    ['Time.now("UTC")', "2015-07-31T17:18:37.979Z"],
    ['Time.now("EST")', "2015-07-31T13:18:37.979-04:00"],
    ['Time.now("America/Los_Angeles")', "2015-07-31T10:18:37.979-07:00"],
    ['Time.now("EST", "YYYY-MM-dd HH:mm:ss")', "2015-07-31 13:18:37"],
    ["Time.now('Asia/Kolkata', 'yyyy-MM-dd''T''HH:mmZZ')", "2015-07-31T22:48+05:30"],
    ['Time.now("UTC", "EEEE, d MMMM yyyy h:mm a")', "Friday, 31 July 2015 5:18 PM"],
    ['Time.now("+02:00", "HH:mm:ss.SSS Z")', "19:18:37.979 +0200"],
    ['Time.now(null, "yy D G")', "15 212 AD"],
    ['Time.fromUnixToIso8601("1500000000")', "2017-07-14T02:40:00.000Z"],
    ["Time.fromUnixToIso8601(0)", "1970-01-01T00:00:00.000Z"],
    ['Time.fromIso8601ToUnix("2017-07-14T02:40:00.000Z")', "1500000000"],
    ['Time.fromIso8601ToUnix("2017-07-14T04:40:00+02:00")', "1500000000"],
    ['Time.fromIso8601ToWindows("2017-07-14T02:40:00Z")', "131444736000000000"],
    ['Time.fromWindowsToIso8601("131444736000000000")', "2017-07-14T02:40:00.000Z"],
    [
      'Time.fromStringToIso8601("17 June 2015 00:23:19", "dd MMMM yyyy HH:mm:ss")',
      "2015-06-17T00:23:19.000Z",
    ],
    ['Time.fromStringToIso8601("06/17/15 12:23 PM", "MM/dd/yy hh:mm a")', "2015-06-17T12:23:00.000Z"],
    ['Time.fromStringToIso8601("20150617", "yyyyMMdd")', "2015-06-17T00:00:00.000Z"],
    ['Time.fromStringToIso8601("2015-06-17 08:00 -0500", "yyyy-MM-dd HH:mm Z")', "2015-06-17T13:00:00.000Z"],
    ['Time.fromIso8601ToString("2015-06-17T00:23:19Z", "MM/dd/yyyy")', "06/17/2015"],
    ['Time.fromIso8601ToString("2015-06-17", "EEE d MMM")', "Wed 17 Jun"],
    ["Time.fromIso8601ToUnix(user.nothing)", null],
  ],
  "group functions": [
    ['isMemberOfGroupName("Everyone")', true],
    ['isMemberOfGroupName("everyone")', false],
    ['isMemberOfGroup("00g2")', true],
    ['isMemberOfGroup("00g9")', false],
    ['isMemberOfAnyGroup("00gX", "00g3")', true],
    ['isMemberOfAnyGroup("00gX", "00gY")', false],
    ["isMemberOfAnyGroup(app.profile.groupallowlist)", true],
    ['isMemberOfGroupNameStartsWith("IT-")', true],
    ['isMemberOfGroupNameStartsWith("San Fr")', false],
    ['isMemberOfGroupNameContains("Admin")', true],
    ['isMemberOfGroupNameRegex(".*admin.*")', false],
    ['isMemberOfGroupNameRegex("(?i).*admin.*")', true],
    ['isMemberOfGroupNameRegex("IT-(Admins|Support)")', true],
    ['getFilteredGroups(app.profile.groupallowlist, "group.name", 40)', ["Everyone", "IT-Support"]],
    ['getFilteredGroups({"00g3"}, "group.profile.description + \': \' + group.id", 10)', ["helpdesk: 00g3"]],
    [
      'getFilteredGroups({"00g1", "00g2"}, "group.id", app.profile.maxLimit < 100 ? app.profile.maxLimit : 100)',
      ["00g1", "00g2"],
    ],
    [
      'getFilteredGroups({"00g1", "00g4"}, "group.source + \'/\' + group.name", 2)',
      ["OKTA/Everyone", "active_directory/ad_sales"],
    ],
    [
      'getFilteredGroups("00g2,00g9", "Arrays.contains(access.scope, \'groups\') ? group.name : null", 5)',
      ["IT-Admins"],
    ],
    ['Groups.startsWith("OKTA", "IT", 10)', ["IT-Admins", "IT-Support"]],
    ['Groups.startsWith("OKTA", "IT", 1)', ["IT-Admins"]],
    ['Groups.startsWith("OKTA", "zzz", 5)', []],
    ['Groups.endsWith("OKTA", "one", 10)', ["Everyone"]],
    ['Groups.contains("active_directory", "sales", 100)', ["ad_sales"]],
    ['Groups.contains("OKTA", "sales", 100)', []],
    [
      'Arrays.flatten(Groups.startsWith("OKTA", "IT", 10), Groups.contains("active_directory", "sales", 10))',
      ["IT-Admins", "IT-Support", "ad_sales"],
    ],
  ],
};

/** client_credentials: there is no user, as in Okta. */
const CLIENT_VALUES: Row[] = [
  ["user", null],
  ["user.email", null],
  ["user.manager.name", null],
  ["appuser != null", false],
  ["appuser != null ? appuser.username : app.clientId", "0oaclient"],
  ['user.firstName + "x"', "nullx"],
  ["String.len(user.login)", 0],
  ["String.toUpperCase(user.login)", null],
  ['isMemberOfGroupName("Everyone")', false],
  ['isMemberOfAnyGroup("00g1")', false],
  ['isMemberOfGroupNameRegex(".*")', false],
  ['Groups.startsWith("OKTA", "IT", 10)', null],
  ['getFilteredGroups(app.profile.groupallowlist, "group.name", 40)', null],
  ['Groups.startsWith("OKTA", "IT", 10) ?: {}', []],
  ["Arrays.contains(access.scope, 'openid')", true],
];

describe("expression values", () => {
  for (const [group, rows] of Object.entries(VALUES)) {
    describe(group, () => {
      it.each(rows)("%s", (source, expected) => {
        expect(evaluated(source)).toEqual(expected);
      });
    });
  }

  describe("client_credentials (no user)", () => {
    it.each(CLIENT_VALUES)("%s", (source, expected) => {
      expect(evaluated(source, clientContext())).toEqual(expected);
    });
  });

  it("has a table of at least 100 expressions", () => {
    const total = Object.values(VALUES).reduce((n, rows) => n + rows.length, 0) + CLIENT_VALUES.length;
    expect(total).toBeGreaterThanOrEqual(100);
  });

  it("exercises every supported function in the value table", () => {
    const sources = [...Object.values(VALUES).flat(), ...CLIENT_VALUES].map(([source]) => source).join("\n");
    const missing = FUNCTION_NAMES.filter(
      (name) => !new RegExp(`(^|[^\\w.])${name.replace(".", "\\.")}\\(`).test(sources),
    );
    expect(missing).toEqual([]);
  });
});

describe("compiled expressions", () => {
  it("compile once and evaluate against many contexts", () => {
    const expression = compiled("appuser != null ? user.firstName : app.clientId");
    expect(expression.source).toBe("appuser != null ? user.firstName : app.clientId");
    expect(expression.evaluate(userContext())).toEqual({ ok: true, value: "Winston" });
    expect(expression.evaluate(clientContext())).toEqual({ ok: true, value: "0oaclient" });
    expect(Object.isFrozen(expression)).toBe(true);
  });

  it("read the clock only through the context, at most once per evaluation", () => {
    let calls = 0;
    const context = userContext({
      now: () => {
        calls++;
        return FIXED_NOW;
      },
    });
    expect(run("user.firstName", context)).toEqual({ ok: true, value: "Winston" });
    expect(calls).toBe(0);
    expect(run("Time.now() == Time.now() AND Time.now('EST') != null", context)).toEqual({
      ok: true,
      value: true,
    });
    expect(calls).toBe(1);
  });

  it("return fresh values that share nothing with the context", () => {
    const context = userContext();
    const result = run("user.favoriteColors", context);
    if (!result.ok || !Array.isArray(result.value)) throw new Error("expected an array");
    result.value.push("mutated");
    expect((context.user as { favoriteColors: string[] }).favoriteColors).toEqual(["blue", "green"]);
  });

  it("leave inputs unchanged (arrays are values)", () => {
    const context = userContext();
    expect(run("Arrays.add(user.intArray, 40)", context)).toEqual({ ok: true, value: [10, 20, 30, 40] });
    expect(run("Arrays.remove(user.intArray, 10)", context)).toEqual({ ok: true, value: [20, 30] });
    expect((context.user as { intArray: number[] }).intArray).toEqual([10, 20, 30]);
  });

  it("accept records with a null prototype and frozen data", () => {
    const profile = Object.freeze(Object.assign(Object.create(null) as Record<string, unknown>, { a: [1] }));
    const context: ExpressionContext = userContext({ user: profile });
    expect(run("user.a", context)).toEqual({ ok: true, value: [1] });
  });
});
