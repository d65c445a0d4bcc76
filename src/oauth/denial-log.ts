/**
 * Every denial of a grant is recorded as one structured log line, with the full evaluation trace
 * when policies were evaluated (which policy and rule were looked at, and why each did not match):
 * Workers Logs keep it, and the audit log will read the same event. Denials decided before any
 * policy (a client without the grant type, OIDC scopes on client_credentials) are recorded the same
 * way, with an empty trace. The client only ever sees the RFC 6749 error.
 */
import type { ClaimFailure } from "../claims/resolve";
import { OAuthError } from "../errors";
import type { TraceEntry } from "../policy";

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

/** Runs a grant; an OAuthError it throws is recorded, then rethrown unchanged. */
export async function recordDenials<T>(
  serverId: string,
  clientId: string,
  grantType: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OAuthError) {
      const event: DenialEvent = {
        event: "token.denied",
        serverId,
        clientId,
        grantType,
        error: error.code,
        description: error.description,
        trace: error.trace ?? [],
      };
      console.warn(JSON.stringify(event));
    }
    throw error;
  }
}

/** A custom claim that failed at token time is left out of the token and recorded here. */
export function recordClaimFailures(
  serverId: string,
  clientId: string,
  failures: readonly ClaimFailure[],
): void {
  if (failures.length === 0) return;
  console.warn(JSON.stringify({ event: "token.claims_omitted", serverId, clientId, failures }));
}
