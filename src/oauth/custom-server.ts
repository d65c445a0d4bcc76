/**
 * A custom authorization server (`/oauth2/{as}`) at the token endpoint, Okta's API Access Management
 * semantics: its access policies decide (DESIGN §3), its profile shapes the token (DESIGN §4), its
 * custom claims are resolved into it, and the matching rule's token inline hook may transform it.
 * Everything here reads the published snapshot in isolate memory; only a rule's hook adds I/O.
 */
import { resolveClaimsOnDemand } from "../claims/lazy-resolve";
import {
  ID_TOKEN_LIFETIME_SECONDS,
  REFRESH_TOKEN_LIFETIME_MINUTES,
  REFRESH_TOKEN_WINDOW_MINUTES,
  RESERVED_SCOPES,
  TOKEN_ID_BYTES,
} from "../config/defaults";
import type { ServerConfig } from "../config/schemas";
import { randomToken } from "../crypto/secrets";
import { echoList, OAuthError } from "../errors";
import { grantAccessTokenJti } from "../grants/grant-id";
import type { AuthorizedRequest } from "../grants/grant-port";
import { applyTokenInlineHook } from "../hooks/token-hook";
import { evaluate, type PolicyDecision } from "../policy";
import { buildAccessToken } from "../tokens/access-token";
import { accessTokenHash, buildIdToken, orgIdpId } from "../tokens/id-token";
import type { TokenAuthority } from "./authority";
import type { GrantRequest } from "./grants/grant";
import { SUPPORTED_GRANT_TYPES } from "./grants/registry";
import { identityClaims } from "./identity-claims";
import { issuesRefreshTokens } from "./refresh-issuance";

/** The policy engine's grant: which policy and rule matched, the lifetimes and the rule's hook. */
export type PolicyGrant = Extract<PolicyDecision, { ok: true }>;

const OIDC_SCOPES: ReadonlySet<string> = new Set(RESERVED_SCOPES);

/**
 * `offline_access` asks for a refresh token (OIDC Core §11): granted only to a client registered for
 * the refresh_token grant, with a grant that issues refresh tokens (src/oauth/refresh-issuance.ts).
 * Refused otherwise rather than granted without a refresh token, so a client never believes it
 * holds what it does not.
 */
const OFFLINE_ACCESS = "offline_access";

/** RFC 8176 §2: what the password grant's sign-in used. */
const PASSWORD_AMR: readonly string[] = ["pwd"];

/**
 * OpenID Connect scopes are about a user (OIDC Core §5.4): a grant without one cannot have them;
 * a user grant may have those this server can honour.
 */
function refuseOidcScopes(request: GrantRequest): void {
  const oidc = request.requestedScopes.filter((s) => OIDC_SCOPES.has(s));
  if (oidc.length === 0) return;
  if (!request.subject) {
    throw new OAuthError(
      "invalid_scope",
      `The following scopes are not allowed for ${request.grantType}: ${echoList(oidc)}`,
    );
  }
  if (oidc.includes(OFFLINE_ACCESS) && !issuesRefreshTokens(request)) {
    throw new OAuthError(
      "invalid_scope",
      `The following scopes are not allowed for ${request.grantType}: ${echoList([OFFLINE_ACCESS])} (the client may not use refresh tokens).`,
    );
  }
}

