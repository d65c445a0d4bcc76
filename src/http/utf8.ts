/**
 * Strict UTF-8 decoding of bytes from a peer: invalid sequences are refused, never replaced with
 * U+FFFD. One decoder serves every caller: `decode` without `stream` starts afresh each time, so it
 * keeps no state between calls.
 */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The text `bytes` encode, or undefined when they are not valid UTF-8. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
