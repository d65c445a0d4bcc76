/**
 * A group as Okta's Groups API shows it (Group object): `objectClass: ["okta:user_group"]`, times as
 * ISO 8601, and Okta's `_links` (logo, users, apps) plus `self`, the canonical URL Okta's SDK caches
 * GETs under. Built field by field from the stored group.
 */
import type { StoredGroup } from "./groups";

const iso = (ms: number) => new Date(ms).toISOString();

export function groupUrl(orgUrl: string, groupId: string): string {
  return `${orgUrl}/api/v1/groups/${encodeURIComponent(groupId)}`;
}

export function groupView(group: StoredGroup, orgUrl: string) {
  const self = groupUrl(orgUrl, group.id);
  const logo = (size: "medium" | "large") => ({
    name: size,
    href: `${orgUrl}/assets/img/logos/groups/okta-${size}.png`,
    type: "image/png",
  });
  return {
    id: group.id,
    created: iso(group.created),
    lastUpdated: iso(group.lastUpdated),
    lastMembershipUpdated: iso(group.lastMembershipUpdated),
    objectClass: ["okta:user_group"],
    type: group.type,
    profile: group.profile,
    _links: {
      logo: [logo("medium"), logo("large")],
      users: { href: `${self}/users` },
      apps: { href: `${self}/apps` },
      self: { href: self },
    },
  };
}
