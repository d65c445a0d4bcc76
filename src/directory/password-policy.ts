/**
 * The password policy, Okta's default rules: at least 8 characters, a lowercase letter, an uppercase
 * letter, a number, and no part of the username. Pure. A password that fails is refused with 400
 * E0000001 naming every requirement it misses in `errorCauses` (Okta's shape).
 */
export const PASSWORD_POLICY = { minLength: 8, maxLength: 256 } as const;

/** The requirements `password` misses, as Okta words them; empty when it passes. */
export function passwordPolicyFailures(
  password: string,
  profile: { login?: unknown; firstName?: unknown; lastName?: unknown },
): string[] {
  const failures: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_POLICY.minLength) failures.push(`at least ${PASSWORD_POLICY.minLength} characters`);
  if (length > PASSWORD_POLICY.maxLength) failures.push(`at most ${PASSWORD_POLICY.maxLength} characters`);
  if (!/\p{Ll}/u.test(password)) failures.push("a lowercase letter");
  if (!/\p{Lu}/u.test(password)) failures.push("an uppercase letter");
  if (!/\p{Nd}/u.test(password)) failures.push("a number");
  if (usernameParts(profile).some((part) => password.toLowerCase().includes(part))) {
    failures.push("no parts of your username");
  }
  return failures;
}

/** Okta's message for a refused password, listing the requirements it missed. */
export function passwordPolicyMessage(failures: readonly string[]): string {
  return `Password requirements were not met. Password requirements: ${failures.join(", ")}.`;
}

/** The login's local part split at punctuation, and the names: pieces of 3+ characters only. */
function usernameParts(profile: { login?: unknown; firstName?: unknown; lastName?: unknown }): string[] {
  const login = typeof profile.login === "string" ? (profile.login.split("@")[0] ?? "") : "";
  const names = [profile.firstName, profile.lastName].filter((n): n is string => typeof n === "string");
  return [...login.split(/[.,\-_#@+\s]/), ...names]
    .map((part) => part.toLowerCase())
    .filter((part) => part.length >= 3);
}
