/**
 * Every policy denial is recorded with the full evaluation trace (which policy and rule were looked
 * at, and why each did not match), as one structured log line: Workers Logs keep it, and the audit
 * log will read the same event. The client only ever sees the RFC 6749 error.
 */
import type { ClaimFailure } from "../claims/resolve";
import { OAuthError } from "../errors";

export interface DenialEvent {
  event: "token.denied";
  serverId: string;
  clientId: string;
  grantType: string;
  error: OAuthError["code"];
  trace: NonNullable<OAuthError["trace"]>;
}

export function recordDenials<T>(serverId: string, clientId: string, grantType: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof OAuthError && error.trace) {
      const event: DenialEvent = {
        event: "token.denied",
        serverId,
        clientId,
        grantType,
        error: error.code,
        trace: error.trace,
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
