/**
 * Token exchange (RFC 8693), Okta's on-behalf-of flow ("Set up OAuth 2.0 On-Behalf-Of Token
 * Exchange"): a service app (or a native app) that received a user's access token exchanges it at a
 * custom server's token endpoint for a token of its own for that server's audience, still about the
 * user. The request (RFC 8693 §2.1):
 *
 *   grant_type=urn:ietf:params:oauth:grant-type:token-exchange
 *   subject_token=<the user's access token>
 *   subject_token_type=urn:ietf:params:oauth:token-type:access_token
 *   scope=…            (optional; policy's default scopes otherwise)
 *   audience=…         (optional; must be one of this server's audiences)
 *   requested_token_type=urn:ietf:params:oauth:token-type:access_token (optional; the only one)
 *
 * The subject token must come from this server or one of its trusted servers and still stand
 * (src/oauth/subject-token.ts); its user must be ACTIVE. Policy is evaluated with this grant type and
 * the user as the subject, so rules name `urn:ietf:params:oauth:grant-type:token-exchange` and people
 * conditions apply. The token is the user's (`sub`, `uid`), `cid` the exchanging client, and carries
 * RFC 8693 §4.1's `act` naming the exchanging client (with the subject token's own `act` nested, for
 * a chain, at most TOKEN_EXCHANGE_MAX_ACT_DEPTH actors deep: `invalid_request` beyond). The user
 * need not be assigned to the exchanging app: Okta's service apps have no assignments, and the user
 * proved nothing to it; the trust is the admin's (trusted servers, policy).
 *
 * Errors (RFC 8693 §2.2.2, RFC 6749 §5.2): `invalid_request` for a missing parameter or a token type
 * this server does not take, `invalid_target` for an audience or resource it does not serve,
 * `invalid_grant` for every reason the subject token does not hold, with one description (the reason
 * goes to the system log's denial event, never to the client), `invalid_scope` for OpenID Connect scopes: an
 * exchange issues an access token only, never an ID token or a refresh token.
 */
import { RESERVED_SCOPES, TOKEN_EXCHANGE_MAX_ACT_DEPTH } from "../../config/defaults";
import type { TokenSubject } from "../../directory/directory";
import { echoList, OAuthError } from "../../errors";
import { parseScopeParam } from "../scope-param";
import { actDepth, verifySubjectToken } from "../subject-token";
import type { Grant, GrantRequest, ResolveInput, TokenExchangeFacts } from "./grant";

