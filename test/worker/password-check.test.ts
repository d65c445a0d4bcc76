/**
 * `checkPassword` (src/directory/sign-in.ts) against real D1: lookup by login without regard to
 * case, lockout counted atomically (twenty concurrent failures end with exactly the threshold),
 * statuses, rehash of weaker hashes on success, and the same hashing work on every refusal (no user
 * enumeration by timing) counted through WebCrypto's own `deriveBits`. Users are inserted by SQL.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  PASSWORD_LOCKOUT_ATTEMPTS,
  PASSWORD_PBKDF2_ITERATIONS,
  SIGN_IN_FAILURE_BUCKETS,
} from "../../src/config/defaults";
import type { UserStatus } from "../../src/directory/directory";
import { hashPassword, verifyPassword } from "../../src/directory/password-hash";
import { checkPassword, failureBucket } from "../../src/directory/sign-in";
import { loginKey } from "../../src/directory/user-profile";
import type { Env } from "../../src/env";
import { uniqueId } from "./helpers";

const db = (env as Env).DIRECTORY;
const PASSWORD = "Correct-Horse-9";
const NOW = Date.UTC(2026, 0, 15, 12);

/** One hash of PASSWORD for the file: each costs ~70 ms of CPU. */
const storedHash = hashPassword(PASSWORD);

interface Seed {
  status?: UserStatus;
  hash?: string | null;
  failedAttempts?: number;
}

/** A user row as the Users API would write it; returns its id and login. */
async function seedUser(seed: Seed = {}): Promise<{ id: string; login: string }> {
  const id = `00u${uniqueId("p").replace(/[^a-z0-9]/gi, "")}`.slice(0, 20);
  const login = `${uniqueId("user")}@example.com`;
  const hash = seed.hash === undefined ? await storedHash : seed.hash;
  await db
    .prepare(
      `INSERT INTO users (id, status, profile, password_hash, failed_attempts, created, last_updated)
       VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)`,
    )
    .bind(
      id,
      seed.status ?? "ACTIVE",
      JSON.stringify({ login, email: login, firstName: "Ada", lastName: "Lovelace" }),
      hash,
      seed.failedAttempts ?? 0,
    )
    .run();
  return { id, login };
}

async function row(id: string) {
  return db
    .prepare(
      "SELECT status, failed_attempts, last_login, status_changed, password_hash FROM users WHERE id = ?",
    )
    .bind(id)
    .first<{
      status: UserStatus;
      failed_attempts: number;
      last_login: number | null;
      status_changed: number | null;
      password_hash: string | null;
    }>();
}

