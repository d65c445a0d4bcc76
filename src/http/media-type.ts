/**
 * The media type of a `Content-Type` header (RFC 9110 §8.3.1): its essence (`type/subtype`),
 * lower-cased because type and subtype are case-insensitive, with every parameter dropped.
 * Undefined when there is no header.
 */
export function mediaType(contentType: string | null | undefined): string | undefined {
  return contentType?.split(";")[0]?.trim().toLowerCase();
}
