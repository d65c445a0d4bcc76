/**
 * The rights a client write needs (DESIGN §8: a narrow admin right never grows into a wider one).
 * A client's `grants` are okta.* scopes the org authorization server mints for it, so a client is as
 * powerful as its grants. Pure. A write needs
 * - every okta.* scope it adds to or removes from the client's grants, and
 * - every scope the client already holds, when it changes the client's credentials (`jwks`,
 *   `jwks_uri`, `token_endpoint_auth_method`, client secrets) or makes an INACTIVE client ACTIVE:
 *   whoever controls the credentials of an active client holds its grants.
 * Everything else (label, redirect URIs, profile, deactivation, deletion) takes nothing from the
 * client's holder that an admin could use, and needs only the route's own scope.
 */
import type { Client, OktaScope } from "../config/schemas";

/** The fields of a client that decide who can act as it. */
export type ClientPower = Pick<
  Client,
  "grants" | "jwks" | "jwks_uri" | "token_endpoint_auth_method" | "status"
>;

/**
 * The okta.* scopes a caller must hold to turn `before` (undefined for a new client) into `after`;
 * `secretsChange`: the write adds, replaces, re-activates, deactivates or deletes a client secret.
 */
export function clientWriteNeeds(
  before: ClientPower | undefined,
  after: ClientPower,
  secretsChange = false,
): OktaScope[] {
  const had = scopesOf(before);
  const has = scopesOf(after);
  const needs = new Set<OktaScope>();
  for (const s of has) if (!had.has(s)) needs.add(s);
  for (const s of had) if (!has.has(s)) needs.add(s);
  if (before && (secretsChange || credentialsChange(before, after) || reactivates(before, after))) {
    for (const s of had) needs.add(s);
  }
  return [...needs];
}

function scopesOf(client: ClientPower | undefined): Set<OktaScope> {
  return new Set((client?.grants ?? []).map((g) => g.scopeId));
}

function reactivates(before: ClientPower, after: ClientPower): boolean {
  return before.status !== "ACTIVE" && after.status === "ACTIVE";
}

function credentialsChange(before: ClientPower, after: ClientPower): boolean {
  return (
    before.token_endpoint_auth_method !== after.token_endpoint_auth_method ||
    canonical(before.jwks) !== canonical(after.jwks) ||
    (before.jwks_uri ?? null) !== (after.jwks_uri ?? null)
  );
}

/** JSON with object members sorted, so a restated key set compares equal whatever its member order. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