/** The PBKDF2 iterations of every `deriveBits` call `run` makes: the hashing work it does. */
async function hashWork(run: () => Promise<unknown>): Promise<number[]> {
  const spy = vi.spyOn(crypto.subtle, "deriveBits");
  try {
    await run();
    return spy.mock.calls.map(([params]) => (params as { iterations: number }).iterations);
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The failures counted in `login`'s bucket of sign_in_failures (0 for a bucket never used). */
async function bucketCount(login: string): Promise<number> {
  const bucket = await db
    .prepare("SELECT failed_attempts FROM sign_in_failures WHERE bucket = ?")
    .bind(failureBucket(loginKey(login)))
    .first<{ failed_attempts: number }>();
  return bucket?.failed_attempts ?? 0;
}

describe("checkPassword: the right password", () => {
  it("signs an ACTIVE user in, clears the failure count and records last_login", async () => {
    const user = await seedUser({ failedAttempts: 7 });
    const result = await checkPassword(db, user.login, PASSWORD, NOW);
    expect(result).toEqual({
      ok: true,
      user: {
        id: user.id,
        status: "ACTIVE",
        profile: { login: user.login, email: user.login, firstName: "Ada", lastName: "Lovelace" },
      },
    });
    const after = await row(user.id);
    expect(after?.failed_attempts).toBe(0);
    expect(after?.last_login).toBe(NOW);
  });

  it("finds the login without regard to case", async () => {
    const user = await seedUser();
    const result = await checkPassword(db, user.login.toUpperCase(), PASSWORD, NOW);
    expect(result.ok).toBe(true);
  });

  it("rehashes a hash made under fewer iterations, in the same statement as the sign-in", async () => {
    const weak = await pbkdf2Phc(PASSWORD, 100_000);
    const user = await seedUser({ hash: weak });
    const result = await checkPassword(db, user.login, PASSWORD, NOW);
    expect(result.ok).toBe(true);
    const stored = (await row(user.id))?.password_hash ?? "";
    expect(stored).toMatch(new RegExp(`^\\$pbkdf2-sha256\\$i=${PASSWORD_PBKDF2_ITERATIONS}\\$`));
    expect(await verifyPassword(PASSWORD, stored)).toEqual({ ok: true, rehash: false });
    // And the next sign-in verifies against the new hash, without rehashing again.
    const work = await hashWork(() => checkPassword(db, user.login, PASSWORD, NOW + 1));
    expect(work).toEqual([PASSWORD_PBKDF2_ITERATIONS]);
  });
});

describe("checkPassword: refusals", () => {
  it("a wrong password adds one to the count and says nothing else", async () => {
    const user = await seedUser({ failedAttempts: 2 });
    const result = await checkPassword(db, user.login, "Wrong-Horse-9", NOW);
    expect(result).toEqual({ ok: false, reason: "wrong_password", userId: user.id });
    expect((await row(user.id))?.failed_attempts).toBe(3);
    expect((await row(user.id))?.last_login).toBeNull();
  });

  it("an unknown login and a user without a password are refused", async () => {
    expect(await checkPassword(db, "nobody-here@example.com", PASSWORD, NOW)).toEqual({
      ok: false,
      reason: "unknown_user",
    });
    const user = await seedUser({ hash: null });
    expect(await checkPassword(db, user.login, PASSWORD, NOW)).toEqual({
      ok: false,
      reason: "no_password",
      userId: user.id,
    });
    expect((await row(user.id))?.failed_attempts).toBe(0);
  });

  const refused: [UserStatus, string][] = [
    ["LOCKED_OUT", "locked_out"],
    ["SUSPENDED", "suspended"],
    ["STAGED", "not_active"],
    ["PROVISIONED", "not_active"],
    ["RECOVERY", "not_active"],
    ["DEPROVISIONED", "not_active"],
    ["PASSWORD_EXPIRED", "password_expired"],
  ];
  it.each(refused)(
    "a %s user is refused with the right password (%s), and nothing is written",
    async (status, reason) => {
      const user = await seedUser({ status, failedAttempts: 1 });
      const before = await row(user.id);
      expect(await checkPassword(db, user.login, PASSWORD, NOW)).toEqual({
        ok: false,
        reason,
        userId: user.id,
      });
      expect(await row(user.id)).toEqual(before);
    },
  );

  it("a PASSWORD_EXPIRED user's wrong passwords count towards lockout", async () => {
    const user = await seedUser({
      status: "PASSWORD_EXPIRED",
      failedAttempts: PASSWORD_LOCKOUT_ATTEMPTS - 1,
    });
    const result = await checkPassword(db, user.login, "Wrong-Horse-9", NOW);
    expect(result).toEqual({ ok: false, reason: "wrong_password", userId: user.id, lockedNow: true });
    expect((await row(user.id))?.status).toBe("LOCKED_OUT");
  });

  it("a suspended user's wrong password is not counted", async () => {
    const user = await seedUser({ status: "SUSPENDED" });
    expect((await checkPassword(db, user.login, "Wrong-Horse-9", NOW)).ok).toBe(false);
    expect((await row(user.id))?.failed_attempts).toBe(0);
  });
});

describe("checkPassword: lockout", () => {
  it(`locks the user at the ${PASSWORD_LOCKOUT_ATTEMPTS}th consecutive failure, then refuses the right password`, async () => {
    const user = await seedUser();
    for (let i = 1; i < PASSWORD_LOCKOUT_ATTEMPTS; i++) {
      const result = await checkPassword(db, user.login, `Wrong-${i}`, NOW);
      expect(result).toEqual({ ok: false, reason: "wrong_password", userId: user.id });
    }
    expect(await row(user.id)).toMatchObject({
      status: "ACTIVE",
      failed_attempts: PASSWORD_LOCKOUT_ATTEMPTS - 1,
    });
    const locking = await checkPassword(db, user.login, "Wrong-last", NOW + 5);
    expect(locking).toEqual({ ok: false, reason: "wrong_password", userId: user.id, lockedNow: true });
    expect(await row(user.id)).toMatchObject({
      status: "LOCKED_OUT",
      failed_attempts: PASSWORD_LOCKOUT_ATTEMPTS,
      status_changed: NOW + 5,
    });
    expect(await checkPassword(db, user.login, PASSWORD, NOW + 6)).toEqual({
      ok: false,
      reason: "locked_out",
      userId: user.id,
    });
  });

  it("a success between failures starts the count again", async () => {
    const user = await seedUser({ failedAttempts: PASSWORD_LOCKOUT_ATTEMPTS - 1 });
    expect((await checkPassword(db, user.login, PASSWORD, NOW)).ok).toBe(true);
    expect((await checkPassword(db, user.login, "Wrong-Horse-9", NOW)).ok).toBe(false);
    expect(await row(user.id)).toMatchObject({ status: "ACTIVE", failed_attempts: 1 });
  });

  it("twenty concurrent wrong passwords end at exactly the threshold, LOCKED_OUT, locked by exactly one call", async () => {
    const user = await seedUser();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => checkPassword(db, user.login, `Wrong-${i}`, NOW)),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    const lockers = results.filter((r) => !r.ok && r.lockedNow === true);
    expect(lockers).toHaveLength(1);
    expect(await row(user.id)).toMatchObject({
      status: "LOCKED_OUT",
      failed_attempts: PASSWORD_LOCKOUT_ATTEMPTS,
    });
  });

  it("concurrent failures and the right password: the count never passes the threshold and a locked user never signs in", async () => {
    const user = await seedUser({ failedAttempts: PASSWORD_LOCKOUT_ATTEMPTS - 3 });
    const results = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => checkPassword(db, user.login, `Wrong-${i}`, NOW)),
      checkPassword(db, user.login, PASSWORD, NOW),
    ]);
    const after = await row(user.id);
    const success = results.at(-1);
    expect(after?.failed_attempts).toBeLessThanOrEqual(PASSWORD_LOCKOUT_ATTEMPTS);
    if (after?.status === "LOCKED_OUT") expect(after.failed_attempts).toBe(PASSWORD_LOCKOUT_ATTEMPTS);
    if (success?.ok) expect(after?.last_login).toBe(NOW);
    else expect(after?.last_login).toBeNull();
  });
});

