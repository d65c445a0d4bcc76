/**
 * A user as the group member list (`GET /groups/{id}/users`) and app assignments show it: Okta's
 * User object, built field by field from the row so the password hash and the failure counter never
 * leave D1. `_links.self` is the user's canonical URL: Okta's SDK caches GETs under it.
 * (The Users API's own view, src/directory/user-view.ts on its branch, may replace this one.)
 */
import type { UserStatus } from "./directory";

/** The `users` columns a view needs; never `password_hash` or `failed_attempts` themselves. */
export interface UserRow {
  id: string;
  status: UserStatus;
  transitioning_to_status: string | null;
  profile: string;
  has_password: number;
  created: number;
  activated: number | null;
  status_changed: number | null;
  last_login: number | null;
  last_updated: number;
  password_changed: number | null;
}

export function userColumns(alias: string): string {
  const plain = [
    "id",
    "status",
    "transitioning_to_status",
    "profile",
    "created",
    "activated",
    "status_changed",
    "last_login",
    "last_updated",
    "password_changed",
  ];
  return [...plain.map((c) => `${alias}.${c}`), `${alias}.password_hash IS NOT NULL AS has_password`].join(
    ", ",
  );
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function memberView(row: UserRow, orgUrl: string) {
  return {
    id: row.id,
    status: row.status,
    created: iso(row.created),
    activated: iso(row.activated),
    statusChanged: iso(row.status_changed),
    lastLogin: iso(row.last_login),
    lastUpdated: iso(row.last_updated),
    passwordChanged: iso(row.password_changed),
    transitioningToStatus: row.transitioning_to_status,
    profile: JSON.parse(row.profile) as Record<string, unknown>,
    credentials: {
      // Okta shows that a password is set, never anything about it.
      ...(row.has_password ? { password: {} } : {}),
      provider: { type: "OKTA", name: "OKTA" },
    },
    _links: { self: { href: `${orgUrl}/api/v1/users/${encodeURIComponent(row.id)}` } },
  };
}