export function customServer(snapshot: ServerConfig, issuer: string): TokenAuthority<PolicyGrant> {
  return {
    serverId: snapshot.server.id,
    grantLogging: snapshot.server.logging?.grants ?? "AGGREGATED",
    keysetId: snapshot.server.id,
    issuer,
    grantTypes: SUPPORTED_GRANT_TYPES,
    assertionAudiences: [`${issuer}/v1/token`, issuer],
    // Every method a client can register is accepted; the client's own is enforced by authentication.
    checkAuthMethod: () => {},

    decide(request) {
      refuseOidcScopes(request);
      // Okta evaluates policy at authentication, not at code exchange: the decision bound into the
      // code stands (its policy or rule may since have changed; the code lives five minutes). A
      // refresh is evaluated again, as grant type `refresh_token` (README "Refresh tokens").
      if (request.authorized && request.grantType !== "refresh_token") {
        return authorizedDecision(snapshot, request.authorized.request);
      }
      const { subject } = request;
      const decision = evaluate(
        {
          clientId: request.client.client_id,
          grantType: request.grantType,
          requestedScopes: request.requestedScopes,
          // People conditions see the user and every group it is in, Everyone included.
          user: subject ? { id: subject.user.id, groupIds: subject.groups.map((g) => g.id) } : undefined,
        },
        snapshot,
      );
      if (!decision.ok) {
        throw new OAuthError(decision.error, decision.description, { trace: decision.trace });
      }
      return decision;
    },

    async buildClaims(request, decision, now) {
      const { client, subject } = request;
      const profile = snapshot.server.tokenProfile;
      // An exchanged token names the subject token's grant, so it stands only while that does.
      const grantId = request.authorized?.grantId ?? request.exchange?.grantId;
      const token = buildAccessToken({
        profile,
        issuer,
        audiences: snapshot.server.audiences,
        clientId: client.client_id,
        // DESIGN §4: a user token's `sub` is the login (Okta) or the user id (RFC 9068 §2.2: a
        // stable identifier of the resource owner); a client's own token names the client.
        subject: subject
          ? profile === "rfc9068"
            ? subject.user.id
            : subject.user.profile.login
          : client.client_id,
        userId: subject?.user.id,
        scopes: decision.scopes,
        issuedAt: now,
        lifetimeSeconds: decision.accessTokenLifetimeSeconds,
        // A token from a grant object names it, so that revoking the grant revokes the token
        // wherever the grant is asked (userinfo, introspection): src/grants/grant-id.ts.
        jti:
          grantId !== undefined
            ? grantAccessTokenJti(grantId, randomToken(TOKEN_ID_BYTES))
            : `AT.${randomToken(TOKEN_ID_BYTES)}`,
      });
      // Okta's user access tokens carry when the user signed in (DESIGN §4).
      const authTime = request.authorized?.request.authTime ?? request.exchange?.authTime;
      if (authTime !== undefined) token.payload.auth_time = authTime;
      // RFC 8693 §4.1: an exchanged token names who acts for the user (a reserved claim name).
      if (request.exchange) token.payload.act = request.exchange.actor;
      // Without a user (client_credentials) `user.*`, `appuser.*` and groups are null, as in Okta.
      // The expression language loads only when a claim applies (src/claims/lazy-resolve.ts).
      const custom = await resolveClaimsOnDemand(snapshot, "RESOURCE", decision.scopes, {
        user: subject ? subject.user.profile : null,
        appuser: subject ? (subject.appProfile ?? {}) : null,
        groups: subject
          ? subject.groups.map((g) => ({ id: g.id, name: g.profile.name, profile: g.profile }))
          : null,
        // Okta's app profile: custom attributes the admin attached to the client (`app.profile.*`).
        app: { clientId: client.client_id, profile: client.profile ?? {} },
        access: { scope: decision.scopes },
        now: () => now * 1000,
      });
      // Custom claims after the registered ones; their names never collide (reserved-names.ts).
      Object.assign(token.payload, custom.values);
      return { token, claimFailures: custom.failures };
    },

    async buildIdToken(request, decision, { accessToken, alg, now }) {
      const { subject, client, authorized } = request;
      // OIDC Core §3.1.2.1: an ID token only for a user, and only when `openid` was granted.
      if (!subject || !decision.scopes.includes("openid")) return undefined;
      const custom = await identityClaims(snapshot, subject, client, decision.scopes, "id_token", now);
      return buildIdToken(
        {
          issuer,
          clientId: client.client_id,
          user: subject.user,
          scopes: decision.scopes,
          issuedAt: now,
          lifetimeSeconds: ID_TOKEN_LIFETIME_SECONDS,
          jti: `ID.${randomToken(TOKEN_ID_BYTES)}`,
          amr: authorized?.request.amr ?? PASSWORD_AMR,
          idp: await orgIdpId(new URL(issuer).origin),
          // The password grant authenticates the user in this very request.
          authTime: authorized?.request.authTime ?? now,
          // OIDC Core §12.2: an ID token from a refresh carries no nonce (none was sent).
          nonce: request.grantType === "refresh_token" ? undefined : authorized?.request.nonce,
          atHash: await accessTokenHash(accessToken, alg),
          custom: custom.values,
        },
        "thin",
      );
    },

    applyHook(request, decision, token, { request: httpRequest, ports, now }) {
      return applyTokenInlineHook({
        token,
        decision,
        client: request.client,
        grantType: request.grantType,
        requestedScopes: request.requestedScopes,
        snapshot,
        issuer,
        request: httpRequest,
        config: ports.config,
        secrets: ports.hookSecrets,
        allowLoopback: ports.settings.localDevelopment,
        now,
        log: ports.log,
      });
    },
  };
}

/**
 * The decision /v1/authorize took, as the policy engine would have returned it. The policy's and
 * rule's names are read from the current snapshot for the log and the hook's request; one deleted
 * since keeps its id as its name.
 */
function authorizedDecision(snapshot: ServerConfig, request: AuthorizedRequest): PolicyGrant {
  const { decision } = request;
  const policy = snapshot.policies.find((p) => p.id === decision.policyId);
  const rule = policy?.rules.find((r) => r.id === decision.ruleId);
  return {
    ok: true,
    policy: { id: decision.policyId, name: policy?.name ?? decision.policyId },
    rule: { id: decision.ruleId, name: rule?.name ?? decision.ruleId },
    scopes: [...request.scopes],
    accessTokenLifetimeSeconds: decision.accessTokenLifetimeSeconds,
    inlineHookId: decision.inlineHookId,
    // A code minted before issue 12 carried no refresh lifetimes: Okta's rule defaults.
    refreshTokenLifetimeMinutes: decision.refreshTokenLifetimeMinutes ?? REFRESH_TOKEN_LIFETIME_MINUTES,
    refreshTokenWindowMinutes: decision.refreshTokenWindowMinutes ?? REFRESH_TOKEN_WINDOW_MINUTES,
    trace: [],
  };
}
