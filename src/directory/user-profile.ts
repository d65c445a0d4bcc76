/**
 * A user's profile as the Users API takes it: Okta's base schema (`login`, `email`, `firstName`,
 * `lastName` required; `login` and `email` at most 100 characters, the names at most 50; `login` in
 * the form of an email address, Okta's default) and custom attributes, each a JSON scalar or an
 * array of scalars, under a name the `search` parameter can address. Pure.
 *
 * Warden has no profile schema editor, so custom attributes need no declaration; objects are
 * refused because Okta's profile attributes are never objects and `search` could not reach inside.
 */

import { USER_LOGIN_MAX_LENGTH, USER_NAME_MAX_LENGTH, USER_PROFILE_MAX_BYTES } from "../config/defaults";
import type { ValidationIssue } from "../config/issues";
import { isRecord } from "../http/json-value";

export type ProfileValue = string | number | boolean | readonly (string | number | boolean)[];
export type Profile = Readonly<Record<string, ProfileValue>> & { readonly login: string };

/**
 * An attribute name `search=profile.<name>` can address (the SCIM attribute grammar of
 * src/log/filter.ts), bounded so a name never dominates the profile's size.
 */
export const PROFILE_ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The form in which a login is compared: Unicode NFC, then lower case. The stored `login_key` is
 * SQLite's `lower()` of the stored login, which folds ASCII only; `checkProfile` stores logins in NFC
 * with no upper-case letter outside ASCII, so for every stored login the two agree, and looking a
 * login up by `loginKey` finds it whatever case or normalisation form it is typed in (Okta: a
 * login is unique without regard to case). src/config/rate-limits.ts keys sign-in attempts the same way.
 */
export function loginKey(login: string): string {
  return login.normalize("NFC").toLowerCase();
}

/**
 * A letter outside ASCII that lower-cases to something else (Ü, fullwidth Ａ, İ, KELVIN SIGN …):
 * SQLite's ASCII `lower()` would leave it, so "ÜLI@x" and "üli@x" would both pass the unique index
 * while Okta takes them for one login. Refused rather than folded, so the admin's spelling is kept.
 */
function foldsOutsideAscii(login: string): boolean {
  for (const ch of login) if (ch > "\u007f" && ch.toLowerCase() !== ch) return true;
  return false;
}

/**
 * `__proto__` fits the attribute grammar, but assigning it to an object sets the object's prototype
 * instead of an attribute (zod drops it the same way): it was silently lost. Refused, as every other
 * name a profile cannot hold is.
 */
export const PROTO_KEY_REFUSED = "'__proto__' cannot be an attribute name";

/** Whether `body.profile` (as JSON.parse made it) has an own `__proto__` key. */
export function profileHasProtoKey(body: unknown): boolean {
  return isRecord(body) && isRecord(body.profile) && Object.hasOwn(body.profile, "__proto__");
}

/** Okta's default email pattern is lenient: something, an `@`, something, no spaces. */
const EMAIL_FORM = /^[^\s@]+@[^\s@]+$/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const CONTROL = /[\u0000-\u001f\u007f]/u;

const REQUIRED = ["login", "email", "firstName", "lastName"] as const;

/**
 * The profile to store, or the issues that refuse it (Okta's causes: `login: The field cannot be
 * left blank`…). A `null` attribute is an unset one and is dropped.
 */
export function checkProfile(
  input: unknown,
): { ok: true; profile: Profile } | { ok: false; issues: ValidationIssue[] } {
  if (!isRecord(input)) return { ok: false, issues: [{ path: "profile", message: "must be an object" }] };
  const issues: ValidationIssue[] = [];
  const profile: Record<string, ProfileValue> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === "__proto__") {
      issues.push({ path: "profile", message: PROTO_KEY_REFUSED });
      continue;
    }
    if (!PROFILE_ATTRIBUTE.test(name)) {
      issues.push({
        path: "profile",
        message: `attribute names are letters, digits and _ (at most 64, not starting with a digit): '${name.slice(0, 64)}'`,
      });
      continue;
    }
    if (value === null) continue;
    if (!isProfileValue(value)) {
      issues.push({ path: name, message: "must be a string, number, boolean or an array of them" });
      continue;
    }
    profile[name] = value;
  }
  for (const name of REQUIRED) {
    const value = profile[name];
    if (value === undefined || (typeof value === "string" && value.trim() === "")) {
      issues.push({ path: name, message: "The field cannot be left blank" });
    } else if (typeof value !== "string") {
      issues.push({ path: name, message: "must be a string" });
    }
  }
  const text = (name: string) => (typeof profile[name] === "string" ? (profile[name] as string) : undefined);
  const login = text("login")?.normalize("NFC");
  if (login?.trim()) {
    // Stored in NFC: "ü" typed precomposed or as u + U+0308 is one login (see loginKey).
    profile.login = login;
    if (!EMAIL_FORM.test(login) || CONTROL.test(login)) {
      issues.push({ path: "login", message: "Username must be in the form of an email address" });
    } else if ([...login].length > USER_LOGIN_MAX_LENGTH) {
      issues.push({ path: "login", message: `must be at most ${USER_LOGIN_MAX_LENGTH} characters` });
    } else if (foldsOutsideAscii(login)) {
      issues.push({
        path: "login",
        message:
          "letters outside ASCII must be lower case (a login is unique without regard to case; the user signs in in any case)",
      });
    }
  }
  const email = text("email");
  if (email?.trim()) {
    if (!EMAIL_FORM.test(email) || CONTROL.test(email)) {
      issues.push({ path: "email", message: "Does not match required pattern" });
    } else if ([...email].length > USER_LOGIN_MAX_LENGTH) {
      issues.push({ path: "email", message: `must be at most ${USER_LOGIN_MAX_LENGTH} characters` });
    }
  }
  for (const name of ["firstName", "lastName"]) {
    const value = text(name);
    if (value !== undefined && [...value].length > USER_NAME_MAX_LENGTH) {
      issues.push({ path: name, message: `must be at most ${USER_NAME_MAX_LENGTH} characters` });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const bytes = new TextEncoder().encode(JSON.stringify(profile)).length;
  if (bytes > USER_PROFILE_MAX_BYTES) {
    return {
      ok: false,
      issues: [{ path: "profile", message: `must be at most ${USER_PROFILE_MAX_BYTES} bytes as JSON` }],
    };
  }
  return { ok: true, profile: profile as Profile };
}

/**
 * Okta's partial update: the attributes given replace the stored ones, `null` unsets one, the rest
 * stay (RFC 7396 merge patch over a flat object).
 */
export function mergeProfile(
  stored: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return { ...stored, ...patch };
}

function isProfileValue(value: unknown): value is ProfileValue {
  if (Array.isArray(value)) return value.every(isScalar);
  return isScalar(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}
