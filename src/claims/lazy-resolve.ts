/**
 * Custom claims at the token path's door, without the expression language at start-up (issue 13
 * item 5): the parser, compiler, regex engine and function library (src/claims/expression/, about
 * 100 KB built) are parsed by V8 only when a token has a claim to resolve, and then once per isolate.
 * A server without custom claims, or whose claims' scope conditions the token does not meet, never
 * loads them: its first token pays nothing for a language it does not use.
 *
 * The cheap test below is resolve.ts's own filter (status, type, scope condition), run before the
 * import rather than after it; what passes is resolved by resolve.ts exactly as before.
 */
import type { Claim, ServerConfig } from "../config/schemas";
import { importOnce } from "../http/lazy-handler";
import type { ExpressionContext } from "./expression";
import type { ResolvedClaims } from "./resolve";

/** One import per isolate; a failed import is not kept, so the next token tries again. */
const loadResolve = importOnce(() => import("./resolve"));

/** Whether any claim could go into a `claimType` token granted `grantedScopes` (resolve.ts's filter). */
export function hasApplicableClaims(
  config: Pick<ServerConfig, "claims">,
  claimType: Claim["claimType"],
  grantedScopes: readonly string[],
): boolean {
  return config.claims.some(
    (claim) =>
      claim.status === "ACTIVE" &&
      claim.claimType === claimType &&
      (claim.conditions.scopes.length === 0 ||
        claim.conditions.scopes.some((s) => grantedScopes.includes(s))),
  );
}

/** resolveClaims (src/claims/resolve.ts), loading it only when a claim applies. */
export async function resolveClaimsOnDemand(
  config: ServerConfig,
  claimType: Claim["claimType"],
  grantedScopes: readonly string[],
  context: ExpressionContext,
): Promise<ResolvedClaims> {
  if (!hasApplicableClaims(config, claimType, grantedScopes)) return { values: {}, failures: [] };
  const { resolveClaims } = await loadResolve();
  return resolveClaims(config, claimType, grantedScopes, context);
}
