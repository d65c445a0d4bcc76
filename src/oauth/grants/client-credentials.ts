/**
 * The client_credentials grant (RFC 6749 §4.4): a confidential client obtains a token on its own
 * behalf. There is no user, so OIDC scopes make no sense and are refused.
 */

import { type ClaimFailure, resolveClaims } from "../../claims/resolve";
import { RESERVED_SCOPES, TOKEN_ID_BYTES } from "../../config/defaults";
import type { Client, ServerConfig } from "../../config/schemas";
import { randomToken } from "../../crypto/secrets";
import { OAuthError } from "../../errors";
import { evaluate, type PolicyDecision } from "../../policy";
import { type AccessTokenClaims, buildAccessToken } from "../../tokens/access-token";

export interface GrantInput {
  client: Client;
  /** The `scope` parameter, parsed (RFC 6749 §3.3); empty when none was sent. */
  requestedScopes: readonly string[];
  snapshot: ServerConfig;
  issuer: string;
  /** Epoch seconds. */
  now: number;
}

export interface GrantResult {
  token: AccessTokenClaims;
  decision: Extract<PolicyDecision, { ok: true }>;
  /** Custom claims left out because they failed; recorded, never fatal. */
  claimFailures: ClaimFailure[];
}

const OIDC_SCOPES: ReadonlySet<string> = new Set(RESERVED_SCOPES);

/** Decides and builds the claim set; throws an OAuthError (with the policy trace when denied). */
export function clientCredentialsGrant({
  client,
  requestedScopes,
  snapshot,
  issuer,
  now,
}: GrantInput): GrantResult {
  if (!client.grant_types.includes("client_credentials")) {
    throw new OAuthError(
      "unauthorized_client",
      "The client is not authorized to use the provided grant type.",
    );
  }
  const oidc = requestedScopes.filter((s) => OIDC_SCOPES.has(s));
  if (oidc.length > 0) {
    throw new OAuthError(
      "invalid_scope",
      `The following scopes are not allowed for client_credentials: ${oidc.join(" ")}`,
    );
  }

  const decision = evaluate(
    { clientId: client.client_id, grantType: "client_credentials", requestedScopes },
    snapshot,
  );
  if (!decision.ok) throw new OAuthError(decision.error, decision.description, decision.trace);

  const token = buildAccessToken({
    profile: snapshot.server.tokenProfile,
    issuer,
    audiences: snapshot.server.audiences,
    clientId: client.client_id,
    subject: client.client_id,
    scopes: decision.scopes,
    issuedAt: now,
    lifetimeSeconds: decision.accessTokenLifetimeSeconds,
    jti: `AT.${randomToken(TOKEN_ID_BYTES)}`,
  });
  // No user in this grant: `user.*`, `appuser.*` and groups are null, as in Okta.
  const custom = resolveClaims(snapshot, "RESOURCE", decision.scopes, {
    user: null,
    appuser: null,
    groups: null,
    // Okta's app profile: custom attributes the admin attached to the client (`app.profile.*`).
    app: { clientId: client.client_id, profile: client.profile ?? {} },
    access: { scope: decision.scopes },
    now: () => now * 1000,
  });
  return {
    token: { ...token, payload: { ...token.payload, ...custom.values } },
    decision,
    claimFailures: custom.failures,
  };
}
