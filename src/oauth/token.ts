/**
 * The token endpoint (RFC 6749 §3.2) of every authorization server, custom and org alike, as one
 * list of named steps:
 *
 *   read form → choose grant → authenticate client → rate limit → resolve grant → evaluate policy
 *   → build claims → inline hook → sign → respond
 *
 * A grant type is a module that resolves its own parameters (src/oauth/grants/); what a kind of
 * server decides and puts in its tokens is its `TokenAuthority` (src/oauth/authority.ts). On a warm
 * isolate nothing here does I/O but signing (DESIGN §1), save `private_key_jwt`'s one replay check
 * and a rule's token inline hook.
 */
import type { Context } from "hono";
import type { ClaimFailure } from "../claims/resolve";
import { TOKEN_REQUEST_MAX_BYTES } from "../config/defaults";
import type { AppEnv, Ports } from "../context";
import { OAuthError } from "../errors";
import { withRateLimitHeaders } from "../http/rate-limit";
import { afterResponse } from "../log/after-response";
import { type RequestInfo, requestInfo } from "../log/event";
import type { AccessTokenClaims } from "../tokens/access-token";
import { signToken } from "../tokens/sign";
import type { TokenAuthority, TokenDecision } from "./authority";
import { authenticateClient, PUBLIC_CLIENT_GRANT_TYPES, presentedCredentials } from "./client-auth";
import {
  type GrantSubject,
  recordClaimFailures,
  recordClientAuthFailure,
  recordDenials,
  recordGrant,
} from "./denial-log";
import { type FormParams, readFormBody } from "./form-body";
import type { Grant, GrantInput, GrantRequest } from "./grants/grant";
import { grantFor } from "./grants/registry";
import { ACCESS_TOKEN_TYPE } from "./grants/token-exchange";
import { clientAddress, limitClient, limitFailedAuthentication } from "./rate-limit";
import { issueRefreshToken } from "./refresh-issuance";
import { tokenResponse } from "./token-response";

/** `authorityOf`: the server the request addresses, from what the router put on the context. */
export function tokenEndpoint<D extends TokenDecision>(
  authorityOf: (c: Context<AppEnv>) => TokenAuthority<D>,
) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    if (c.req.method !== "POST") return methodNotAllowed();
    const ports = c.get("ports");
    const authority = authorityOf(c);
    const now = Math.floor(ports.clock() / 1000);

    // The system log's send, when one is due (at most one per isolate per flush interval), after
    // the response: the token path never waits on the queue (src/log/event-log.ts).
    afterResponse(c, ports.log);

    const params = await readFormBody(c.req.raw, TOKEN_REQUEST_MAX_BYTES);
    const grant = grantFor(params.get("grant_type"), authority.grantTypes);
    // An address over its failure limit is refused before its credentials are looked at.
    const address = clientAddress(c.req.raw);
    const client = await limitFailedAuthentication(ports, address, () =>
      authenticate(c.req.header("Authorization"), params, authority, ports, now, grant.type, () =>
        requestInfo(c.req.raw.headers),
      ),
    );
    const quota = await limitClient(ports, client.client_id);
    // What is thrown from here on carries the client's X-Rate-Limit-* (the app's onError adds them).
    c.set("rateLimit", quota);
    const subject = grantSubject(c, ports, authority.serverId, client.client_id, grant.type);
    const issued = await recordDenials(subject, () =>
      issueClaims(
        grant,
        authority,
        {
          client,
          params,
          ports,
          now,
          origin: { address, info: () => requestInfo(c.req.raw.headers) },
        },
        // Issue 12: the refresh token, before the claims so that a new grant's tokens name it.
        (request, decision) => issueRefreshToken(request, decision, ports, authority.serverId),
      ),
    );
    recordClaimFailures(subject, issued.claimFailures);
    const claims = await authority.applyHook(issued.request, issued.decision, issued.token, {
      request: c.req.raw,
      ports,
      now,
    });
    const key = await signingKey(authority, ports, now);
    const accessToken = await signToken(claims, key);
    // OIDC Core §3.1.3.3: with `openid` granted to a user, an ID token signed with the same key.
    const idClaims = await authority.buildIdToken?.(issued.request, issued.decision, {
      accessToken,
      alg: key.alg,
      now,
    });
    const idToken = idClaims ? await signToken(idClaims, key) : undefined;
    // A hook may have changed the lifetime (src/hooks/patch.ts); never the scopes, which are reserved.
    const expiresIn = claims.payload.exp - claims.payload.iat;
    recordGrant(subject, authority.grantLogging ?? "AGGREGATED", {
      scopes: issued.decision.scopes,
      jti: claims.payload.jti,
      expiresIn,
      user: issued.request.subject?.user,
    });
    const response = tokenResponse({
      token_type: "Bearer",
      expires_in: expiresIn,
      access_token: accessToken,
      scope: issued.decision.scopes.join(" "),
      ...(idToken !== undefined ? { id_token: idToken } : {}),
      ...(issued.request.refreshToken !== undefined ? { refresh_token: issued.request.refreshToken } : {}),
      // RFC 8693 §2.2.1: an exchange says what kind of token it issued.
      ...(issued.request.exchange ? { issued_token_type: ACCESS_TOKEN_TYPE } : {}),
    });
    return withRateLimitHeaders(response, quota, ports.clock());
  };
}

