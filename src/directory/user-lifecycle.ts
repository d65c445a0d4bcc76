/**
 * Okta's user lifecycle operations (`POST /api/v1/users/{id}/lifecycle/{action}`, Okta Management
 * API "User Lifecycle"): which statuses each starts from, where it leads, and Okta's error for any
 * other status. Pure: the store applies a transition as one conditional UPDATE (src/directory/users.ts).
 *
 * - activate: STAGED or DEPROVISIONED → ACTIVE with a password, PROVISIONED (pending the user's own
 *   activation) without one; other statuses 403 E0000016.
 * - deactivate: any status but DEPROVISIONED → DEPROVISIONED; a deprovisioned user 403 E0000038.
 * - suspend: ACTIVE → SUSPENDED; other statuses 400 E0000001 "Cannot suspend a user that is not active".
 * - unsuspend: SUSPENDED → ACTIVE; other statuses 400 E0000001.
 * - unlock: LOCKED_OUT → ACTIVE, and an ACTIVE user's failure count cleared (Okta also unlocks an
 *   ACTIVE user); other statuses 403 E0000032 "Unlock is not allowed for this user."
 */
import { ApiError } from "../errors";
import type { UserStatus } from "./directory";

export const LIFECYCLE_ACTIONS = ["activate", "deactivate", "suspend", "unsuspend", "unlock"] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** A status change the store makes in one statement, guarded by `from`. */
export interface Transition {
  /** The statuses the user must be in when the write happens (compare-and-set). */
  from: readonly UserStatus[];
  to: UserStatus;
  /** Sets `activated` (activation) and clears the failed-password count (unlock). */
  activates?: boolean;
  clearsFailures?: boolean;
}

/** The transition `action` makes from `status`, or Okta's error for a user in that status. */
export function transition(
  action: LifecycleAction,
  user: { status: UserStatus; hasPassword: boolean },
): Transition {
  const { status } = user;
  switch (action) {
    case "activate": {
      const from = ["STAGED", "DEPROVISIONED"] as const;
      if (!(from as readonly UserStatus[]).includes(status)) {
        throw new ApiError("E0000016", "Activation failed because the user is already active");
      }
      return { from: [status], to: user.hasPassword ? "ACTIVE" : "PROVISIONED", activates: true };
    }
    case "deactivate":
      if (status === "DEPROVISIONED") throw notInStatus("The user is already deactivated.");
      return { from: [status], to: "DEPROVISIONED" };
    case "suspend":
      if (status !== "ACTIVE") throw invalidFor("Cannot suspend a user that is not active");
      return { from: ["ACTIVE"], to: "SUSPENDED" };
    case "unsuspend":
      if (status !== "SUSPENDED") throw invalidFor("Cannot unsuspend a user that is not suspended");
      return { from: ["SUSPENDED"], to: "ACTIVE" };
    case "unlock":
      if (status !== "LOCKED_OUT" && status !== "ACTIVE") {
        throw new ApiError("E0000032", "Unlock is not allowed for this user.", [
          { errorSummary: "The user is not locked out." },
        ]);
      }
      return { from: [status], to: "ACTIVE", clearsFailures: true };
  }
}

/** Okta's answer to a user asked to deactivate or delete in the wrong status. */
export function notInStatus(cause: string): ApiError {
  return new ApiError("E0000038", "This operation is not allowed in the user's current status.", [
    { errorSummary: cause },
  ]);
}

function invalidFor(cause: string): ApiError {
  return new ApiError("E0000001", `Api validation failed: ${cause}`, [{ errorSummary: cause }]);
}
