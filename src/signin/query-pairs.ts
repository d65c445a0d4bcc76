/**
 * A query string read strictly: bounded in length, and refused when a percent-encoded byte sequence
 * is not UTF-8 (RFC 3986 §2.5 and RFC 6749 Appendix B: parameters are UTF-8), where WHATWG's
 * URLSearchParams would quietly make it U+FFFD and two different `state` values one. Repeats are kept
 * in order, for the caller to refuse (RFC 6749 §3.1).
 */
export function readPairs(
  query: string,
  maxLength: number,
): { ok: true; pairs: [string, string][] } | { ok: false; description: string } {
  if (query.length > maxLength) {
    return { ok: false, description: `The request is longer than ${maxLength} characters.` };
  }
  const pairs: [string, string][] = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const at = part.indexOf("=");
    const [name, value] = at === -1 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)];
    try {
      pairs.push([decode(name), decode(value)]);
    } catch {
      return { ok: false, description: "The request is not valid UTF-8." };
    }
  }
  return { ok: true, pairs };
}

/** application/x-www-form-urlencoded decoding ('+' is a space), throwing on malformed escapes or non-UTF-8. */
function decode(text: string): string {
  return decodeURIComponent(text.replaceAll("+", " "));
}
