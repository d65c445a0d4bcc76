/**
 * The rights a client write needs (DESIGN §8: a narrow admin right never grows into a wider one).
 * A client's `grants` are okta.* scopes the org authorization server mints for it, so a client is as
 * powerful as its grants. Pure. A write needs
 * - every okta.* scope it adds to or removes from the client's grants, and
 * - every scope the client already holds, when it changes the client's credentials (`jwks`,
 *   `jwks_uri`, `token_endpoint_auth_method`, client secrets), makes an INACTIVE client ACTIVE, or
 *   opens a new way to its tokens — a redirect URI or a grant type it did not have. Whoever controls
 *   the credentials of an active client holds its grants; and for a public client (the admin
 *   console) the redirect URI *is* the credential: a code sent to a URI of the writer's choosing,
 *   from a flow the writer started with its own PKCE verifier (RFC 7636 §1 binds the code to the
 *   starter, not to the app), is an admin's token in the writer's hands.
 * Everything else (label, removing redirect URIs or grant types, sign-out URIs, profile, deactivation,
 * deletion) takes nothing from the client's holder that an admin could use, and needs only the
 * route's own scope.
 */
import type { Client, OktaScope } from "../config/schemas";

/** The fields of a client that decide who can act as it. */
export type ClientPower = Pick<
  Client,
  "grants" | "jwks" | "jwks_uri" | "token_endpoint_auth_method" | "status"
> &
  Partial<Pick<Client, "redirect_uris" | "grant_types">>;

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
  if (
    before &&
    (secretsChange ||
      credentialsChange(before, after) ||
      reactivates(before, after) ||
      opensWay(before, after))
  ) {
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

/** A redirect URI or grant type `after` has that `before` had not: a new way to the client's tokens. */
function opensWay(before: ClientPower, after: ClientPower): boolean {
  const adds = (was: readonly string[] = [], is: readonly string[] = []) => is.some((v) => !was.includes(v));
  return adds(before.redirect_uris, after.redirect_uris) || adds(before.grant_types, after.grant_types);
}

/** JSON with object members sorted, so a restated key set compares equal whatever its member order. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
