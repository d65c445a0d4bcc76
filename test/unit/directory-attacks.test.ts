/**
 * The invariant the directory's login uniqueness rests on (src/directory/user-profile.ts): for every
 * login `checkProfile` accepts, SQLite's ASCII `lower()` — what the unique `login_key` index holds —
 * equals `loginKey`, what sign-in and `GET /users/{login}` look up. Checked over every code point of
 * the Basic Multilingual Plane and the astral planes' letters, so a character whose case folding
 * differs between the two can never be stored.
 */
import { describe, expect, it } from "vitest";
import { checkProfile, loginKey } from "../../src/directory/user-profile";

/** SQLite's built-in lower(): A–Z only (sqlite.org/lang_corefunc.html#lower, without ICU). */
function sqliteLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function accepted(login: string): string | undefined {
  const checked = checkProfile({ login, email: "e@example.test", firstName: "F", lastName: "L" });
  return checked.ok ? checked.profile.login : undefined;
}

describe("login keys", () => {
  it("every accepted login's index key is the key it is looked up by", () => {
    const disagreements: string[] = [];
    let acceptedCount = 0;
    for (let cp = 0x20; cp <= 0x2ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (cp > 0xffff && !/\p{L}/u.test(String.fromCodePoint(cp))) continue;
      const login = accepted(`a${String.fromCodePoint(cp)}Z@example.test`);
      if (login === undefined) continue;
      acceptedCount += 1;
      if (sqliteLower(login) !== loginKey(login)) disagreements.push(cp.toString(16));
    }
    expect(disagreements).toEqual([]);
    // Lower-case letters outside ASCII stay allowed (ü, ß, ı, CJK …): the rule refuses case, not scripts.
    expect(acceptedCount).toBeGreaterThan(50_000);
  });

  it("stores NFC, refuses upper case outside ASCII, keeps ASCII case as given", () => {
    expect(accepted("Ju\u0308rgen@Example.test")).toBe("Jürgen@Example.test");
    expect(accepted("ÜBER@example.test")).toBeUndefined();
    expect(accepted("ｊｏｅ@example.test")).toBe("ｊｏｅ@example.test");
    expect(accepted("ＪＯＥ@example.test")).toBeUndefined();
    expect(loginKey("JU\u0308RGEN@EXAMPLE.test")).toBe("jürgen@example.test");
  });

  it("__proto__ is refused as an attribute name; constructor is kept", () => {
    const base = { login: "p@example.test", email: "p@example.test", firstName: "P", lastName: "Q" };
    const hostile = JSON.parse(`{"__proto__":["x"],"constructor":"c"}`) as Record<string, unknown>;
    const checked = checkProfile({ ...base, ...hostile });
    expect(checked.ok).toBe(false);
    expect(checkProfile({ ...base, constructor: "c" })).toMatchObject({
      ok: true,
      profile: { constructor: "c" },
    });
  });
});
