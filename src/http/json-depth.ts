/**
 * How deep a JSON text nests, found before it is parsed (DESIGN §8: JSON depth limits). `JSON.parse`
 * itself copes with deep nesting, but what comes after it recurses — schema validation, structured
 * clone on the way to a Durable Object, `JSON.stringify` — and overflows the stack at a few thousand
 * levels: a 500 for a body of a few kilobytes. One pass, no recursion, no allocation.
 */

/**
 * Whether `text` opens more than `maxDepth` arrays and objects inside one another. Brackets inside
 * strings do not count (a backslash escapes the next character, so `"\""` stays one string). A text
 * that is not JSON at all may be miscounted either way: `JSON.parse` refuses it next anyway.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
