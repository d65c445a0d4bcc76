/**
 * User password hashes: a slow, salted hash whose function and parameters are recorded in the
 * stored string (PHC string format), so they can be raised later and a hash made under older
 * parameters is redone at the next successful sign-in (`rehash`).
 *
 * PBKDF2-HMAC-SHA-256 at OWASP's 600,000 iterations (Password Storage Cheat Sheet, 2023), run by the
 * runtime's native WebCrypto; see README "Passwords" for the choice and its measured cost.
 */
import { base64url } from "jose";

export const PASSWORD_HASH = {
  id: "pbkdf2-sha256",
  iterations: 600_000,
  saltBytes: 16,
  hashBytes: 32,
} as const;

const encoder = new TextEncoder();

/** A new hash of `password` under the current parameters. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(PASSWORD_HASH.saltBytes));
  const hash = await pbkdf2(password, salt, PASSWORD_HASH.iterations, PASSWORD_HASH.hashBytes);
  return `$${PASSWORD_HASH.id}$i=${PASSWORD_HASH.iterations}$${base64url.encode(salt)}$${base64url.encode(hash)}`;
}

/**
 * Whether `password` matches `stored` (compared in constant time), and whether `stored` was made
 * under weaker parameters than today's and should be replaced. An unreadable `stored` never matches.
 */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<{ ok: boolean; rehash: boolean }> {
  const parsed = parseHash(stored);
  if (!parsed) return { ok: false, rehash: false };
  const actual = await pbkdf2(password, parsed.salt, parsed.iterations, parsed.hash.length);
  return { ok: equalBytes(actual, parsed.hash), rehash: parsed.iterations < PASSWORD_HASH.iterations };
}

function parseHash(stored: string): { iterations: number; salt: Uint8Array; hash: Uint8Array } | undefined {
  const match = /^\$pbkdf2-sha256\$i=(\d{1,9})\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!match) return undefined;
  try {
    return {
      iterations: Number(match[1]),
      salt: base64url.decode(match[2] ?? ""),
      hash: base64url.decode(match[3] ?? ""),
    };
  } catch {
    return undefined;
  }
}

async function pbkdf2(
  password: string,
  salt: Uint8Array,
  iterations: number,
  bytes: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
