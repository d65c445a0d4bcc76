/**
 * Bench-only Worker for passwords (bench/lib/passwords.mjs), never deployed: the chosen hash and
 * `checkPassword` exactly as src/directory/ has them, on workerd with a local D1.
 *
 * - `POST /hash?n=`: n × `hashPassword` (the CPU of one hash; the driver reads it from /proc).
 * - `POST /check/{right|wrong|unknown}?n=`: n × `checkPassword`: the right password of the bench
 *   user; a wrong password of the seeded users in turn (each failure counted, none put back: a
 *   user reaches the lockout threshold only after `users × (threshold − 1)` calls, and no statement
 *   the sign-in does not run is timed); a login nobody has, a new one each call.
 * - `POST /d1/{lookup|count-failure|count-unattributed|signed-in}?n=`: `checkPassword`'s statements
 *   alone, n times in a row, answering the mean wall time per statement (workerd's clock advances
 *   across I/O, which is what a D1 call is). The two failure counts are the one batch every refusal
 *   runs: for a user whose count takes it, and for a login that names nobody.
 * - `POST /seed?users=`: that many users, one of them `bench@example.com` with a real hash.
 */
import { PASSWORD_LOCKOUT_ATTEMPTS } from "../src/config/defaults";
import { hashPassword } from "../src/directory/password-hash";
import { checkPassword, failureBucket, SIGN_IN_SQL } from "../src/directory/sign-in";

interface BenchEnv {
  DIRECTORY: D1Database;
}

const LOGIN = "bench@example.com";
const PASSWORD = "Correct-Horse-9";
const USER_ID = "00ubench000000000000";

/** The seeded users' count (`/seed`) and the next one a wrong password goes to; per isolate. */
let seededUsers = 1;
let nextWrong = 0;
let nextUnknown = 0;

/** A seeded user's login, in turn: `/seed` makes user1 … user{users − 1} with the bench password. */
function nextWrongLogin(): string {
  nextWrong = (nextWrong % Math.max(seededUsers - 1, 1)) + 1;
  return `user${nextWrong}@example.com`;
}
export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    const db = env.DIRECTORY;
    const [, first, second] = url.pathname.split("/");
    const n = Math.min(Math.max(Number(url.searchParams.get("n") ?? 1), 1), 1000);
    if (first === "hash") {
      for (let i = 0; i < n; i++) await hashPassword(PASSWORD);
      return new Response(null, { status: 204 });
    }
    if (first === "seed") return Response.json(await seed(db, Number(url.searchParams.get("users") ?? 1000)));
    if (first === "check") {
      for (let i = 0; i < n; i++) {
        const login =
          second === "wrong"
            ? nextWrongLogin()
            : second === "unknown"
              ? `nobody-${nextUnknown++}@example.com`
              : LOGIN;
        const password = second === "wrong" ? "Wrong-Horse-9" : PASSWORD;
        const result = await checkPassword(db, login, password, Date.now());
        if (result.ok !== (second === "right")) return new Response(JSON.stringify(result), { status: 500 });
      }
      return new Response(null, { status: 204 });
    }
    if (first === "d1") {
      const hash = await db
        .prepare("SELECT password_hash FROM users WHERE id = ?")
        .bind(USER_ID)
        .first<string>("password_hash");
      const statement = {
        lookup: () => db.prepare(SIGN_IN_SQL.lookup).bind(LOGIN).first(),
        // A threshold out of reach, so the user stays ACTIVE however many times it runs.
        "count-failure": () => failureBatch(db, LOGIN, USER_ID),
        "count-unattributed": () => failureBatch(db, `nobody-${nextUnknown++}@example.com`, ""),
        "signed-in": () => db.prepare(SIGN_IN_SQL.signedIn).bind(USER_ID, Date.now(), null, hash).first(),
      }[second ?? ""];
      if (!statement) return new Response("unknown statement", { status: 404 });
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        if (!(await statement())) return new Response(`${second} returned no row`, { status: 500 });
      }
      return Response.json({ meanMs: (performance.now() - started) / n });
    }
    return new Response("not found", { status: 404 });
  },
};

/** `users` users (realistic index depth for the lookup), the bench user among them. */
/**
 * The batch `checkPassword` runs on a refusal (src/directory/sign-in.ts `countFailure`), with a
 * threshold out of reach so the user stays ACTIVE however many times it runs; answers a row count
 * that is never 0 (the bench's check that it ran).
 */
async function failureBatch(db: D1Database, login: string, userId: string): Promise<number> {
  const now = Date.now();
  const results = await db.batch([
    db.prepare(SIGN_IN_SQL.countUnattributed).bind(failureBucket(login), now, userId),
    db.prepare(SIGN_IN_SQL.countFailure).bind(userId, PASSWORD_LOCKOUT_ATTEMPTS * 1e9, now),
  ]);
  return results.length;
}

async function seed(db: D1Database, users: number): Promise<{ users: number }> {
  seededUsers = users;
  const hash = await hashPassword(PASSWORD);
  const insert =
    "INSERT INTO users (id, status, profile, password_hash, created, last_updated) VALUES (?, 'ACTIVE', ?, ?, 0, 0)";
  await db
    .prepare(insert)
    .bind(USER_ID, JSON.stringify({ login: LOGIN, email: LOGIN }), hash)
    .run();
  for (let start = 1; start < users; start += 50) {
    const batch = [];
    for (let i = start; i < Math.min(start + 50, users); i++) {
      const login = `user${i}@example.com`;
      batch.push(
        db
          .prepare(insert)
          .bind(`00ubench${String(i).padStart(12, "0")}`, JSON.stringify({ login, email: login }), hash),
      );
    }
    await db.batch(batch);
  }
  return { users };
}