describe("checkPassword: the same work whoever asks (no enumeration by timing)", () => {
  it("unknown login, no password, wrong password, locked, suspended, inactive: one hash at the current cost each", async () => {
    const noPassword = await seedUser({ hash: null });
    const active = await seedUser();
    const locked = await seedUser({ status: "LOCKED_OUT" });
    const suspended = await seedUser({ status: "SUSPENDED" });
    const staged = await seedUser({ status: "STAGED" });
    const cases: [string, string][] = [
      ["unknown-login@example.com", PASSWORD],
      [noPassword.login, PASSWORD],
      [active.login, "Wrong-Horse-9"],
      [locked.login, PASSWORD],
      [suspended.login, "Wrong-Horse-9"],
      [staged.login, PASSWORD],
    ];
    for (const [login, password] of cases) {
      expect(await hashWork(() => checkPassword(db, login, password, NOW)), login).toEqual([
        PASSWORD_PBKDF2_ITERATIONS,
      ]);
    }
  });

  it("a planted hash asking for absurd iterations is unreadable, costs one ordinary hash and never matches", async () => {
    const planted = `$pbkdf2-sha256$i=999999999$${"A".repeat(22)}$${"A".repeat(43)}`;
    const user = await seedUser({ hash: planted });
    const work = await hashWork(() => checkPassword(db, user.login, PASSWORD, NOW));
    expect(work).toEqual([PASSWORD_PBKDF2_ITERATIONS]);
  });
});

