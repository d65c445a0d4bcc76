/**
 * Token inline hook outcomes worth an admin's attention, one structured log line each (as
 * src/oauth/denial-log.ts records denials): Workers Logs keep them and the audit log will read the
 * same events. Okta records the same cases in its System Log. The client sees none of it, except
 * the hook's own `errorSummary`.
 */
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
export function recordHookFailure(event: Omit<HookFailedEvent, "event">): void {
  const line: HookFailedEvent = { event: "token.inline_hook_failed", ...event };
  console.warn(JSON.stringify(line));
}

/** The hook answered with an error object: the token request failed. */
export function recordHookError(event: Omit<HookErrorEvent, "event">): void {
  const line: HookErrorEvent = { event: "token.inline_hook_error", ...event };
  console.warn(JSON.stringify(line));
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
export function recordHookOutcome(request: Omit<HookEventBase, "hookId">, outcome: TokenHookOutcome): void {
  switch (outcome.kind) {
    case "none":
    case "inactive":
    case "applied":
      return;
    case "failed": {
      const { kind: _kind, called: _called, ...failure } = outcome;
      recordHookFailure({ ...request, ...failure });
      return;
    }
    case "error":
      recordHookError({ ...request, hookId: outcome.hookId, errorSummary: outcome.errorSummary });
      return;
  }
}
