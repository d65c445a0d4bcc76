/**
 * The body of a token inline hook call, in Okta's `com.okta.oauth2.tokens.transform` contract
 * (event envelope, `data.context`, `data.identity`, `data.access`). Pure: ids and time come in.
 */
import type { AccessTokenClaims } from "../tokens/access-token";

export const TOKEN_HOOK_EVENT_TYPE = "com.okta.oauth2.tokens.transform";

export interface TokenHookRequestInput {
  eventId: string;
  /** Epoch seconds. */
  now: number;
  issuer: string;
  request: { id: string; url: string; ipAddress: string | undefined };
  grantType: string;
  /** The `scope` parameter as parsed; empty when the request named none. */
  requestedScopes: readonly string[];
  client: { id: string; name: string; type: "PUBLIC" | "CONFIDENTIAL" };
  policy: { id: string };
  rule: { id: string };
  token: AccessTokenClaims;
  /** The granted scopes with their ids on this authorization server. */
  scopes: readonly { name: string; id: string }[];
}

export interface TokenHookRequest {
  source: string;
  eventId: string;
  eventTime: string;
  eventTypeVersion: "1.0";
  /** Okta's spelling for this hook type (the CloudEvents 0.1 envelope). */
  cloudEventVersion: "0.1";
  contentType: "application/json";
  eventType: typeof TOKEN_HOOK_EVENT_TYPE;
  data: {
    context: {
      request: { id: string; method: "POST"; url: { value: string }; ipAddress?: string };
      protocol: {
        type: "OAUTH2.0";
        request: { grant_type: string; scope?: string };
        issuer: { uri: string };
        client: { id: string; name: string; type: "PUBLIC" | "CONFIDENTIAL" };
      };
      policy: { id: string; rule: { id: string } };
    };
    /** The ID token; null when the request issues none (client_credentials never does). */
    identity: null;
    access: {
      claims: Record<string, unknown>;
      token: { lifetime: { expiration: number } };
      scopes: Record<string, { id: string; action: "GRANT" }>;
    };
  };
}

export function tokenHookRequestBody(input: TokenHookRequestInput): TokenHookRequest {
  // Okta shows the claims without `iat` and `exp`: the lifetime is `token.lifetime.expiration`.
  const { iat, exp, ...claims } = input.token.payload;
  const lifetime = typeof iat === "number" && typeof exp === "number" ? exp - iat : 0;
  return {
    source: `${input.issuer}/v1/token`,
    eventId: input.eventId,
    eventTime: new Date(input.now * 1000).toISOString(),
    eventTypeVersion: "1.0",
    cloudEventVersion: "0.1",
    contentType: "application/json",
    eventType: TOKEN_HOOK_EVENT_TYPE,
    data: {
      context: {
        request: {
          id: input.request.id,
          method: "POST",
          url: { value: input.request.url },
          ...(input.request.ipAddress ? { ipAddress: input.request.ipAddress } : {}),
        },
        protocol: {
          type: "OAUTH2.0",
          // The request's own parameters (never its credentials): `scope` only when it was sent.
          request: {
            grant_type: input.grantType,
            ...(input.requestedScopes.length > 0 ? { scope: input.requestedScopes.join(" ") } : {}),
          },
          issuer: { uri: input.issuer },
          client: input.client,
        },
        policy: { id: input.policy.id, rule: { id: input.rule.id } },
      },
      identity: null,
      access: {
        claims,
        token: { lifetime: { expiration: lifetime } },
        scopes: Object.fromEntries(input.scopes.map((s) => [s.name, { id: s.id, action: "GRANT" as const }])),
      },
    },
  };
}
