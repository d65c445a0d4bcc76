/**
 * Splitting a bearer string into a compact JWS and reading its parts without trusting them
 * (RFC 7519 §7.2 steps 1–3). Nothing here verifies anything: the results only ever serve to reject
 * early or to pick a key.
 */
import { base64url } from "jose";
import { strictUtf8 } from "../http/utf8";
import { MAX_TOKEN_LENGTH } from "./defaults";
import { isObject } from "./key-set";

export interface CompactParts {
  header: Record<string, unknown>;
  /** The unverified claims, or undefined when the payload is not a JSON object. */
  unverifiedClaims: Record<string, unknown> | undefined;
  /** Whether payload and signature are non-empty base64url (a JWS, not an unsecured JWT). */
  wellFormedBody: boolean;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Undefined when the string is not three dot-separated parts with a JSON-object header. */
export function splitCompact(token: string): CompactParts | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split(".");
  // Five parts would be a JWE: Warden's access tokens are signed, never encrypted.
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const header = B64URL.test(h) ? decodeJson(h) : undefined;
  if (!isObject(header)) return undefined;
  const claims = B64URL.test(p) ? decodeJson(p) : undefined;
  return {
    header,
    unverifiedClaims: isObject(claims) ? claims : undefined,
    wellFormedBody: B64URL.test(p) && B64URL.test(s),
  };
}

export function decodeJson(segment: string): unknown {
  try {
    return parseJsonBytes(base64url.decode(segment));
  } catch {
    return undefined;
  }
}

/** RFC 7519 §7.2 step 10: the claims are UTF-8 JSON; invalid UTF-8 is refused, not replaced. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  const text = strictUtf8(bytes);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
