/**
 * The system log's event: Okta's LogEvent shape (`/api/v1/logs`), with Okta's event type names
 * where Okta has one and `warden.`-prefixed names where it has none. Pure: ids and time come in.
 */

/** Okta's event types Warden emits, and Warden's own (prefixed `warden.`) where Okta has none. */
export const EVENT_TYPES = {
  // Token endpoint (Okta: custom servers `app.oauth2.as.*`, the org server `app.oauth2.*`).
  grantAccessToken: "app.oauth2.as.token.grant.access_token",
  grantFailure: "app.oauth2.as.token.grant",
  orgGrantAccessToken: "app.oauth2.token.grant.access_token",
  orgGrantFailure: "app.oauth2.token.grant",
  invalidClientCredentials: "app.oauth2.invalid_client_credentials",
  claimEvaluation: "app.oauth2.as.evaluate.claim",
  tokenRevoke: "app.oauth2.as.token.revoke",
  refreshReuse: "app.oauth2.as.token.detect_reuse",
  // Keys.
  keyRollover: "app.oauth2.as.key.rollover",
  keyRevoke: "warden.oauth2.as.key.revoke",
  keyVaultAlarmFailed: "warden.oauth2.as.key.alarm_failed",
  // Inline hooks (Okta: `inline_hook.executed`, `inline_hook.response.processed`).
  inlineHookExecuted: "inline_hook.executed",
  inlineHookResponseProcessed: "inline_hook.response.processed",
  // Admin writes.
  serverCreated: "oauth2.as.created",
  serverUpdated: "oauth2.as.updated",
  serverDeleted: "oauth2.as.deleted",
  serverActivated: "oauth2.as.activated",
  serverDeactivated: "oauth2.as.deactivated",
  scopeCreated: "oauth2.scope.created",
  scopeUpdated: "oauth2.scope.updated",
  scopeDeleted: "oauth2.scope.deleted",
  claimCreated: "oauth2.claim.created",
  claimUpdated: "oauth2.claim.updated",
  claimDeleted: "oauth2.claim.deleted",
  policyCreate: "policy.lifecycle.create",
  policyUpdate: "policy.lifecycle.update",
  policyDelete: "policy.lifecycle.delete",
  policyActivate: "policy.lifecycle.activate",
  policyDeactivate: "policy.lifecycle.deactivate",
  ruleAdd: "policy.rule.add",
  ruleUpdate: "policy.rule.update",
  ruleDelete: "policy.rule.delete",
  ruleActivate: "policy.rule.activate",
  ruleDeactivate: "policy.rule.deactivate",
  appCreate: "application.lifecycle.create",
  appUpdate: "application.lifecycle.update",
  appDelete: "application.lifecycle.delete",
  appActivate: "application.lifecycle.activate",
  appDeactivate: "application.lifecycle.deactivate",
  appSecretCreate: "warden.application.credentials.secret.create",
  appSecretUpdate: "warden.application.credentials.secret.update",
  appSecretDelete: "warden.application.credentials.secret.delete",
  inlineHookCreated: "inline_hook.created",
  inlineHookUpdated: "inline_hook.updated",
  inlineHookDeleted: "inline_hook.deleted",
  inlineHookActivated: "inline_hook.activated",
  inlineHookDeactivated: "inline_hook.deactivated",
  apiTokenCreate: "system.api_token.create",
  apiTokenRevoke: "system.api_token.revoke",
  apiTokenUse: "warden.api_token.use",
  configImport: "warden.config.import",
  // Users API (Okta's event types).
  userCreate: "user.lifecycle.create",
  userActivate: "user.lifecycle.activate",
  userDeactivate: "user.lifecycle.deactivate",
  userSuspend: "user.lifecycle.suspend",
  userUnsuspend: "user.lifecycle.unsuspend",
  userDelete: "user.lifecycle.delete.completed",
  userUnlock: "user.account.unlock",
  userUpdateProfile: "user.account.update_profile",
  userUpdatePassword: "user.account.update_password",

  // User sign-in through a user grant (the password grant): Okta's event types.
  userSessionStart: "user.session.start",
  userAccountLock: "user.account.lock",

  // Groups, memberships and app assignments (Okta's names).
  groupCreate: "group.lifecycle.create",
  groupDelete: "group.lifecycle.delete",
  groupProfileUpdate: "group.profile.update",
  groupMemberAdd: "group.user_membership.add",
  groupMemberRemove: "group.user_membership.remove",
  appUserAdd: "application.user_membership.add",
  appUserUpdate: "application.user_membership.update",
  appUserRemove: "application.user_membership.remove",
  appGroupAdd: "group.application_assignment.add",
  appGroupRemove: "group.application_assignment.remove",
  // The log itself.
  logOverflow: "warden.system_log.overflow",

  // Sign-in sessions (src/signin/): Okta's event for a session ended by logout or `DELETE /sessions/me`.
  userSessionEnd: "user.session.end",
  // Trusted origins (Okta's names).
  trustedOriginCreate: "security.trusted_origin.create",
  trustedOriginUpdate: "security.trusted_origin.update",
  trustedOriginDelete: "security.trusted_origin.delete",
  trustedOriginActivate: "security.trusted_origin.activate",
  trustedOriginDeactivate: "security.trusted_origin.deactivate",
  // Consent grants (Okta's names): given on the consent page, revoked through the Users API.
  consentGrant: "app.oauth2.as.consent.grant",
  consentRevoke: "app.oauth2.as.consent.revoke",
  // Admin role assignments (src/admin/user-roles.ts): Okta's names.
  userPrivilegeGrant: "user.account.privilege.grant",
  userPrivilegeRevoke: "user.account.privilege.revoke",
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export type Severity = "DEBUG" | "INFO" | "WARN" | "ERROR";
export type OutcomeResult = "SUCCESS" | "FAILURE" | "SKIPPED" | "ALLOW" | "DENY" | "CHALLENGE" | "UNKNOWN";

export interface LogActor {
  id: string;
  type: string;
  alternateId: string | null;
  displayName: string | null;
  detailEntry: Record<string, string> | null;
}

export interface LogTarget {
  id: string;
  type: string;
  alternateId: string | null;
  displayName: string | null;
  detailEntry: Record<string, string> | null;
}

export interface LogClient {
  ipAddress: string | null;
  userAgent: { rawUserAgent: string | null } | null;
  zone: string | null;
  device: string | null;
  id: string | null;
}

/** Okta's LogEvent, the shape `/api/v1/logs` answers with. */
export interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  version: "0";
  severity: Severity;
  legacyEventType: null;
  displayMessage: string;
  actor: LogActor;
  client: LogClient;
  outcome: { result: OutcomeResult; reason: string | null };
  target: LogTarget[];
  transaction: { type: "WEB" | "JOB"; id: string | null; detail: Record<string, unknown> };
  debugContext: { debugData: Record<string, unknown> };
  authenticationContext: { authenticationStep: 0; externalSessionId: string | null };
  securityContext: Record<string, never>;
  request: { ipChain: { ip: string }[] };
}

