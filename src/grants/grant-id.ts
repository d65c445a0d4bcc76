/**
 * How a grant's address travels (DESIGN §1 "one grant, one object"): the Durable Object id is written
 * as 43 base64url characters (its 32 bytes), and
 *   - an authorization code is `<grant id>.<secret>`, the secret 256 random bits in base64url: the
 *     code names its object, so redemption needs no lookup, and the object keeps only the secret's hash;
 *   - an access token issued from a grant has the `jti` `AT.<grant id>.<random>`: Okta's `jti` is
 *     opaque ("AT." and letters), so the claim set stays Okta's while userinfo and introspection can
 *     ask the grant whether it still stands. A token from a grant without an object (password,
 *     client_credentials) keeps `AT.<random>`.
 * Pure: every parser here refuses malformed text before anything reaches `idFromString`, which throws.
 */
import { base64url } from "jose";

/** A Durable Object id's text form: 64 lowercase hex digits (32 bytes). */
const HEX_ID = /^[0-9a-f]{64}$/;
/** 32 bytes in unpadded base64url. */
const B64_32 = /^[A-Za-z0-9_-]{43}$/;

/** The grant id as it appears in codes and `jti`s, from the object id's hex text. */
export function grantIdFromObjectId(hex: string): string {
  if (!HEX_ID.test(hex)) throw new Error("not a Durable Object id");
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return base64url.encode(bytes);
}

/**
 * The object id's hex text for a grant id, or undefined when the text is not one: 43 base64url
 * characters in their canonical form (no second spelling of the same id).
 */
export function objectIdOfGrantId(grantId: string): string | undefined {
  if (!B64_32.test(grantId)) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(grantId);
  } catch {
    return undefined;
  }
  if (bytes.length !== 32 || base64url.encode(bytes) !== grantId) return undefined;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A code as it is handed to the client. */
export function formatCode(grantId: string, secret: string): string {
  return `${grantId}.${secret}`;
}

/** A code's parts, or undefined when it cannot be one Warden issued (checked before any I/O). */
export function parseCode(code: string): { grantId: string; secret: string } | undefined {
  // 43 + 1 + 43: anything longer (a megabyte of junk) is refused before it is split.
  if (code.length !== 87) return undefined;
  const grantId = code.slice(0, 43);
  const secret = code.slice(44);
  if (code[43] !== "." || !B64_32.test(secret) || objectIdOfGrantId(grantId) === undefined) return undefined;
  return { grantId, secret };
}

/** `jti` of an access token issued from grant `grantId`. */
export function grantAccessTokenJti(grantId: string, random: string): string {
  return `AT.${grantId}.${random}`;
}

/** The grant an access token's `jti` names, or undefined when it names none (a grant without an object). */
export function grantIdOfJti(jti: unknown): string | undefined {
  if (typeof jti !== "string" || !jti.startsWith("AT.") || jti.length > 200) return undefined;
  const parts = jti.split(".");
  if (parts.length !== 3) return undefined;
  const grantId = parts[1] ?? "";
  return objectIdOfGrantId(grantId) === undefined ? undefined : grantId;
}

/**
 * A refresh token as it is handed to the client: `<grant id>.<secret>` like a code, so it names its
 * object and the object keeps only the secret's hash. A code and a refresh token of one grant never
 * share a secret, and each is compared only with hashes of its own kind.
 */
export const formatRefreshToken = formatCode;
export const parseRefreshToken = parseCode;
