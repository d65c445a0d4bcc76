/**
 * Reading a config file's text: YAML or JSON (JSON is checked strictly, then read by the YAML
 * parser too, which knows where every node is), so every later error can name a line and column.
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { PathSegment } from "./values";

export type SourceFormat = "yaml" | "json";

export interface Position {
  line: number;
  column: number;
}

export interface ParsedSource {
  value: unknown;
  /** Where `path` is in the text, or its nearest ancestor when the member itself is missing. */
  locate(path: readonly PathSegment[]): Position | undefined;
}

export type SourceResult =
  | { ok: true; source: ParsedSource }
  | { ok: false; errors: { message: string; position?: Position }[] };

/** By extension; for stdin and other names, a document starting with `{` is JSON (YAML's flow maps too parse as JSON). */
export function detectFormat(name: string, text: string): SourceFormat {
  if (/\.ya?ml$/i.test(name)) return "yaml";
  if (/\.json$/i.test(name)) return "json";
  return text.trimStart().startsWith("{") ? "json" : "yaml";
}

export function parseSource(text: string, format: SourceFormat): SourceResult {
  if (format === "json") {
    try {
      const value: unknown = JSON.parse(text);
      return { ok: true, source: { value, locate: locator(text) } };
    } catch (error) {
      return { ok: false, errors: [{ message: `not valid JSON: ${(error as Error).message}` }] };
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          message: `not valid YAML: ${error.message}`,
          position: { line: position.line, column: position.col },
        };
      }),
    };
  }
  return { ok: true, source: { value: doc.toJS(), locate: locatorOf(doc, lineCounter) } };
}

function locator(text: string): ParsedSource["locate"] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return doc.errors.length > 0 ? () => undefined : locatorOf(doc, lineCounter);
}

function locatorOf(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter): ParsedSource["locate"] {
  const at = (node: Node | null | undefined): Position | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return (path) => {
    for (let depth = path.length; depth > 0; depth--) {
      const parent = doc.getIn(path.slice(0, depth - 1), true);
      const last = path[depth - 1];
      // A member is shown at its key (`accessTokenLifetimeMinutes:`), an array item at its start.
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(last),
        );
        if (pair && isNode(pair.key)) return at(pair.key);
      } else if (isSeq(parent) && typeof last === "number") {
        const item = parent.items[last];
        if (isNode(item)) return at(item);
      }
    }
    return isNode(doc.contents) ? at(doc.contents) : undefined;
  };
}
