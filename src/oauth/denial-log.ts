/**
 * What the token endpoint tells the system log (src/log/): every denial of a grant, with the full
 * evaluation trace when policies were evaluated (which policy and rule were looked at, and why each
 * did not match), as Okta's `app.oauth2.as.token.grant` FAILURE (`app.oauth2.token.grant` on the
 * org server); granted tokens as `…token.grant.access_token`, counted per minute unless the server
 * opted into full grant logging. Denials decided before any policy (a client without the grant
 * type, OIDC scopes on client_credentials) are recorded the same way, with an empty trace. The
 * client only ever sees the RFC 6749 error.
 *
 * Denials come from authenticated clients but as fast as a client cares to ask: the first few per
 * server × client × error and minute are kept in full, the rest counted (src/log/event-log.ts).
 * The Workers Logs line keeps its established shape (`event: "token.denied"`).
 */
import type { ClaimFailure } from "../claims/resolve";
import { ORG_KEYS_ID } from "../config/defaults";
import { OAuthError } from "../errors";
import { clientActor, EVENT_TYPES, type RequestInfo, serverTarget } from "../log/event";
import type { EventLog } from "../log/event-log";
import type { TraceEntry } from "../policy";
import type { PresentedCredentials } from "./client-auth";
import { userActor } from "./sign-in-log";

export interface DenialEvent {
  event: "token.denied";
  serverId: string;
  clientId: string;
  grantType: string;
  error: OAuthError["code"];
  /** The `error_description` the client received, which names offending scopes and grant types. */
  description: string;
  trace: readonly TraceEntry[];
}

/** Who asked, for the log: the server, the authenticated client, the grant type and the request. */
export interface GrantSubject {
  log: EventLog;
  serverId: string;
  clientId: string;
  grantType: string;
  request: () => RequestInfo;
}

/** Runs a grant; an OAuthError it throws is recorded, then rethrown unchanged. */
export async function recordDenials<T>(subject: GrantSubject, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OAuthError) recordDenial(subject, error);
    throw error;
  }
}

function recordDenial(subject: GrantSubject, error: OAuthError): void {
  const { serverId, clientId, grantType } = subject;
  const line: DenialEvent = {
    event: "token.denied",
    serverId,
    clientId,
    grantType,
    error: error.code,
    description: error.description,
    trace: error.trace ?? [],
  };
  const org = serverId === ORG_KEYS_ID;
  const eventType = org ? EVENT_TYPES.orgGrantFailure : EVENT_TYPES.grantFailure;
  const displayMessage = "OAuth2 access token request failed";
  subject.log.record(
    {
      eventType,
      displayMessage,
      actor: clientActor(clientId),
      outcome: { result: "FAILURE", reason: error.code },
      target: [serverTarget(serverId)],
      request: subject.request(),
      debugData: {
        grantType,
        error: error.code,
        description: error.description,
        trace: line.trace,
        ...(error.reason !== undefined ? { reason: error.reason } : {}),
      },
    },
    {
      line: line as unknown as Record<string, unknown>,
      sample: {
        key: `${serverId}\u001f${clientId}\u001f${error.code}`,
        count: {
          eventType,
          result: "FAILURE",
          reason: error.code,
          serverId,
          clientId,
          grantType,
          displayMessage,
        },
      },
    },
  );
}

/**
 * A token was issued: counted (one row per server × client × grant type × minute), or one event of
 * its own when the server logs grants in full.
 */
export function recordGrant(
  subject: GrantSubject,
  mode: "AGGREGATED" | "FULL",
  granted: {
    scopes: readonly string[];
    jti: unknown;
    expiresIn: number;
    /** The resource owner of a user grant (password): the event's actor, as Okta logs it. */
    user?: { id: string; profile: { login: string } } | undefined;
  },
): void {
  const { serverId, clientId, grantType, log } = subject;
  const eventType = serverId === ORG_KEYS_ID ? EVENT_TYPES.orgGrantAccessToken : EVENT_TYPES.grantAccessToken;
  const displayMessage = "OAuth2 access token is granted";
  if (mode === "AGGREGATED") {
    log.count({ eventType, result: "SUCCESS", serverId, clientId, grantType, displayMessage });
    return;
  }
  const { user } = granted;
  log.record({
    eventType,
    displayMessage,
    actor: user ? userActor(user.id, user.profile.login) : clientActor(clientId),
    outcome: { result: "SUCCESS" },
    target: user ? [serverTarget(serverId), clientActor(clientId)] : [serverTarget(serverId)],
    request: subject.request(),
    debugData: {
      grantType,
      grantedScopes: granted.scopes.join(" "),
      tokenId: granted.jti,
      expiresIn: granted.expiresIn,
    },
  });
}

/** A custom claim that failed at token time is left out of the token and recorded here (Okta: `app.oauth2.as.evaluate.claim`). */
export function recordClaimFailures(subject: GrantSubject, failures: readonly ClaimFailure[]): void {
  if (failures.length === 0) return;
  const { serverId, clientId, grantType } = subject;
  const line = { event: "token.claims_omitted", serverId, clientId, failures };
  const displayMessage = "Custom claims were left out of the token";
  subject.log.record(
    {
      eventType: EVENT_TYPES.claimEvaluation,
      displayMessage,
      actor: clientActor(clientId),
      outcome: { result: "FAILURE", reason: "claim_evaluation_failed" },
      target: [serverTarget(serverId)],
      request: subject.request(),
      debugData: { grantType, failures },
    },
    {
      line,
      sample: {
        key: `claims\u001f${serverId}\u001f${clientId}`,
        count: {
          eventType: EVENT_TYPES.claimEvaluation,
          result: "FAILURE",
          reason: "claim_evaluation_failed",
          serverId,
          clientId,
          grantType,
          displayMessage,
        },
      },
    },
  );
}

/**
 * Client authentication failed (Okta: `app.oauth2.invalid_client_credentials`). Anyone can cause
 * it with any client id, so the id is cut to a client id's length, and the events kept in full are
 * sampled per server and method, never per presented id (an attacker could otherwise mint keys).
 */
export function recordClientAuthFailure(
  log: EventLog,
  serverId: string,
  presented: PresentedCredentials,
  request: RequestInfo,
): void {
  const claimed =
    "clientId" in presented && typeof presented.clientId === "string" ? presented.clientId : undefined;
  const displayMessage = "OAuth2 client authentication failed";
  const eventType = EVENT_TYPES.invalidClientCredentials;
  log.record(
    {
      eventType,
      displayMessage,
      actor: clientActor(claimed?.slice(0, 100) ?? "unknown"),
      outcome: { result: "FAILURE", reason: "invalid_client" },
      target: [serverTarget(serverId)],
      request,
      debugData: { method: presented.method },
    },
    {
      sample: {
        key: `auth\u001f${serverId}\u001f${presented.method}`,
        count: {
          eventType,
          result: "FAILURE",
          reason: `invalid_client:${presented.method}`,
          serverId,
          clientId: "",
          displayMessage,
        },
      },
    },
  );
}
