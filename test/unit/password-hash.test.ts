/**
 * Password hashes (src/directory/password-hash.ts) in Node's WebCrypto: the PHC string records its
 * parameters, older ones verify and ask for a rehash, planted or corrupt strings never match and
 * never cost more than a current hash, and the dummy hash keeps today's parameters.
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PASSWORD_MAX_LENGTH, PASSWORD_PBKDF2_ITERATIONS } from "../../src/config/defaults";
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  PASSWORD_HASH,
  parseHash,
  passwordAmbiguous,
  passwordTooLong,
  verifyPassword,
} from "../../src/directory/password-hash";

const PASSWORD = "Correct-Horse-9";

/** A PBKDF2 string made outside Warden's code (node:crypto), as an older Warden would have written it. */
function phc(password: string, iterations: number, saltBytes = 16, hashBytes = 32): string {
  const salt = randomBytes(saltBytes);
  const hash = pbkdf2Sync(password, salt, iterations, hashBytes, "sha256");
  return `$pbkdf2-sha256$i=${iterations}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

describe("hashPassword / verifyPassword", () => {
  it("writes a PHC string with today's parameters and a fresh salt, that verifies", async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^\$pbkdf2-sha256\$i=600000\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toEqual({ ok: true, rehash: false });
    expect(await verifyPassword("Correct-Horse-8", a)).toEqual({ ok: false, rehash: false });
    expect(await verifyPassword("correct-horse-9", a)).toEqual({ ok: false, rehash: false });
  });

  it("agrees with an independent PBKDF2 (node:crypto) on the same salt", async () => {
    const stored = phc(PASSWORD, PASSWORD_PBKDF2_ITERATIONS);
    expect(await verifyPassword(PASSWORD, stored)).toEqual({ ok: true, rehash: false });
  });

  it("verifies hashes made under weaker parameters and asks for a rehash", async () => {
    for (const stored of [
      phc(PASSWORD, 100_000),
      phc(PASSWORD, PASSWORD_PBKDF2_ITERATIONS, 8),
      phc(PASSWORD, PASSWORD_PBKDF2_ITERATIONS, 16, 16),
    ]) {
      expect(await verifyPassword(PASSWORD, stored)).toEqual({ ok: true, rehash: true });
      expect((await verifyPassword("Wrong-Horse-9", stored)).ok).toBe(false);
    }
    // Stronger than today's: kept as it is.
    expect(await verifyPassword(PASSWORD, phc(PASSWORD, PASSWORD_PBKDF2_ITERATIONS + 1))).toEqual({
      ok: true,
      rehash: false,
    });
  });

  it("never matches an unreadable string, and never reads one that asks for absurd work", async () => {
    const good = phc(PASSWORD, 1000);
    const [, , , salt, hash] = good.split("$");
    for (const stored of [
      "",
      "plaintext",
      `$pbkdf2-sha256$i=0$${salt}$${hash}`,
      `$pbkdf2-sha256$i=999999999$${salt}$${hash}`,
      `$pbkdf2-sha256$i=${10 * PASSWORD_PBKDF2_ITERATIONS + 1}$${salt}$${hash}`,
      `$pbkdf2-sha512$i=1000$${salt}$${hash}`,
      `$pbkdf2-sha256$i=1000$${salt}$${hash}$`,
      `$pbkdf2-sha256$i=1000$${salt}`,
      `$pbkdf2-sha256$i=1000$AAAA$${hash}`,
      `$pbkdf2-sha256$i=1000$${salt}$${"A".repeat(200)}`,
      ` ${good}`,
    ]) {
      expect(parseHash(stored), stored).toBeUndefined();
      expect(await verifyPassword(PASSWORD, stored), stored).toEqual({ ok: false, rehash: false });
    }
  });

  it("bounds the password: over the limit never matches, and hashPassword refuses it", async () => {
    const longest = `Aa1${"x".repeat(PASSWORD_MAX_LENGTH - 3)}`;
    const stored = await hashPassword(longest);
    expect((await verifyPassword(longest, stored)).ok).toBe(true);
    // One more character, or a megabyte more: the first PASSWORD_MAX_LENGTH are right, still no.
    expect((await verifyPassword(`${longest}x`, stored)).ok).toBe(false);
    expect((await verifyPassword(`${longest}${"x".repeat(1024 * 1024)}`, stored)).ok).toBe(false);
    await expect(hashPassword(`${longest}x`)).rejects.toThrow(RangeError);
  });

  it("refuses NUL and unpaired surrogates, which HMAC padding and UTF-8 would make equal to other passwords", async () => {
    const stored = await hashPassword(PASSWORD);
    // Without the guard, HMAC's zero padding makes these two the same key (RFC 2104 §2).
    expect((await verifyPassword(`${PASSWORD}\u0000`, stored)).ok).toBe(false);
    expect((await verifyPassword(`${PASSWORD}\u0000\u0000`, stored)).ok).toBe(false);
    const replaced = await hashPassword(`${PASSWORD}\uFFFD`);
    expect((await verifyPassword(`${PASSWORD}\uD800`, replaced)).ok).toBe(false);
    await expect(hashPassword(`${PASSWORD}\u0000`)).rejects.toThrow(RangeError);
    await expect(hashPassword(`${PASSWORD}\uDC00`)).rejects.toThrow(RangeError);
  });
});

describe("bounds and the dummy hash", () => {
  it("passwordTooLong counts code points, cheaply", () => {
    expect(passwordTooLong("x".repeat(PASSWORD_MAX_LENGTH))).toBe(false);
    expect(passwordTooLong("x".repeat(PASSWORD_MAX_LENGTH + 1))).toBe(true);
    expect(passwordTooLong("😀".repeat(PASSWORD_MAX_LENGTH))).toBe(false);
    expect(passwordTooLong("😀".repeat(PASSWORD_MAX_LENGTH + 1))).toBe(true);
    expect(passwordAmbiguous("Correct-Horse-9")).toBe(false);
  });

  it("the dummy hash is readable, under today's parameters, and matches nothing likely", async () => {
    const parsed = parseHash(DUMMY_PASSWORD_HASH);
    expect(parsed?.iterations).toBe(PASSWORD_HASH.iterations);
    expect(parsed?.salt.length).toBe(PASSWORD_HASH.saltBytes);
    expect(parsed?.hash.length).toBe(PASSWORD_HASH.hashBytes);
    for (const guess of ["", PASSWORD, "password", "Password1"]) {
      expect(await verifyPassword(guess, DUMMY_PASSWORD_HASH)).toEqual({ ok: false, rehash: false });
    }
  });
});
