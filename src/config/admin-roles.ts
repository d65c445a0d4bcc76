/**
 * Okta's standard admin roles that Warden knows, and what each gives: the rights (okta.* scopes) a
 * directory user holds through its role assignments. Pure. Roles add up (Okta: a user's permissions
 * are the union of its roles'); only an ACTIVE user holds any (a suspended or deactivated admin has
 * none: README "Admin roles").
 *
 * - SUPER_ADMIN ("Super Administrator"): everything, as Okta's super admin.
 * - READ_ONLY_ADMIN ("Read-Only Administrator"): every `okta.*.read` scope, and no write whatever a
 *   token asks for.
 *
 * A module without zod (like okta-scopes.ts), so the org server can read it on the token path.
 */
import { OKTA_SCOPES } from "./okta-scopes";

type OktaScope = (typeof OKTA_SCOPES)[number];

export const ADMIN_ROLE_TYPES = ["SUPER_ADMIN", "READ_ONLY_ADMIN"] as const;
export type AdminRoleType = (typeof ADMIN_ROLE_TYPES)[number];

/** Okta's `label` of each standard role, as its Role Assignment API answers it. */
export const ADMIN_ROLE_LABELS: Record<AdminRoleType, string> = {
  SUPER_ADMIN: "Super Administrator",
  READ_ONLY_ADMIN: "Read-Only Administrator",
};

const READ_SCOPES: readonly OktaScope[] = OKTA_SCOPES.filter((s) => s.endsWith(".read"));

/** The okta.* scopes one role gives, in OKTA_SCOPES order. */
export function rightsOfRole(role: AdminRoleType): readonly OktaScope[] {
  switch (role) {
    case "SUPER_ADMIN":
      return OKTA_SCOPES;
    case "READ_ONLY_ADMIN":
      return READ_SCOPES;
  }
}

/** The union of what `roles` give, each scope once, in OKTA_SCOPES order; none for no role. */
export function rightsOfRoles(roles: Iterable<AdminRoleType>): OktaScope[] {
  const held = new Set<OktaScope>();
  for (const role of roles) for (const scope of rightsOfRole(role)) held.add(scope);
  return OKTA_SCOPES.filter((s) => held.has(s));
}

export function isAdminRoleType(value: unknown): value is AdminRoleType {
  return typeof value === "string" && (ADMIN_ROLE_TYPES as readonly string[]).includes(value);
}
