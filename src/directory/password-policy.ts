/**
 * The password policy: Okta's default password policy (Security → Authenticators → Password):
 * at least 8 characters, a lowercase letter, an uppercase letter, a number, no part of the
 * username; symbols and first / last name exclusion off. Pure; the rules come from
 * src/config/defaults.ts.
 *
 * A password that fails is refused with Okta's answer (Users API, create or set a password):
 * 400 E0000001 "Api validation failed: password", one cause
 * "password: Password requirements were not met. Password requirements: at least 8 characters, …".
 * Okta's cause lists requirements in that order; Warden lists the ones the password misses, in the
 * same order and words (the issue asks for the failing rule; with every rule failing the two agree).
 */
import {
  PASSWORD_COMPLEXITY,
  PASSWORD_EXCLUDE_ATTRIBUTES,
  PASSWORD_EXCLUDE_USERNAME,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from "../config/defaults";
import { ApiError } from "../errors";
import { passwordAmbiguous, passwordTooLong } from "./password-hash";

export const PASSWORD_POLICY = { minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH } as const;

/**
 * Okta's delimiters for "no parts of your username": the login's local part (before its last `@`;
 * the whole login when it has none) is cut at each, and every part of 3 or more characters must not
 * appear in the password, case-insensitively. The domain is left out: "com" or "example" from
 * `ada@example.com` would refuse "Welcome1" and "Example-9" for a whole organisation.
 */
const USERNAME_DELIMITERS = /[,.\-_#@\s]/;
const MIN_USERNAME_PART = 3;

/** The requirements `password` misses, as Okta words them, in Okta's order; empty when it passes. */
export function passwordPolicyFailures(
  password: string,
  profile: { login?: unknown; firstName?: unknown; lastName?: unknown },
): string[] {
  const failures: string[] = [];
  // Counted as the user counts: code points, not UTF-16 units. The cheap bound first (password-hash.ts).
  const tooLong = passwordTooLong(password);
  const length = tooLong ? Number.POSITIVE_INFINITY : [...password].length;
  if (length < PASSWORD_POLICY.minLength) failures.push(`at least ${PASSWORD_POLICY.minLength} characters`);
  if (PASSWORD_COMPLEXITY.lowercase > 0 && !/\p{Ll}/u.test(password)) failures.push("a lowercase letter");
  if (PASSWORD_COMPLEXITY.uppercase > 0 && !/\p{Lu}/u.test(password)) failures.push("an uppercase letter");
  if (PASSWORD_COMPLEXITY.number > 0 && !/\p{Nd}/u.test(password)) failures.push("a number");
  if (PASSWORD_COMPLEXITY.symbol > 0 && !/[^\p{L}\p{N}]/u.test(password)) failures.push("a symbol");
  const lower = password.toLowerCase();
  if (PASSWORD_EXCLUDE_USERNAME && usernameParts(profile.login).some((part) => lower.includes(part))) {
    failures.push("no parts of your username");
  }
  for (const attribute of PASSWORD_EXCLUDE_ATTRIBUTES) {
    const value = profile[attribute];
    if (typeof value === "string" && value.length > 0 && lower.includes(value.toLowerCase())) {
      failures.push(
        attribute === "firstName" ? "does not include your first name" : "does not include your last name",
      );
    }
  }
  // Warden's own bounds, after Okta's rules: a length the hash takes (password-hash.ts), and no
  // character that would make two passwords hash alike.
  if (tooLong) failures.push(`at most ${PASSWORD_POLICY.maxLength} characters`);
  if (passwordAmbiguous(password)) failures.push("no NUL character or unpaired surrogate");
  return failures;
}

/** Okta's message for a refused password, listing the requirements it missed. */
export function passwordPolicyMessage(failures: readonly string[]): string {
  return `Password requirements were not met. Password requirements: ${failures.join(", ")}.`;
}

/** Okta's whole answer for a refused password, for the Users API to throw: 400 E0000001. */
export function passwordPolicyError(failures: readonly string[]): ApiError {
  return new ApiError("E0000001", "Api validation failed: password", [
    { errorSummary: `password: ${passwordPolicyMessage(failures)}` },
  ]);
}

/** The login's local part cut at Okta's delimiters, lower-cased: the parts of 3+ characters only. */
function usernameParts(login: unknown): string[] {
  if (typeof login !== "string") return [];
  const at = login.lastIndexOf("@");
  return (at > 0 ? login.slice(0, at) : login)
    .toLowerCase()
    .split(USERNAME_DELIMITERS)
    .filter((part) => part.length >= MIN_USERNAME_PART);
}
