/**
 * IDENTITY custom claims for one user (Okta: claims of type "ID Token"), for an ID token or for
 * /v1/userinfo: the server's claims resolved for the granted scopes, kept where Okta's inclusion rule
 * sends them (src/claims/inclusion.ts): userinfo gets every one, an ID token issued beside an access
 * token only those with `alwaysIncludeInToken`.
 */
import { type ClaimDestination, claimGoesTo } from "../claims/inclusion";
import { resolveClaimsOnDemand } from "../claims/lazy-resolve";
import type { ClaimFailure } from "../claims/resolve";
import type { Client, ServerConfig } from "../config/schemas";
import type { TokenSubject } from "../directory/directory";

export async function identityClaims(
  snapshot: ServerConfig,
  subject: TokenSubject,
  client: Pick<Client, "client_id" | "profile">,
  scopes: readonly string[],
  destination: Exclude<ClaimDestination, "access_token">,
  nowSeconds: number,
): Promise<{ values: Record<string, unknown>; failures: ClaimFailure[] }> {
  const resolved = await resolveClaimsOnDemand(snapshot, "IDENTITY", scopes, {
    user: subject.user.profile,
    appuser: subject.appProfile ?? {},
    groups: subject.groups.map((g) => ({ id: g.id, name: g.profile.name, profile: g.profile })),
    app: { clientId: client.client_id, profile: client.profile ?? {} },
    access: { scope: scopes },
    now: () => nowSeconds * 1000,
  });
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(resolved.values)) {
    const claim = snapshot.claims.find((c) => c.claimType === "IDENTITY" && c.name === name);
    if (claim && claimGoesTo(claim, destination)) values[name] = value;
  }
  return { values, failures: resolved.failures };
}
