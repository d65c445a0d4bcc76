/**
 * The device code grant (RFC 8628 §3.4, §3.5): the device polls with the `device_code` it was given
 * at `/v1/device/authorize`. The code names its grant's Durable Object (src/grants/), which answers
 * `authorization_pending` until the user decides on `/activate`, `slow_down` (and a longer interval
 * from then on) when polled faster than the interval, `access_denied` after a denial, `expired_token`
 * after DEVICE_CODE_LIFETIME_SECONDS, and the tokens to exactly one poll after approval.
 *
 * Policy is not evaluated here: it was, when the user approved (as `/v1/authorize` does at sign-in),
 * and the decision bound into the grant drives scopes, lifetime and hook (`authorized`, as the
 * authorization_code grant). The user must still be ACTIVE and assigned to the app when the tokens
 * are handed out.
 *
 * The `error_description`s: Okta's words where they are known; UNCONFIRMED against a source for the
 * three RFC 8628 codes (okta-user-flows.md names `authorization_pending` only), so each says plainly
 * what the RFC's code means.
 */
import { OAuthError } from "../../errors";
import { DEVICE_CODE_GRANT_TYPE, type DevicePollRefusal } from "../../grants/device-authorization";
import type { Grant, GrantRequest, ResolveInput } from "./grant";

export const INVALID_DEVICE_CODE = "The device code is invalid or has expired.";
export const AUTHORIZATION_PENDING = "The device authorization is pending. Please try again later.";
export const SLOW_DOWN =
  "The client is polling too frequently: wait at least the interval, now 5 seconds longer.";
export const EXPIRED_TOKEN = "The device code has expired.";
export const DEVICE_ACCESS_DENIED = "The resource owner denied the request.";

export const deviceCode: Grant = {
  type: DEVICE_CODE_GRANT_TYPE,
  async resolve(input: ResolveInput): Promise<GrantRequest> {
    const { client, params, ports, serverId } = input;
    const code = params.get("device_code");
    // RFC 8628 §3.4: device_code is REQUIRED.
    if (code === undefined)
      throw new OAuthError("invalid_request", "The 'device_code' parameter is missing.");
    const nowMs = ports.clock();
    const poll = await ports.grants.pollDevice(code, { serverId, clientId: client.client_id }, nowMs);
    if (!poll.ok) throw refusal(poll.reason);
    const { grantId, request } = poll;
    const subject = await ports.directory.subject(request.userId, client.client_id);
    // Deactivated, suspended, deleted or unassigned since approval: the grant ends here, unused.
    if (subject?.user.status !== "ACTIVE" || !subject.assigned) {
      await ports.grants.revoke(grantId, nowMs);
      throw new OAuthError("invalid_grant", INVALID_DEVICE_CODE);
    }
    return {
      grantType: DEVICE_CODE_GRANT_TYPE,
      client,
      requestedScopes: request.scopes,
      subject,
      authorized: { grantId, request },
    };
  },
};

function refusal(reason: DevicePollRefusal): OAuthError {
  switch (reason) {
    case "invalid":
      return new OAuthError("invalid_grant", INVALID_DEVICE_CODE);
    case "authorization_pending":
      return new OAuthError("authorization_pending", AUTHORIZATION_PENDING);
    case "slow_down":
      return new OAuthError("slow_down", SLOW_DOWN);
    case "expired_token":
      return new OAuthError("expired_token", EXPIRED_TOKEN);
    case "access_denied":
      return new OAuthError("access_denied", DEVICE_ACCESS_DENIED);
  }
}
