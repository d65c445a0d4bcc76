/**
 * User password hashes: a slow, salted hash whose function and parameters are recorded in the
 * stored string (PHC string format, github.com/P-H-C/phc-string-format), so they can be raised
 * later and a hash made under older parameters is redone at the next successful sign-in (`rehash`).
 *
 * PBKDF2-HMAC-SHA-256 at OWASP's 600,000 iterations (Password Storage Cheat Sheet), run by the
 * runtime's native WebCrypto. Measured in workerd against argon2id and scrypt (README "Passwords",
 * `npm run bench`): ~70 ms of CPU per hash, where argon2id at OWASP's m=19 MiB, t=2 costs ~180 ms in
 * the only implementation that loads in Workers (pure JS; WebAssembly builds such as hash-wasm
 * compile at run time, which workerd refuses) and holds 19 MiB per sign-in in flight in a 128 MB
 * isolate; scrypt N=2^17, r=8 needs 128 MiB, the whole isolate.
 *
 * Stored form: `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>`, salt and hash in base64url without
 * padding. Bounds on what is parsed keep a corrupt or planted string from costing more than a
 * current hash by orders of magnitude.
 */
import { base64url } from "jose";
import { PASSWORD_MAX_LENGTH, PASSWORD_PBKDF2_ITERATIONS } from "../config/defaults";

export const PASSWORD_HASH = {
  id: "pbkdf2-sha256",
  iterations: PASSWORD_PBKDF2_ITERATIONS,
  saltBytes: 16,
  hashBytes: 32,
} as const;

/**
 * A hash of a random password nobody knows, under the current parameters. Sign-in verifies against
 * it when the login names no user, or a user without a password, so that those answers cost the
 * same work as a wrong password (no user enumeration by timing). test/unit/password-hash.test.ts
 * keeps its parameters equal to PASSWORD_HASH's.
 */
export const DUMMY_PASSWORD_HASH =
  "$pbkdf2-sha256$i=600000$UBGvGJVg0jQkA2fEwTVavw$C6pe9vH_5omCXg5nu2ymRuw-n9gzNQn9ZZ6vDQduqrg";

/** What a stored string may ask for: beyond these it is unreadable (never matches), not slow. */
const PARSE_BOUNDS = {
  maxIterations: 10 * PASSWORD_PBKDF2_ITERATIONS,
  saltBytes: { min: 8, max: 64 },
  hashBytes: { min: 16, max: 64 },
} as const;

const encoder = new TextEncoder();

/**
 * Whether `password` is longer than any password Warden hashes (PASSWORD_MAX_LENGTH characters,
 * counted as code points like the policy). The cheap check on UTF-16 length comes first, so a 1 MB
 * string is refused without being walked.
 */
export function passwordTooLong(password: string): boolean {
  if (password.length <= PASSWORD_MAX_LENGTH) return false;
  if (password.length > 2 * PASSWORD_MAX_LENGTH) return true;
  return [...password].length > PASSWORD_MAX_LENGTH;
}

/**
 * Whether `password` holds a character that would make it equal to another one once hashed: NUL,
 * because HMAC pads a key with zero bytes (RFC 2104 §2), so "pw" and "pw\0" derive the same key;
 * an unpaired surrogate, because UTF-8 encoding turns every one into U+FFFD (WHATWG Encoding §4.2),
 * so "pw\uD800" and "pw\uFFFD" would too. Such a password is never stored and never matches.
 */
export function passwordAmbiguous(password: string): boolean {
  return /[\0\p{Cs}]/u.test(password);
}

/** A new hash of `password` under the current parameters. Throws on a password over the length bound or ambiguous. */
export async function hashPassword(password: string): Promise<string> {
  if (passwordTooLong(password))
    throw new RangeError(`password longer than ${PASSWORD_MAX_LENGTH} characters`);
  if (passwordAmbiguous(password)) throw new RangeError("password holds NUL or an unpaired surrogate");
  const salt = crypto.getRandomValues(new Uint8Array(PASSWORD_HASH.saltBytes));
  const hash = await pbkdf2(password, salt, PASSWORD_HASH.iterations, PASSWORD_HASH.hashBytes);
  return `$${PASSWORD_HASH.id}$i=${PASSWORD_HASH.iterations}$${base64url.encode(salt)}$${base64url.encode(hash)}`;
}

/**
 * Whether `password` matches `stored` (compared in constant time), and whether `stored` was made
 * under weaker parameters than today's and should be replaced. An unreadable `stored` never
 * matches. A password over the length bound never matches either, after the same work as any
 * other (it is hashed truncated), so its answer takes no less time than a wrong password's; so
 * does an ambiguous one (`passwordAmbiguous`).
 */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<{ ok: boolean; rehash: boolean }> {
  const unusable = passwordTooLong(password) || passwordAmbiguous(password);
  const candidate = unusable ? password.slice(0, PASSWORD_MAX_LENGTH) : password;
  const parsed = parseHash(stored);
  if (!parsed) {
    // Same work as a readable hash: an unreadable one must not be distinguishable by timing.
    await verifyPassword(candidate, DUMMY_PASSWORD_HASH);
    return { ok: false, rehash: false };
  }
  const actual = await pbkdf2(candidate, parsed.salt, parsed.iterations, parsed.hash.length);
  const rehash =
    parsed.iterations < PASSWORD_HASH.iterations ||
    parsed.salt.length < PASSWORD_HASH.saltBytes ||
    parsed.hash.length < PASSWORD_HASH.hashBytes;
  return { ok: equalBytes(actual, parsed.hash) && !unusable, rehash };
}

/** The parameters a stored string records; undefined when it is not one Warden wrote or can verify. */
export function parseHash(
  stored: string,
): { iterations: number; salt: Uint8Array; hash: Uint8Array } | undefined {
  const match = /^\$pbkdf2-sha256\$i=([1-9]\d{0,8})\$([\w-]{11,86})\$([\w-]{22,86})$/.exec(stored);
  if (!match) return undefined;
  const iterations = Number(match[1]);
  if (iterations > PARSE_BOUNDS.maxIterations) return undefined;
  try {
    const salt = base64url.decode(match[2] ?? "");
    const hash = base64url.decode(match[3] ?? "");
    if (salt.length < PARSE_BOUNDS.saltBytes.min || salt.length > PARSE_BOUNDS.saltBytes.max)
      return undefined;
    if (hash.length < PARSE_BOUNDS.hashBytes.min || hash.length > PARSE_BOUNDS.hashBytes.max)
      return undefined;
    return { iterations, salt, hash };
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

/** Constant time in the contents: every byte pair is looked at whatever the first difference. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
