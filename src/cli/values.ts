/** Plain-data helpers shared by canonicalisation, diffing and default stripping. */

export type PathSegment = string | number;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted: two values are equal as configuration exactly when these match. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

export function getAt(value: unknown, path: readonly PathSegment[]): unknown {
  let node = value;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === "number") node = node[segment];
    else if (isPlainObject(node)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** A copy of `value` without the member at `path`; the other keys keep their order. */
export function withoutAt(value: unknown, path: readonly PathSegment[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (Array.isArray(value) && typeof head === "number") {
    return value.map((item, i) => (i === head ? withoutAt(item, rest) : item));
  }
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, item]): [string, unknown][] => {
      if (key !== String(head)) return [[key, item]];
      return rest.length === 0 ? [] : [[key, withoutAt(item, rest)]];
    }),
  );
}

/** `authorizationServers[0].policies[1].name`: how a person reads a path into a file. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>(
    (out, segment) =>
      typeof segment === "number" ? `${out}[${segment}]` : out === "" ? segment : `${out}.${segment}`,
    "",
  );
}
