/**
 * Who calls /v1/introspect and /v1/revoke: the client authenticated as at the token endpoint (RFC 7662
 * §2.1, RFC 7009 §2.1: "the client MUST authenticate"), with the same rate limits (a failure budget
 * per address, then the client's token budget), plus okta-auth-js's form for a public client:
 * `Authorization: Basic base64(client_id)` with no colon and no secret (okta-user-flows.md). That
 * form names a public client (`token_endpoint_auth_method: none`) and nothing else: a confidential
 * client that sends it fails like a wrong secret.
 */
import type { Context } from "hono";
import type { Client } from "../config/schemas";
import type { AppEnv } from "../context";
import { OAuthError } from "../errors";
import type { RateLimitVerdict } from "../http/rate-limit";
import {
  AUTHENTICATION_FAILED,
  authenticateClient,
  type PresentedCredentials,
  presentedCredentials,
} from "./client-auth";
import { type FormParams, refuseSecretsInQuery } from "./form-body";
import { clientAddress, limitClient, limitFailedAuthentication } from "./rate-limit";

/**
 * The secrets /v1/introspect and /v1/revoke read, which must never ride in the URL: RFC 7662 §2.1 and
 * RFC 7009 §2.1 define only a POST with a form body, and RFC 6749 §2.3.1 says client credentials
 * "MUST NOT be included in the request URI". The form reader refuses the client credentials among
 * the token endpoint's list; `token` is these endpoints' own (it is not a token-endpoint parameter).
 */
const ENDPOINT_SECRETS: readonly string[] = ["token", "client_secret", "client_assertion"];

/**
 * Refuses a secret in the query string, whatever the method: it has leaked into logs and history
 * already, and reading the body alone would answer "missing", as if the client had not sent it (the
 * token endpoint does the same, src/oauth/form-body.ts). Checked before the method, so a GET that
 * carries a token learns why, not only that POST is needed.
 */
export function refuseSecretsInUrl(url: string): void {
  refuseSecretsInQuery(url, ENDPOINT_SECRETS);
}

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;
/** A client id as Basic would carry it: printable ASCII, no colon (src/oauth/id-syntax.ts is stricter). */
const COLONLESS = /^[\x21-\x39\x3b-\x7e]{1,100}$/;

/** RFC 6749 §2.3 as the token endpoint reads it, and Okta's Basic-without-colon public form. */
export function endpointCredentials(
  authorization: string | undefined,
  params: FormParams,
): PresentedCredentials {
  const match = authorization === undefined ? null : BASIC.exec(authorization);
  if (match?.[1]) {
    let decoded: string | undefined;
    try {
      decoded = atob(match[1]);
    } catch {
      decoded = undefined;
    }
    if (decoded !== undefined && !decoded.includes(":")) {
      if (!COLONLESS.test(decoded) || params.has("client_secret") || params.has("client_assertion")) {
        throw new OAuthError("invalid_client", AUTHENTICATION_FAILED);
      }
      const bodyId = params.get("client_id");
      if (bodyId !== undefined && bodyId !== decoded) {
        throw new OAuthError(
          "invalid_request",
          "The client_id parameter does not match the authenticated client.",
        );
      }
      return { method: "none", clientId: decoded };
    }
  }
  return presentedCredentials(authorization, params);
}

/**
 * The authenticated client, counted against its budget; the budget rides on the context so that
 * every answer, errors included, carries X-Rate-Limit-* (src/app.ts onError).
 */
export async function endpointClient(
  c: Context<AppEnv>,
  params: FormParams,
  endpointUrl: string,
): Promise<{ client: Client; quota: RateLimitVerdict }> {
  const ports = c.get("ports");
  const issuer = c.get("issuer");
  const now = Math.floor(ports.clock() / 1000);
  const address = clientAddress(c.req.raw);
  const client = await limitFailedAuthentication(ports, address, () =>
    authenticateClient(endpointCredentials(c.req.header("Authorization"), params), {
      config: ports.config,
      clientKeys: ports.clientKeys,
      replay: ports.assertionReplay,
      revocations: ports.revocations,
      // RFC 7523 §3: the endpoint the assertion is sent to, or the issuer.
      audiences: [endpointUrl, issuer],
      now,
    }),
  );
  const quota = await limitClient(ports, client.client_id);
  c.set("rateLimit", quota);
  return { client, quota };
}
