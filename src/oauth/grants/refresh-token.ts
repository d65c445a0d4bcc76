/**
 * The refresh_token grant (RFC 6749 §6), with Okta's semantics (okta-user-flows.md "Refresh
 * tokens"): the token names its grant's Durable Object, which rotates it exactly once, answers a
 * replay within the client's leeway with the same successor, and treats a rotated token presented
 * after the leeway as reuse: the whole grant is revoked (newest refresh token, every access token
 * naming the grant) and `app.oauth2.as.token.detect_reuse` is logged (src/grants/refresh-rotation.ts).
 *
 * - `scope` may only narrow what was granted (RFC 6749 §6): `invalid_scope` otherwise, nothing rotated.
 * - The user must still be ACTIVE and assigned to the app, as at code exchange: else the grant ends.
 * - Policy is evaluated again, as grant type `refresh_token` (src/oauth/custom-server.ts): a rule must
 *   allow `refresh_token` for the user and every scope the new access token asks for.
 *
 * Every failure of the token itself reads as Okta's "The refresh token is invalid or expired.",
 * byte for byte: okta-auth-js matches that text to drop its stored tokens.
 */
import { OAuthError } from "../../errors";
import { clientActor, EVENT_TYPES, serverTarget } from "../../log/event";
import { parseScopeParam } from "../scope-param";
import { userActor } from "../sign-in-log";
import type { Grant, GrantRequest, ResolveInput } from "./grant";

/** Okta's `error_description` (okta-auth-js compares it byte for byte). */
export const INVALID_REFRESH_TOKEN = "The refresh token is invalid or expired.";

export const INVALID_REFRESH_SCOPE = "The requested scope exceeds the scope granted to the refresh token.";

export const refreshToken: Grant = {
  type: "refresh_token",
  async resolve(input: ResolveInput): Promise<GrantRequest> {
    const { client, params, ports, serverId } = input;
    const token = params.get("refresh_token");
    if (token === undefined || token === "") {
      throw new OAuthError("invalid_request", "The 'refresh_token' parameter is missing.");
    }
    // Parsed before the grant is asked: a malformed `scope` rotates nothing.
    const scope = params.get("scope");
    const scopes = scope === undefined ? undefined : parseScopeParam(scope);

    const nowMs = ports.clock();
    const outcome = await ports.grants.refresh(
      token,
      { serverId, clientId: client.client_id, scopes },
      nowMs,
    );
    if (!outcome.ok) {
      switch (outcome.reason) {
        case "invalid":
          throw new OAuthError("invalid_grant", INVALID_REFRESH_TOKEN);
        case "invalid_scope":
          throw new OAuthError("invalid_scope", INVALID_REFRESH_SCOPE);
        case "reuse":
          recordReuse(input, outcome.grantId, outcome.request.userId);
          throw new OAuthError("invalid_grant", INVALID_REFRESH_TOKEN);
      }
    }
    const { grantId, request } = outcome;
    const subject = await ports.directory.subject(request.userId, client.client_id);
    // Deactivated, suspended, deleted or unassigned since sign-in: the grant ends here.
    if (subject?.user.status !== "ACTIVE" || !subject.assigned) {
      await ports.grants.revoke(grantId, nowMs);
      throw new OAuthError("invalid_grant", INVALID_REFRESH_TOKEN);
    }
    return {
      grantType: "refresh_token",
      client,
      requestedScopes: outcome.scopes,
      subject,
      authorized: { grantId, request },
      refreshToken: outcome.refreshToken,
    };
  },
};

/** Okta's `app.oauth2.as.token.detect_reuse`: rare, and a sign of theft, so recorded at once in full. */
function recordReuse({ ports, serverId, client, origin }: ResolveInput, grantId: string, userId: string) {
  ports.log.record(
    {
      eventType: EVENT_TYPES.refreshReuse,
      severity: "WARN",
      displayMessage: "Refresh token reuse detected",
      actor: clientActor(client.client_id),
      outcome: { result: "FAILURE", reason: "REFRESH_TOKEN_REUSE" },
      target: [serverTarget(serverId), userActor(userId, userId)],
      ...(origin ? { request: origin.info() } : {}),
      debugData: { grantType: "refresh_token", clientId: client.client_id, grantId },
    },
    { urgent: true },
  );
}