/** Who or what a request came from, as the log records it. */
export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
  /** The `cf-ray` id: Okta's `transaction.id`, shared by every event of one request. */
  requestId: string | null;
}

export const NO_REQUEST: RequestInfo = { ip: null, userAgent: null, requestId: null };

/** What an emitter says; `buildEvent` adds the id, the time and Okta's fixed fields. */
export interface EventInput {
  eventType: EventType;
  severity?: Severity;
  displayMessage: string;
  actor: Partial<LogActor> & Pick<LogActor, "id" | "type">;
  outcome: { result: OutcomeResult; reason?: string | null };
  target?: (Partial<LogTarget> & Pick<LogTarget, "id" | "type">)[];
  request?: RequestInfo;
  /** Okta's `transaction.type`: WEB for a request, JOB for alarms and crons. */
  job?: boolean;
  debugData?: Record<string, unknown>;
}

export function buildEvent(input: EventInput, nowMs: number, uuid: string): LogEvent {
  const request = input.request ?? NO_REQUEST;
  return {
    uuid,
    published: new Date(nowMs).toISOString(),
    eventType: input.eventType,
    version: "0",
    severity: input.severity ?? (input.outcome.result === "FAILURE" ? "WARN" : "INFO"),
    legacyEventType: null,
    displayMessage: input.displayMessage,
    actor: entity(input.actor),
    client: {
      ipAddress: request.ip,
      userAgent: request.userAgent === null ? null : { rawUserAgent: request.userAgent },
      zone: "null",
      device: request.userAgent === null ? null : "Unknown",
      id: null,
    },
    outcome: { result: input.outcome.result, reason: input.outcome.reason ?? null },
    target: (input.target ?? []).map(entity),
    transaction: { type: input.job ? "JOB" : "WEB", id: request.requestId, detail: {} },
    debugContext: {
      debugData: { ...input.debugData, ...(request.requestId ? { requestId: request.requestId } : {}) },
    },
    authenticationContext: { authenticationStep: 0, externalSessionId: null },
    securityContext: {},
    request: { ipChain: request.ip ? [{ ip: request.ip }] : [] },
  };
}

function entity<T extends Partial<LogActor> & Pick<LogActor, "id" | "type">>(e: T): LogActor {
  return {
    id: e.id,
    type: e.type,
    alternateId: e.alternateId ?? null,
    displayName: e.displayName ?? null,
    detailEntry: e.detailEntry ?? null,
  };
}

/** The request's client as the log records it (Cloudflare's connecting IP, the user agent, the ray id). */
export function requestInfo(headers: { get(name: string): string | null }): RequestInfo {
  return {
    ip: headers.get("CF-Connecting-IP"),
    userAgent: headers.get("User-Agent")?.slice(0, 512) ?? null,
    requestId: headers.get("cf-ray"),
  };
}

/** Okta's actor and target types for the objects Warden logs about. */
export const clientActor = (clientId: string) => ({
  id: clientId,
  type: "PublicClientApp",
  alternateId: clientId,
  displayName: clientId,
});
export const serverTarget = (serverId: string) => ({
  id: serverId,
  type: "AuthorizationServer",
  alternateId: serverId,
  displayName: serverId,
});
export const SYSTEM_ACTOR = {
  id: "warden",
  type: "SystemPrincipal",
  alternateId: "system@warden",
  displayName: "Warden",
} as const;