/** RFC 8693 §2.1 / §5.1: the grant type's URN. */
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
/** RFC 8693 §3: an OAuth 2.0 access token, the one kind of token exchanged and issued here. */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** The one description of every subject token refused (Okta's wording for codes, applied here). */
export const INVALID_SUBJECT_TOKEN = "The 'subject_token' is invalid or has expired.";

const OIDC_SCOPES: ReadonlySet<string> = new Set(RESERVED_SCOPES);

export const tokenExchange: Grant = {
  type: TOKEN_EXCHANGE,
  async resolve(input: ResolveInput): Promise<GrantRequest> {
    const { client, params, ports, serverId, issuer } = input;
    // Parameters first (RFC 8693 §2.1): a malformed request costs no lookup.
    const subjectToken = required(params.get("subject_token"), "subject_token");
    const subjectTokenType = required(params.get("subject_token_type"), "subject_token_type");
    if (subjectTokenType !== ACCESS_TOKEN_TYPE) {
      throw new OAuthError(
        "invalid_request",
        `The 'subject_token_type' is not supported: only '${ACCESS_TOKEN_TYPE}' is.`,
      );
    }
    const requested = params.get("requested_token_type");
    if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE) {
      throw new OAuthError(
        "invalid_request",
        `The 'requested_token_type' is not supported: only '${ACCESS_TOKEN_TYPE}' is.`,
      );
    }
    // Okta's on-behalf-of flow has no actor token: the exchanging client is the actor, authenticated.
    if (params.get("actor_token") !== undefined || params.get("actor_token_type") !== undefined) {
      throw new OAuthError("invalid_request", "The 'actor_token' parameter is not supported.");
    }
    const snapshot = await ports.config.snapshot(serverId);
    checkTarget(params.get("audience"), params.get("resource"), snapshot?.server.audiences ?? []);
    // A malformed `scope` is refused before the subject token is looked at.
    const scopes = parseScopeParam(params.get("scope"));
    refuseOidcScopes(scopes);

    const nowMs = ports.clock();
    const verdict = await verifySubjectToken(subjectToken, {
      serverId,
      issuer,
      trustedServers: snapshot?.trustedServers ?? [],
      ports,
      nowMs,
    });
    if (!verdict.ok) {
      const reason = verdict.detail ? `${verdict.reason} (${verdict.detail})` : verdict.reason;
      throw new OAuthError("invalid_grant", INVALID_SUBJECT_TOKEN, { reason });
    }
    // RFC 8693 §4.1 nests the subject token's `act` under this exchange's actor: one level more per
    // hop. Past the cap (src/config/defaults.ts) the chain is a loop, refused before the directory read.
    const depth = actDepth(verdict.token.act);
    if (depth >= TOKEN_EXCHANGE_MAX_ACT_DEPTH) {
      throw new OAuthError(
        "invalid_request",
        `The 'subject_token' was exchanged too many times: its delegation chain ('act') is ${depth} deep, and an exchanged token may name at most ${TOKEN_EXCHANGE_MAX_ACT_DEPTH} actors.`,
      );
    }
    const subject = await ports.directory.subject(verdict.token.userId, client.client_id);
    // Deactivated, suspended, locked or deleted since the subject token was issued.
    if (subject?.user.status !== "ACTIVE") {
      throw new OAuthError("invalid_grant", INVALID_SUBJECT_TOKEN, { reason: "user_inactive" });
    }
    return exchangedFor(subject, input, {
      actor: {
        sub: client.client_id,
        ...(verdict.token.act ? { act: verdict.token.act } : {}),
      },
      grantId: verdict.token.grantId,
      authTime: verdict.token.authTime,
    });
  },
};

/**
 * The exchange for a user whose subject token already held (or, in Token Preview, is not asked
 * for): the same request the real grant resolves once the token has been verified.
 */
export function tokenExchangeFor(subject: TokenSubject, facts?: Partial<TokenExchangeFacts>): Grant {
  return {
    type: TOKEN_EXCHANGE,
    resolve: (input) => {
      const scopes = parseScopeParam(input.params.get("scope"));
      refuseOidcScopes(scopes);
      return exchangedFor(subject, input, {
        actor: facts?.actor ?? { sub: input.client.client_id },
        grantId: facts?.grantId,
        authTime: facts?.authTime,
      });
    },
  };
}

function exchangedFor(
  subject: TokenSubject,
  { client, params }: ResolveInput,
  exchange: TokenExchangeFacts,
): GrantRequest {
  return {
    grantType: TOKEN_EXCHANGE,
    client,
    requestedScopes: parseScopeParam(params.get("scope")),
    subject,
    exchange,
  };
}

/**
 * RFC 8693 §2.1 `audience` / `resource` and §2.2.2 `invalid_target`: the token is for this server's
 * audience, so an `audience` must be one of them. Resource indicators (RFC 8707) are not built yet:
 * refused rather than ignored, so a client never believes its token is narrowed to a resource.
 */
function checkTarget(
  audience: string | undefined,
  resource: string | undefined,
  audiences: readonly string[],
) {
  if (resource !== undefined) {
    throw new OAuthError("invalid_target", "The 'resource' parameter is not supported.");
  }
  if (audience !== undefined && !audiences.includes(audience)) {
    throw new OAuthError("invalid_target", "The 'audience' is not an audience of this authorization server.");
  }
}

/** An exchange issues an access token only (RFC 8693 §2.2.1): OpenID Connect scopes have no place. */
function refuseOidcScopes(scopes: readonly string[]): void {
  const oidc = scopes.filter((s) => OIDC_SCOPES.has(s));
  if (oidc.length > 0) {
    throw new OAuthError(
      "invalid_scope",
      `The following scopes are not allowed for ${TOKEN_EXCHANGE}: ${echoList(oidc)}`,
    );
  }
}

/** RFC 8693 §2.1: `subject_token` and `subject_token_type` are REQUIRED. */
function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") {
    throw new OAuthError("invalid_request", `The '${name}' parameter is missing.`);
  }
  return value;
}
