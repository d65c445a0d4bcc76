/**
 * A user in Okta's JSON (Management API "User" object), built field by field from a `UserRecord`,
 * which holds no hash, so nothing secret can slip out. `credentials.password` is `{}` when the user
 * has a password (Okta never echoes it), absent otherwise; `_links.self.href` is exactly
 * `${orgUrl}/api/v1/users/${id}`, which Okta's SDKs use as their cache key; the lifecycle links are
 * the operations the user's current status allows (src/directory/user-lifecycle.ts).
 */
import type { UserStatus } from "./directory";
import type { UserRecord } from "./users";

export function userView(user: UserRecord, orgUrl: string) {
  const self = `${orgUrl}/api/v1/users/${user.id}`;
  return {
    id: user.id,
    status: user.status,
    ...(user.transitioningToStatus ? { transitioningToStatus: user.transitioningToStatus } : {}),
    created: iso(user.created),
    activated: isoOrNull(user.activated),
    statusChanged: isoOrNull(user.statusChanged),
    lastLogin: isoOrNull(user.lastLogin),
    lastUpdated: iso(user.lastUpdated),
    passwordChanged: isoOrNull(user.passwordChanged),
    profile: user.profile,
    credentials: {
      ...(user.hasPassword ? { password: {} } : {}),
      provider: { type: "OKTA", name: "OKTA" },
    },
    _links: { self: { href: self }, ...lifecycleLinks(self, user.status) },
  };
}

/** Okta's user links name the method instead of HAL hints: `{href, method: "POST"}`. */
function lifecycleLinks(self: string, status: UserStatus) {
  const link = (action: string) => ({ href: `${self}/lifecycle/${action}`, method: "POST" as const });
  return {
    ...(status === "STAGED" || status === "DEPROVISIONED" ? { activate: link("activate") } : {}),
    ...(status !== "DEPROVISIONED" ? { deactivate: link("deactivate") } : {}),
    ...(status === "ACTIVE" ? { suspend: link("suspend") } : {}),
    ...(status === "SUSPENDED" ? { unsuspend: link("unsuspend") } : {}),
    ...(status === "LOCKED_OUT" ? { unlock: link("unlock") } : {}),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
