/**
 * Who may sign in with a password, by Okta user status. Pure; src/directory/sign-in.ts applies it
 * after hashing (every path costs one hash) and counts failures in D1.
 *
 * - ACTIVE signs in.
 * - PASSWORD_EXPIRED: refused, as Okta's password grant refuses it. The grant has no step in which
 *   the user could choose a new password, so a token would walk past the expiry the admin set; the
 *   reason `password_expired` is given only with the right password (so `/api/v1/authn` can answer
 *   Okta's PASSWORD_EXPIRED state), and a wrong one counts towards lockout like an ACTIVE user's.
 * - LOCKED_OUT: refused even with the right password, until an admin unlocks (Okta's default
 *   policy has no automatic unlock).
 * - SUSPENDED: refused (`suspended`), until unsuspended.
 * - STAGED, PROVISIONED (not yet activated or no password chosen), RECOVERY (a reset in progress),
 *   DEPROVISIONED: refused (`not_active`).
 */
import type { PasswordCheck, UserStatus } from "./directory";

type Refusal = Extract<PasswordCheck, { ok: false }>["reason"];

/** Why a user in `status` may not sign in; undefined when the password decides (ACTIVE, or PASSWORD_EXPIRED with a wrong one). */
export function signInRefusal(status: UserStatus, passwordOk: boolean): Refusal | undefined {
  switch (status) {
    case "ACTIVE":
      return undefined;
    case "PASSWORD_EXPIRED":
      return passwordOk ? "password_expired" : undefined;
    case "LOCKED_OUT":
      return "locked_out";
    case "SUSPENDED":
      return "suspended";
    case "STAGED":
    case "PROVISIONED":
    case "RECOVERY":
    case "DEPROVISIONED":
      return "not_active";
  }
}
