/**
 * The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5), with Okta's semantics: the code
 * names its grant's Durable Object (src/grants/), which redeems it exactly once and checks that it is
 * this server's and this client's, that `redirect_uri` is the authorization request's and that
 * `code_verifier` answers the S256 challenge. Policy is not evaluated again (Okta evaluates it at
 * authentication): the decision bound into the code drives the token's scopes, lifetime and hook.
 * The user must still be ACTIVE and assigned to the app at exchange.
 *
 * Every failure of the code itself reads as Okta's "The authorization code is invalid or has
 * expired.": unknown, malformed, expired, another client's or server's, already used.
 */
import { OAuthError } from "../../errors";
import { parseCode } from "../../grants/grant-id";
import type { Grant, GrantRequest, ResolveInput } from "./grant";

/** Okta's `error_description`s (okta-user-flows.md, "token grants"). */
export const INVALID_CODE = "The authorization code is invalid or has expired.";
export const PKCE_FAILED = "PKCE verification failed.";
export const REDIRECT_URI_MISMATCH =
  "The 'redirect_uri' does not match the redirection URI used in the authorization request.";

/** RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export const authorizationCode: Grant = {
  type: "authorization_code",
  async resolve(input: ResolveInput): Promise<GrantRequest> {
    const { client, params, ports, serverId } = input;
    const code = required(params.get("code"), "code");
    const redirectUri = required(params.get("redirect_uri"), "redirect_uri");
    const codeVerifier = params.get("code_verifier");
    // A malformed verifier can answer no challenge: refused before the grant is asked, and so it
    // does not count against the code (src/grants/code-redemption.ts).
    if (codeVerifier !== undefined && !CODE_VERIFIER.test(codeVerifier)) {
      throw new OAuthError("invalid_grant", PKCE_FAILED);
    }
    // RFC 7636 §4.4.1 / OAuth 2.1 §2.1: a public client has no secret, so PKCE is its only proof
    // that it is the client that started the flow; /v1/authorize requires a challenge from it.
    if (client.token_endpoint_auth_method === "none" && codeVerifier === undefined) {
      throw new OAuthError("invalid_grant", PKCE_FAILED);
    }

    const nowMs = ports.clock();
    const redemption = await ports.grants.redeemCode(
      code,
      { serverId, clientId: client.client_id, redirectUri, codeVerifier },
      nowMs,
    );
    if (!redemption.ok) {
      switch (redemption.reason) {
        case "invalid":
          await indexFollowsReplay(ports, code, nowMs);
          throw new OAuthError("invalid_grant", INVALID_CODE);
        case "redirect_uri_mismatch":
          throw new OAuthError("invalid_grant", REDIRECT_URI_MISMATCH);
        case "pkce_failed":
          throw new OAuthError("invalid_grant", PKCE_FAILED);
      }
    }
    const { grantId, request } = redemption;
    const subject = await ports.directory.subject(request.userId, client.client_id);
    // Deactivated, suspended, deleted or unassigned since sign-in: the grant ends here, unused.
    if (subject?.user.status !== "ACTIVE" || !subject.assigned) {
      await ports.grants.revoke(grantId, nowMs);
      throw new OAuthError("invalid_grant", INVALID_CODE);
    }
    return {
      grantType: "authorization_code",
      client,
      requestedScopes: request.scopes,
      subject,
      authorized: { grantId, request },
    };
  },
};

/**
 * RFC 6749 §4.1.2: a code used twice revokes the grant, and with it a refresh family born at the
 * first redemption; the grant's D1 index row (src/directory/grant-index.ts) must then say REVOKED,
 * or Okta's token list shows a dead token as live. Only the object's word counts: the row is marked
 * when the grant no longer stands, never because a presentation failed (a forged secret on a live
 * grant's id, which every access token's `jti` carries, must not mark a live grant's row REVOKED:
 * directory sweeps skip REVOKED rows and would miss it). Failed redemptions only: no cost on success.
 */
async function indexFollowsReplay(ports: ResolveInput["ports"], code: string, nowMs: number): Promise<void> {
  const grantId = parseCode(code)?.grantId;
  if (grantId === undefined || (await ports.grants.isActive(grantId, nowMs))) return;
  await ports.grantIndex.markRevoked(grantId, nowMs);
}

/** RFC 6749 §4.1.3: `code` and (when the authorization request had one, as Okta requires) `redirect_uri`. */
function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") {
    throw new OAuthError("invalid_request", `The '${name}' parameter is missing.`);
  }
  return value;
}
