/**
 * What the user grants, Token Preview and claims read from the directory (D1 `DIRECTORY`,
 * migrations/0002_directory.sql), as one narrow port. Only sign-in and admin paths call it: the
 * client_credentials path never does (DESIGN §1).
 */
import type { AdminRoleType } from "../config/admin-roles";

/** Okta's user statuses (Users API). */
export const USER_STATUSES = [
  "STAGED",
  "PROVISIONED",
  "ACTIVE",
  "RECOVERY",
  "LOCKED_OUT",
  "PASSWORD_EXPIRED",
  "SUSPENDED",
  "DEPROVISIONED",
] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** The built-in group every user belongs to (its members are not stored). */
export const EVERYONE_GROUP_ID = "00gEveryone000000000";

/** A user as token issuance sees it: never its password hash or counters. */
export interface DirectoryUser {
  id: string;
  status: UserStatus;
  /** The profile as stored: `login`, `email`, `firstName`, `lastName` and custom attributes. */
  profile: Readonly<Record<string, unknown>> & { readonly login: string };
  /** Epoch ms of the user's `lastUpdated` (OIDC Core §5.1 `updated_at`), where the reader has it. */
  lastUpdated?: number | undefined;
}

export interface DirectoryGroup {
  id: string;
  type: "OKTA_GROUP" | "BUILT_IN";
  /** `name`, `description` and custom attributes. */
  profile: Readonly<Record<string, unknown>> & { readonly name: string };
}

/**
 * The outcome of a password check. The reasons are for the system log and tests only: a client is
 * told `invalid_grant` with one message whatever the reason (no user enumeration).
 */
export type PasswordCheck =
  | { ok: true; user: DirectoryUser }
  | {
      ok: false;
      /**
       * `password_expired` only with the right password (src/directory/lockout.ts): the password
       * grant refuses it, `/api/v1/authn` answers Okta's PASSWORD_EXPIRED state.
       */
      reason:
        | "unknown_user"
        | "wrong_password"
        | "no_password"
        | "locked_out"
        | "suspended"
        | "not_active"
        | "password_expired";
      /** The user, when the login named one (for the log's target); never shown to the client. */
      userId?: string;
      /** Set when this failure locked the account (the log's `user.account.lock`). */
      lockedNow?: boolean;
    };

/** What a user grant needs about its user for one client. */
export interface TokenSubject {
  user: DirectoryUser;
  /** Every group the user is in, Everyone included. */
  groups: readonly DirectoryGroup[];
  /** Okta issues user tokens only to users assigned to the app, directly or through a group. */
  assigned: boolean;
  /** The app user profile (`appuser.*`): the direct assignment's, else the first group assignment's; null when unassigned. */
  appProfile: Readonly<Record<string, unknown>> | null;
  /**
   * The user's admin roles (migrations/0007_admin_roles.sql), whatever its status: the org server
   * grants a user okta.* scopes only within them, and only while the user is ACTIVE. Absent means
   * none (a port that does not read roles can never make anyone an admin).
   */
  adminRoles?: readonly AdminRoleType[];
}

export interface Directory {
  /**
   * Checks `password` for `login` (case-insensitive), counting failures towards lockout and doing
   * the same hashing work whether or not the user exists (no enumeration by timing).
   */
  checkPassword(login: string, password: string, nowMs: number): Promise<PasswordCheck>;
  /** The user `userId` with its groups and its assignment to `clientId`; null when there is no such user. */
  subject(userId: string, clientId: string): Promise<TokenSubject | null>;
}
