/**
 * A custom authorization server (`/oauth2/{as}`) at the token endpoint, Okta's API Access Management
 * semantics: its access policies decide (DESIGN §3), its profile shapes the token (DESIGN §4), its
 * custom claims are resolved into it, and the matching rule's token inline hook may transform it.
 * Everything here reads the published snapshot in isolate memory; only a rule's hook adds I/O.
 */
import { resolveClaims } from "../claims/resolve";
import { RESERVED_SCOPES, TOKEN_ID_BYTES } from "../config/defaults";
import type { ServerConfig } from "../config/schemas";
import { randomToken } from "../crypto/secrets";
import { echoList, OAuthError } from "../errors";
import { applyTokenInlineHook } from "../hooks/token-hook";
import { evaluate, type PolicyDecision } from "../policy";
import { buildAccessToken } from "../tokens/access-token";
import type { TokenAuthority } from "./authority";
import type { GrantRequest } from "./grants/grant";
import { SUPPORTED_GRANT_TYPES } from "./grants/registry";

/** The policy engine's grant: which policy and rule matched, the lifetimes and the rule's hook. */
export type PolicyGrant = Extract<PolicyDecision, { ok: true }>;

const OIDC_SCOPES: ReadonlySet<string> = new Set(RESERVED_SCOPES);

/**
 * Scopes a user grant cannot be given yet: each asks for an artefact the sign-in issue builds
 * (`openid` an ID token, OIDC Core §3.1.2.1; `offline_access` a refresh token, §11). Refused rather
 * than granted without it, so a client never believes it holds what it does not.
 */
const NOT_YET_ISSUED: ReadonlyMap<string, string> = new Map([
  ["openid", "ID tokens"],
  ["offline_access", "refresh tokens"],
]);

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
  const unissued = oidc.filter((s) => NOT_YET_ISSUED.has(s));
  if (unissued.length > 0) {
    const what = unissued.map((s) => NOT_YET_ISSUED.get(s)).join(" and ");
    throw new OAuthError(
      "invalid_scope",
      `The following scopes are not allowed for ${request.grantType}: ${echoList(unissued)} (Warden does not issue ${what} for this grant yet).`,
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

    buildClaims(request, decision, now) {
      const { client, subject } = request;
      const profile = snapshot.server.tokenProfile;
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
        jti: `AT.${randomToken(TOKEN_ID_BYTES)}`,
      });
      // Without a user (client_credentials) `user.*`, `appuser.*` and groups are null, as in Okta.
      const custom = resolveClaims(snapshot, "RESOURCE", decision.scopes, {
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
