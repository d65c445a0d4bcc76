/**
 * `/api/v1/logs?filter=…`: Okta's SCIM-style expressions (RFC 7644 §3.4.2.2) over LogEvent fields,
 * parsed into a tree and compiled to a parameterised SQL condition over `system_log`. The parser is
 * shared: the Users API's `filter` and `search` parse with it and compile their own SQL. Bounded in
 * length, nesting depth and comparisons; anything else is a `FilterError` (400 E0000031).
 *
 *   filter  := or
 *   or      := and ("or" and)*
 *   and     := unary ("and" unary)*
 *   unary   := "not" unary | "(" or ")" | path "pr" | path op value
 *   op      := eq | ne | co | sw | gt | ge | lt | le
 *   value   := "string" | number | true | false | null
 */
import { LOG_FILTER_MAX_DEPTH, LOG_FILTER_MAX_LENGTH, LOG_FILTER_MAX_TERMS } from "../config/defaults";

export class FilterError extends Error {}

export type FilterOp = "eq" | "ne" | "co" | "sw" | "gt" | "ge" | "lt" | "le";
export type FilterValue = string | number | boolean | null;

export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "present"; path: string }
  | { kind: "compare"; path: string; op: FilterOp; value: FilterValue };

const OPS: ReadonlySet<string> = new Set(["eq", "ne", "co", "sw", "gt", "ge", "lt", "le"]);
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Token =
  | { t: "word"; v: string; at: number }
  | { t: "string"; v: string; at: number }
  | { t: "number"; v: number; at: number }
  | { t: "("; at: number }
  | { t: ")"; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i += 1;
    } else if (ch === "(" || ch === ")") {
      tokens.push({ t: ch, at: i });
      i += 1;
    } else if (ch === '"') {
      const start = i;
      let value = "";
      i += 1;
      for (;;) {
        if (i >= text.length) throw new FilterError(`unterminated string at ${start}`);
        const c = text[i] as string;
        if (c === '"') break;
        if (c === "\\") {
          const next = text[i + 1];
          if (next === undefined) throw new FilterError(`unterminated string at ${start}`);
          value += next;
          i += 2;
        } else {
          value += c;
          i += 1;
        }
      }
      i += 1;
      tokens.push({ t: "string", v: value, at: start });
    } else {
      const start = i;
      while (i < text.length && !/[\s()"]/.test(text[i] as string)) i += 1;
      const word = text.slice(start, i);
      if (/^-?\d+(\.\d+)?$/.test(word)) tokens.push({ t: "number", v: Number(word), at: start });
      else tokens.push({ t: "word", v: word, at: start });
    }
  }
  return tokens;
}

/**
 * Parses `text` into a tree. `checkAttribute` throws a `FilterError` for an attribute the caller
 * does not know (the system log's by default; the Users API passes its own, src/directory/user-query.ts),
 * so an unknown one fails before anything runs.
 */
export function parseFilter(
  text: string,
  checkAttribute: (path: string) => void = (path) => {
    attribute(path);
  },
): FilterNode {
  if (text.length > LOG_FILTER_MAX_LENGTH) {
    throw new FilterError(`filter is longer than ${LOG_FILTER_MAX_LENGTH} characters`);
  }
  const tokens = tokenize(text);
  let pos = 0;
  let terms = 0;
  const peekWord = (): string | undefined => {
    const token = tokens[pos];
    return token?.t === "word" ? token.v.toLowerCase() : undefined;
  };
  const describe = (token: Token | undefined) =>
    token ? `'${"v" in token ? token.v : token.t}' at ${token.at}` : "end of filter";

  const or = (depth: number): FilterNode => {
    let left = and(depth);
    while (peekWord() === "or") {
      pos += 1;
      left = { kind: "or", left, right: and(depth) };
    }
    return left;
  };
  const and = (depth: number): FilterNode => {
    let left = unary(depth);
    while (peekWord() === "and") {
      pos += 1;
      left = { kind: "and", left, right: unary(depth) };
    }
    return left;
  };
  const unary = (depth: number): FilterNode => {
    if (depth > LOG_FILTER_MAX_DEPTH)
      throw new FilterError(`filter nests deeper than ${LOG_FILTER_MAX_DEPTH}`);
    const token = tokens[pos];
    if (token?.t === "(") {
      pos += 1;
      const inner = or(depth + 1);
      if (tokens[pos]?.t !== ")") throw new FilterError(`expected ')' instead of ${describe(tokens[pos])}`);
      pos += 1;
      return inner;
    }
    if (token?.t === "word" && token.v.toLowerCase() === "not") {
      pos += 1;
      return { kind: "not", operand: unary(depth + 1) };
    }
    if (token?.t !== "word") throw new FilterError(`expected an attribute instead of ${describe(token)}`);
    const path = token.v;
    if (!path.split(".").every((s) => SEGMENT.test(s))) throw new FilterError(`invalid attribute '${path}'`);
    checkAttribute(path); // unknown attributes fail here, before anything runs
    terms += 1;
    if (terms > LOG_FILTER_MAX_TERMS)
      throw new FilterError(`filter has more than ${LOG_FILTER_MAX_TERMS} comparisons`);
    pos += 1;
    const op = peekWord();
    if (op === "pr") {
      pos += 1;
      return { kind: "present", path };
    }
    if (!op || !OPS.has(op))
      throw new FilterError(`expected an operator after '${path}' instead of ${describe(tokens[pos])}`);
    pos += 1;
    const valueToken = tokens[pos];
    let value: FilterValue;
    if (valueToken?.t === "string" || valueToken?.t === "number") value = valueToken.v;
    else if (valueToken?.t === "word" && ["true", "false", "null"].includes(valueToken.v)) {
      value = valueToken.v === "null" ? null : valueToken.v === "true";
    } else throw new FilterError(`expected a value after '${path} ${op}' instead of ${describe(valueToken)}`);
    pos += 1;
    return { kind: "compare", path, op: op as FilterOp, value };
  };

  if (tokens.length === 0) throw new FilterError("filter is empty");
  const tree = or(0);
  if (pos !== tokens.length) throw new FilterError(`unexpected ${describe(tokens[pos])}`);
  return tree;
}