describe("checkPassword: failures no user's counter takes go to the login's bucket", () => {
  it("an unknown login, a user without a password and a locked user each add one to their login's bucket, and to no user", async () => {
    const unknown = `${uniqueId("nobody")}@example.com`;
    const noPassword = await seedUser({ hash: null });
    const locked = await seedUser({ status: "LOCKED_OUT", failedAttempts: PASSWORD_LOCKOUT_ATTEMPTS });
    for (const [login, password] of [
      [unknown, PASSWORD],
      [noPassword.login, PASSWORD],
      [locked.login, PASSWORD],
    ] as const) {
      const before = await bucketCount(login);
      expect((await checkPassword(db, login, password, NOW)).ok, login).toBe(false);
      expect(await bucketCount(login), login).toBe(before + 1);
    }
    expect((await row(noPassword.id))?.failed_attempts).toBe(0);
    expect((await row(locked.id))?.failed_attempts).toBe(PASSWORD_LOCKOUT_ATTEMPTS);
  });

  it("a wrong password that the user's count takes leaves the bucket alone; the right one writes no failure", async () => {
    const user = await seedUser();
    const before = await bucketCount(user.login);
    expect((await checkPassword(db, user.login, "Wrong-Horse-9", NOW)).ok).toBe(false);
    expect((await checkPassword(db, user.login, PASSWORD, NOW)).ok).toBe(true);
    expect(await bucketCount(user.login)).toBe(before);
  });

  it("twenty concurrent wrong passwords: each is counted exactly once, ten on the user and the rest in the bucket once it is locked", async () => {
    const user = await seedUser();
    const before = await bucketCount(user.login);
    await Promise.all(Array.from({ length: 20 }, (_, i) => checkPassword(db, user.login, `Wrong-${i}`, NOW)));
    expect(await row(user.id)).toMatchObject({
      status: "LOCKED_OUT",
      failed_attempts: PASSWORD_LOCKOUT_ATTEMPTS,
    });
    expect(await bucketCount(user.login)).toBe(before + 20 - PASSWORD_LOCKOUT_ATTEMPTS);
  });

  it("the table stays bounded whatever logins are tried: every key, however long or strange, has a bucket in range", () => {
    const keys = [
      "",
      "x".repeat(1024 * 1024),
      "\uD800",
      "\u0000",
      "' OR 1=1 --",
      ...Array.from({ length: 5000 }, (_, i) => `guess-${i}@example.com`),
    ];
    const buckets = new Set<number>();
    for (const key of keys) {
      const bucket = failureBucket(key);
      expect(
        Number.isInteger(bucket) && bucket >= 0 && bucket < SIGN_IN_FAILURE_BUCKETS,
        key.slice(0, 20),
      ).toBe(true);
      buckets.add(bucket);
    }
    // Spread over the buckets rather than piled into a few (5,000 keys into 1,024 buckets).
    expect(buckets.size).toBeGreaterThan(SIGN_IN_FAILURE_BUCKETS * 0.9);
  });
});

describe("checkPassword: hostile input", () => {
  it("SQL in the login is a login like any other", async () => {
    await seedUser();
    for (const login of ["' OR 1=1 --", "x' OR login_key LIKE '%", '"; DROP TABLE users; --', "%", "_"]) {
      expect(await checkPassword(db, login, PASSWORD, NOW)).toEqual({ ok: false, reason: "unknown_user" });
    }
    expect(await db.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>()).toMatchObject({
      n: expect.any(Number),
    });
  });

  it("a 1 MB password costs one ordinary hash and fails, even when it starts with the right password", async () => {
    const user = await seedUser();
    const huge = PASSWORD + "x".repeat(1024 * 1024);
    const work = await hashWork(() => checkPassword(db, user.login, huge, NOW));
    expect(work).toEqual([PASSWORD_PBKDF2_ITERATIONS]);
    expect(await row(user.id)).toMatchObject({ failed_attempts: 1 });
  });

  it("a login or password with unpaired surrogates or NUL is refused, not thrown", async () => {
    const user = await seedUser();
    expect(await checkPassword(db, `${user.login}\uD800`, PASSWORD, NOW), "login surrogate").toMatchObject({
      ok: false,
    });
    expect(await checkPassword(db, user.login, `${PASSWORD}\uDC00`, NOW), "password surrogate").toMatchObject(
      { ok: false },
    );
    expect(await checkPassword(db, `${user.login}\u0000`, PASSWORD, NOW), "login NUL").toMatchObject({
      ok: false,
    });
    expect(await checkPassword(db, user.login, `${PASSWORD}\u0000`, NOW), "password NUL").toMatchObject({
      ok: false,
    });
  });
});

/** A PBKDF2 PHC string under `iterations`, as an older Warden would have written it. */
async function pbkdf2Phc(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    256,
  );
  const b64 = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  return `$pbkdf2-sha256$i=${iterations}$${b64(salt)}$${b64(new Uint8Array(bits))}`;
}
