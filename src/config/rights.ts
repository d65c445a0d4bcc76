/**
 * Admin rights: the okta.* scopes a management-API principal holds, and the one rule about them —
 * a narrow right never grows into a wider one (DESIGN §8). Pure.
 *
 * - The bootstrap SSWS token (the `ADMIN_API_TOKEN` secret) holds every okta.* scope.
 * - An org access token holds its `scp`.
 * - A managed API token holds the scopes recorded on it at creation (at most its creator's), and only
 *   while its owner still holds them (Okta: an API token acts with its creating admin's permissions).
 * - A user's org access token holds its `scp` narrowed to the user's current admin roles' rights.
 *
 * A `…manage` scope covers the matching `…read` scope, as everywhere in the management API.
 */
import { OKTA_SCOPES, type OktaScope } from "./schemas";

export type Rights = readonly OktaScope[];

/** The bootstrap token's rights: all of them. */
export const ALL_RIGHTS: Rights = OKTA_SCOPES;

/** Who created an API token (or who acts): the bootstrap token, a managed API token, an org-server client. */
export type AdminOwner =
  /**
   * `check`: which bootstrap token (`ADMIN_API_TOKEN`) created it (src/crypto/secrets.ts
   * `secretCheck`): a token minted with the bootstrap token ends when that secret is rotated.
   */
  { type: "BOOTSTRAP"; check?: string } | { type: "API_TOKEN"; id: string } | { type: "CLIENT"; id: string };

/** An authenticated management-API caller: who it is and what it may do. */
export type AdminPrincipal = AdminOwner & { rights: Rights };

/**
 * A directory user calling with an org access token minted for it (`uid`), e.g. from the admin
 * console: its rights are the token's scopes narrowed, at each request, to what the app's grants
 * and the user's current admin roles give (src/config/admin-roles.ts; README "Admin roles").
 */
export interface AdminUser {
  type: "USER";
  /** The user's id (`00u…`). */
  id: string;
  /** The user's login, the token's `sub`: for the log's actor. */
  login: string;
  /** The app the token was minted for (`cid`). */
  clientId: string;
  rights: Rights;
}

/** Whoever calls the management API: a principal that may own API tokens, or an admin user. */
export type AdminCaller = AdminPrincipal | AdminUser;

/** Who a principal is, without what it may do: what an API token records as its owner. */
export function ownerOf(principal: AdminPrincipal): AdminOwner {
  return principal.type === "BOOTSTRAP" ? { type: "BOOTSTRAP" } : { type: principal.type, id: principal.id };
}

/** Whether `rights` include `scope`, a `…manage` scope covering its `…read`. */
export function holds(rights: Iterable<string>, scope: OktaScope): boolean {
  const held = new Set(rights);
  return held.has(scope) || (scope.endsWith(".read") && held.has(scope.replace(/\.read$/, ".manage")));
}

/** The scopes of `wanted` that `rights` lack, each once, in OKTA_SCOPES order. */
export function lacking(rights: Rights, wanted: Iterable<OktaScope>): OktaScope[] {
  const want = new Set(wanted);
  return OKTA_SCOPES.filter((s) => want.has(s) && !holds(rights, s));
}

/** The same rights without a `…read` its `…manage` covers, in OKTA_SCOPES order. */
export function minimal(rights: Iterable<OktaScope>): OktaScope[] {
  const held = new Set(rights);
  return OKTA_SCOPES.filter(
    (s) => held.has(s) && !(s.endsWith(".read") && held.has(s.replace(/\.read$/, ".manage") as OktaScope)),
  );
}

/** What both hold: a token's recorded rights narrowed to what its owner holds now. */
export function intersect(a: Rights, b: Rights): OktaScope[] {
  return minimal(OKTA_SCOPES.filter((s) => holds(a, s) && holds(b, s)));
}
