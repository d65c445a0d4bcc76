/**
 * Client secrets and admin tokens: generated with ≥256 bits of entropy, stored as SHA-256 digests,
 * compared in constant time. A fast hash is right here because the inputs are high-entropy random
 * strings, not passwords (DESIGN §8); it keeps the token path in microseconds.
 */
import { base64url } from "jose";

const encoder = new TextEncoder();

export function randomToken(bytes: number): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function hashSecret(secret: string): Promise<string> {
  return base64url.encode(await sha256(secret));
}

/**
 * A check value of `secret` under `label`: says which secret it was (equal checks, equal secrets)
 * and, the secret being high-entropy, nothing of it. The label keeps it apart from `hashSecret`.
 */
export async function secretCheck(label: string, secret: string): Promise<string> {
  return base64url.encode((await sha256(`${label}\n${secret}`)).slice(0, 16));
}

async function sha256(secret: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(secret)));
}

/**
 * True when `secret` hashes to one of `hashes`. Every candidate is compared, in constant time, so
 * neither the position of the match nor a near miss shows in the timing.
 */
export async function secretMatchesAny(secret: string, hashes: readonly string[]): Promise<boolean> {
  const candidate = await sha256(secret);
  let matched = false;
  for (const hash of hashes) {
    const stored = base64url.decode(hash);
    if (stored.byteLength === candidate.byteLength && timingSafeEqual(stored, candidate)) matched = true;
  }
  return matched;
}

/** Constant-time equality of two byte strings of the same length (false when lengths differ). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  // workerd provides a native constant-time comparison; plain Node (unit tests, CLI) falls back.
  const subtle = crypto.subtle as SubtleCrypto & {
    timingSafeEqual?: (x: ArrayBufferView, y: ArrayBufferView) => boolean;
  };
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