/** A SQL condition and its parameters. */
export interface SqlCondition {
  sql: string;
  params: (string | number | null)[];
}

/** How a LogEvent attribute is read in SQL: a column, a JSON path, or any of the targets. */
type Attribute =
  | { kind: "column"; sql: string; time?: boolean }
  | { kind: "json"; path: string }
  | { kind: "target"; path: string };

const COLUMNS: Record<string, Attribute> = {
  uuid: { kind: "column", sql: "uuid" },
  eventType: { kind: "column", sql: "event_type" },
  severity: { kind: "column", sql: "severity" },
  "outcome.result": { kind: "column", sql: "outcome" },
  "actor.id": { kind: "column", sql: "actor_id" },
  published: { kind: "column", sql: "published", time: true },
};
const JSON_PATHS = new Set([
  "displayMessage",
  "actor.type",
  "actor.alternateId",
  "actor.displayName",
  "outcome.reason",
  "client.ipAddress",
  "client.userAgent.rawUserAgent",
  "transaction.id",
  "transaction.type",
]);
const TARGET_FIELDS = new Set(["id", "type", "alternateId", "displayName"]);

function attribute(path: string): Attribute {
  // Own keys only: `COLUMNS["constructor"]` is Object's, not an attribute (it was a 500).
  const column = Object.hasOwn(COLUMNS, path) ? COLUMNS[path] : undefined;
  if (column) return column;
  if (JSON_PATHS.has(path) || path.startsWith("debugContext.debugData."))
    return { kind: "json", path: `$.${path}` };
  if (path.startsWith("target.") && TARGET_FIELDS.has(path.slice("target.".length))) {
    return { kind: "target", path: `$.${path.slice("target.".length)}` };
  }
  throw new FilterError(`unknown attribute '${path}'`);
}

export function compileFilter(node: FilterNode): SqlCondition {
  switch (node.kind) {
    case "and":
    case "or": {
      const left = compileFilter(node.left);
      const right = compileFilter(node.right);
      return {
        sql: `(${left.sql} ${node.kind === "and" ? "AND" : "OR"} ${right.sql})`,
        params: [...left.params, ...right.params],
      };
    }
    case "not": {
      const operand = compileFilter(node.operand);
      return { sql: `(NOT ${operand.sql})`, params: operand.params };
    }
    case "present":
      return onAttribute(attribute(node.path), (x) => ({ sql: `${x} IS NOT NULL`, params: [] }));
    case "compare": {
      const attr = attribute(node.path);
      let value: string | number | null = typeof node.value === "boolean" ? (node.value ? 1 : 0) : node.value;
      if (attr.kind === "column" && attr.time) {
        const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
        if (Number.isNaN(ms)) throw new FilterError(`'${node.path}' compares with an ISO 8601 timestamp`);
        value = ms;
      }
      return onAttribute(attr, (x) => comparison(x, node.op, value));
    }
  }
}

function onAttribute(attr: Attribute, build: (sqlExpr: string) => SqlCondition): SqlCondition {
  switch (attr.kind) {
    case "column":
      return build(attr.sql);
    case "json": {
      const inner = build("json_extract(event, ?)");
      return { sql: inner.sql, params: spliceFirst(inner, attr.path) };
    }
    case "target": {
      const inner = build("json_extract(t.value, ?)");
      return {
        sql: `EXISTS (SELECT 1 FROM json_each(event, '$.target') AS t WHERE ${inner.sql})`,
        params: spliceFirst(inner, attr.path),
      };
    }
  }
}

/** Every comparison below uses its attribute once, before any value: the path's `?` comes first. */
function spliceFirst(inner: SqlCondition, path: string): (string | number | null)[] {
  return [path, ...inner.params];
}

function comparison(x: string, op: FilterOp, value: string | number | null): SqlCondition {
  switch (op) {
    case "eq":
      return value === null ? { sql: `${x} IS NULL`, params: [] } : { sql: `${x} = ?`, params: [value] };
    case "ne":
      return value === null
        ? { sql: `${x} IS NOT NULL`, params: [] }
        : { sql: `${x} IS NOT ?`, params: [value] };
    case "co":
      return { sql: `instr(${x}, ?) > 0`, params: [String(value)] };
    case "sw":
      return { sql: `substr(${x}, 1, length(?)) = ?`, params: [String(value), String(value)] };
    case "gt":
      return { sql: `${x} > ?`, params: [value] };
    case "ge":
      return { sql: `${x} >= ?`, params: [value] };
    case "lt":
      return { sql: `${x} < ?`, params: [value] };
    case "le":
      return { sql: `${x} <= ?`, params: [value] };
  }
}
