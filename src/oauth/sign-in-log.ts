/**
 * What a user grant tells the system log about the password check: a failed sign-in as Okta's
 * `user.session.start` FAILURE (with the real reason, which the client never sees: it only ever gets
 * `invalid_grant`), and `user.account.lock` when this failure locked the account.
 *
 * Anyone can cause a failed sign-in with any username, so the events kept in full are sampled per
 * server and reason, never per presented username (an attacker could otherwise mint sample keys),
 * and an unknown username is cut to a login's length before it is written anywhere.
 */
import { SIGN_IN_USERNAME_MAX_LENGTH } from "../config/defaults";
import type { PasswordCheck } from "../directory/directory";
import { EVENT_TYPES, type RequestInfo, serverTarget } from "../log/event";
import type { EventLog } from "../log/event-log";

type Failure = Extract<PasswordCheck, { ok: false }>;

export interface SignInAttempt {
  log: EventLog;
  serverId: string;
  clientId: string;
  grantType: string;
  /** The username as presented. */
  login: string;
  request: RequestInfo;
}

/**
 * Okta's `outcome.reason` for a failed `user.session.start`: INVALID_CREDENTIALS for a wrong or
 * missing password and for an unknown user (Okta does not say which either), LOCKED_OUT, and
 * USER_NOT_ACTIVE for the statuses that may not sign in, PASSWORD_EXPIRED (the password grant
 * has no step in which to choose a new one).
 */
export function signInFailureReason(reason: Failure["reason"]): string {
  switch (reason) {
    case "unknown_user":
    case "wrong_password":
    case "no_password":
      return "INVALID_CREDENTIALS";
    case "locked_out":
      return "LOCKED_OUT";
    case "suspended":
    case "not_active":
      return "USER_NOT_ACTIVE";
    case "password_expired":
      return "PASSWORD_EXPIRED";
  }
}

/** A user's actor entry; an unknown login is kept only as what was typed, cut to a login's length. */
export function userActor(userId: string | undefined, login: string) {
  const alternateId = login.slice(0, SIGN_IN_USERNAME_MAX_LENGTH);
  return { id: userId ?? "unknown", type: "User", alternateId, displayName: alternateId };
}

export function recordSignInFailure(attempt: SignInAttempt, failure: Failure): void {
  const { log, serverId, clientId, grantType } = attempt;
  const reason = signInFailureReason(failure.reason);
  const displayMessage = "User login to Okta";
  const eventType = EVENT_TYPES.userSessionStart;
  log.record(
    {
      eventType,
      displayMessage,
      actor: userActor(failure.userId, attempt.login),
      outcome: { result: "FAILURE", reason },
      target: [serverTarget(serverId)],
      request: attempt.request,
      // The precise reason (unknown user, wrong password, suspended, …) is for the admin only.
      debugData: { grantType, clientId, signInFailure: failure.reason },
    },
    {
      sample: {
        key: `signin\u001f${serverId}\u001f${failure.reason}`,
        count: { eventType, result: "FAILURE", reason, serverId, clientId, grantType, displayMessage },
      },
    },
  );
  if (failure.lockedNow && failure.userId) {
    // Once per lock (the counter crossed the threshold in this call): rare, and worth seeing at once.
    log.record(
      {
        eventType: EVENT_TYPES.userAccountLock,
        severity: "WARN",
        displayMessage: "Max sign in attempts exceeded",
        actor: userActor(failure.userId, attempt.login),
        outcome: { result: "SUCCESS" },
        target: [userActor(failure.userId, attempt.login)],
        request: attempt.request,
        debugData: { grantType, clientId },
      },
      { urgent: true },
    );
  }
}

/** Where a successful sign-in happened, for its `user.session.start` SUCCESS event. */
export interface SignInSuccess {
  log: EventLog;
  /** The authorization server whose page (or `/api/v1/authn`, the org: undefined) the user signed in at. */
  serverId: string | undefined;
  clientId: string | undefined;
  /** `authorization_code` for the hosted page, `authn` for `/api/v1/authn`. */
  via: string;
  userId: string;
  login: string;
  sessionId: string | undefined;
  request: RequestInfo;
}

/**
 * Okta's `user.session.start` SUCCESS: one per interactive sign-in (the hosted page, `/api/v1/authn`),
 * kept in full. Only a user who proved a password reaches it, so nobody can flood it with names.
 */
export function recordSignInSuccess(success: SignInSuccess): void {
  success.log.record({
    eventType: EVENT_TYPES.userSessionStart,
    displayMessage: "User login to Okta",
    actor: userActor(success.userId, success.login),
    outcome: { result: "SUCCESS" },
    target: success.serverId ? [serverTarget(success.serverId)] : [],
    request: success.request,
    debugData: {
      via: success.via,
      ...(success.clientId ? { clientId: success.clientId } : {}),
      ...(success.sessionId ? { sessionId: success.sessionId } : {}),
    },
  });
}