/** The log's view of one token request; the client's address is read only for an event that keeps it. */
function grantSubject(
  c: Context<AppEnv>,
  ports: Ports,
  serverId: string,
  clientId: string,
  grantType: string,
): GrantSubject {
  return { log: ports.log, serverId, clientId, grantType, request: () => requestInfo(c.req.raw.headers) };
}

/**
 * RFC 9110 §15.5.6: a method the token endpoint does not support is a 405 naming the one it does
 * (`Allow: POST`, RFC 6749 §3.2), in the endpoint's own error shape.
 */
function methodNotAllowed(): Response {
  return new OAuthError("invalid_request", "The token endpoint accepts only POST requests.", {
    status: 405,
  }).getResponse({ headers: { Allow: "POST" } });
}

/** RFC 6749 §2.3: exactly one client authentication method, one the server accepts, that holds. */
async function authenticate(
  authorization: string | undefined,
  params: FormParams,
  authority: Pick<TokenAuthority, "checkAuthMethod" | "assertionAudiences" | "serverId">,
  ports: Ports,
  now: number,
  grantType: Grant["type"],
  request: () => RequestInfo,
) {
  const presented = presentedCredentials(authorization, params);
  authority.checkAuthMethod(presented.method, grantType);
  try {
    return await authenticateClient(presented, {
      config: ports.config,
      clientKeys: ports.clientKeys,
      replay: ports.assertionReplay,
      revocations: ports.revocations,
      audiences: authority.assertionAudiences,
      now,
    });
  } catch (error) {
    if (error instanceof OAuthError && error.code === "invalid_client") {
      recordClientAuthFailure(ports.log, authority.serverId, presented, request());
    }
    throw error;
  }
}

export interface IssuedClaims<D extends TokenDecision> {
  request: GrantRequest;
  decision: D;
  token: AccessTokenClaims;
  claimFailures: readonly ClaimFailure[];
}

/**
 * Resolve the grant, evaluate policy, build the claim set: what decides whether a token is issued and
 * what it says. Token Preview runs exactly this, recording nothing.
 */
export async function issueClaims<D extends TokenDecision>(
  grant: Grant,
  authority: TokenAuthority<D>,
  input: GrantInput,
  /** A step between policy and claims that may continue the request (the token endpoint's refresh step); Token Preview has none. */
  afterDecision?: (request: GrantRequest, decision: D) => Promise<GrantRequest>,
): Promise<IssuedClaims<D>> {
  // RFC 6749 §5.2: a client may use only the grant types it was registered for.
  if (!(input.client.grant_types as readonly string[]).includes(grant.type)) {
    throw new OAuthError(
      "unauthorized_client",
      "The client is not authorized to use the provided grant type.",
    );
  }
  // A public client has no credential of its own: only a grant it proves by other means (PKCE).
  if (input.client.token_endpoint_auth_method === "none" && !PUBLIC_CLIENT_GRANT_TYPES.includes(grant.type)) {
    throw new OAuthError(
      "unauthorized_client",
      "The client is not authorized to use the provided grant type: a public client may use only authorization_code with PKCE and the device code.",
    );
  }
  const resolved = await grant.resolve({ ...input, serverId: authority.serverId, issuer: authority.issuer });
  const decision = authority.decide(resolved);
  const request = afterDecision ? await afterDecision(resolved, decision) : resolved;
  const { token, claimFailures } = await authority.buildClaims(request, decision, input.now);
  return { request, decision, token, claimFailures };
}

async function signingKey(authority: Pick<TokenAuthority, "keysetId">, ports: Ports, now: number) {
  const key = await ports.keys.signingKey(authority.keysetId, now);
  if (!key)
    throw new OAuthError("temporarily_unavailable", "The authorization server has no signing key yet.");
  return key;
}
