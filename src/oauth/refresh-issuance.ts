/**
 * The token pipeline's refresh-token step (issue 12; okta-user-flows.md "Refresh tokens"): after
 * policy decided and before the access token's claims are built, so that a token from a new grant
 * names it in its `jti`. A refresh token is issued when
 *   - the grant type is one that signs a user in or continues such a sign-in (REFRESH_TOKEN_GRANTS),
 *   - the client is registered for the `refresh_token` grant (Okta), and
 *   - `offline_access` was granted (OIDC Core §11).
 * Nothing here depends on which grant resolved the request, only on `authorized` (the grant object
 * the request continues) and the granted scopes: the device_code grant, which resolves to
 * `authorized` like authorization_code, gets refresh tokens by joining REFRESH_TOKEN_GRANTS.
 *
 * `issueRefreshToken` is the one place a refresh family is born, and so where it joins the D1 grant
 * index (src/directory/grant-index.ts) that admins and directory writes find grants through.
 */
import { REFRESH_TOKEN_LIFETIME_MINUTES, REFRESH_TOKEN_WINDOW_MINUTES } from "../config/defaults";
import { oidcSettings } from "../config/oidc-app";
import type { Ports } from "../context";
import { OAuthError } from "../errors";
import type { AuthorizedRequest, FamilySettings } from "../grants/grant-port";
import { indexedIdleEnd } from "../grants/refresh-rotation";
import type { TokenDecision } from "./authority";
import { INVALID_CODE } from "./grants/authorization-code";
import { INVALID_DEVICE_CODE } from "./grants/device-code";
import type { GrantRequest } from "./grants/grant";
import { INVALID_CREDENTIALS } from "./grants/password";

/** The grant types whose responses may carry a refresh token (Okta: the ones that sign a user in, and refresh). */
export const REFRESH_TOKEN_GRANTS: readonly string[] = [
  "authorization_code",
  "password",
  "refresh_token",
  "urn:ietf:params:oauth:grant-type:device_code",
];

const OFFLINE_ACCESS = "offline_access";
/**
 * What each grant answers when its grant cannot stand: its own words for a code, device code or
 * credentials that are no longer good (a person's failure never says which part was wrong).
 */
const GRANT_ENDED: Readonly<Record<string, string>> = {
  authorization_code: INVALID_CODE,
  "urn:ietf:params:oauth:grant-type:device_code": INVALID_DEVICE_CODE,
  password: INVALID_CREDENTIALS,
};
const PASSWORD_AMR = ["pwd"];

/** What the step reads of a decision: the scopes, and the rule's refresh lifetimes when it has them. */
export type RefreshDecision = TokenDecision & {
  refreshTokenLifetimeMinutes?: number | undefined;
  refreshTokenWindowMinutes?: number | undefined;
  accessTokenLifetimeSeconds?: number | undefined;
  inlineHookId?: string | undefined;
  policy?: { id: string } | undefined;
  rule?: { id: string } | undefined;
};

/** Whether this request's grant and client may be given refresh tokens (then `offline_access` may be granted). */
export function issuesRefreshTokens(
  request: Pick<GrantRequest, "grantType" | "client" | "subject">,
): boolean {
  return (
    request.subject !== undefined &&
    REFRESH_TOKEN_GRANTS.includes(request.grantType) &&
    (request.client.grant_types as readonly string[]).includes("refresh_token")
  );
}

/**
 * The request with its refresh token, when one is due. A request that continues a grant object
 * (`authorized`) gives that grant its family; one without an object (password) opens a grant born
 * ACTIVE, and from here on the request continues it (its tokens name it, so revoking it revokes them).
 */
export async function issueRefreshToken(
  request: GrantRequest,
  decision: RefreshDecision,
  ports: Pick<Ports, "grants" | "grantIndex" | "clock">,
  serverId: string,
): Promise<GrantRequest> {
  if (request.refreshToken !== undefined) return request;
  if (!decision.scopes.includes(OFFLINE_ACCESS) || !issuesRefreshTokens(request)) return request;
  const { client, subject, authorized } = request;
  const refresh = oidcSettings(client).refresh_token;
  if (!refresh || !subject) return request;
  const nowMs = ports.clock();
  const settings: FamilySettings = {
    rotation: refresh.rotation_type,
    leewaySeconds: refresh.leeway,
    lifetimeMinutes: decision.refreshTokenLifetimeMinutes ?? REFRESH_TOKEN_LIFETIME_MINUTES,
    windowMinutes: decision.refreshTokenWindowMinutes ?? REFRESH_TOKEN_WINDOW_MINUTES,
    scopes: decision.scopes,
  };
  const expiresAtMs = settings.lifetimeMinutes === 0 ? null : nowMs + settings.lifetimeMinutes * 60_000;
  const indexed = async (grantId: string, refreshToken: string): Promise<string> => {
    const tokenId = await ports.grantIndex.indexGrant({
      grantId,
      userId: subject.user.id,
      clientId: client.client_id,
      serverId,
      scopes: decision.scopes,
      issuedAtMs: nowMs,
      expiresAtMs,
      // The object reports later uses (src/grants/grant-object.ts); it records this same end at birth.
      idleExpiresAtMs: indexedIdleEnd(nowMs, settings.windowMinutes * 60_000, expiresAtMs ?? undefined),
    });
    if (tokenId !== null) return refreshToken;
    // A directory write (deactivation, unassignment) revoked the user's grants between the checks
    // above and the index: its sweep could not see this family, so it ends here, unused.
    await ports.grants.revoke(grantId, nowMs);
    throw new OAuthError("invalid_grant", GRANT_ENDED[request.grantType] ?? INVALID_CODE);
  };
  if (authorized) {
    const refreshToken = await ports.grants.startRefresh(authorized.grantId, settings, nowMs);
    // The grant stopped standing since its code was redeemed (a replay revoked it): no family.
    if (refreshToken === undefined) throw new OAuthError("invalid_grant", INVALID_CODE);
    return { ...request, refreshToken: await indexed(authorized.grantId, refreshToken) };
  }
  const born: AuthorizedRequest = {
    serverId,
    clientId: client.client_id,
    redirectUri: "",
    codeChallenge: undefined,
    nonce: undefined,
    scopes: [...decision.scopes],
    userId: subject.user.id,
    // The password grant authenticates the user in this very request.
    authTime: Math.floor(nowMs / 1000),
    amr: PASSWORD_AMR,
    sessionId: undefined,
    decision: {
      policyId: decision.policy?.id ?? "",
      ruleId: decision.rule?.id ?? "",
      accessTokenLifetimeSeconds: decision.accessTokenLifetimeSeconds ?? 0,
      inlineHookId: decision.inlineHookId,
      refreshTokenLifetimeMinutes: settings.lifetimeMinutes,
      refreshTokenWindowMinutes: settings.windowMinutes,
    },
  };
  const { grantId, refreshToken } = await ports.grants.openRefresh(born, settings, nowMs);
  return {
    ...request,
    authorized: { grantId, request: born },
    refreshToken: await indexed(grantId, refreshToken),
  };
}
