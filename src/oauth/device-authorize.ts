/**
 * `POST /oauth2/{as}/v1/device/authorize` (RFC 8628 §3.1, §3.2), Okta's device authorization
 * endpoint: a device (a CLI, a TV) asks for a device code and a user code.
 *
 *   read form → authenticate the client (as at the token endpoint: a public native app sends its
 *   `client_id` only) → the client must have the device_code grant type → the scopes must exist →
 *   a new device grant (src/grants/) → a user code pointing at it → the answer
 *
 * Policy is not evaluated here: who the user is is not known yet. It is evaluated when the user
 * approves on `/activate` (src/signin/activate.ts), as `/v1/authorize` evaluates it at sign-in.
 *
 * The verification URI is the org's `/activate`, as Okta's (`https://{yourOktaDomain}/activate`): one
 * short address a person can type from a TV screen (RFC 8628 §3.3.1), for every authorization server;
 * the user code itself names the grant and so the server.
 */
import type { Context } from "hono";
import {
  DEVICE_CODE_LIFETIME_SECONDS,
  DEVICE_CODE_POLL_INTERVAL_SECONDS,
  DEVICE_USER_CODE_DRAWS,
  TOKEN_REQUEST_MAX_BYTES,
} from "../config/defaults";
import type { AppEnv } from "../context";
import { OAuthError } from "../errors";
import { DEVICE_CODE_GRANT_TYPE, displayUserCode, newUserCode } from "../grants/device-authorization";
import { withRateLimitHeaders } from "../http/rate-limit";
import { requestInfo } from "../log/event";
import { evaluate } from "../policy";
import { authenticateClient, presentedCredentials } from "./client-auth";
import { recordClientAuthFailure } from "./denial-log";
import { readFormBody } from "./form-body";
import { requireOrgUrl } from "./org-url";
import { clientAddress, limitClient, limitFailedAuthentication } from "./rate-limit";
import { parseScopeParam } from "./scope-param";

/** RFC 8628 §3.2's response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** The user-code page: the org's, for every server (see the header). */
export function verificationUri(orgUrl: string): string {
  return `${orgUrl}/activate`;
}

export function deviceAuthorizeEndpoint() {
  return async (c: Context<AppEnv>): Promise<Response> => {
    if (c.req.method !== "POST") {
      return new OAuthError(
        "invalid_request",
        "The device authorization endpoint accepts only POST requests.",
        {
          status: 405,
        },
      ).getResponse({ headers: { Allow: "POST" } });
    }
    const ports = c.get("ports");
    const snapshot = c.get("snapshot");
    const serverId = snapshot.server.id;
    const issuer = c.get("issuer");
    const now = Math.floor(ports.clock() / 1000);
    const params = await readFormBody(c.req.raw, TOKEN_REQUEST_MAX_BYTES);

    // RFC 8628 §3.1: "the client MUST authenticate" if it is confidential (RFC 6749 §3.2.1); a
    // public client names itself. The same methods, checks and failure limits as the token endpoint.
    const presented = presentedCredentials(c.req.header("Authorization"), params);
    const client = await limitFailedAuthentication(ports, clientAddress(c.req.raw), async () => {
      try {
        return await authenticateClient(presented, {
          config: ports.config,
          clientKeys: ports.clientKeys,
          replay: ports.assertionReplay,
          revocations: ports.revocations,
          audiences: [`${issuer}/v1/token`, issuer, `${issuer}/v1/device/authorize`],
          now,
        });
      } catch (error) {
        if (error instanceof OAuthError && error.code === "invalid_client") {
          recordClientAuthFailure(ports.log, serverId, presented, requestInfo(c.req.raw.headers));
        }
        throw error;
      }
    });
    // Each request opens a grant: it counts against the client's token budget.
    const quota = await limitClient(ports, client.client_id);
    c.set("rateLimit", quota);

    // RFC 8628 §3.4 / RFC 6749 §5.2: only a client registered for the device grant may start one.
    if (!(client.grant_types as readonly string[]).includes(DEVICE_CODE_GRANT_TYPE)) {
      throw new OAuthError(
        "unauthorized_client",
        "The client is not authorized to use the provided grant type.",
      );
    }
    const scopes = parseScopeParam(params.get("scope"));
    // Scopes this server lacks (or none and no default) are refused now, not after the user came.
    const check = evaluate(
      { clientId: client.client_id, grantType: DEVICE_CODE_GRANT_TYPE, requestedScopes: scopes },
      snapshot,
    );
    if (!check.ok && check.error === "invalid_scope")
      throw new OAuthError("invalid_scope", check.description);

    const nowMs = ports.clock();
    const { grantId, deviceCode } = await ports.grants.openDevice(
      { serverId, clientId: client.client_id, scopes },
      nowMs,
    );
    const userCode = await registerUserCode(c, grantId, nowMs);
    const uri = verificationUri(requireOrgUrl(ports.settings, c.req.url));
    const shown = displayUserCode(userCode);
    const body: DeviceAuthorizationResponse = {
      device_code: deviceCode,
      user_code: shown,
      verification_uri: uri,
      verification_uri_complete: `${uri}?${new URLSearchParams({ user_code: shown })}`,
      expires_in: DEVICE_CODE_LIFETIME_SECONDS,
      interval: DEVICE_CODE_POLL_INTERVAL_SECONDS,
    };
    // RFC 8628 §3.2 answers like a token response (RFC 6749 §5.1): the codes must not be cached.
    const response = new Response(JSON.stringify(body), {
      status: 200,
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store", Pragma: "no-cache" },
    });
    return withRateLimitHeaders(response, quota, ports.clock());
  };
}

/** A fresh user code pointing at `grantId`; a code a live grant holds is drawn again. */
async function registerUserCode(c: Context<AppEnv>, grantId: string, nowMs: number): Promise<string> {
  const { userCodes } = c.get("ports");
  const expiresAt = nowMs + DEVICE_CODE_LIFETIME_SECONDS * 1000;
  for (let draw = 0; draw < DEVICE_USER_CODE_DRAWS; draw++) {
    const code = newUserCode();
    if (await userCodes.register(code, grantId, expiresAt, nowMs)) return code;
  }
  throw new OAuthError("temporarily_unavailable", "No user code could be issued; try again.");
}
