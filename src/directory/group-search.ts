/**
 * The Groups API's `filter` and `search` (Okta: "Filter" and "Search" on List all groups), parsed
 * with the system log's SCIM grammar (src/log/filter.ts, RFC 7644 §3.4.2.2) and compiled here to a
 * parameterised SQL condition over `groups AS g`. Every value is a bound parameter and every
 * attribute comes from the tables below, so nothing from the request is ever SQL text.
 *
 * - `filter`: `id`, `type`, `lastUpdated`, `lastMembershipUpdated`, `profile.name`; `eq` on all, and
 *   `gt ge lt le` on the times; `and`, `or`, parentheses.
 * - `search`: also `created` and any `profile.*` attribute; `eq ne sw gt ge lt le pr`, `co` on
 *   `profile.name` and `profile.description` only (as Okta); `and`, `or`, `not`, parentheses.
 * Profile strings compare without regard to ASCII case (a name is unique that way too).
 */
import { FilterError, type FilterNode, type FilterOp, parseFilter, type SqlCondition } from "../log/filter";

export type GroupQueryKind = "filter" | "search";

type Attribute = { sql: string; time?: boolean; text?: boolean; jsonPath?: string };

const TOP_LEVEL: Record<string, Attribute> = {
  id: { sql: "g.id" },
  type: { sql: "g.type" },
  created: { sql: "g.created", time: true },
  lastUpdated: { sql: "g.last_updated", time: true },
  lastMembershipUpdated: { sql: "g.last_membership_updated", time: true },
};
const FILTER_ATTRIBUTES = new Set(["id", "type", "lastUpdated", "lastMembershipUpdated", "profile.name"]);
const FILTER_OPS: ReadonlySet<FilterOp> = new Set(["eq", "gt", "ge", "lt", "le"]);
const CONTAINS_ATTRIBUTES = new Set(["profile.name", "profile.description"]);

function attribute(path: string, kind: GroupQueryKind): Attribute {
  if (kind === "filter" && !FILTER_ATTRIBUTES.has(path)) {
    throw new FilterError(`'${path}' cannot be filtered; filter takes ${[...FILTER_ATTRIBUTES].join(", ")}`);
  }
  // Own keys only: `TOP_LEVEL["constructor"]` is Object's, whose missing `sql` became the SQL text
  // `undefined` (a D1 error, a 500) for `search=constructor eq "x"`.
  const top = Object.hasOwn(TOP_LEVEL, path) ? TOP_LEVEL[path] : undefined;
  if (top) return top;
  const segments = path.split(".");
  if (segments.length === 2 && segments[0] === "profile") {
    // The name has its own generated column; other attributes are read from the JSON. The parser
    // allows only letters, digits and `_` in a segment, so the JSON path is well-formed.
    return path === "profile.name"
      ? { sql: "g.name", text: true }
      : { sql: "json_extract(g.profile, ?)", text: true, jsonPath: `$.${segments[1]}` };
  }
  throw new FilterError(`unknown attribute '${path}'`);
}

/** The condition for `text`, or a FilterError (400 E0000031) naming what is wrong with it. */
export function groupCondition(text: string, kind: GroupQueryKind): SqlCondition {
  const tree = parseFilter(text, (path) => {
    attribute(path, kind);
  });
  return compile(tree, kind);
}

function compile(node: FilterNode, kind: GroupQueryKind): SqlCondition {
  switch (node.kind) {
    case "and":
    case "or": {
      const left = compile(node.left, kind);
      const right = compile(node.right, kind);
      return {
        sql: `(${left.sql} ${node.kind === "and" ? "AND" : "OR"} ${right.sql})`,
        params: [...left.params, ...right.params],
      };
    }
    case "not": {
      if (kind === "filter") throw new FilterError("filter does not take 'not'; use search");
      const operand = compile(node.operand, kind);
      return { sql: `(NOT coalesce(${operand.sql}, 0))`, params: operand.params };
    }
    case "present": {
      if (kind === "filter") throw new FilterError("filter does not take 'pr'; use search");
      const attr = attribute(node.path, kind);
      return withPath(attr, { sql: `${attr.sql} IS NOT NULL`, params: [] });
    }
    case "compare": {
      const attr = attribute(node.path, kind);
      if (kind === "filter" && !FILTER_OPS.has(node.op)) {
        throw new FilterError(`filter does not take '${node.op}'; use search`);
      }
      if (kind === "filter" && node.op !== "eq" && !attr.time) {
        throw new FilterError(`'${node.path}' is compared with eq only`);
      }
      if (node.op === "co" && !CONTAINS_ATTRIBUTES.has(node.path)) {
        throw new FilterError(`'co' applies to ${[...CONTAINS_ATTRIBUTES].join(" and ")} only`);
      }
      let value: string | number | null = typeof node.value === "boolean" ? (node.value ? 1 : 0) : node.value;
      if (attr.time) {
        const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
        if (Number.isNaN(ms)) throw new FilterError(`'${node.path}' compares with an ISO 8601 timestamp`);
        value = ms;
      }
      return withPath(attr, comparison(attr, node.op, value));
    }
  }
}

/**
 * A JSON attribute's path is its expression's one parameter, and every comparison below uses the
 * attribute once, before any value: the path goes first.
 */
function withPath(attr: Attribute, condition: SqlCondition): SqlCondition {
  return attr.jsonPath ? { sql: condition.sql, params: [attr.jsonPath, ...condition.params] } : condition;
}

function comparison(attr: Attribute, op: FilterOp, value: string | number | null): SqlCondition {
  const text = attr.text && typeof value === "string";
  const x = text ? `lower(${attr.sql})` : attr.sql;
  const v = text ? "lower(?)" : "?";
  switch (op) {
    case "eq":
      return value === null
        ? { sql: `${attr.sql} IS NULL`, params: [] }
        : { sql: `${x} = ${v}`, params: [value] };
    case "ne":
      return value === null
        ? { sql: `${attr.sql} IS NOT NULL`, params: [] }
        : { sql: `${x} IS NOT ${v}`, params: [value] };
    case "co":
      return { sql: `instr(${x}, ${v}) > 0`, params: [String(value)] };
    case "sw":
      return { sql: `substr(${x}, 1, length(?)) = ${v}`, params: [String(value), String(value)] };
    case "gt":
      return { sql: `${x} > ${v}`, params: [value] };
    case "ge":
      return { sql: `${x} >= ${v}`, params: [value] };
    case "lt":
      return { sql: `${x} < ${v}`, params: [value] };
    case "le":
      return { sql: `${x} <= ${v}`, params: [value] };
  }
}
