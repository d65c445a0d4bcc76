/**
 * Token inline hook outcomes worth an admin's attention, one structured log line each (as
 * src/oauth/denial-log.ts records denials) and one system-log event (src/log/): Okta's
 * `inline_hook.executed` FAILURE when the call failed or could not be made,
 * `inline_hook.response.processed` FAILURE when its answer was refused or was an error. The client
 * sees none of it, except the hook's own `errorSummary`.
 */
import { clientActor, EVENT_TYPES, type EventType, type RequestInfo, serverTarget } from "../log/event";
import { type EventLog, LINE_ONLY_LOG } from "../log/event-log";
import type { HookCallFailure } from "./hook-call";
import type { PatchRejection } from "./patch";
import type { TokenHookOutcome } from "./token-hook";

/**
 * Why a hook changed nothing: the call failed, its commands were refused, or it could not be made
 * (`refused_target`: the URI is not a target Warden calls, src/http/outbound-url.ts).
 */
export type HookFailureReason = HookCallFailure | "patch_rejected" | "hook_not_found" | "secret_unavailable";

export interface HookEventBase {
  serverId: string;
  clientId: string;
  hookId: string;
}

export interface HookFailedEvent extends HookEventBase {
  event: "token.inline_hook_failed";
  reason: HookFailureReason;
  /** Which rule refused the commands, for `patch_rejected`. */
  rejection?: PatchRejection;
  detail: string;
  /** Milliseconds the call took, when one was made. */
  elapsedMs?: number;
}

export interface HookErrorEvent extends HookEventBase {
  event: "token.inline_hook_error";
  errorSummary: string;
}

/** The token was issued without the hook's changes. */
export function recordHookFailure(
  event: Omit<HookFailedEvent, "event">,
  log: EventLog = LINE_ONLY_LOG,
  request?: RequestInfo,
): void {
  const line: HookFailedEvent = { event: "token.inline_hook_failed", ...event };
  const eventType =
    event.reason === "patch_rejected"
      ? EVENT_TYPES.inlineHookResponseProcessed
      : EVENT_TYPES.inlineHookExecuted;
  recordHookEvent(log, line, eventType, event.reason, request, {
    reason: event.reason,
    detail: event.detail,
    ...(event.rejection ? { rejection: event.rejection } : {}),
    ...(event.elapsedMs !== undefined ? { elapsedMs: event.elapsedMs } : {}),
  });
}

/** The hook answered with an error object: the token request failed. */
export function recordHookError(
  event: Omit<HookErrorEvent, "event">,
  log: EventLog = LINE_ONLY_LOG,
  request?: RequestInfo,
): void {
  const line: HookErrorEvent = { event: "token.inline_hook_error", ...event };
  recordHookEvent(log, line, EVENT_TYPES.inlineHookResponseProcessed, "hook_error", request, {
    errorSummary: event.errorSummary,
  });
}

function recordHookEvent(
  log: EventLog,
  line: HookFailedEvent | HookErrorEvent,
  eventType: EventType,
  reason: string,
  request: RequestInfo | undefined,
  debugData: Record<string, unknown>,
): void {
  const { serverId, clientId, hookId } = line;
  const displayMessage = "Token inline hook failed";
  log.record(
    {
      eventType,
      displayMessage,
      actor: clientActor(clientId),
      outcome: { result: "FAILURE", reason },
      target: [
        { id: hookId, type: "InlineHook", alternateId: hookId, displayName: hookId },
        serverTarget(serverId),
      ],
      ...(request ? { request } : {}),
      debugData: { hookId, ...debugData },
    },
    {
      line: line as unknown as Record<string, unknown>,
      // Clients trigger hooks as often as they like: keep the first few per window in full.
      sample: {
        key: `hook\u001f${serverId}\u001f${clientId}\u001f${hookId}\u001f${reason}`,
        count: { eventType, result: "FAILURE", reason, serverId, clientId, displayMessage },
      },
    },
  );
}

export interface PreviewHookFailedEvent extends HookEventBase {
  event: "token_preview.inline_hook_failed";
  reason: HookFailureReason;
  rejection?: PatchRejection;
  detail: string;
  elapsedMs?: number;
}

/**
 * A Token Preview's hook failure in full. The preview's answer names only a coarse reason
 * (src/admin/token-preview.ts), so the particulars an operator needs to fix the hook are here,
 * under an event of its own: no real request failed, so it is not a `token.inline_hook_failed`.
 */
export function recordPreviewHookFailure(
  request: Omit<HookEventBase, "hookId">,
  outcome: Extract<TokenHookOutcome, { kind: "failed" }>,
): void {
  const { kind: _kind, called: _called, ...failure } = outcome;
  const line: PreviewHookFailedEvent = { event: "token_preview.inline_hook_failed", ...request, ...failure };
  console.info(JSON.stringify(line));
}

/** Records what a real request's hook step did; a preview shows the outcome instead. */
export function recordHookOutcome(
  request: Omit<HookEventBase, "hookId">,
  outcome: TokenHookOutcome,
  log: EventLog = LINE_ONLY_LOG,
  info?: RequestInfo,
): void {
  switch (outcome.kind) {
    case "none":
    case "inactive":
    case "applied":
      return;
    case "failed": {
      const { kind: _kind, called: _called, ...failure } = outcome;
      recordHookFailure({ ...request, ...failure }, log, info);
      return;
    }
    case "error":
      recordHookError({ ...request, hookId: outcome.hookId, errorSummary: outcome.errorSummary }, log, info);
      return;
  }
}
